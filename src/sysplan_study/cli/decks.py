"""Deck and card commands: decks, cards, show, search, check, path."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sysplan_study.cli.app import Fmt, ShowFmt, _db_path, _opts, _out, _print_json, app, fail
from sysplan_study.errors import UserError




@app.command()
def decks(ctx: typer.Context, format: Fmt = typer.Option(Fmt.table, "--format", "-f")) -> None:
    """List decks with card, new and due counts.  Example: sysplan decks --format json"""
    from sysplan_study import clock
    from sysplan_study.reports import stats

    o = _opts(ctx)
    rows = stats.deck_overview(o.library(), o.store(), clock.today())
    if format is Fmt.json:
        return _print_json(rows)
    from sysplan_study.ui.render import simple_table

    cols = ["id", "title", "kind", "cards", "new", "due"]
    _out().print(simple_table(["id", "标题", "类型", "卡片", "新", "到期"], ([r[c] for c in cols] for r in rows)))


@app.command()
def cards(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="Deck/chapter id, e.g. design."),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f"),
) -> None:
    """List every card (optionally of one chapter).  Example: sysplan cards --chapter design"""
    chosen = _opts(ctx).library().cards_in(chapter)
    if format is Fmt.json:
        return _print_json([c.to_json() for c in chosen])
    from sysplan_study.ui.render import simple_table

    _out().print(simple_table(["id", "项数", "题目"], ((c.id, c.count, c.prompt) for c in chosen)))


@app.command()
def show(
    ctx: typer.Context,
    card_id: str = typer.Argument(..., help="Card id, e.g. design.catalog.activities."),
    format: ShowFmt = typer.Option(ShowFmt.text, "--format", "-f"),
) -> None:
    """Show one card with its numbered answer.  Example: sysplan show design.catalog.activities"""
    card = _opts(ctx).library().card(card_id)
    if format is ShowFmt.json:
        return _print_json(card.to_json())
    from sysplan_study.ui.render import card_panel

    _out().print(card_panel(card))


@app.command()
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Text to find in prompts and items (width- and case-insensitive)."),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f"),
) -> None:
    """Find cards whose prompt or items contain TEXT.  Example: sysplan search 服务目录"""
    from sysplan_study.decks.library import search as find

    found = find(_opts(ctx).library(), text)
    if format is Fmt.json:
        return _print_json([c.to_json() for c in found])
    if not found:
        _out().print(f"没有找到包含“{text}”的卡片。")
        return
    from sysplan_study.ui.render import simple_table

    _out().print(simple_table(["id", "题目"], ((c.id, c.prompt) for c in found), title=f"{len(found)} 张卡片"))


@app.command()
def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Deck files or directories (default: every loaded deck)."),
) -> None:
    """Validate decks; prints file:line problems.  Example: sysplan check ~/my-decks/extra.yaml"""
    from sysplan_study.decks.library import check_files, library_paths
    from sysplan_study.decks.files import deck_files

    if paths:
        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                files.extend(deck_files(p))
            elif p.exists():
                files.append(p)
            else:
                raise UserError(f"no such file or directory: {p}")
        decks_, problems = check_files(files)
    else:
        entries = library_paths(_opts(ctx).content_dirs)
        decks_, problems = check_files([p for p, _ in entries])
    if problems:
        for p in problems:
            typer.echo(str(p))
        fail(f"{len(problems)} problem(s) in deck files")
    n = sum(len(d.cards) for d in decks_)  # check_files returns full decks
    typer.echo(f"OK: {len(decks_)} decks, {n} cards valid")


@app.command()
def path(ctx: typer.Context) -> None:
    """Print where the database, user decks and built-in decks live.  Example: sysplan path"""
    from sysplan_study.decks.files import builtin_content_dir
    from sysplan_study.paths import cache_dir, user_decks_dir, user_dir

    o = _opts(ctx)
    typer.echo(f"home:       {user_dir()}")
    typer.echo(f"database:   {_db_path(o)}")
    typer.echo(f"user decks: {user_decks_dir()}")
    typer.echo(f"built-in:   {builtin_content_dir()}")
    typer.echo(f"cache:      {cache_dir()}")
