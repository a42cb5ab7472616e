"""Which cards are scheduled and which are due, as ids straight from indexed SQL (no State per card).

Listing decks and starting a review need only these sets; building a State and parsing a date for each of
20,000 cards took longer than the rest of either command.
"""

from __future__ import annotations

import json
from datetime import date

from sysplan_study.store.history import Store


def _ids(store: Store, sql: str, params: tuple[str, ...] = ()) -> list[str]:
    """The ids a query returns, fetched as one JSON array (one row instead of thousands)."""
    row = store.conn.execute(f"SELECT json_group_array(card_id) FROM ({sql})", params).fetchone()
    return json.loads(row[0]) if row and row[0] else []


def scheduled_ids(store: Store) -> set[str]:
    """Every card with a schedule (reviewed at least once; cards no longer in any deck included)."""
    return set(_ids(store, "SELECT card_id FROM card_state"))


def due_ids(store: Store, day: date) -> set[str]:
    """Cards due on or before `day` (suspended ones included: the caller leaves them out)."""
    return set(_ids(store, "SELECT card_id FROM card_state WHERE due <= ?", (day.isoformat(),)))


def due_queue(store: Store, day: date) -> list[tuple[str, str]]:
    """(card id, due date as stored) of the cards due on or before `day`, most overdue first."""
    return store.conn.execute(
        "SELECT card_id, due FROM card_state WHERE due <= ? ORDER BY due", (day.isoformat(),)
    ).fetchall()


def state_rows(store: Store, card_ids: list[str]) -> dict[str, tuple[object, ...]]:
    """(repetitions, ef100, interval, due) of these cards as stored (what an answer checks it was shown with)."""
    rows = store.conn.execute(
        "SELECT s.card_id, s.repetitions, s.ef100, s.interval, s.due FROM json_each(?) c "
        "JOIN card_state s ON s.card_id = c.value", (json.dumps(card_ids),))
    return {cid: tuple(rest) for cid, *rest in rows}
