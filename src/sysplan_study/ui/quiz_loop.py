"""The quiz loop: ask each question, read the answer, undo on `u`, and the closing report."""

from __future__ import annotations

import time
from typing import Any

from sysplan_study.errors import UserError
from sysplan_study.study import recall
from sysplan_study.study.session import max_grade
from sysplan_study.ui import render
from sysplan_study.ui.answer_input import QUIT, REVEAL, UNDO, Input
from sysplan_study.ui.review_loop import answer_step, legend

MODE_NAMES = {"recall": "默写", "count": "项数", "which": "出处", "odd": "找不同", "next": "下一项"}


def run_quiz(
    session: Any, io: Input, out: Any, typed: bool = False, vocabulary: recall.Vocabulary | None = None
) -> None:
    """Ask each question; recall is self-graded (or typed and scored), choices are read as a number."""
    total = len(session.questions)
    while session.position < total:
        n = session.position + 1
        q = session.questions[session.position]
        started = time.monotonic()
        title = f"第 {n}/{total} 题 · {MODE_NAMES.get(q.mode, q.mode)}"
        if q.is_choice:
            out.print(render.choice_panel(q.prompt, q.choices, title, q.notes))
            out.print(f"[dim]输入选项编号 1-{len(q.choices)}" + ("，q 退出" if io.interactive else "") + "[/dim]")
            chosen = io.read_choice(len(q.choices))
            if chosen == QUIT:
                session.left_early = True
                break
            if chosen == UNDO:
                _quiz_undo(session, out)
                continue
            assert isinstance(chosen, int)
            a = session.answer_choice(q, chosen - 1, int((time.monotonic() - started) * 1000))
            right = f"{q.answer + 1}. {q.choices[q.answer]}"
            out.print(render.text("✓ 正确", "green") if a.correct else render.join(("✗ 错误", "red"), "，正确答案：", right))
            continue
        out.print(render.prompt_panel(q.card, subtitle=title))
        step = answer_step(q.card, io, out, typed, vocabulary, "u 撤销上一题 · ")
        if step.action == UNDO:
            _quiz_undo(session, out)
            continue
        if step.action != REVEAL:
            session.left_early = True
            break
        hints, default, items = [step.hints], step.default, step.items
        highest = max_grade(hints[0])
        out.print(f"[dim]自评：{legend(highest)}[/dim]")
        grade = io.read_grade(highest, default)
        if grade == QUIT:
            session.left_early = True
            break
        if grade == UNDO:
            _quiz_undo(session, out)
            continue
        assert isinstance(grade, int)
        session.answer_recall(q, grade, int((time.monotonic() - started) * 1000), hints[0], items)


def _quiz_undo(session: Any, out: Any) -> None:
    """Take back the last quiz answer and ask that question again; the quiz never ends on `u`."""
    try:
        undone = session.undo()
    except UserError as e:
        out.print(render.text(f"无法撤销：{e}", "yellow"))
        return
    if undone is None:
        out.print(render.text("本次测验还没有可撤销的回答", "yellow"))
    else:
        out.print(render.text(f"已撤销上一题的回答（{undone.question.card.id}），重新作答", "yellow"))


def quiz_report(session: Any) -> Any:
    """Score per mode and the items missed."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title="测验成绩", title_justify="left")
    table.add_column("题型")
    table.add_column("答对", justify="right")
    table.add_column("题数", justify="right")
    score = session.score()
    for mode, (right, n) in score.items():
        table.add_row(MODE_NAMES.get(mode, mode), str(right), str(n))
    right_all = sum(r for r, _ in score.values())
    n_all = sum(n for _, n in score.values())
    table.add_row("合计", str(right_all), str(n_all), style="bold")
    parts: list[Any] = [table]
    if session.left_early:
        parts.append(Text(f"提前结束：答了 {n_all}/{len(session.questions)} 题，只统计已答的题", style="yellow"))
    missed = session.missed()
    accepted = session.accepted_unmatched()
    if missed:
        parts.append(Text("漏掉或答错的：", style="bold"))
        parts.extend(render.wrapped(f"{text}  [{cid}]", prefix="  · ") for cid, text in missed)
    elif n_all and right_all == n_all:
        parts.append(Text("全部答对！" if not accepted else "按你的评分全部答对。"))
    if accepted:
        parts.append(Text("评为答对、但默写时未匹配的项（按你的评分计对）：", style="bold"))
        parts.extend(render.wrapped(f"{text}  [{cid}]", prefix="  · ") for cid, text in accepted)
    return Group(*parts)
