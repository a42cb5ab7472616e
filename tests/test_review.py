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
