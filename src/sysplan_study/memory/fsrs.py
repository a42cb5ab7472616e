"""FSRS through py-fsrs, configured for day-based review: grade mapping, one review, retrievability; pure.

The scheduler is py-fsrs's own (`Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)`), so
every answer goes straight to the review state and no random fuzz enters a due date. Time is counted in study days:
a review is placed at noon UTC of its study day, so the days between two answers are the difference of their study
days on any machine, whatever its time zone or rollover hour.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence

DEFAULT_RETENTION = 0.9
MIN_RETENTION, MAX_RETENTION = 0.7, 0.99
# py-fsrs 6's defaults (FSRS-6, 21 parameters); kept here so that no import of the library is needed to name them.
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629,
    1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # py-fsrs Rating values
NOON_UTC = 12  # hour of the day every answer of a study day is placed at


@dataclass(frozen=True)
class Config:
    """What FSRS scheduling depends on: the desired retention and the model's parameters."""

    desired_retention: float = DEFAULT_RETENTION
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS


@dataclass(frozen=True)
class Memory:
    """An FSRS memory state: stability (days until recall falls to 90 %) and difficulty (1-10)."""

    stability: float
    difficulty: float


def rating(grade: int) -> int:
    """The open-spaced-repetition mapping of a 0-5 grade: 0-2 Again, 3 Hard, 4 Good, 5 Easy (a fail is never Hard)."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
        raise ValueError(f"grade must be an integer from 0 to 5, got {grade!r}")
    return AGAIN if grade <= 2 else grade - 1


def moment(day: date) -> datetime:
    """The fixed instant a study day's answers are placed at (noon UTC), so elapsed time is whole study days."""
    return datetime(day.year, day.month, day.day, NOON_UTC, tzinfo=timezone.utc)


@functools.lru_cache(maxsize=8)
def scheduler(config: Config) -> Any:
    """py-fsrs's scheduler for day-based review (no learning steps, no fuzz), one per configuration."""
    from fsrs import Scheduler

    return Scheduler(parameters=config.parameters, desired_retention=config.desired_retention,
                     learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _card(memory: Memory | None, last_day: date | None, day: date) -> Any:
    from fsrs import Card, State

    if memory is None or last_day is None:
        # A card id and due date are given: py-fsrs would otherwise read the clock to make them.
        return Card(card_id=1, state=State.Learning, step=0, due=moment(day))
    return Card(card_id=1, state=State.Review, step=None, stability=memory.stability, difficulty=memory.difficulty,
                due=moment(day), last_review=moment(last_day))


def review(memory: Memory | None, last_day: date | None, grade: int, day: date, config: Config) -> tuple[Memory, int]:
    """One answer on study day `day` (the previous one on `last_day`): the new memory and the interval in days."""
    from fsrs import Rating

    card, _ = scheduler(config).review_card(_card(memory, last_day, day), Rating(rating(grade)), moment(day))
    return Memory(card.stability, card.difficulty), (card.due - moment(day)).days


def retrievability(memory: Memory, last_day: date, day: date, config: Config) -> float:
    """Predicted probability of recall on study day `day` of a memory last reviewed on `last_day`."""
    return float(scheduler(config).get_card_retrievability(_card(memory, last_day, day), moment(day)))


def curve(parameters: Sequence[float]) -> tuple[float, float]:
    """FSRS-6's forgetting curve R = (1 + factor·t/S)^decay: (decay, factor) for these parameters, computed as
    py-fsrs's Scheduler computes its _DECAY and _FACTOR (tests/test_fsrs.py checks they are equal), without
    importing py-fsrs: reading a recall figure should not pay for the scheduler."""
    decay = -parameters[20]
    return decay, 0.9 ** (1 / decay) - 1


def recall_function(config: Config) -> Callable[[float, int], float]:
    """Retrievability as a plain function of (stability, days since the answer), with py-fsrs's own decay and
    factor: the same number as `retrievability`, without building a card (the forecast calls it ~10⁵ times)."""
    decay, factor = curve(config.parameters)

    def recall(stability: float, days: int) -> float:
        return float((1 + factor * max(0, days) / stability) ** decay)

    return recall


def check_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    """The parameters as a tuple if py-fsrs accepts them (count and bounds); ValueError otherwise."""
    values = tuple(float(p) for p in parameters)
    scheduler(Config(DEFAULT_RETENTION, values))
    return values
