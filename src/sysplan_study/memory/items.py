"""Memory per list item: an FSRS memory state for every item, fed by every answer that tests it from memory; pure.

An answer typed item by item rates each item (✓ Good, ✗ Again: a doubtful mark not accepted is a ✗); a
self-graded answer gives every item the card's grade (0-2 Again, 3 Hard, 4 Good, 5 Easy). Only the first answer
of a study day counts for an item, as FSRS counts days: later answers that day (drills) add nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sysplan_study.memory import fsrs

RECALLED, MISSED = 4, 0  # the grades a typed ✓ and ✗ count as (Good and Again)


@dataclass(frozen=True)
class ItemMemory:
    """One item's memory: FSRS stability and difficulty, and the study day of the answer that set them."""

    stability: float
    difficulty: float
    last_day: date

    @property
    def memory(self) -> fsrs.Memory:
        """The FSRS memory state."""
        return fsrs.Memory(self.stability, self.difficulty)


def typed_grade(recalled: bool) -> int:
    """The grade a typed item result counts as: ✓ Good, ✗ Again."""
    return RECALLED if recalled else MISSED


def answer(current: ItemMemory | None, grade: int, day: date, config: fsrs.Config) -> ItemMemory | None:
    """The item's memory after an answer on study day `day`, or None when it does not count (the item was
    already answered that day, or on a later day)."""
    if current is not None and current.last_day >= day:
        return None
    memory, _ = fsrs.review(current.memory if current else None, current.last_day if current else None, grade, day,
                            config)
    return ItemMemory(memory.stability, memory.difficulty, day)


def replay(evidence: Iterable[tuple[int, int, date]], config: fsrs.Config) -> dict[int, ItemMemory]:
    """Replay (item, grade, study day) answers, oldest first, into each item's memory."""
    out: dict[int, ItemMemory] = {}
    for item, grade, day in evidence:
        after = answer(out.get(item), grade, day, config)
        if after is not None:
            out[item] = after
    return out


def recall(memory: ItemMemory, day: date, config: fsrs.Config) -> float:
    """Predicted probability of recalling the item on study day `day` if it is not answered before then."""
    return fsrs.retrievability(memory.memory, memory.last_day, day, config)
