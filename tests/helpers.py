"""Test helpers: write history rows directly (seeding a scenario, not exercising the answer path)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sysplan_study.memory.sm2 import State
from sysplan_study.store import answers
from sysplan_study.store.history import Store


def seed(
    store: Store, card_id: str, mode: str, grade: int, before: State, after: State | None, at: datetime, day: date,
    duration_ms: int | None = None, items: Any = None, capped_due: date | None = None,
) -> int:
    """Log one row as given and, for a review with a state after, save that state: one transaction."""
    with store._write() as c:
        log_id = answers._insert_log(c, card_id, mode, grade, before, after, at, day, duration_ms, 0, items,
                                     capped_due)
        if mode == "review" and after is not None and after.due is not None:
            answers._save_state(c, card_id, after, capped_due or after.due, at.isoformat())
    return log_id
