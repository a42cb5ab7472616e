"""Bulk reads as columns, for the forecast: the item memories and the schedules of a list of cards, one lean query
each.

The forecast works on ~10⁵ items: a date or a dataclass per row would cost more than the query. So cards are
named by their position in the list asked for, days come back as day numbers (date.toordinal) computed by SQLite,
and every value goes straight into one float64 numpy array (all of them are exact there: whole numbers below
2^53 and the stored floats themselves).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import chain
from typing import Any, Sequence

from sysplan_study.store.history import Store
from sysplan_study.store.item_states import JULIAN_OFFSET

# julianday() of a date is its day number (date.toordinal) plus this: both count whole days, from different origins.
_ORDINAL = "CAST(julianday({}) - 1721424.5 AS INTEGER)"


@dataclass(frozen=True)
class ItemColumns:
    """Item memories, one value per row in numpy arrays: the card (its position in the list asked for), the item
    index, stability, difficulty and the day number of the last answer."""

    card: Any
    item: Any
    stability: Any
    difficulty: Any
    last_day: Any


@dataclass(frozen=True)
class ScheduleColumns:
    """Card schedules, one value per card in numpy arrays: the card (its position in the list asked for), SM-2
    repetitions, easiness (hundredths), interval, due day number, FSRS stability and difficulty (NaN when not
    kept) and day number of the last scheduling review (-1 when not kept)."""

    card: Any
    repetitions: Any
    ef100: Any
    interval: Any
    due: Any
    stability: Any
    difficulty: Any
    last_day: Any


def _table(store: Store, sql: str, card_ids: Sequence[str], width: int) -> Any:
    """The rows of `sql` (reading the JSON list of card ids as `c`) as one float64 array of `width` columns."""
    import numpy as np

    rows = store.conn.execute(sql, (json.dumps(list(card_ids)),))
    return np.fromiter(chain.from_iterable(rows), dtype=float).reshape(-1, width)


def item_memories(store: Store, card_ids: Sequence[str]) -> ItemColumns:
    """The item memories of these cards, by card (in list order) and item."""
    import numpy as np

    t = _table(store, f"SELECT c.key, i.item, i.stability, i.difficulty, i.day_number - {JULIAN_OFFSET} "
               "FROM json_each(?) c JOIN item_state i ON i.card_id = c.value", card_ids, 5)
    card, item, last = (t[:, k].astype(np.int64) for k in (0, 1, 4))
    step, next_item = np.diff(card), np.diff(item)
    if ((step < 0) | ((step == 0) & (next_item <= 0))).any():  # in that order already, as SQLite reads them
        order = np.lexsort((item, card))
        t, card, item, last = t[order], card[order], item[order], last[order]
    return ItemColumns(card, item, t[:, 2].copy(), t[:, 3].copy(), last)


def schedules(store: Store, card_ids: Sequence[str]) -> ScheduleColumns:
    """The schedules of these cards (those that have one: a due date)."""
    import numpy as np

    t = _table(store, "SELECT c.key, s.repetitions, s.ef100, s.interval, " + _ORDINAL.format("s.due")
               + ", coalesce(s.stability, -1.0), coalesce(s.difficulty, -1.0), coalesce("
               + _ORDINAL.format("s.last_day") + ", -1) FROM json_each(?) c JOIN card_state s ON s.card_id = c.value "
               "WHERE s.due IS NOT NULL", card_ids, 8)
    card, rep, ef, interval, due, last = (t[:, k].astype(np.int64) for k in (0, 1, 2, 3, 4, 7))
    s, d = (np.where(t[:, k] > 0, t[:, k], np.nan) for k in (5, 6))  # stability and difficulty are never 0 or less
    return ScheduleColumns(card, rep, ef, interval, due, s, d, last)
