"""FSRS beside SM-2: py-fsrs's own vectors, the grade mapping, and py-fsrs and fsrs-rs-python agreeing on our replays."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from sysplan_study.memory import fsrs, replay, sm2
from sysplan_study.memory.replay import FSRS, SM2, Row, SchedulerConfig

FSRS_CFG = SchedulerConfig(FSRS)
DAY0 = date(2022, 11, 29)


def test_py_fsrs_memo_state_vector() -> None:
    """py-fsrs tests/test_basic.py test_memo_state: Again then Good×5 at day offsets 0,0,1,3,8,21."""
    memory, last, day = None, None, DAY0
    for rating, offset in zip((1, 4, 4, 4, 4, 4), (0, 0, 1, 3, 8, 21)):  # our grades: 1 → Again, 4 → Good
        day += timedelta(days=offset)
        memory, _ = fsrs.review(memory, last, rating, day, fsrs.Config())
        last = day
    assert memory.stability == pytest.approx(53.62691, abs=1e-4)
    assert memory.difficulty == pytest.approx(6.3574867, abs=1e-4)


def test_the_same_vector_through_a_replayed_log() -> None:
    days, day = [], DAY0
    for offset in (0, 0, 1, 3, 8, 21):
        day += timedelta(days=offset)
        days.append(day)
    rows = [Row("review", g, d) for g, d in zip((0, 4, 4, 4, 4, 4), days)]
    rows.insert(3, Row("drill", 0, days[2]))  # a drill is no scheduling review
    rows.insert(5, Row("quiz", 1, days[3]))  # nor a quiz answer
    state = replay.replay(rows, FSRS_CFG).state
    assert state is not None
    assert state.stability == pytest.approx(53.62691, abs=1e-4)
    assert state.difficulty == pytest.approx(6.3574867, abs=1e-4)
    assert state.last_day == days[-1] and state.due == days[-1] + timedelta(days=state.interval)
    assert (state.repetitions, state.ef100) == (5, 170)  # SM-2's counters follow the grades under FSRS too


@pytest.mark.parametrize("grade,expected", [(0, 1), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_grade_mapping(grade: int, expected: int) -> None:
    """0-2 Again, 3 Hard, 4 Good, 5 Easy: a failure is never Hard."""
    assert fsrs.rating(grade) == expected


@pytest.mark.parametrize("bad", [-1, 6, True, 2.0, "4"])
def test_grade_mapping_refuses_non_grades(bad: object) -> None:
    with pytest.raises(ValueError):
        fsrs.rating(bad)  # type: ignore[arg-type]


def test_default_parameters_are_py_fsrs_defaults() -> None:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    assert fsrs.DEFAULT_PARAMETERS == tuple(DEFAULT_PARAMETERS)


def test_scheduler_is_day_based_without_fuzz() -> None:
    s = fsrs.scheduler(fsrs.Config())
    assert (s.learning_steps, s.relearning_steps, s.enable_fuzzing) == ((), (), False)
    assert s.desired_retention == 0.9


def test_elapsed_days_are_study_days_whatever_the_hour() -> None:
    """The answer's clock time never enters: the same study days give the same state."""
    assert fsrs.moment(date(2026, 3, 1)) == datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    a = replay.replay([Row("review", 4, date(2026, 3, 1), None, "2026-03-01T23:59:00+00:00"),
                       Row("review", 3, date(2026, 3, 4), None, "2026-03-04T00:01:00+00:00")], FSRS_CFG).state
    b = replay.replay([Row("review", 4, date(2026, 3, 1), None, "2026-03-01T04:00:00+08:00"),
                       Row("review", 3, date(2026, 3, 4), None, "2026-03-04T18:00:00+00:00")], FSRS_CFG).state
    assert a == b


