"""Managing cards: suspend, unsuspend, reset."""

from __future__ import annotations

import typer

from sysplan_study.cli.app import _opts, app

SPECS = typer.Argument(..., help="卡片 id，或章/小节前缀（如 design.catalog 表示其下所有卡片）（card ids or a section prefix）")


def _ids(ctx: typer.Context, specs: list[str]) -> list[str]:
    from sysplan_study.decks.search import select

    return [c.id for c in select(_opts(ctx).library(), specs)]


@app.command()
def suspend(ctx: typer.Context, specs: list[str] = SPECS) -> None:
    """暂停卡片：不再安排复习，也不计入到期（日程和记录保留）。  Example: sysplan suspend design.catalog"""
    from sysplan_study.clock import utc_now
    from sysplan_study.store import cards

    ids = _ids(ctx, specs)
    n = cards.suspend(_opts(ctx).store(), ids, utc_now())
    typer.echo(f"已暂停 {n} 张卡片（{len(ids) - n} 张原本已暂停）；恢复：sysplan unsuspend {' '.join(specs)}")


@app.command()
def unsuspend(ctx: typer.Context, specs: list[str] = SPECS) -> None:
    """恢复暂停的卡片。  Example: sysplan unsuspend design.catalog"""
    from sysplan_study.store import cards

    n = cards.unsuspend(_opts(ctx).store(), _ids(ctx, specs))
    typer.echo(f"已恢复 {n} 张卡片")


@app.command()
def reset(ctx: typer.Context, specs: list[str] = SPECS) -> None:
    """重置卡片的日程（变回新卡）；记录保留，每张记一条 reset，可用 sysplan undo 撤销。  Example: sysplan reset design.catalog.activities"""
    from sysplan_study.clock import utc_now
    from sysplan_study.store import cards
    from sysplan_study.study import config

    o = _opts(ctx)
    store = o.store()
    ids = _ids(ctx, specs)
    done = cards.reset(store, ids, utc_now(), config.today(store))
    skipped = len(ids) - len(done)
    typer.echo(f"已重置 {len(done)} 张卡片" + (f"（{skipped} 张本来就是新卡）" if skipped else "")
               + ("；撤销最后一张：sysplan undo" if done else ""))


def list_leeches(ctx: typer.Context, chapter: str | None, fmt: str) -> None:
    """`sysplan cards --leeches`: every leech (stats lists the worst 50), most lapses first, as table, JSON or ids."""
    import sys

    from sysplan_study.cli.app import _out, _print_json
    from sysplan_study.reports import stats

    o = _opts(ctx)
    lib = o.library()
    if chapter is not None:
        lib.deck(chapter)  # a UserError naming the valid ids
    rows, _ = stats.leeches(lib, o.store(write=False), None, chapter)
    if fmt == "json":
        return _print_json(rows)  # the objects of stats JSON's `leeches`
    if fmt == "ids":
        sys.stdout.write("".join(f"{x['card_id']}\n" for x in rows))
        return
    from rich.console import Group
    from rich.text import Text

    from sysplan_study.ui.stats_view import leech_lines

    where = f"（{chapter}）" if chapter else ""
    if not rows:
        return _out().print(Text(f"没有难点卡片{where}（掌握后又忘记 leech-threshold 次的卡片；no leeches）"))
    _out().print(Group(Text(f"难点卡片{where} {len(rows):,} 张，遗忘最多的在前"), *leech_lines(rows)))
