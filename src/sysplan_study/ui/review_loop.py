"""Interactive screens: key presses on a terminal, one line per answer from a pipe; no scheduling logic here."""

from __future__ import annotations

import sys
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from sysplan_study.study import recall
from sysplan_study.ui import render
from sysplan_study.errors import UserError
from sysplan_study.study.session import DRILL, ReviewSession, Summary, max_grade, parse_grade
from sysplan_study.memory.sm2 import GRADE_LEGEND

QUIT, UNDO, HINT, REVEAL = "quit", "undo", "hint", "reveal"
MAX_LINE = 4000  # longer input lines are cut: nothing useful is that long


class Input(Protocol):
    """What the screens need from the keyboard or a pipe."""

    interactive: bool

    def read_reveal(self) -> str: ...
    def read_grade(self, highest: int, default: int | None) -> int | str: ...
    def read_lines(self, on_hint: Callable[[], None]) -> list[str] | str: ...
    def read_choice(self, n: int) -> int | str: ...


def _clean(line: str) -> str:
    line = line[:MAX_LINE].rstrip("\r\n")
    # Control characters become U+FFFD before stripping (strip() eats \x1c-\x1f), so a line of them is invalid
    # input rather than an empty "end" line.
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" and ch != "\t" else ch for ch in line).strip()


class LineInput:
    """Answers read line by line (stdin not a terminal): how tests and scripts drive the program."""

    interactive = False

    def __init__(self, stream: Any, out: Any):
        self.stream = stream
        self.out = out

    def _line(self) -> str | None:
        line = self.stream.readline()
        if line == "":
            return None
        return _clean(line)

    def read_reveal(self) -> str:
        return REVEAL

    def read_grade(self, highest: int, default: int | None) -> int | str:
        while True:
            line = self._line()
            if line is None:
                return QUIT
            if line == "":
                return default if default is not None else QUIT
            if line.lower() == "u":
                return UNDO
            if line.lower() == "q":
                return QUIT
            try:
                return parse_grade(line, highest)
            except UserError as e:
                self.out.print(render.wrapped(render.text(f"{e}；请重新输入", "yellow")))

    def read_lines(self, on_hint: Callable[[], None]) -> list[str] | str:
        lines: list[str] = []
        while True:
            line = self._line()
            if line is None or line.lower() in ("q", "ｑ"):
                return QUIT
            if line == "":
                return lines
            if line in ("?", "？"):
                on_hint()
                continue
            lines.append(line)

    def read_choice(self, n: int) -> int | str:
        while True:
            line = self._line()
            if line is None or line.lower() == "q" or line == "":
                return QUIT
            if line.lower() == "u":
                return UNDO
            text = unicodedata.normalize("NFKC", line)
            if text.isdigit() and 1 <= int(text) <= n:
                return int(text)
            self.out.print(f"[yellow]请输入 1-{n}[/yellow]")


class KeyInput:
    """Single key presses on a terminal: digits (also full-width ０-５ from a Chinese IME) grade without Enter."""

    interactive = True

    def __init__(self, out: Any, read_key: Callable[[], str] | None = None):
        self.out = out
        self.fd = sys.stdin.fileno() if read_key is None else -1
        self._read_key = read_key

    def key(self) -> str:
        """Read one key press (a whole character, so IME full-width digits arrive intact; see ui/keys.py)."""
        if self._read_key is None:
            from sysplan_study.ui.keys import key_reader

            self._read_key = key_reader(self.fd)
        return self._read_key()

    def read_reveal(self) -> str:
        while True:
            k = self.key()
            if k in (" ", "\r", "\n"):
                return REVEAL
            if k.lower() in ("h", "?"):
                return HINT
            if k.lower() == "u":
                return UNDO
            if k.lower() == "q" or k == "\x04":
                return QUIT
            self._status("空格/回车 显示答案 · h 提示 · u 撤销 · q 退出")

    def _status(self, message: str) -> None:
        """A key that does nothing: say what would work instead of staying silent."""
        from rich.text import Text

        self.out.print(Text(message, style="yellow"))

    def read_grade(self, highest: int, default: int | None) -> int | str:
        while True:
            k = self.key()
            if k.isdigit() and int(k) <= highest:
                return int(k)
            if k in ("\r", "\n") and default is not None:
                return default
            if k.lower() == "u":
                return UNDO
            if k.lower() == "q" or k == "\x04":
                return QUIT
            if k.isdigit() and int(k) <= 5:
                self._status(f"用了提示，最高只能评 {highest} 分")
            else:
                self._status(f"请按 0-{highest} 评分" + ("，回车接受建议" if default is not None else "")
                             + " · u 撤销 · q 退出")

    def read_lines(self, on_hint: Callable[[], None]) -> list[str] | str:
        lines: list[str] = []
        while True:
            try:
                line = _clean(input("> "))
            except EOFError:
                return QUIT
            if line.lower() in ("q", "ｑ"):
                return QUIT
            if line == "":
                return lines
            if line in ("?", "？"):
                on_hint()
                continue
            lines.append(line)

    def read_choice(self, n: int) -> int | str:
        while True:
            k = self.key()
            if k.isdigit() and 1 <= int(k) <= n:
                return int(k)
            if k.lower() == "u":
                return UNDO
            if k.lower() == "q" or k == "\x04":
                return QUIT
            self._status(f"请按 1-{n} 选择 · u 撤销上一题 · q 退出")


def make_input(out: Any) -> Input:
    """Key presses on a terminal, else line-by-line answers from stdin."""
    return KeyInput(out) if render.is_tty() else LineInput(sys.stdin, out)


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
        out.print(render.text(header))
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


def summary_panel(summary: Summary, today: Any = None, chapter: str | None = None) -> Any:
    """End-of-session summary; with nothing answered, when the next card is due and what else to do instead."""
    from rich.panel import Panel

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
    return Panel("\n".join(lines), title="本次小结", title_align="left")


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
