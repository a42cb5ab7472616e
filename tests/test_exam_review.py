"""`review --exam`: reviews chosen by expected gain in exam-day recall within a budget, pulled forward when useful."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.memory import exam_gain, fsrs
from sysplan_study.memory.items import ItemMemory

CH = "operate"
TODAY, EXAM = date(2026, 11, 24), date(2026, 12, 24)
CONFIG = fsrs.Config()


def py_fsrs_gain(m: ItemMemory, today: date, exam: date) -> float:
    """The same expectation computed item by item with py-fsrs's own review and retrievability."""
    recall = fsrs.recall_function(CONFIG)
    now = recall(m.stability, (today - m.last_day).days)
    good, _ = fsrs.review(m.memory, m.last_day, 4, today, CONFIG)
    again, _ = fsrs.review(m.memory, m.last_day, 0, today, CONFIG)
    ahead = (exam - today).days
    reviewed = now * recall(good.stability, ahead) + (1 - now) * recall(again.stability, ahead)
    return reviewed - recall(m.stability, (exam - m.last_day).days)


def test_gain_matches_py_fsrs_item_by_item() -> None:
    memories = [ItemMemory(s, d, TODAY - timedelta(days=k))
                for s in (0.4, 2.0, 9.0, 40.0, 300.0) for d in (2.0, 5.5, 9.0) for k in (1, 3, 20, 90)]
    got = exam_gain.review_gains(memories, TODAY, EXAM, CONFIG)
    for m, g in zip(memories, got):
        assert g == pytest.approx(py_fsrs_gain(m, TODAY, EXAM), abs=1e-9), m


def test_gain_favours_the_half_forgotten_and_skips_items_answered_today() -> None:
    answered_today = ItemMemory(3.0, 5.0, TODAY)
    just_reviewed = ItemMemory(30.0, 5.0, TODAY - timedelta(days=1))
    half_forgotten = ItemMemory(10.0, 5.0, TODAY - timedelta(days=40))
    gains = exam_gain.review_gains([answered_today, just_reviewed, half_forgotten], TODAY, EXAM, CONFIG)
    assert gains[0] == 0.0  # only the day's first answer counts: a second one changes nothing
    assert 0 < gains[1] < gains[2]


def study(invoke: Any) -> None:
    for day, grades in (("2026-11-01", "5\n2\n4\n3\n4\n4\n4\n"), ("2026-11-03", "4\n5\n1\n4\n4\n3\n4\n4\n")):
        assert invoke("review", "--chapter", CH, "--limit", "6", input=grades, env={"SYSPLAN_TODAY": day}
                      ).exit_code == 0


def states(home: Path) -> dict[str, tuple[Any, ...]]:
    conn = sqlite3.connect(home / "sysplan.db")
    try:
        return {r[0]: tuple(r[1:]) for r in conn.execute("SELECT card_id, interval, due FROM card_state")}
    finally:
        conn.close()


def test_queue_pulls_forward_the_best_gains_within_the_budget(invoke: Any, isolated_home: Path, library: Any) -> None:
    from sysplan_study.store.connection import open_store
    from sysplan_study.study import exam_queue

    study(invoke)
    today = date(2026, 11, 5)
    store = open_store(isolated_home / "sysplan.db")
    ids = library.card_ids_in(CH)
    counts = exam_queue.item_counts(library, CH)
    assert counts == {c: library.card(c).count for c in ids}
    queue = exam_queue.plan(store, ids, counts, today, date(2026, 12, 1), 3, 2)
    assert len(queue.reviews) == 3 and queue.budget == 3
    assert list(queue.gains) == sorted(queue.gains, reverse=True) and all(g > 0 for g in queue.gains)
    # Ranked by the same gains card_gains computes for every studied card: the three best, whatever their due date.
    from sysplan_study.store import item_states

    mems = item_states.memories(store, ids)
    config = item_states.item_config(store.conn)
    every = {c: sum(exam_gain.review_gains(list(m.values()), today, date(2026, 12, 1), config))
             for c, m in mems.items()}
    assert [c for c, _ in queue.reviews] == sorted(every, key=lambda c: -every[c])[:3]
    assert list(queue.gains) == pytest.approx(sorted(every.values(), reverse=True)[:3])
    due = {c for c, (_, d) in states(isolated_home).items() if d <= today.isoformat()}
    assert any(c not in due for c, _ in queue.reviews), "nothing pulled forward"
    # New cards follow as in a plain review: the first unseen ones in deck order, up to the allowance.
    unseen = [c for c in ids if c not in states(isolated_home)]
    assert list(queue.new) == unseen[:2]
    with pytest.raises(Exception, match="--budget"):
        exam_queue.plan(store, ids, counts, today, date(2026, 12, 1), 0, 0)
    store.close()


