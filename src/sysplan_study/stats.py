"""Progress figures per deck and overall, computed with SQL aggregates from the store."""

from __future__ import annotations

from datetime import date
from typing import Any

from sysplan_study.content import Library
from sysplan_study.store import Store


def deck_overview(library: Library, store: Store, today: date) -> list[dict[str, Any]]:
    """One row per deck: id, title, kind, cards, new (never reviewed), due (on or before today)."""
    dues = store.due_dates()
    rows = []
    for d in library.decks:
        ids = [c.id for c in d.cards]
        rows.append({
            "id": d.id, "title": d.title, "kind": d.kind, "cards": len(ids),
            "new": sum(1 for i in ids if i not in dues),
            "due": sum(1 for i in ids if i in dues and dues[i] <= today),
            "builtin": d.builtin,
        })
    return rows
