"""`sysplan mock`: a mock exam across chapters, scored item by item, next to what the forecast predicted."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import _opts, _out, app


@app.command()
def mock(
    ctx: typer.Context,
    count: int = typer.Option(10, "--count", "-n", help="抽几张卡（默认 10，从所有章节随机抽，不只是到期的）"),
    seed: Optional[int] = typer.Option(None, "--seed", help="随机种子：同一种子抽同一套题"),
) -> None:
    """模拟考试：逐项默写随机抽的卡，逐项判分，对照预测（不改变复习日程）。  Example: sysplan mock -n 8 --seed 1"""
    from sysplan_study.study import config, mock as mocks, recall, weak
    from sysplan_study.ui import quiz_loop
    from sysplan_study.ui.answer_input import make_input
    from sysplan_study.ui.progress import replay_bar

    o = _opts(ctx)
    store, lib = o.store(), o.library()
    with replay_bar("按复习记录建立逐项记忆") as progress:
        weak.ensure(store, lib, progress)
    cards = mocks.draw(lib.cards, count, seed)
    session, prediction = mocks.start(store, cards, config.today(store))
    out = _out()
    quiz_loop.run_quiz(session, make_input(out), out, True, recall.Vocabulary.of(lib.cards))
    s = mocks.score(session, prediction)
    if s.asked == 0:
        typer.echo("模拟考试没有作答。")
        return
    line = f"模拟考试：{s.asked} 项中回忆出 {s.recalled} 项（{s.recalled / s.asked * 100:.0f}%）"
    if s.predicted is not None and s.actual is not None:
        line += f"；学过的 {s.known} 项：预测 {s.predicted * 100:.0f}% · 实得 {s.actual * 100:.0f}%"
    typer.echo(line)
