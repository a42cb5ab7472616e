"""`sysplan review` and `undo` driven line by line, as a script would, plus kill safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpers import seed

from sysplan_study.decks.model import Library

CH = "supervise"


def deck_row(invoke: Any, deck: str, today: str | None = None) -> dict[str, Any]:
    env = {"SYSPLAN_TODAY": today} if today else None
    result = invoke("decks", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    return next(r for r in json.loads(result.stdout) if r["id"] == deck)


def log_rows(home: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(home / "sysplan.db")
    return conn.execute("SELECT card_id, grade, mode, interval_after FROM review_log ORDER BY id").fetchall()


def test_three_new_cards_graded_five_are_due_next_day(invoke: Any, isolated_home: Path) -> None:
    new_before = deck_row(invoke, CH)["new"]
    result = invoke("review", "--chapter", CH, "--limit", "3", input="5\n5\n5\n")
    assert result.exit_code == 0, result.output
    assert "本次小结" in result.stdout and "复习 3 张" in result.stdout
    row = deck_row(invoke, CH)
    assert row["new"] == new_before - 3 and row["due"] == 0
    assert deck_row(invoke, CH, "2026-11-25")["due"] == 3
    assert [r[1:] for r in log_rows(isolated_home)] == [(5, "review", 1)] * 3


def test_failed_card_is_drilled_then_due_tomorrow(invoke: Any, isolated_home: Path, library: Library) -> None:
    first = library.deck(CH).cards[0]
    # graded 2, then drilled: 3 (still below 4, comes back), then 4 (passes the drill)
    result = invoke("review", "--chapter", CH, "--limit", "1", input="2\n3\n4\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("重练") >= 2
    assert [r[:3] for r in log_rows(isolated_home)] == [
        (first.id, 2, "review"), (first.id, 3, "drill"), (first.id, 4, "drill"),
    ]
    # Drills do not change the schedule: due tomorrow with interval 1.
    assert deck_row(invoke, CH, "2026-11-25")["due"] == 1
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT repetitions, interval, due FROM card_state").fetchall() == [(0, 1, "2026-11-25")]


def test_undo_command_restores_new_card(invoke: Any, isolated_home: Path) -> None:
    new_before = deck_row(invoke, CH)["new"]
    assert invoke("review", "--chapter", CH, "--limit", "1", input="5\n").exit_code == 0
    assert deck_row(invoke, CH)["new"] == new_before - 1
    result = invoke("undo")
    assert result.exit_code == 0 and "已撤销" in result.stdout
    assert deck_row(invoke, CH)["new"] == new_before
    assert log_rows(isolated_home) == []
    assert "没有可撤销" in invoke("undo").stdout


def test_undo_inside_session(invoke: Any, isolated_home: Path, library: Library) -> None:
    cards = library.deck(CH).cards
    # grade card 1 with 5, undo it at card 2's prompt, grade card 1 again with 4, then card 2 with 5
    result = invoke("review", "--chapter", CH, "--limit", "2", input="5\nu\n4\n5\n")
    assert result.exit_code == 0, result.output
    assert "已撤销" in result.stdout
    assert [r[:2] for r in log_rows(isolated_home)] == [(cards[0].id, 4), (cards[1].id, 5)]


def test_new_limit_counted_from_log(invoke: Any, isolated_home: Path) -> None:
    assert invoke("review", "--new-limit", "2", input="5\n5\n5\n").exit_code == 0
    assert len(log_rows(isolated_home)) == 2
    # A second session the same day gets no more new cards.
    result = invoke("review", "--new-limit", "2", input="5\n")
    assert "今天没有到期或新的卡片" in result.stdout
    assert "2026-11-25" in result.stdout and "--new-limit" in result.stdout  # when next, and what else to do
    assert "本次小结" not in result.stdout  # no empty summary box
    assert len(log_rows(isolated_home)) == 2


def test_progress_counter_counts_drills(invoke: Any) -> None:
    result = invoke("review", "--chapter", CH, "--limit", "2", input="2\n5\n5\n")
    assert result.exit_code == 0, result.output
    assert "待答 2（含重练 1）" in result.stdout and "已答 2（含重练 0）" not in result.stdout
    assert "已答 2 · 待答 1（含重练 1）" in result.stdout


def test_summary_next_due_looks_at_all_cards(invoke: Any, isolated_home: Path, library: Library) -> None:
    """A card of another chapter due tomorrow is the next due date, not the later one of this session's card."""
    from datetime import date, datetime, timezone

    from sysplan_study.memory import sm2
    from sysplan_study.store.connection import open_store

    isolated_home.mkdir(parents=True)
    store = open_store(isolated_home / "sysplan.db")
    at, day = datetime(2026, 11, 1, tzinfo=timezone.utc), date(2026, 11, 1)
    seed(store, library.deck("design").card_ids[0], "review", 5, sm2.new_state(), sm2.State(1, 250, 1, date(2026, 11, 25)), at, day)
    seed(store, library.deck(CH).card_ids[0], "review", 5, sm2.new_state(), sm2.State(1, 250, 1, date(2026, 11, 24)), at, day)
    store.close()
    result = invoke("review", "--chapter", CH, "--limit", "1", input="5\n")
    assert result.exit_code == 0, result.output
    assert "下次到期：2026-11-25" in result.stdout  # this session's card is now due 2026-11-30


