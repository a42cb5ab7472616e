"""The quiz command."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import _opts, _out, app
from sysplan_study.errors import UserError



@app.command()
def quiz(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Argument(None, help="章或卡组 id，如 deploy（用 --card 时可省略）"),
    count: Optional[int] = typer.Option(None, "--count", "-n", help="题数（默认 10；只测 --card 时默认 1）"),
    mode: Optional[str] = typer.Option(
        None, "--mode", "-m", help="recall | count | which | odd | next | mixed（默认 mixed；--typed 时默认 recall）"
    ),
    typed: bool = typer.Option(False, "--typed", help="逐项默写，逐项判分"),
    card: Optional[str] = typer.Option(None, "--card", help="只测这一张卡"),
    seed: Optional[int] = typer.Option(None, "--seed", help="随机种子：同一种子出同一套题"),
) -> None:
    """按章测验，不改变复习日程。  Example: sysplan quiz deploy --mode which --seed 1"""
    from sysplan_study.study import config
    from sysplan_study.study import recall
    from sysplan_study.ui import quiz_loop
    from sysplan_study.ui.answer_input import make_input
    from sysplan_study.study import quiz as quizzes

    o = _opts(ctx)
    lib = o.library()
    if card is not None:
        if not lib.has_card(card):
            raise UserError(f"没有这张卡片：{card!r}（unknown card id; see `sysplan cards`）")
        chosen = lib.card(card)
        if chapter is not None and chapter != chosen.deck:
            lib.deck(chapter)  # an unknown chapter id is reported as such
            raise UserError(f"卡片 {card} 属于 {chosen.deck}，不属于 {chapter}（--card is not in this chapter）")
        cards, pool = [chosen], lib.cards_in(chosen.deck)
    elif chapter is None:
        raise UserError(f"请指定一章（{', '.join(d.id for d in lib.decks)}）或 --card ID（name a chapter or --card ID）")
    else:
        cards = pool = list(lib.cards_in(chapter))
    if count is None:
        count = 1 if card is not None else quizzes.DEFAULT_COUNT
    if mode is None:
        mode = "recall" if typed else quizzes.MIXED
    questions = quizzes.build_questions(cards, pool, count, mode, seed)
    store = o.store()
    session = quizzes.QuizSession(store, config.today(store), questions)
    out = _out()
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    quiz_loop.run_quiz(session, make_input(out), out, typed, vocab)
    out.print(quiz_loop.quiz_report(session))

