"""Deck and card commands: decks, cards, show, search, check, path."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli.app import Fmt, ShowFmt, _db_path, _opts, _out, _print_json, app, fail
from sysplan_study.errors import UserError


class ListFmt(str, Enum):
    table = "table"
    json = "json"
    ids = "ids"


@app.command()
def decks(ctx: typer.Context, format: Fmt = typer.Option(Fmt.table, "--format", "-f")) -> None:
    """列出卡组：卡片数、新卡、到期、暂停。  Example: sysplan decks --format json"""
    from sysplan_study import clock
    from sysplan_study.reports import stats

    o = _opts(ctx)
    rows = stats.deck_overview(o.library(), o.store(write=False), clock.today())
    if format is Fmt.json:
        return _print_json(rows)
    from sysplan_study.ui.listing import DeckOverview

    _out().print(DeckOverview(rows))


def _print_ids(ids: list[str]) -> None:
    """Bare ids, one a line, for scripts (`--format ids`)."""
    sys.stdout.write("".join(f"{i}\n" for i in ids))


@app.command()
def cards(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="章或卡组 id，如 design"),
    format: ListFmt = typer.Option(ListFmt.table, "--format", "-f", help="table | json | ids（只列 id，每行一个）"),
    leeches: bool = typer.Option(False, "--leeches", help="只列难点卡片（全部，遗忘最多的在前；stats 只列 50 张）"),
) -> None:
    """列出所有卡片（可只列一章），按章节分组。  Example: sysplan cards --chapter design"""
    if leeches:
        from sysplan_study.cli.cards import list_leeches

        return list_leeches(ctx, chapter, format.value)
    lib = _opts(ctx).library()
    if format is ListFmt.ids:
        return _print_ids(list(lib.card_ids_in(chapter)))
    chosen = lib.cards_in(chapter)
    if format is ListFmt.json:
        return _print_json([c.to_json() for c in chosen])
    from sysplan_study.ui.listing import listing

    _out().print(listing(lib, chosen))


@app.command()
def show(
    ctx: typer.Context,
    card_ids: list[str] = typer.Argument(
        ..., help="卡片 id，或章/节前缀，如 design.catalog（其下所有卡片）"
    ),
    format: ShowFmt = typer.Option(ShowFmt.text, "--format", "-f"),
) -> None:
    """显示卡片及其完整答案（可给多个 id 或章节前缀）。  Example: sysplan show design.catalog.activities design.sla"""
    from sysplan_study.decks.search import select

    chosen = select(_opts(ctx).library(), card_ids)
    if format is ShowFmt.json:
        single = len(card_ids) == 1 and len(chosen) == 1 and chosen[0].id == card_ids[0].strip()
        return _print_json(chosen[0].to_json() if single else [c.to_json() for c in chosen])
    from sysplan_study.ui.render import card_panel

    out = _out()
    for card in chosen:
        out.print(card_panel(card))


@app.command()
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="要查找的文字（不分全角半角、大小写）"),
    format: ListFmt = typer.Option(ListFmt.table, "--format", "-f", help="table | json | ids（只列 id，每行一个）"),
) -> None:
    """查找题目或答案中含有 TEXT 的卡片，标出匹配的项。  Example: sysplan search 服务目录"""
    from sysplan_study.decks import search as finder

    lib = _opts(ctx).library()
    hits = finder.search(lib, text)
    if format is ListFmt.json:
        return _print_json([h.to_json() for h in hits])
    if format is ListFmt.ids:
        return _print_ids([h.card.id for h in hits])
    from sysplan_study.ui.listing import listing
    from sysplan_study.ui.render import join

    out = _out()
    if not hits:
        out.print(join("没有找到包含“", text.strip(), "”的卡片。"))
        return
    needle = finder.needle_of(text)
    by_id = {h.card.id: h for h in hits}
    out.print(join((f"{len(hits)} 张卡片包含“", "bold"), (text.strip(), "bold"), ("”", "bold")))
    out.print(listing(lib, [h.card for h in hits], lambda s: finder.spans(s, needle),
                      lambda c: [(i.path, i.item) for i in by_id[c.id].items]))


@app.command()
def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="卡组文件或目录（默认：所有已加载的卡组）"),
    notes: bool = typer.Option(False, "--notes", help="列出所有注释：整理说明（source_note）和给考生的注（note）"),
) -> None:
    """检查卡组；问题按 文件:行: 说明 列出，有问题时退出码 1。  Example: sysplan check ~/my-decks/extra.yaml"""
    import os

    from sysplan_study.decks.files import entry_problem, scan_decks
    from sysplan_study.decks.library import check_files, scan_library
    from sysplan_study.decks.yaml_lines import Problem

    # Entries that are not files (a directory named x.yaml, a FIFO, a symlink loop or dangling link) are reported
    # and count as problems; they are never opened, so check cannot hang on a FIFO.
    skipped: list[Problem] = []
    if paths:
        files: list[Path] = []
        for p in paths:
            if not os.path.lexists(p):
                raise UserError(f"没有这个文件或目录（no such file or directory）: {p}")
            if p.is_dir():
                found, more = scan_decks(p)
                files.extend(found)
                skipped.extend(more)
            elif (problem := entry_problem(p)) is not None:
                skipped.append(problem)
            else:
                files.append(p)
    else:
        entries, skipped = scan_library(_opts(ctx).content_dirs)
        files = [p for p, _ in entries]
    decks_, problems = check_files(files)
    problems = [*skipped, *problems]
    if problems:
        for p in problems:
            typer.echo(str(p))
        fail(f"卡组文件中有 {len(problems)} 处问题（{len(problems)} problem(s) in deck files）")
    if notes:
        for d in decks_:
            for note in d.notes:
                typer.echo(str(note))
    n = sum(len(d.cards) for d in decks_)  # check_files returns full decks
    typer.echo(f"OK: {len(decks_)} decks, {n} cards valid")


@app.command()
def path(ctx: typer.Context) -> None:
    """显示数据库、备份、自建卡组、内置卡组和缓存的位置。  Example: sysplan path"""
    from sysplan_study.decks.files import builtin_content_dir
    from sysplan_study.paths import cache_dir, user_decks_dir, user_dir

    o = _opts(ctx)
    typer.echo(f"home:       {user_dir()}")
    typer.echo(f"database:   {_db_path(o)}")
    typer.echo(f"user decks: {user_decks_dir()}")
    typer.echo(f"built-in:   {builtin_content_dir()}")
    typer.echo(f"cache:      {cache_dir()}")
    from sysplan_study.store.connection import backups

    for backup in backups(_db_path(o)):
        typer.echo(f"backup:     {backup}")