def test_due_cards_come_before_new_and_most_overdue_first(invoke: Any, isolated_home: Path, library: Library) -> None:
    from datetime import date, datetime, timezone

    from sysplan_study.memory import sm2
    from sysplan_study.store.connection import open_store

    cards = library.deck(CH).cards
    isolated_home.mkdir(parents=True)
    store = open_store(isolated_home / "sysplan.db")
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for card, due in ((cards[2], date(2026, 11, 20)), (cards[0], date(2026, 11, 22)), (cards[1], date(2026, 11, 23))):
        seed(store, card.id, "review", 4, sm2.new_state(), sm2.State(1, 250, 1, due), now, date(2026, 11, 1))
    store.close()
    result = invoke("review", "--chapter", CH, "--limit", "4", "--new-limit", "5", input="4\n4\n4\n4\n")
    assert result.exit_code == 0, result.output
    order = [r[0] for r in log_rows(isolated_home)][3:]
    assert order == [cards[2].id, cards[0].id, cards[1].id, cards[3].id]


def test_full_width_and_invalid_grades(invoke: Any, isolated_home: Path) -> None:
    result = invoke("review", "--chapter", CH, "--limit", "2", input="９\nabc\n" + "x" * 5000 + "\n\x07\n５\n４\n")
    assert result.exit_code == 0, result.output
    assert "请重新输入" in result.stdout
    assert [r[1] for r in log_rows(isolated_home)] == [5, 4]


def test_empty_line_ends_cleanly(invoke: Any, isolated_home: Path) -> None:
    result = invoke("review", "--chapter", CH, input="5\n\n")
    assert result.exit_code == 0
    assert len(log_rows(isolated_home)) == 1 and "还剩" in result.stdout


def test_unknown_chapter_is_one_line_error(invoke: Any) -> None:
    result = invoke("review", "--chapter", "nope")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "没有这一章" in result.stderr and "supervise" in result.stderr
    assert "Traceback" not in result.output


def _spawn(home: Path, stdin: Any = subprocess.PIPE) -> subprocess.Popen[str]:
    env = {**os.environ, "SYSPLAN_STUDY_HOME": str(home), "SYSPLAN_TODAY": "2026-11-24"}
    return subprocess.Popen(
        [sys.executable, "-m", "sysplan_study", "review", "--chapter", CH],
        stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _wait_for_rows(home: Path, n: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(log_rows(home)) >= n:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} answers logged in time")


def test_sigint_mid_session_keeps_answers(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    proc = _spawn(isolated_home)
    assert proc.stdin is not None
    proc.stdin.write("5\n4\n")
    proc.stdin.flush()
    _wait_for_rows(isolated_home, 2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "已保存" in err and "Traceback" not in err
    assert [r[1] for r in log_rows(isolated_home)] == [5, 4]
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT count(*) FROM card_state").fetchone()[0] == 2
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sigkill_mid_session_keeps_answers(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    proc = _spawn(isolated_home)
    assert proc.stdin is not None
    proc.stdin.write("3\n5\n")
    proc.stdin.flush()
    _wait_for_rows(isolated_home, 2)
    proc.kill()
    proc.communicate(timeout=20)
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert [r[1] for r in log_rows(isolated_home)] == [3, 5]
    assert conn.execute("SELECT count(*) FROM card_state").fetchone()[0] == 2
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_session_core_undo_restores_queue_and_hint_count(tmp_path: Path, library: Library) -> None:
    from datetime import date

    from sysplan_study.study.session import ReviewSession
    from sysplan_study.store.connection import open_store

    store = open_store(tmp_path / "s.db")
    deck = library.deck(CH)
    session = ReviewSession.start(store, deck.card_ids, library.card, date(2026, 11, 24), new_limit=2)
    assert [p.card_id for p in session.queue] == list(deck.card_ids[:2])
    first = session.current()
    session.answer(2, hints=1)
    assert session.left == 2 and session.queue[-1].mode == "drill"
    undone = session.undo()
    assert undone is not None and undone.planned == first
    assert [p.card_id for p in session.queue] == list(deck.card_ids[:2])
    assert session.summary().hints == 0 and store.state(first.card_id).is_new
