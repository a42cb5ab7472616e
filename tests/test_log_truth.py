"""The log is the truth: replaying the whole review log reproduces card_state exactly, under SM-2 and under FSRS,
after reviews, drills, quizzes, resets, undos, an exam cap and an import; switching scheduler is lossless."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.memory import fsrs, replay
from sysplan_study.memory.replay import FSRS, SM2, Row, SchedulerConfig

CH = "operate"
D0 = date(2026, 10, 1)
STATE_COLS = "card_id, repetitions, ef100, interval, due, updated_at, stability, difficulty, last_day"
GRADES = "5 2 4 3 4 5 1 4 4 5 3 4 0 4 4 5 2 4 4 4".split()


def day(n: int) -> str:
    return (D0 + timedelta(days=n)).isoformat()


def table(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT {STATE_COLS} FROM card_state ORDER BY card_id").fetchall()
    finally:
        conn.close()


def log_rows(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    finally:
        conn.close()


def histories(db: Path) -> dict[str, list[Row]]:
    """Every card's log rows in replay order, read with plain sqlite3 (not through the store)."""
    conn = sqlite3.connect(db)
    out: dict[str, list[Row]] = defaultdict(list)
    try:
        for cid, mode, grade, study_day, capped, at in conn.execute(
            "SELECT card_id, mode, grade, study_day, capped_due, reviewed_at FROM review_log ORDER BY study_day, id"
        ):
            out[cid].append(Row(mode, grade, date.fromisoformat(study_day),
                                date.fromisoformat(capped) if capped else None, at))
    finally:
        conn.close()
    return out


def replayed(db: Path, cfg: SchedulerConfig) -> list[tuple[Any, ...]]:
    """card_state as the replay of the whole log gives it."""
    out = []
    for cid, rows in sorted(histories(db).items()):
        done = replay.replay(rows, cfg)
        s = done.state
        if s is None:
            continue
        out.append((cid, s.repetitions, s.ef100, s.interval, s.due.isoformat(), done.updated_at, s.stability,
                    s.difficulty, s.last_day.isoformat() if s.last_day else None))
    return out


def review(invoke: Any, n: int, limit: int, offset: int = 0) -> None:
    grades = "\n".join(GRADES[(offset + i) % len(GRADES)] for i in range(60)) + "\n"
    result = invoke("review", "--chapter", CH, "--limit", str(limit), input=grades, env={"SYSPLAN_TODAY": day(n)})
    assert result.exit_code == 0, result.output


def quiz(home: Path, n: int, card_ids: list[str]) -> None:
    """Quiz answers through the store path `sysplan quiz` uses (mode quiz, per-item results)."""
    from sysplan_study.store import answers
    from sysplan_study.store.connection import open_store
    from sysplan_study.store.history import ItemResult

    store = open_store(home / "sysplan.db")
    at = datetime(2026, 10, 1, 9, tzinfo=timezone.utc) + timedelta(days=n)
    for i, cid in enumerate(card_ids):
        answers.record(store, cid, "quiz", 2 + i % 4, at, D0 + timedelta(days=n),
                       items=[ItemResult(0, "甲", i % 2 == 0)])
    store.close()


def script(invoke: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheduler: str,
           library: Any) -> None:
    """Thirty study days of use: reviews with drills, quizzes, resets, undos, an exam cap and an import."""
    ids = library.deck(CH).card_ids
    if scheduler == FSRS:
        assert invoke("config", "scheduler", "fsrs").exit_code == 0
    review(invoke, 0, 6)
    quiz(home, 0, list(ids[:3]))
    review(invoke, 1, 8, 3)
    assert invoke("reset", ids[0], env={"SYSPLAN_TODAY": day(2)}).exit_code == 0
    assert invoke("undo", env={"SYSPLAN_TODAY": day(2)}).exit_code == 0  # the reset taken back
    assert invoke("reset", ids[1], env={"SYSPLAN_TODAY": day(2)}).exit_code == 0
    review(invoke, 3, 5, 7)
    assert invoke("undo", env={"SYSPLAN_TODAY": day(3)}).exit_code == 0  # the last answer taken back
    # Another machine answers some of the same cards on the same days; its progress is imported here.
    other = tmp_path / "other"
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(other))
    if scheduler == FSRS:
        assert invoke("config", "scheduler", "fsrs").exit_code == 0
    for n in (1, 2, 4):
        review(invoke, n, 4, n)
    progress = tmp_path / "other.json"
    assert invoke("export", "--progress", str(progress), env={"SYSPLAN_TODAY": day(4)}).exit_code == 0
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(home))
    result = invoke("import-progress", str(progress), env={"SYSPLAN_TODAY": day(5)})
    assert result.exit_code == 0, result.output
    assert invoke("exam", "set", day(25), "--cap-intervals", env={"SYSPLAN_TODAY": day(5)}).exit_code == 0
    for n in range(5, 30, 2):
        review(invoke, n, 6, n)
        if n % 6 == 1:
            quiz(home, n, list(ids[n % 5: n % 5 + 2]))
    assert invoke("reset", ids[2], env={"SYSPLAN_TODAY": day(29)}).exit_code == 0


