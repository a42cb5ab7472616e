"""The stats command."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli.app import _db_path, _opts, _out, app


class StatsFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@app.command()
def stats(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="只统计这一章"),
    format: StatsFmt = typer.Option(StatsFmt.table, "--format", "-f"),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="写入此文件而不是屏幕（- 表示标准输出），绝不覆盖数据库"
    ),
) -> None:
    """各章进度、连续天数、热力图、到期预测、最常漏的项。  Example: sysplan stats --format json"""
    from sysplan_study import clock
    from sysplan_study.reports import stats as figures

    o = _opts(ctx)
    protected: list[Path] = []
    if output is not None:  # only then the output module (its temporary names need `secrets`: 5 ms to import)
        from sysplan_study.store import outputs

        if outputs.is_stdout(output):
            output = None
        else:
            protected = outputs.database_files(_db_path(o))
            outputs.check_target(output, protected)
    data = figures.compute(o.library(), o.store(write=False), clock.today(), chapter)
    if format is StatsFmt.table:
        from sysplan_study.ui import stats_view as statsview

        if output is None:
            return _out().print(statsview.render(data))
        import io

        from rich.console import Console

        buf = Console(record=True, width=80, no_color=True, file=io.StringIO())
        buf.print(statsview.render(data))
        from sysplan_study.store import outputs

        outputs.write_text(output, buf.export_text(), protected=protected)
        typer.echo(f"已写入 {output}", err=True)
        return
    if format is StatsFmt.json:
        from sysplan_study.reports import json_text

        text, bom = json_text.dumps(data) + "\n", False
    else:
        from sysplan_study.reports import export

        header, rows = figures.table_rows(data)
        if format is StatsFmt.csv:
            text, bom = export.csv_text(header, rows), True
        else:
            text, bom = export.markdown_table(header, ([*r[:2], *(figures.fmt(v, k) for k, v in zip(figures.KEYS, r[2:]))] for r in rows)), False
    if output is None:
        sys.stdout.write(("\ufeff" if bom else "") + text)
    else:
        from sysplan_study.store import outputs

        outputs.write_text(output, text, bom=bom, protected=protected)
        typer.echo(f"已写入 {output}", err=True)
