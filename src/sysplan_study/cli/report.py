"""`sysplan report`: the progress report as one self-contained HTML page."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sysplan_study.cli.app import _db_path, _opts, app

DEFAULT_OUTPUT = "sysplan-report.html"


@app.command()
def report(
    ctx: typer.Context,
    output: Path = typer.Option(
        Path(DEFAULT_OUTPUT), "--output", "-o", help="写入此 HTML 文件（- 表示标准输出），绝不覆盖数据库"
    ),
    open_: bool = typer.Option(False, "--open", help="写好后用默认浏览器打开"),
) -> None:
    """进度报告：一个自包含的 HTML 页面（倒计时、预测、热力图、到期、保持率、最弱项、首字速记）。  Example: sysplan report --open"""
    from sysplan_study import clock
    from sysplan_study.reports import html_report, stats as figures
    from sysplan_study.store import outputs
    from sysplan_study.study import config, fitting, forecast as model, planner, weak
    from sysplan_study.ui.progress import replay_bar

    o = _opts(ctx)
    to_stdout = outputs.is_stdout(output)
    protected = outputs.database_files(_db_path(o))
    if not to_stdout:
        outputs.check_target(output, protected)
    store, lib = o.store(write=False), o.library()
    with replay_bar("按复习记录建立逐项记忆") as progress:
        weak.ensure(store, lib, progress)
        fitting.refresh(store, progress)
    today = config.today(store)
    data = figures.compute(lib, store, clock.today())
    exam = planner.exam_date(store)
    fc = model.forecast(store, lib, exam, today).to_json() if exam is not None and exam >= today else None
    page = html_report.render(data, fc)
    if to_stdout:
        sys.stdout.write(page)
        return
    outputs.write_text(output, page, protected=protected)
    typer.echo(f"已写入 {output}", err=True)
    if open_:
        import webbrowser

        webbrowser.open(output.resolve().as_uri())
