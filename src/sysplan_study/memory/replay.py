"""A card's schedule under SM-2 or FSRS, one answer at a time, and the replay of its log into that schedule; pure.

The log is the truth: a card's state is what its scheduling rows give when replayed oldest first (by study day,
then by log id). Only `review` rows schedule; a `reset` row makes the card new again; drills, quizzes and every
other answer never change a card's schedule. A review's `capped_due` (the exam cap pulled its due date in) is the
due date kept, exactly as it was when the answer was given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Iterable

from sysplan_study.memory import fsrs, sm2

SM2, FSRS = "sm2", "fsrs"
SCHEDULERS = (SM2, FSRS)
REVIEW, RESET = "review", "reset"


@dataclass(frozen=True)
class SchedulerConfig:
    """Which scheduler is in force and, for FSRS, its desired retention and parameters."""

    name: str = SM2
    desired_retention: float = fsrs.DEFAULT_RETENTION
    parameters: tuple[float, ...] = fsrs.DEFAULT_PARAMETERS

    @property
    def fsrs(self) -> fsrs.Config:
        """The FSRS part of the configuration."""
        return fsrs.Config(self.desired_retention, self.parameters)


@dataclass(frozen=True)
class CardState(sm2.State):
    """A card's schedule: SM-2's repetitions and easiness (kept under both schedulers: they follow the grades
    alone), the interval and due date of the scheduler in force, FSRS's memory (FSRS only) and the study day of
    the last scheduling review."""

    stability: float | None = None
    difficulty: float | None = None
    last_day: date | None = None

    @property
    def memory(self) -> fsrs.Memory | None:
        """The FSRS memory state, or None (SM-2 in force, or a new card)."""
        if self.stability is None or self.difficulty is None:
            return None
        return fsrs.Memory(self.stability, self.difficulty)


NEW = CardState()


def schedule(state: sm2.State, grade: int, day: date, config: SchedulerConfig) -> CardState:
    """One review answer given on study day `day` (the exam cap is the caller's: this is the uncapped result)."""
    before = state if isinstance(state, CardState) else CardState(state.repetitions, state.ef100, state.interval,
                                                                  state.due)
    counted = sm2.review(before, grade, day)  # repetitions and easiness: the same under both schedulers
    if config.name != FSRS:
        return replace(counted, stability=None, difficulty=None, last_day=day)
    last = before.last_day if not before.is_new else None
    memory, interval = fsrs.review(before.memory if last else None, last, grade, day, config.fsrs)
    return replace(counted, interval=interval, due=day + timedelta(days=interval), stability=memory.stability,
                   difficulty=memory.difficulty, last_day=day)


def planned_days(state: CardState, start: date, until: date, config: SchedulerConfig, most: int) -> tuple[date, ...]:
    """The days a card is reviewed before `until` if every review is passed (Good) on its due day (an overdue
    card on `start`), at most `most` of them: the schedule kept, as the forecast assumes."""
    if state.due is None:
        return ()
    out: list[date] = []
    when = max(state.due, start)
    plain = sm2.State(state.repetitions, state.ef100, state.interval, state.due)
    memory, last = state.memory, state.last_day
    while when < until and len(out) < most:
        out.append(when)
        if config.name == FSRS:
            memory, interval = fsrs.review(memory if last else None, last, 4, when, config.fsrs)
            last = when
            when = when + timedelta(days=interval)
        else:
            plain = sm2.review(plain, 4, when)
            assert plain.due is not None
            when = plain.due
    return tuple(out)


def keep_cap(after: CardState, capped_due: date | None) -> CardState:
    """The state as stored: the due date pulled in by the exam cap when the answer was given (never pushed out)."""
    if capped_due is None or after.due is None or capped_due >= after.due:
        return after
    return replace(after, due=capped_due)


@dataclass(frozen=True)
class Row:
    """What replay reads of one log row."""

    mode: str
    grade: int
    study_day: date
    capped_due: date | None = None
    reviewed_at: str = ""


@dataclass(frozen=True)
class Replayed:
    """A card's state after its log (None: new) and the time of the answer that set it."""

    state: CardState | None
    updated_at: str | None


def replay(rows: Iterable[Row], config: SchedulerConfig) -> Replayed:
    """Replay one card's log rows, oldest first: reviews schedule, resets make the card new, the rest is ignored."""
    state: CardState = NEW
    updated_at: str | None = None
    for row in rows:
        if row.mode == RESET:
            state, updated_at = NEW, None
        elif row.mode == REVIEW:
            state = keep_cap(schedule(state, row.grade, row.study_day, config), row.capped_due)
            updated_at = row.reviewed_at
    return Replayed(None if state.is_new else state, updated_at)