@pytest.mark.parametrize("scheduler", [SM2, FSRS])
def test_replaying_the_log_reproduces_card_state(invoke: Any, isolated_home: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, library: Any,
                                                 scheduler: str) -> None:
    script(invoke, isolated_home, tmp_path, monkeypatch, scheduler, library)
    db = isolated_home / "sysplan.db"
    rows = log_rows(db)
    modes = {r[5] for r in rows}
    assert {"review", "drill", "quiz", "reset"} <= modes
    assert any(r[18] for r in rows), "the exam cap pulled some due date in"
    assert any(r[19] == "import" for r in rows)
    state = table(db)
    assert len(state) >= 8
    assert state == replayed(db, SchedulerConfig(scheduler))
    assert all((r[6] is None) == (scheduler == SM2) for r in state)


def test_fsrs_states_agree_with_fsrs_rs_on_the_scripted_history(invoke: Any, isolated_home: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                library: Any) -> None:
    import fsrs_rs_python as rs

    script(invoke, isolated_home, tmp_path, monkeypatch, FSRS, library)
    db = isolated_home / "sysplan.db"
    model = rs.FSRS(list(fsrs.DEFAULT_PARAMETERS))
    stored = {r[0]: r for r in table(db)}
    for cid, rows in histories(db).items():
        reviews: list[Any] = []
        last = None
        for r in rows:
            if r.mode == "reset":
                reviews, last = [], None
            elif r.mode == "review":
                reviews.append(rs.FSRSReview(fsrs.rating(r.grade), 0 if last is None else (r.study_day - last).days))
                last = r.study_day
        if not reviews:
            assert cid not in stored
            continue
        theirs = model.memory_state(rs.FSRSItem(reviews))
        assert stored[cid][6] == pytest.approx(theirs.stability, rel=1e-4)
        assert stored[cid][7] == pytest.approx(theirs.difficulty, rel=1e-4)


def test_switching_scheduler_is_lossless_and_leaves_the_log(invoke: Any, isolated_home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, library: Any) -> None:
    script(invoke, isolated_home, tmp_path, monkeypatch, SM2, library)
    db = isolated_home / "sysplan.db"
    sm2_states, log = table(db), log_rows(db)
    result = invoke("config", "scheduler", "fsrs")
    assert result.exit_code == 0 and "fsrs" in result.stdout
    fsrs_states = table(db)
    assert fsrs_states == replayed(db, SchedulerConfig(FSRS)) and fsrs_states != sm2_states
    assert invoke("config", "desired-retention", "0.8").exit_code == 0  # FSRS intervals follow the retention
    longer = table(db)
    assert longer == replayed(db, SchedulerConfig(FSRS, 0.8)) and longer != fsrs_states
    assert invoke("config", "scheduler", "sm2").exit_code == 0
    assert table(db) == sm2_states  # the exact previous SM-2 states
    assert invoke("config", "desired-retention", "--unset").exit_code == 0  # no effect under SM-2
    assert invoke("config", "scheduler", "fsrs").exit_code == 0
    assert table(db) == fsrs_states
    assert invoke("config", "scheduler", "--unset").exit_code == 0
    assert table(db) == sm2_states
    assert log_rows(db) == log  # the log is never touched


def test_a_state_the_log_does_not_explain_is_replaced_on_switch(invoke: Any, isolated_home: Path) -> None:
    """The log is the truth: a card_state row with no answer behind it (old benchmark or import) goes."""
    assert invoke("review", "--chapter", CH, "--limit", "1", input="5\n").exit_code == 0
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at) "
                 "VALUES ('ghost.card', 3, 250, 10, '2026-12-01', '2026-11-01T00:00:00+00:00')")
    conn.commit()
    assert invoke("config", "scheduler", "fsrs").exit_code == 0
    assert [r[0] for r in table(db)] == [library_first(db)]


