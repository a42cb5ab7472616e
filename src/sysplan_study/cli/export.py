"""Export and import-progress."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli.app import _opts, app
from sysplan_study.errors import UserError


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    history: Optional[Path] = typer.Option(None, "--history", help="Review log as .csv or .json."),
    anki: Optional[Path] = typer.Option(None, "--anki", help="Decks as an Anki .apkg package."),
    progress: Optional[Path] = typer.Option(None, "--progress", help="Schedule and log as .json (for import-progress)."),
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="With --anki: only this chapter."),
) -> None:
    """Export history, Anki package or progress.  Example: sysplan export --anki sysplan.apkg"""
    from sysplan_study.reports import anki as anki_package
    from sysplan_study.reports import export
    from sysplan_study.store import progress_file

    if not (history or anki or progress):
        raise UserError("say what to export: --history FILE, --anki FILE.apkg or --progress FILE.json")
    o = _opts(ctx)
    if history:
        n = export.export_history(o.store(), o.library(), history)
        typer.echo(f"复习记录 {n} 条 → {history}")
    if anki:
        n = anki_package.export_anki(o.library(), anki, chapter)
        typer.echo(f"Anki 卡片 {n} 张 → {anki}")
    if progress:
        cards_, rows = progress_file.export_progress(o.store(), progress)
        typer.echo(f"进度：{cards_} 张卡片、{rows} 条记录 → {progress}")


@app.command("import-progress")
def import_progress(ctx: typer.Context, file: Path = typer.Argument(..., help="A file from export --progress.")) -> None:
    """Merge progress exported on another machine (newest review wins).  Example: sysplan import-progress p.json"""
    from sysplan_study.store import progress_file

    updated, added = progress_file.import_progress(_opts(ctx).store(), file)
    typer.echo(f"已合并：更新 {updated} 张卡片的日程，新增 {added} 条复习记录")
