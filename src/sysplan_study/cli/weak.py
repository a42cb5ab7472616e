"""`sysplan weak`: the studied items with the lowest predicted recall today."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import Fmt, _opts, _out, _print_json, app


@app.command()
def weak(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="只看这一章（卡组 id）"),
    limit: int = typer.Option(20, "--limit", "-n", help="列出几项（默认 20）"),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table | json"),
) -> None:
    """最可能忘记的条目（按 FSRS 预计今天的回忆率）。  Example: sysplan weak --chapter design --limit 10"""
    from sysplan_study.study import config, weak as weakest
    from sysplan_study.ui.progress import replay_bar

    o = _opts(ctx)
    store, lib = o.store(write=False), o.library()  # a read-only home lists what it has
    with replay_bar("按复习记录建立逐项记忆") as progress:
        weakest.ensure(store, lib, progress)
    today = config.today(store)
    found = weakest.weakest(store, lib, today, chapter, limit)
    if format is Fmt.json:
        return _print_json({"date": today.isoformat(), "items": [w.to_json() for w in found]})
    from sysplan_study.ui.weak_view import render_weak

    _out().print(render_weak(found, today, chapter))
