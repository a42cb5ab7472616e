"""Export and import-progress."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli.app import _db_path, _opts, app
from sysplan_study.errors import UserError


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    history: Optional[Path] = typer.Option(None, "--history", help="复习记录，.csv 或 .json（- 表示以 CSV 输出到屏幕）"),
    anki: Optional[Path] = typer.Option(None, "--anki", help="把卡组导出为 Anki 的 .apkg 包"),
    progress: Optional[Path] = typer.Option(None, "--progress", help="日程和完整记录，.json（供另一台机器 import-progress）"),
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="与 --anki 一起用：只导出这一章"),
    with_progress: bool = typer.Option(
        False, "--with-progress", help="与 --anki 一起用：带上日程和复习记录（Anki 导入时勾选“导入学习进度”）"),
) -> None:
    """导出复习记录、Anki 卡包或进度；绝不覆盖数据库。  Example: sysplan export --anki s.apkg"""
    import sys

    from sysplan_study.reports import anki as anki_package
    from sysplan_study.reports import export
    from sysplan_study.store import outputs, progress_file

    if not (history or anki or progress):
        raise UserError("请说明导出什么：--history 文件、--anki 文件.apkg 或 --progress 文件.json（say what to export）")
    if with_progress and not anki:
        raise UserError("--with-progress 只能与 --anki 一起用（--with-progress needs --anki FILE.apkg）")
    o = _opts(ctx)
    protected = outputs.database_files(_db_path(o))
    # Every target is checked before anything is written, so one bad path never leaves a partial export.
    if history and not outputs.is_stdout(history):
        export.history_kind(history)
        outputs.check_target(history, protected)
    if anki:
        anki_package.export_anki_check(anki, protected)
    if progress:
        if outputs.is_stdout(progress):
            raise UserError("进度文件请写到 .json 文件，不支持 -（give a .json file name for --progress, not -）")
        outputs.check_target(progress, protected)
    if history and outputs.is_stdout(history):
        text, bom, n = export.history_document(o.store(write=False), o.library(), "csv")
        sys.stdout.write(("\ufeff" if bom else "") + text)
        typer.echo(f"复习记录 {n} 条 → 标准输出", err=True)
    elif history:
        n = export.export_history(o.store(write=False), o.library(), history, protected)
        typer.echo(f"复习记录 {n} 条 → {history}")
    if anki:
        schedules = None
        if with_progress:
            from sysplan_study.store.anki_progress import anki_schedules

            schedules = anki_schedules(o.store(write=False))
        n = anki_package.export_anki(o.library(), anki, chapter, protected, progress=schedules)
        carried = f"，其中 {sum(1 for c in schedules if o.library().has_card(c))} 张带学习进度" if schedules else ""
        typer.echo(f"Anki 卡片 {n} 张{carried} → {anki}")
    if progress:
        cards_, rows = progress_file.export_progress(o.store(write=False), progress)
        typer.echo(f"进度：{cards_} 张卡片、{rows} 条记录 → {progress}")


@app.command("import-progress")
def import_progress(ctx: typer.Context, file: Path = typer.Argument(
        ..., help="export --progress 导出的 .json，或 Anki/AnkiDroid 导出的 .apkg/.colpkg")) -> None:
    """合并另一台机器导出的进度（先完整校验，最大 2 GiB）；也读 Anki 包里本卡组的复习记录。  Example: sysplan import-progress p.json"""
    from sysplan_study.store import progress_file

    o = _opts(ctx)
    item_counts = {c.id: c.count for c in o.library().cards}  # per-item results must name an existing item
    if file.suffix.lower() in (".apkg", ".colpkg"):
        from sysplan_study.decks.importers.apkg import open_collection
        from sysplan_study.reports.anki import guid_for
        from sysplan_study.store.anki_progress import anki_reviews, merge_anki_reviews

        ours = {guid_for(cid): cid for cid in item_counts}
        with open_collection(file) as collection:
            rows = anki_reviews(collection, ours)
        updated, added, known = merge_anki_reviews(o.store(), rows, item_counts)
        typer.echo(f"已合并 Anki 复习记录：更新 {updated} 张卡片的日程，新增 {added} 条复习记录（{known} 条已有）")
        return
    updated, added = progress_file.import_progress(o.store(), file, item_counts)
    typer.echo(f"已合并：更新 {updated} 张卡片的日程，新增 {added} 条复习记录")