def test_review_exam_reviews_early_logs_reviews_and_shows_the_forecast_change(
        invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert invoke("exam", "set", "2026-12-01", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    before = states(isolated_home)
    result = invoke("review", "--exam", "--chapter", CH, "--budget", "3", "--new-limit", "0", input="4\n4\n4\n",
                    env={"SYSPLAN_TODAY": "2026-11-05"})
    assert result.exit_code == 0, result.output
    flat = result.output.replace("\n", "")  # a narrow terminal folds the lines
    assert "考试模式" in flat and re.search("预算 ?3 ?张", flat)  # a fold may eat the space
    assert "考试日（2026-12-01）预计记住" in flat and "→" in flat
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    rows = conn.execute("SELECT card_id, mode, due_before FROM review_log WHERE study_day = '2026-11-05'").fetchall()
    conn.close()
    assert len(rows) == 3 and {m for _, m, _ in rows} == {"review"}  # early reviews change the schedule
    assert any(d > "2026-11-05" for _, _, d in rows), "no review was pulled forward"
    after = states(isolated_home)
    assert all(after[c] != before[c] for c, _, _ in rows)


def test_undo_of_an_early_review_shows_the_card_again_as_a_review(isolated_home: Path, invoke: Any,
                                                                 library: Any) -> None:
    from sysplan_study.store.connection import open_store
    from sysplan_study.study import exam_queue
    from sysplan_study.study.session import REVIEW, ReviewSession

    study(invoke)
    today = date(2026, 11, 5)
    store = open_store(isolated_home / "sysplan.db")
    queue = exam_queue.plan(store, library.card_ids_in(CH), exam_queue.item_counts(library, CH), today, date(2026, 12, 1), 5, 0)
    early = [(c, row) for c, row in queue.reviews if row[3] > today.isoformat()]
    assert early, "nothing pulled forward"
    session = ReviewSession.exam(store, replace(queue, reviews=tuple(early[:1])), library.card, today)
    first = session.answer(4)
    assert first.logged_as == REVIEW and first.planned.card_id == early[0][0]
    session.undo()
    again = session.current()
    assert again is not None and again.card_id == first.planned.card_id
    assert session.answer(4).logged_as == REVIEW  # not mistaken for an answer given in another window
    store.close()


def test_plain_review_and_exam_point_to_review_exam_near_the_exam(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert invoke("exam", "set", "2026-12-01", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    near = invoke("review", "--limit", "1", input="q\n", env={"SYSPLAN_TODAY": "2026-11-05"}).stdout
    assert "sysplan review --exam" in near.replace("\n", "")
    assert "sysplan review --exam" in invoke("exam", env={"SYSPLAN_TODAY": "2026-11-05"}).stdout
    assert invoke("exam", "set", "2027-06-01", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    far = invoke("review", "--limit", "1", input="q\n", env={"SYSPLAN_TODAY": "2026-11-05"}).stdout
    assert "还有 208 天" in far and "review --exam" not in far


def test_budget_is_the_days_reviews_already_given_count(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert invoke("exam", "set", "2026-12-01", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    day = {"SYSPLAN_TODAY": "2026-11-05"}
    assert invoke("review", "--exam", "--chapter", CH, "--budget", "3", "--new-limit", "0", input="4\n4\n",
                  env=day).exit_code == 0  # two of three, then the input ends
    again = invoke("review", "--exam", "--chapter", CH, "--budget", "3", "--new-limit", "0", input="4\n4\n4\n",
                   env=day)
    assert again.exit_code == 0 and "今天已复习 2 张" in again.output.replace("\n", "")
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    n = conn.execute("SELECT count(*) FROM review_log WHERE study_day = '2026-11-05' AND mode = 'review'").fetchone()[0]
    conn.close()
    assert n == 3


def test_exam_options_are_checked(invoke: Any) -> None:
    no_date = invoke("review", "--exam")
    assert no_date.exit_code == 1 and "需要考试日期" in no_date.output and "exam set" in no_date.output
    assert invoke("exam", "set", "2026-11-30", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    passed = invoke("review", "--exam", env={"SYSPLAN_TODAY": "2026-12-02"})
    assert passed.exit_code == 1 and "已经过去" in passed.output and "exam set" in passed.output
    lonely = invoke("review", "--budget", "5")
    assert lonely.exit_code == 2 and "--budget" in lonely.output
    both = invoke("review", "--exam", "--weak")
    assert both.exit_code == 2


def test_limit_caps_an_exam_session(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert invoke("exam", "set", "2026-12-01", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    result = invoke("review", "--exam", "--chapter", CH, "--budget", "4", "--limit", "2", input="4\n4\n4\n4\n",
                    env={"SYSPLAN_TODAY": "2026-11-05"})
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    n = conn.execute("SELECT count(*) FROM review_log WHERE study_day = '2026-11-05'").fetchone()[0]
    conn.close()
    assert n == 2


def test_exam_aware_study_beats_the_schedule_at_equal_workload(tmp_path: Path, library: Any) -> None:
    """The issue's setting on three learners (bench/exam_gain.py runs twenty): 60 study days, exam 30 days after the
    last, the last 30 days' reviews chosen by `review --exam` with the schedule's own count each day."""
    from tests import simulated

    trials = [simulated.exam_trial(library.cards, library.card, seed, tmp_path) for seed in range(3)]
    gains = [100 * (t.exam - t.plain) for t in trials]
    assert all(t.reviews > 100 for t in trials)
    assert sum(gains) / len(gains) >= 2.0, gains


def test_due_cards_without_item_memory_fill_the_budget_left(invoke: Any, isolated_home: Path, library: Any) -> None:
    from sysplan_study.store.connection import open_store
    from sysplan_study.study import exam_queue

    study(invoke)
    today = date(2026, 11, 5)
    due = sorted(c for c, (_, d) in states(isolated_home).items() if d <= today.isoformat())
    assert due
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    with conn:
        conn.execute("DELETE FROM item_state WHERE card_id = ?", (due[0],))  # e.g. imported without item results
    conn.close()
    store = open_store(isolated_home / "sysplan.db")
    queue = exam_queue.plan(store, library.card_ids_in(CH), exam_queue.item_counts(library, CH), today,
                            date(2026, 12, 1), 100, 0)
    picked = [c for c, _ in queue.reviews]
    assert picked[-1] == due[0] and queue.gains[-1] == 0.0
    assert all(g > 0 for g in queue.gains[:-1])
    store.close()


def test_exam_text_breaks_lines_between_words_at_40_columns(invoke: Any, isolated_home: Path) -> None:
    from rich.cells import cell_len

    study(invoke)
    assert invoke("exam", "set", "2026-12-01", env={"SYSPLAN_TODAY": "2026-11-05"}).exit_code == 0
    out = invoke("exam", env={"SYSPLAN_TODAY": "2026-11-05", "COLUMNS": "40"}).stdout
    assert "sysplan forecast" in out and "sysplan review --exam" in out  # never split inside a command
    assert all(cell_len(line) <= 40 for line in out.splitlines())
