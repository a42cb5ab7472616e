"""Quiz and review behaviour: `u` never ends a quiz, honest summaries, --card, --typed, keys that do nothing."""

from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.decks.model import Library
from sysplan_study.ui import keys
from sysplan_study.ui.answer_input import QUIT, UNDO, KeyInput, LineInput


def _rows(home: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(home / "sysplan.db")
    return conn.execute("SELECT card_id, grade, mode FROM review_log ORDER BY id").fetchall()


def test_quiz_undo_takes_back_the_last_answer_and_goes_on(invoke: Any, isolated_home: Path) -> None:
    result = invoke("quiz", "deploy", "--mode", "count", "--count", "3", "--seed", "1", input="1\nu\n2\n3\n4\n")
    assert result.exit_code == 0, result.output
    assert "已撤销上一题" in result.stdout
    assert len(_rows(isolated_home)) == 3  # the undone answer is gone, three questions answered
    assert "提前结束" not in result.stdout


def test_quiz_undo_with_nothing_to_undo_keeps_asking(invoke: Any, isolated_home: Path) -> None:
    result = invoke("quiz", "deploy", "--mode", "count", "--count", "2", "--seed", "1", input="u\n1\n1\n")
    assert result.exit_code == 0, result.output
    assert "还没有可撤销" in result.stdout and len(_rows(isolated_home)) == 2


def test_quiz_left_early_counts_only_answered(invoke: Any, isolated_home: Path) -> None:
    result = invoke("quiz", "deploy", "--mode", "mixed", "--count", "6", "--seed", "3", input="1\nq\n")
    assert result.exit_code == 0, result.output
    assert "提前结束：答了 1/6 题" in result.stdout
    assert "全部答对" not in result.stdout or len(_rows(isolated_home)) == 1
    empty = invoke("quiz", "deploy", "--mode", "count", "--count", "3", input="q\n")
    assert "答了 0/3 题" in empty.stdout and "全部答对" not in empty.stdout


def test_card_quiz_asks_one_question_of_that_card(invoke: Any, isolated_home: Path) -> None:
    result = invoke("quiz", "--card", "design.purpose", "--mode", "recall", input="5\n")
    assert result.exit_code == 0, result.output
    assert _rows(isolated_home) == [("design.purpose", 5, "quiz")]
    assert "第 1/1 题" in result.stdout


def test_typed_quiz_without_mode_asks_recall(invoke: Any, isolated_home: Path) -> None:
    result = invoke("quiz", "deploy", "--typed", "--count", "3", "--seed", "5", input="\n0\n" * 3)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("默写") >= 3 and "输入选项编号" not in result.stdout


def test_overridden_grade_and_missed_list_agree(invoke: Any, library: Library) -> None:
    card = library.card("design.catalog.activities")
    typed = card.items[0].text + "\n\n5\n"  # one item of six typed, then graded 5 anyway
    result = invoke("quiz", "--card", card.id, "--typed", input=typed)
    assert result.exit_code == 0, result.output
    assert "漏掉或答错的" not in result.stdout  # the grade counts it right, so it is not listed as missed
    assert "按你的评分计对" in result.stdout and card.items[5].text in result.stdout


def test_typed_q_line_quits(invoke: Any, isolated_home: Path) -> None:
    result = invoke("review", "--chapter", "design", "--typed", input="q\n")
    assert result.exit_code == 0 and _rows(isolated_home) == []


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def print(self, value: Any = "", **_: Any) -> None:
        self.lines.append(str(value))


def test_keys_that_do_nothing_say_so() -> None:
    pressed = iter(["5", "x", "4"])
    out = _Out()
    ki = KeyInput(out, read_key=lambda: next(pressed))
    assert ki.read_grade(4, None) == 4
    assert len(out.lines) == 2 and "最高只能评 4 分" in out.lines[0] and "0-4" in out.lines[1]
    pressed = iter(["z", "u"])
    assert KeyInput(out, read_key=lambda: next(pressed)).read_choice(4) == UNDO
    pressed = iter(["z", "q"])
    assert KeyInput(out, read_key=lambda: next(pressed)).read_reveal() == QUIT


def test_line_input_undo_in_choices() -> None:
    import io

    assert LineInput(io.StringIO("u\n"), _Out()).read_choice(4) == UNDO


def test_windows_key_reader_when_termios_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no termios: the msvcrt reader is used, skipping arrow keys and keeping IME full-width digits."""
    typed = iter(["\xe0", "H", "５", "\x00", ";", "\x1a", "\x03"])
    fake = types.SimpleNamespace(getwch=lambda: next(typed))
    monkeypatch.setitem(sys.modules, "termios", None)  # import termios now raises ImportError
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    read = keys.key_reader(0)
    assert read() == "5"  # the arrow key (\xe0 H) is skipped
    assert read() == keys.END  # F1 (\x00 ;) skipped, then Ctrl-Z
    with pytest.raises(KeyboardInterrupt):
        read()


def _timeout(*_: Any) -> None:
    raise TimeoutError("the key reader blocked: a key typed ahead was lost")


def test_posix_key_reader_keeps_keys_typed_ahead() -> None:
    """On a real terminal (a pty): a full-width digit typed before the reader switched to cbreak is not dropped."""
    import os
    import pty
    import signal

    master, slave = pty.openpty()
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(10)  # a dropped key would block the read forever: fail instead of hanging the suite
    try:
        os.write(master, "４".encode())
        assert keys.key_reader(slave)() == "4"
    finally:
        signal.alarm(0)
        os.close(master)
        os.close(slave)


def test_choice_questions_show_the_notes_of_doubtful_items(library: Library) -> None:
    """A which/odd/next question that shows an item carrying a candidate note shows that note too."""
    import random

    from sysplan_study.study import drills

    noted = [(c, i) for c in library.cards for i in c.items if i.note]
    assert noted
    seen = 0
    for card, item in noted:
        pool = library.deck(card.deck).cards
        for seed in range(30):
            for mode in (drills.WHICH, drills.ODD, drills.NEXT):
                q = drills.make_question(mode, card, pool, random.Random(seed))
                if q is None:
                    continue
                shown = q.prompt + "".join(q.choices)
                if item.text in shown:
                    assert any(item.note in n for n in q.notes), (q.prompt, q.choices, q.notes)
                    seen += 1
    assert seen > 0


def test_posix_keys_typed_ahead_are_read_one_by_one() -> None:
    """Three keys typed quickly (one full-width, an arrow key between them) come out as three answers, in order."""
    import os
    import pty
    import signal

    master, slave = pty.openpty()
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(10)
    try:
        os.write(master, "u５\x1b[Aq".encode())
        read = keys.key_reader(slave)
        assert [read(), read(), read(), read()] == ["u", "5", "", "q"]
    finally:
        signal.alarm(0)
        os.close(master)
        os.close(slave)