def test_live_step_matches_py_fsrs_scheduler_directly() -> None:
    """A replayed FSRS history schedules exactly as py-fsrs's Scheduler.review_card with our configuration."""
    from fsrs import Card, Rating, Scheduler

    sched = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False, desired_retention=0.85)
    cfg = SchedulerConfig(FSRS, 0.85)
    rng = random.Random(7)
    for _ in range(50):
        card = Card(card_id=1, due=datetime(2026, 1, 1, 12, tzinfo=timezone.utc))
        rows, day = [], date(2026, 1, 1)
        for k in range(rng.randint(1, 12)):
            day += timedelta(days=0 if k == 0 else rng.choice((1, 2, 4, 9, 30)))
            grade = rng.randint(0, 5)
            rows.append(Row("review", grade, day))
            at = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
            card, _ = sched.review_card(card, Rating(fsrs.rating(grade)), at)
        state = replay.replay(rows, cfg).state
        assert state is not None
        assert (state.stability, state.difficulty) == (card.stability, card.difficulty)
        assert state.due == card.due.date()


def _random_history(rng: random.Random) -> list[Row]:
    rows, day = [], date(2025, 9, 1)
    for k in range(rng.randint(1, 20)):
        day += timedelta(days=0 if k == 0 else rng.choice((0, 1, 1, 2, 3, 5, 8, 13, 21, 45, 120)))
        rows.append(Row("review", rng.randint(0, 5), day))
    return rows


def test_py_fsrs_and_fsrs_rs_agree_on_replayed_histories() -> None:
    """The Rust library's memory state of the same history (ratings, study-day gaps) matches ours."""
    import fsrs_rs_python as rs

    model = rs.FSRS(list(fsrs.DEFAULT_PARAMETERS))
    rng = random.Random(2026)
    for _ in range(300):
        rows = _random_history(rng)
        ours = replay.replay(rows, FSRS_CFG).state
        reviews, last = [], None
        for r in rows:
            reviews.append(rs.FSRSReview(fsrs.rating(r.grade), 0 if last is None else (r.study_day - last).days))
            last = r.study_day
        theirs = model.memory_state(rs.FSRSItem(reviews))
        assert ours is not None
        assert ours.stability == pytest.approx(theirs.stability, rel=1e-4)
        assert ours.difficulty == pytest.approx(theirs.difficulty, rel=1e-4)


def test_sm2_replay_is_sm2() -> None:
    rows = [Row("review", 5, date(2026, 1, 1)), Row("review", 4, date(2026, 1, 2)),
            Row("review", 2, date(2026, 1, 8)), Row("review", 5, date(2026, 1, 9))]
    expected = sm2.State()
    for r in rows:
        expected = sm2.review(expected, r.grade, r.study_day)
    state = replay.replay(rows, SchedulerConfig(SM2)).state
    assert state is not None and state.stability is None
    assert (state.repetitions, state.ef100, state.interval, state.due) == (
        expected.repetitions, expected.ef100, expected.interval, expected.due)


def test_reset_makes_the_card_new_and_capped_due_is_kept() -> None:
    d = date(2026, 5, 1)
    rows = [Row("review", 5, d), Row("reset", 0, d + timedelta(days=1))]
    assert replay.replay(rows, FSRS_CFG).state is None
    rows.append(Row("review", 5, d + timedelta(days=2)))
    rows.append(Row("review", 5, d + timedelta(days=3), capped_due=d + timedelta(days=5)))
    for cfg in (FSRS_CFG, SchedulerConfig(SM2)):
        state = replay.replay(rows, cfg).state
        assert state is not None and state.due == d + timedelta(days=5)  # the due date the exam cap gave
        assert state.interval >= 6 and state.repetitions == 2  # the interval itself is not capped
    # A cap is never a push out: a scheduler that gives an earlier due keeps its own.
    early = replay.keep_cap(replay.CardState(1, 250, 1, d), d + timedelta(days=5))
    assert early.due == d


@pytest.mark.parametrize("w20", [0.1542, 0.1, 0.5, 0.8])
def test_curve_is_py_fsrs_decay_and_factor_exactly(w20: float) -> None:
    """The curve is computed without py-fsrs; it must be its very numbers, bit for bit."""
    from fsrs import Scheduler

    parameters = (*fsrs.DEFAULT_PARAMETERS[:20], w20)
    s = Scheduler(parameters=parameters)
    assert fsrs.curve(parameters) == (s._DECAY, s._FACTOR)
