"""SQL for the HTML report: weekly retention per deck, lowest predicted recall (over the loaded temp.scope)."""

from __future__ import annotations

from datetime import date
from collections.abc import Iterator

from sysplan_study.store.history import Store


def weekly_retention(store: Store, since: date, until: date) -> dict[str, dict[int, tuple[int, int]]]:
    """Per deck in temp.scope, per week index from `since` (0-based, 7 days each): (reviews, passed)."""
    from sysplan_study.store import aggregates  # from the per-deck daily totals: bounded by days, not answers

    return aggregates.weekly_retention(store, since, until)


def lowest_recall(store: Store, today: date, first: int = 64) -> Iterator[tuple[str, int, float, date]]:
    """Item memories of scoped cards, lowest predicted recall first: (card, item, stability, last day).

    FSRS recall falls as (days since the answer) / stability grows, so SQLite orders by that ratio. The caller
    reads only as many rows as it needs: they come in batches (`first` rows, then four times as many each time),
    each a bounded top-N sort instead of a sort of every item memory; ties are broken by card and item, so the
    batches follow on exactly. When the scope holds most answered cards (the whole library), the batches are
    taken from every memory and the few out of scope dropped (a third cheaper than joining each row to the scope);
    a batch mostly out of scope (one chapter) switches to the join for the rest.
    """
    order = "max(0, ? - i.day_number) / i.stability DESC, i.card_id, i.item"
    alone = ("SELECT i.card_id, i.item, i.stability, i.last_day, i.card_id IN (SELECT card_id FROM temp.scope) "
             f"FROM item_state i ORDER BY {order} LIMIT ? OFFSET ?")
    # The scope drives the join (one primary-key range of item_state per card, not one scope lookup per item).
    joined = ("SELECT i.card_id, i.item, i.stability, i.last_day, 1 FROM temp.scope d CROSS JOIN item_state i "
              f"ON i.card_id = d.card_id ORDER BY {order} LIMIT ? OFFSET ?")
    from sysplan_study.store.item_states import day_number

    day = day_number(today)
    (in_scope,), (answered,) = (store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()
                                for t in ("temp.scope", "card_stat"))
    sql = alone if 2 * in_scope >= answered else joined
    offset, size, given = 0, max(1, first), 0
    while True:
        rows = store.conn.execute(sql, (day, size, offset)).fetchall()
        kept = [r for r in rows if r[4]]
        for cid, item, stability, last, _ in kept:
            yield cid, int(item), float(stability), date.fromisoformat(last)
        given += len(kept)
        if len(rows) < size:
            return
        if sql is alone and 2 * len(kept) < len(rows):
            sql, offset = joined, given  # the joined order is this order without the rows out of scope
        else:
            offset += size
        size *= 4