def library_first(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT card_id FROM review_log").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("scheduler", [SM2, FSRS])
def test_undo_restores_the_state_before_with_its_memory(invoke: Any, isolated_home: Path, scheduler: str) -> None:
    """Undo of an answer and of a reset gives back exactly the state before (FSRS memory and last day included)."""
    assert invoke("config", "scheduler", scheduler).exit_code == 0
    db = isolated_home / "sysplan.db"
    review(invoke, 0, 1)  # grade 5
    first = table(db)
    cid = first[0][0]
    assert invoke("review", "--chapter", CH, "--limit", "1", input="4\n",
                  env={"SYSPLAN_TODAY": first[0][4]}).exit_code == 0  # reviewed again when due
    assert table(db) != first
    assert invoke("undo").exit_code == 0
    assert table(db) == first == replayed(db, SchedulerConfig(scheduler))
    assert invoke("reset", cid, env={"SYSPLAN_TODAY": day(3)}).exit_code == 0 and table(db) == []
    assert invoke("undo").exit_code == 0
    assert table(db) == first


def test_an_answer_uses_the_scheduler_in_force_when_it_is_saved(tmp_path: Path, library: Any) -> None:
    """A review window opened under SM-2 answers after another window switched to FSRS: the answer is scheduled by
    FSRS (the scheduler is read inside the answer's transaction), so card_state stays all of one scheduler."""
    from sysplan_study.store import schedules
    from sysplan_study.store.connection import open_store
    from sysplan_study.study.session import ReviewSession

    db = tmp_path / "s.db"
    clock = lambda: datetime(2026, 11, 24, 10, tzinfo=timezone.utc)  # noqa: E731
    session = ReviewSession.start(open_store(db), library.card_ids_in(CH), library.card, D0, 20, clock=clock)
    assert session.current() is not None
    other = open_store(db)
    schedules.change(other, {schedules.SCHEDULER_KEY: FSRS})
    session.answer(4)
    (row,) = table(db)
    assert row[6] is not None and row == replayed(db, SchedulerConfig(FSRS))[0]


def test_preview_shows_the_scheduler_in_force(tmp_path: Path, library: Any) -> None:
    from sysplan_study.store import schedules
    from sysplan_study.store.connection import open_store
    from sysplan_study.study.session import ReviewSession

    store = open_store(tmp_path / "s.db")
    session = ReviewSession.start(store, library.card_ids_in(CH), library.card, D0, 20)
    card = session.current().card
    assert [session.preview(card)[g].interval for g in (0, 4, 5)] == [1, 1, 1]  # SM-2: a new card, 1 day
    schedules.change(store, {schedules.SCHEDULER_KEY: FSRS})
    intervals = [session.preview(card)[g].interval for g in range(6)]
    expected = [fsrs.review(None, None, g, D0, fsrs.Config())[1] for g in range(6)]
    assert intervals == expected and intervals[5] > intervals[4] > 1


@pytest.mark.parametrize("args,message", [
    (("scheduler", "anki"), "只能是 sm2 或 fsrs"),
    (("desired-retention", "0.5"), "0.7-0.99"),
    (("desired-retention", "nan"), "0.7-0.99"),
    (("desired-retention", "九成"), "0.7-0.99"),
])
def test_bad_scheduler_settings_are_one_line(invoke: Any, args: tuple[str, str], message: str) -> None:
    result = invoke("config", *args)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.output


def test_the_benchmark_home_follows_from_its_log(tmp_path: Path) -> None:
    """bench/run.py's synthetic home: every card_state row is the replay of its generated log."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).parent.parent / "bench" / "run.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    home = tmp_path / "bench"
    bench.build_home(home, 400, 4000)
    db = home / "sysplan.db"
    state = table(db)
    assert len(state) > 100 and state == replayed(db, SchedulerConfig(SM2))


def test_the_benchmark_home_has_item_memory_from_its_typed_answers(tmp_path: Path) -> None:
    import importlib.util

    from tests.test_item_memory import replayed as items_replayed, stored as items_stored

    spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).parent.parent / "bench" / "run.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    home = tmp_path / "bench"
    bench.build_home(home, 300, 3000)
    db = home / "sysplan.db"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM item_result").fetchone()[0] > 1000
    got = items_stored(db)
    assert len(got) > 500 and got == items_replayed(db)
