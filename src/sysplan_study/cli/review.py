"""Review commands: review, undo."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import _opts, _out, app




@app.command()
def review(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="Only this deck/chapter id."),
    new_limit: Optional[int] = typer.Option(
        None, "--new-limit", help="New cards per study day, counted from the log (default 20, or `exam set --new-limit`)."
    ),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many cards this session."),
    typed: bool = typer.Option(False, "--typed", help="Type the items you remember; each item is scored."),
) -> None:
    """Review due cards, then new ones (SM-2).  Example: sysplan review --chapter design --typed"""
    from sysplan_study.study import config, planner
    from sysplan_study.study import recall
    from sysplan_study.ui import review_loop as tui
    from sysplan_study.study.session import ReviewSession

    o = _opts(ctx)
    store, lib = o.store(), o.library()
    today = config.today(store)
    limit_new = config.get(store, "new-limit") if new_limit is None else new_limit
    assert isinstance(limit_new, int)
    session = ReviewSession.start(store, lib.card_ids_in(chapter), lib.card, today, limit_new, limit)
    session.due_cap = planner.due_cap(store, today)
    session.leech_threshold = int(config.get(store, "leech-threshold"))
    out = _out()
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    summary = tui.run_review(session, tui.make_input(out), out, typed, planner.header(store, today), vocab)
    out.print(tui.summary_panel(summary))


@app.command()
def undo(ctx: typer.Context) -> None:
    """Undo the last answer (repeatable): restores the card's previous schedule.  Example: sysplan undo"""
    from sysplan_study.study.session import undo_last

    entry = undo_last(_opts(ctx).store())
    if entry is None:
        typer.echo("没有可撤销的回答。")
        return
    what = "重置" if entry.mode == "reset" else f"评分 {entry.grade}"
    typer.echo(f"已撤销：{entry.card_id} {what}（{entry.mode}，{entry.reviewed_at[:16]}）")

