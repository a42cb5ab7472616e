"""The quiz command."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import _opts, _out, app
from sysplan_study.errors import UserError



@app.command()
def quiz(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Argument(None, help="Chapter/deck id, e.g. deploy (omit with --card)."),
    count: int = typer.Option(10, "--count", "-n", help="Number of questions."),
    mode: str = typer.Option("mixed", "--mode", "-m", help="recall | count | which | odd | next | mixed."),
    typed: bool = typer.Option(False, "--typed", help="Type recall answers; each item is scored."),
    card: Optional[str] = typer.Option(None, "--card", help="Quiz one card only."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed for a reproducible quiz."),
) -> None:
    """Quiz one chapter; never changes the review schedule.  Example: sysplan quiz deploy --mode which --seed 1"""
    from sysplan_study import clock
    from sysplan_study.study import recall
    from sysplan_study.ui import review_loop as tui
    from sysplan_study.study import quiz as quizzes

    o = _opts(ctx)
    lib = o.library()
    if card is not None:
        if not lib.has_card(card):
            raise UserError(f"unknown card id {card!r}; valid chapter ids: {', '.join(d.id for d in lib.decks)}")
        chosen = lib.card(card)
        cards, pool = [chosen], lib.cards_in(chosen.deck)
    elif chapter is None:
        raise UserError(f"name a chapter (one of: {', '.join(d.id for d in lib.decks)}) or --card ID")
    else:
        cards = pool = list(lib.cards_in(chapter))
    questions = quizzes.build_questions(cards, pool, count, mode, seed)
    session = quizzes.QuizSession(o.store(), clock.today(), questions)
    out = _out()
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    tui.run_quiz(session, tui.make_input(out), out, typed, vocab)
    out.print(tui.quiz_report(session))

