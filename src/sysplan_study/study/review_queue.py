"""Today's review queue from indexed SQL: what session.plan_queue decides, without a State for every card."""

from __future__ import annotations

from datetime import date
from itertools import islice

from sysplan_study.store import due
from sysplan_study.store.history import Store


def plan(store: Store, card_ids: list[str], today: date, new_allowed: int, limit: int | None = None) -> list[str]:
    """Due cards first (most overdue first, deck order among equal dates), then new cards in deck order up to
    new_allowed; cap at limit. Only the due cards' dates are read (ISO dates order as strings)."""
    due_by_id = dict(due.due_queue(store, today))
    due_now = [c for c in card_ids if c in due_by_id]
    due_now.sort(key=due_by_id.__getitem__)  # stable: deck order kept among cards due the same day
    scheduled = due.scheduled_ids(store)
    new = list(islice((c for c in card_ids if c not in scheduled), max(0, new_allowed)))
    queue = due_now + new
    return queue[:limit] if limit is not None else queue
