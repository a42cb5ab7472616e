"""`sysplan import`: study notes, Markdown, CSV or an Anki package → a validated deck in the user decks folder."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli.app import _opts, app
from sysplan_study.errors import UserError


class ImportFmt(str, Enum):
    auto = "auto"
    notes = "notes"
    markdown = "markdown"
    csv = "csv"
    apkg = "apkg"


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="笔记 .txt、Markdown .md、CSV .csv 或 Anki .apkg"),
    deck: Optional[str] = typer.Option(None, "--deck", help="新卡组的 id（小写英文、数字、_；默认取文件名）"),
    title: Optional[str] = typer.Option(None, "--title", help="卡组标题（默认取文档标题或文件名）"),
    format: ImportFmt = typer.Option(ImportFmt.auto, "--format", help="auto | notes | markdown | csv | apkg"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只把卡组打印到屏幕，不写文件"),
    force: bool = typer.Option(False, "--force", help="覆盖同名的已有卡组文件"),
    skip_builtin: bool = typer.Option(False, "--skip-builtin", help="不导入与内置卡组重复的卡片（同节号同字段）"),
) -> None:
    """把自己的笔记、Markdown、CSV 或 Anki 包导入为卡组（先校验）。  Example: sysplan import 笔记.txt --deck notes"""
    import sys

    from sysplan_study.decks import importers
    from sysplan_study.decks.importers.labels import ID_RE
    from sysplan_study.paths import user_decks_dir
    from sysplan_study.store import outputs

    deck_id = deck if deck is not None else importers.default_deck_id(file)
    if not ID_RE.match(deck_id):
        raise UserError(f"卡组 id {deck_id!r} 须为小写英文字母、数字和下划线，以字母开头（invalid deck id; use --deck）")
    target = user_decks_dir() / f"{deck_id}.yaml"
    library = _opts(ctx).library()
    for d in library.decks:
        if d.id == deck_id and Path(d.path).resolve() != target.resolve():
            raise UserError(f"卡组 id {deck_id!r} 已在 {d.path} 中使用，请用 --deck 另取一个（deck id taken）")
    if not dry_run and target.exists() and not force:
        raise UserError(f"卡组文件已存在，未覆盖；加 --force 覆盖（deck file exists; use --force）: {target}")
    ours = {}
    if format in (ImportFmt.auto, ImportFmt.apkg):
        import genanki

        ours = {genanki.guid_for("sysplan-study", cid): cid for cid in library.card_ids}
    result = importers.import_file(file, format.value, deck_id, title, ours)
    builtin_cards = [c for d in library.decks if d.builtin for c in d.cards]
    builtin_keys = {(c.section_number, c.field) for c in builtin_cards if c.field}
    builtin_ids = {c.id for c in builtin_cards}
    stats = result.stats
    if result.format == "apkg":
        repeats = {cid.replace(".", "_") for cid in stats.ours if cid in builtin_ids}
        stats.builtin_repeats = len(repeats)
        if skip_builtin and repeats:
            kept = [c for c in result.doc["cards"] if c["id"] not in repeats]
            stats.skipped_builtin = len(result.doc["cards"]) - len(kept)
            result.doc["cards"] = kept
    else:
        keys = set(importers.field_keys(result.doc)) & builtin_keys
        stats.builtin_repeats = len(keys)
        if skip_builtin and keys:
            stats.skipped_builtin = importers.drop_fields(result.doc, keys)
    if importers.count_cards(result.doc) == 0:
        raise UserError(f"去掉与内置卡组重复的卡片后没有剩下卡片，未导入（nothing left after --skip-builtin）: {file}")
    text = importers.deck_yaml(result.doc, str(file))
    imported = importers.validated(text, str(target))
    if dry_run:
        sys.stdout.write(text)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        outputs.write_text(target, text)
    typer.echo(_summary(imported, stats, result.format, None if dry_run else target), err=dry_run)
    if stats.hashed_ids:
        typer.echo(f"  注意：{stats.hashed_ids} 张卡片没有 id 列，id 取自问题文字的哈希；改动问题会成为新卡片、从头复习"
                   f"（add an id column to keep history across edits）", err=True)
    for line in stats.unplaced:
        shown = line if len(line) <= 60 else line[:60] + "…"
        typer.echo(f"  未能归位（not placed）：{shown}", err=True)


def _summary(deck: object, stats: object, fmt: str, target: Path | None) -> str:
    """One line: what was made and where."""
    s = stats
    parts = [f"卡片 {len(deck.cards)} 张", f"条目 {s.items} 条"]  # type: ignore[attr-defined]
    if s.sections:  # type: ignore[attr-defined]
        parts.insert(0, f"章节 {s.sections} 个")  # type: ignore[attr-defined]
    if s.corrections:  # type: ignore[attr-defined]
        parts.append(f"更正 {s.corrections} 处")  # type: ignore[attr-defined]
    if s.unsplit:  # type: ignore[attr-defined]
        parts.append(f"{s.unsplit} 条连写未能切分（已标注，请手工编辑）")  # type: ignore[attr-defined]
    if s.cut_off:  # type: ignore[attr-defined]
        parts.append(f"{s.cut_off} 项截断")  # type: ignore[attr-defined]
    if s.builtin_repeats:  # type: ignore[attr-defined]
        skipped = f"，已跳过 {s.skipped_builtin} 张" if s.skipped_builtin else "（--skip-builtin 可跳过）"  # type: ignore[attr-defined]
        parts.append(f"{s.builtin_repeats} 张与内置卡组重复{skipped}")  # type: ignore[attr-defined]
    if s.unplaced:  # type: ignore[attr-defined]
        parts.append(f"{len(s.unplaced)} 段文字未能归位（见下）")  # type: ignore[attr-defined]
    where = f" → {target}" if target else "（--dry-run，未写文件）"
    return f"已导入卡组 {deck.id}（{fmt}）：{'，'.join(parts)}{where}"  # type: ignore[attr-defined]
