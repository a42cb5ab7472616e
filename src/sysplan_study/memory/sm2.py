"""SuperMemo SM-2 scheduler: pure functions of (state, grade, day), exact to the day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import IntEnum

# Easiness is kept in integer hundredths: every SM-2 step changes it by a multiple of 0.02, so integers
# represent it exactly and no float drift can move an interval by a day.
INITIAL_EF100 = 250
MIN_EF100 = 130
INITIAL_EF = INITIAL_EF100 / 100
MIN_EF = MIN_EF100 / 100
FIRST_INTERVAL = 1
SECOND_INTERVAL = 6
PASS_GRADE = 3
# Not part of SM-2: a ceiling of 100 years only stops a very long streak from overflowing datetime.date.
MAX_INTERVAL = 36_500


class Grade(IntEnum):
    """SM-2 response quality, 0 (blackout) to 5 (perfect)."""

    BLACKOUT = 0
    WRONG_FAMILIAR = 1
    WRONG_EASY = 2
    HARD = 3
    GOOD = 4
    PERFECT = 5


GRADE_LEGEND: dict[int, str] = {
    0: "全忘",
    1: "错/眼熟",
    2: "错/易",
    3: "对/吃力",
    4: "对/犹豫",
    5: "对/轻松",
}


@dataclass(frozen=True)
class State:
    """One card's schedule: SM-2 repetitions, easiness (hundredths), interval in days and due date."""

    repetitions: int = 0
    ef100: int = INITIAL_EF100
    interval: int = 0
    due: date | None = None

    @property
    def easiness(self) -> float:
        """EF as a float, for display; arithmetic uses ef100."""
        return self.ef100 / 100

    @property
    def is_new(self) -> bool:
        """True for a card never reviewed."""
        return self.due is None


def new_state() -> State:
    """The state of a card never reviewed."""
    return State()


def check_quality(quality: object) -> int:
    """Return quality as an int 0-5, or raise ValueError for anything else (bools and floats included)."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"grade must be an integer from 0 to 5, got {quality!r}")
    return int(quality)


def _round_half_up_hundredths(interval: int, ef100: int) -> int:
    """round-half-up(interval × ef100 / 100) in integers."""
    return (interval * ef100 + 50) // 100


def next_ef100(ef100: int, quality: int) -> int:
    """SM-2 easiness update in hundredths: EF + 0.1 - (5-q)(0.08 + (5-q)0.02), floored at 1.3."""
    d = 5 - quality
    return max(MIN_EF100, ef100 + 10 - d * (8 + d * 2))


def review(state: State, quality: int, today: date) -> State:
    """Apply one graded review on day `today` and return the new state (the input is not changed)."""
    q = check_quality(quality)
    if q >= PASS_GRADE:
        if state.repetitions == 0:
            interval = FIRST_INTERVAL
        elif state.repetitions == 1:
            interval = SECOND_INTERVAL
        else:
            # The EF from before this review multiplies the previous interval (SM-2 as published).
            interval = min(MAX_INTERVAL, max(1, _round_half_up_hundredths(state.interval, state.ef100)))
        repetitions = state.repetitions + 1
    else:
        repetitions = 0
        interval = FIRST_INTERVAL
    return replace(
        state,
        repetitions=repetitions,
        ef100=next_ef100(state.ef100, q),
        interval=interval,
        due=today + timedelta(days=interval),
    )


def preview(state: State, today: date) -> dict[int, State]:
    """The state each grade 0-5 would give, so the screen can show "4 → 6天"."""
    return {q: review(state, q, today) for q in range(6)}
