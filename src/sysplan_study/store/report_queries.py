"""SQL for the HTML report: weekly retention per deck, lowest predicted recall (over the loaded temp.scope)."""

from __future__ import annotations

from datetime import date
from collections.abc import Iterator

from sysplan_study.store.history import Store


def weekly_retention(store: Store, since: date, until: date) -> dict[str, dict[int, tuple[int, int]]]:
    """Per deck in temp.scope, per week index from `since` (0-based, 7 days each): (reviews, passed)."""
    from sysplan_study.store import aggregates  # from the per-deck daily totals: bounded by days, not answers

    return aggregates.weekly_retention(store, since, until)


def lowest_recall(store: Store, today: date) -> Iterator[tuple[str, int, float, date]]:
    """Item memories of scoped cards, lowest predicted recall first: (card, item, stability, last day).

    FSRS recall falls as (days since the answer) / stability grows, so SQLite orders by that ratio; the caller
    reads only as many rows as it needs.
    """
    rows = store.conn.execute(
        "SELECT i.card_id, i.item, i.stability, i.last_day FROM item_state i JOIN temp.scope d ON d.card_id = i.card_id "
        "ORDER BY max(0, julianday(?) - julianday(i.last_day)) / i.stability DESC, i.card_id, i.item",
        (today.isoformat(),),
    )
    for cid, item, stability, last in rows:
        yield cid, int(item), float(stability), date.fromisoformat(last)
