"""The review loop: show each card, reveal or mark typed recall, read a grade, commit it; no scheduling logic."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sysplan_study.study import recall
from sysplan_study.ui import render
from sysplan_study.errors import UserError
from sysplan_study.study.session import DRILL, ReviewSession, Summary, max_grade
from sysplan_study.ui.answer_input import HINT, QUIT, REVEAL, UNDO, Input
from sysplan_study.memory.sm2 import GRADE_LEGEND

def legend(highest: int) -> str:
    """One-line grade legend, limited to the grades on offer."""
    return "  ".join(f"{g} {GRADE_LEGEND[g]}" for g in range(highest + 1))


def recall_table(result: recall.RecallResult) -> Any:
    """Each expected item ✓/≈/✗, beside it what it was matched to when that differed (≈: a key phrase, counted
    only once accepted), then unmatched lines."""
    rows: list[render.Row] = []
    for m in result.matches:
        body = render.item_body(m.item)
        if m.partial and m.typed:
            body.append(f"  ≈ {m.typed}", style="yellow")
        elif m.recalled and m.typed and recall.normalize(m.typed) != recall.normalize(m.item.text):
            body.append(f"  ← {m.typed}", style="dim")
        mark = (render.text("✓", "green") if m.recalled else render.text("≈", "yellow") if m.partial
                else render.text("✗", "red"))
        rows.append(render.Row(0, f"({m.index + 1})", body, mark))
        rows.extend(render.item_rows(m.item.children, 1))
    for extra in result.extras:
        rows.append(render.Row(0, "", render.join((extra, "yellow"), ("  (未匹配任何一项)", "dim")), render.text("?", "yellow")))
    return render.row_list(rows, marked=True)


def typed_answer(
    card: Any, io: Input, out: Any, hints: list[int], vocabulary: recall.Vocabulary | None = None
) -> recall.RecallResult | str:
    """Read typed items (with '?' hints) and score them against the card."""

    def on_hint() -> None:
        if hints[0] < recall.max_hints(card):
            hints[0] += 1
            out.print(render.hint_line(hints[0], recall.hint(card, hints[0]), f"（最高评分降为 {max_grade(hints[0])}）"))
        else:
            out.print("[cyan]没有更多提示了[/cyan]")

    out.print("[dim]逐行输入你记得的各项（可用、，；分隔），空行结束；? 看提示；q 退出[/dim]")
    lines = io.read_lines(on_hint)
    if isinstance(lines, str):
        return lines
    return recall.match(card, lines, vocabulary)


@dataclass
class Step:
    """What happened before grading: revealed (with hints, suggested grade, item results), quit or undo."""

    action: str
    hints: int = 0
    default: int | None = None
    items: list[Any] | None = None


def answer_step(
    card: Any, io: Input, out: Any, typed: bool, vocabulary: recall.Vocabulary | None, undo_hint: str = ""
) -> Step:
    """Typed recall scored item by item, or reveal on a key with the hint ladder; shared by review and quiz."""
    hints = [0]
    if typed:
        result = typed_answer(card, io, out, hints, vocabulary)
        if isinstance(result, str):
            return Step(result)
        out.print(recall_table(result))
        if result.partials and io.interactive:  # one key accepts every ≈ before the grade is suggested
            out.print(render.text(f"≈ 是长条目的关键短语（{result.partials} 项）：按 y 全部算对，其他键算漏掉", "yellow"))
            if getattr(io, "key", lambda: "")().lower() in ("y", "ｙ"):
                result = result.accept_partials()
                out.print(render.text("已接受 ≈ 项", "green"))
        default = recall.suggest_grade(result.share, max_grade(hints[0]))
        left = f"（≈ {result.partials} 项未计入）" if result.partials else ""
        out.print(f"回忆出 {result.recalled}/{result.total} 项{left}，建议评分 {default}（回车接受，或按数字改评）")
        return Step(REVEAL, hints[0], default, result.item_results())
    if io.interactive:
        out.print(f"[dim]空格/回车 显示答案 · h 提示 · {undo_hint}q 退出[/dim]")
    while True:
        action = io.read_reveal()
        if action != HINT:
            break
        hints[0] = min(hints[0] + 1, recall.max_hints(card))
        out.print(render.hint_line(hints[0], recall.hint(card, hints[0]), f"（最高评分 {max_grade(hints[0])}）"))
    if action != REVEAL:
        return Step(action)
    out.print(render.answer_block(card))
    return Step(REVEAL, hints[0])


def run_review(
    session: ReviewSession, io: Input, out: Any, typed: bool = False, header: str | None = None,
    vocabulary: recall.Vocabulary | None = None,
) -> Summary:
    """Show each queued card, reveal, read a grade, commit it; drills come back until graded 4 or more."""
    if header:
        out.print(render.wrapped(header))
    if session.current() is None:
        _notices(session, out)
        return session.summary()
    while (planned := session.current()) is not None:
        _notices(session, out)
        card = planned.card
        started = time.monotonic()
        tag = "重练" if planned.mode == DRILL else "复习"
        out.print(render.prompt_panel(card, subtitle=f"{tag} · {_progress(session)}"))
        if planned.mode != DRILL and (leech := session.leech_note(card.id)) is not None:
            from rich.text import Text

            out.print(Text(leech, style="magenta"))
        step = answer_step(card, io, out, typed, vocabulary, "u 撤销上一张 · ")
        if step.action == QUIT:
            break
        if step.action == UNDO:
            _undo(session, out)
            continue
        hints, default, items = [step.hints], step.default, step.items
        highest = max_grade(hints[0])
        if planned.mode == DRILL:
            out.print("[dim]重练：不改变复习日程，评 4 或 5 才算过关[/dim]")
        else:
            preview = session.preview(card)
            out.print("[dim]" + "  ".join(f"{g}→{preview[g].interval}天" for g in range(highest + 1)) + "[/dim]")
        out.print(f"[dim]评分：{legend(highest)}" + ("  · u 撤销 · q 退出" if io.interactive else "") + "[/dim]")
        grade = io.read_grade(highest, default)
        if grade == QUIT:
            break
        if grade == UNDO:
            _undo(session, out)
            continue
        assert isinstance(grade, int)
        _save_answer(session, io, out, grade, int((time.monotonic() - started) * 1000), hints[0], items, highest)
        _notices(session, out)
    _notices(session, out)
    return session.summary()


def _progress(session: ReviewSession) -> str:
    """已答 5（含重练 1）· 待答 12（含重练 2）: drills count as answers and as cards still to do."""
    done_drills = sum(1 for a in session.history if a.logged_as == DRILL)
    waiting_drills = sum(1 for p in session.queue if p.mode == DRILL)
    done = f"已答 {session.done}" + (f"（含重练 {done_drills}）" if done_drills else "")
    left = f"待答 {session.left}" + (f"（含重练 {waiting_drills}）" if waiting_drills else "")
    return f"{done} · {left}"


def _notices(session: ReviewSession, out: Any) -> None:
    """Print (once) what the session noticed: cards answered in another window, the new-card limit reached."""
    from rich.text import Text

    for line in session.notices:
        out.print(Text(line, style="yellow"))
    session.notices.clear()


def _save_answer(
    session: ReviewSession, io: Input, out: Any, grade: int, duration_ms: int, hints: int, items: Any, highest: int
) -> None:
    """Commit the answer; if the write fails (disk full, database busy) keep it and let the user retry or quit."""
    from rich.text import Text

    while True:
        try:
            session.answer(grade, duration_ms, hints, items)
            return
        except UserError as e:
            out.print(Text(f"保存失败：{e}。这次的评分 {grade} 还在，按回车重试，q 放弃这张卡并退出", style="red"))
            again = io.read_grade(highest, grade)
            if again in (QUIT, UNDO):
                raise UserError(f"评分未保存（not saved）：{e}") from None
            if isinstance(again, int):
                grade = again


def _undo(session: ReviewSession, out: Any) -> None:
    try:
        undone = session.undo()
    except UserError as e:
        from rich.text import Text

        out.print(Text(f"无法撤销：{e}", style="yellow"))  # the session goes on
        return
    if undone is None:
        out.print("[yellow]本次还没有可撤销的回答[/yellow]")
    else:
        out.print(f"[yellow]已撤销 {undone.planned.card.id} 的评分 {undone.grade}[/yellow]")


def exam_header(exam: Any, today: Any, reviews: int, budget: int, new: int, done_today: int = 0) -> str:
    """The first line of `review --exam`: what the queue holds and why."""
    days = (exam - today).days
    extra = f"，另有新卡 {new} 张" if new else ""
    done = f"，今天已复习 {done_today} 张" if done_today else ""
    return (f"考试模式：距考试（{exam.isoformat()}）{days} 天；按考试日预计记住的增益挑出 {reviews} 张复习"
            f"（预算 {budget} 张{done}，可含未到期的卡）{extra}")


def exam_line(exam: Any, before: float | None, after: float | None) -> str | None:
    """考试日预计记住 71% → 73%: the overall exam-day forecast before and after the session."""
    if after is None:
        return None
    start = "—" if before is None else f"{before:.0%}"
    return f"考试日（{exam.isoformat()}）预计记住 {start} → {after:.0%}"


def summary_panel(summary: Summary, today: Any = None, chapter: str | None = None,
                  exam_change: tuple[Any, float | None, float | None] | None = None) -> Any:
    """End-of-session summary; with nothing answered, when the next card is due and what else to do instead.
    With `exam_change` (exam date, forecast before, after) the forecast's change is its last line."""
    from rich.panel import Panel

    change = exam_line(*exam_change) if exam_change else None
    if change and summary.reviewed == 0 and summary.drilled == 0:
        return render.text(f"本次没有作答；{change}。" if not summary.left else
                           f"本次没有作答；还有 {summary.left} 张等着你（sysplan review --exam）。{change}。")

    if summary.reviewed == 0 and summary.drilled == 0:
        if summary.left:
            return render.text(f"本次没有作答；还有 {summary.left} 张等着你（sysplan review）。")
        when = "没有已安排的卡片"
        if summary.next_due is not None:
            days = (summary.next_due - today).days if today is not None else None
            when = f"下一张在 {summary.next_due.isoformat()} 到期" + (f"（{days} 天后）" if days else "")
        quiz = f"sysplan quiz {chapter or 'design'}"
        return render.text(f"今天没有到期或新的卡片；{when}。想多学新卡：sysplan review --new-limit 30；"
                           f"或者做个测验：{quiz}")

    grades = "  ".join(f"{g}分×{n}" for g, n in summary.grades.items() if n)
    lines = [
        f"复习 {summary.reviewed} 张，重练 {summary.drilled} 次" + (f"，用提示 {summary.hints} 次" if summary.hints else ""),
        f"评分：{grades or '无'}",
        f"下次到期：{summary.next_due.isoformat() if summary.next_due else '—'}",
    ]
    if summary.left:
        lines.append(f"还剩 {summary.left} 张未答（所有已答的评分都已保存）")
    if change:
        lines.append(change)
    return Panel("\n".join(lines), title="本次小结", title_align="left")


