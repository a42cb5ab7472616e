"""Clocks at the edges: SYSPLAN_TODAY is exactly YYYY-MM-DD within 1970–2200, exam dates are never in the past."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from helpers import seed

from sysplan_study import clock
from sysplan_study.decks.model import Library
from sysplan_study.errors import UserError
from sysplan_study.memory import sm2
from sysplan_study.store.connection import open_store
from sysplan_study.study import planner


def _one_line(result: Any, phrase: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and phrase in result.stderr, result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "raw",
    ["20261124", "2026-11-24 ", " 2026-11-24", "2026-11-24\n", "2026-W48-2", "2026-11-24T00:00", "２０２６-１１-２４",
     "2026-02-30", "9999-12-31", "0001-01-01", "1969-12-31", "2201-01-01", "next monday"],
)
def test_bad_sysplan_today_is_one_line(invoke: Any, raw: str) -> None:
    for command in (("stats",), ("review",), ("decks",)):
        _one_line(invoke(*command, input="5\n", env={"SYSPLAN_TODAY": raw}), "SYSPLAN_TODAY")


@pytest.mark.parametrize("day", ["1970-01-01", "2200-12-31"])
def test_first_and_last_supported_days_work(invoke: Any, day: str) -> None:
    env = {"SYSPLAN_TODAY": day}
    review = invoke("review", "--chapter", "supervise", input="5\n" * 5, env=env)
    assert review.exit_code == 0, review.output
    data = json.loads(invoke("stats", "--format", "json", "--chapter", "supervise", env=env).stdout)
    assert data["chapters"][0]["reviews"] == 5
    for args in (("stats",), ("decks",), ("exam", "set", day), ("exam",), ("export", "--history", "-")):
        result = invoke(*args, env=env)
        assert result.exit_code == 0 and "Traceback" not in result.output, (args, result.output)


def test_longest_interval_on_the_last_day_fits_a_date(
    invoke: Any, isolated_home: Path, library: Library
) -> None:
    last = clock.LAST_DAY
    card = library.deck("supervise").cards[0]
    isolated_home.mkdir(parents=True)
    store = open_store(isolated_home / "sysplan.db")
    at = datetime(2100, 1, 1, tzinfo=timezone.utc)
    seed(store, card.id, "review", 5, sm2.new_state(), sm2.State(12, 300, sm2.MAX_INTERVAL, last), at,
         last - timedelta(days=sm2.MAX_INTERVAL))
    store.close()
    env = {"SYSPLAN_TODAY": last.isoformat()}
    review = invoke("review", "--chapter", "supervise", "--limit", "1", input="5\n", env=env)
    assert review.exit_code == 0, review.output
    due = sqlite3.connect(isolated_home / "sysplan.db").execute(
        "SELECT due FROM card_state WHERE card_id = ?", (card.id,)).fetchone()[0]
    assert due == (last + timedelta(days=sm2.MAX_INTERVAL)).isoformat()
    assert invoke("stats", "--format", "json", env=env).exit_code == 0


# ------------------------------------------------------------------------------ exam dates


def test_exam_set_refuses_the_past_and_out_of_range(invoke: Any, isolated_home: Path) -> None:
    _one_line(invoke("exam", "set", "2026-11-23"), "已经过去")
    _one_line(invoke("exam", "set", "1970-01-01"), "已经过去")
    _one_line(invoke("exam", "set", "2201-01-01"), "2200-12-31")
    _one_line(invoke("exam", "set", "20270522"), "YYYY-MM-DD")
    assert not (isolated_home / "sysplan.db").exists()  # refused before the database was opened or created
    today = invoke("exam", "set", "2026-11-24")  # the exam is today: allowed, 0 days left
    assert today.exit_code == 0 and "距今 0 天" in today.stdout
    assert json.loads(invoke("exam", "--format", "json").stdout)["days_left"] == 0
    assert invoke("exam", "set", "2200-12-31").exit_code == 0


def test_planner_checks_dates_given_directly(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    today = date(2026, 11, 24)
    with pytest.raises(UserError, match="已经过去"):
        planner.set_exam(store, date(2026, 11, 23), today=today)
    with pytest.raises(UserError, match="超出支持的范围"):
        planner.set_exam(store, date(2201, 1, 1), today=today)
    assert store.setting(planner.EXAM_KEY) is None
    planner.set_exam(store, today, today=today)
    assert planner.exam_date(store) == today
    store.close()


def test_a_stored_exam_date_that_is_not_a_date_is_ignored(invoke: Any, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    store = open_store(isolated_home / "sysplan.db")
    store.set_setting(planner.EXAM_KEY, "soon")  # e.g. edited by hand
    assert planner.exam_date(store) is None
    store.close()
    assert "还没有设置考试日期" in invoke("exam").stdout
    assert invoke("review", "--limit", "1", input="5\n").exit_code == 0
