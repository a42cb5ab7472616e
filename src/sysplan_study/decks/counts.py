"""Each card's item count (its 共N项), deck by deck, without decoding cards where the card index holds them.

The forecast needs only how many items each card has: decoding 20,000 cards for that costs more than the whole
forecast. A deck served from the card index gets its counts from one SQL query over the cards' stored JSON (the
length of its items array); any other deck, or one whose index rows do not match its card ids (changed or damaged
meanwhile), counts its cards.
"""

from __future__ import annotations

import sqlite3
from typing import Sequence

from sysplan_study.decks.cache import DeckIndex
from sysplan_study.decks.indexed import IndexedDeck
from sysplan_study.decks.model import DeckRef

_ITEMS = 3  # position of the items array in a card's JSON (cache_codec.encode_card)


def item_counts(decks: Sequence[DeckRef]) -> list[tuple[int, ...]]:
    """The item count of each card of each deck, in card order (aligned with `deck.card_ids`)."""
    found: dict[int, tuple[int, ...]] = {}
    groups: dict[int, list[tuple[int, IndexedDeck]]] = {}  # decks served from the same index, queried together
    for i, deck in enumerate(decks):
        if isinstance(deck, IndexedDeck) and isinstance(deck.index, DeckIndex):
            groups.setdefault(id(deck.index), []).append((i, deck))
    for members in groups.values():
        rows = _rows(members[0][1].index, [deck.file_id for _, deck in members])  # type: ignore[arg-type]
        for i, deck in members:
            ids, counts = rows.get(deck.file_id, ((), ()))
            # Every card has an item (validated), so anything else is a damaged row: that deck counts its cards.
            if ids == deck.card_ids and all(type(n) is int and n >= 1 for n in counts):
                found[i] = counts
    return [found[i] if i in found else tuple(c.count for c in deck.cards) for i, deck in enumerate(decks)]


def _rows(index: DeckIndex, file_ids: list[int]) -> dict[int, tuple[tuple[str, ...], tuple[int, ...]]]:
    """(card ids, item counts) of these deck files, in card order; a file whose rows cannot be read is left out."""
    try:
        rows = _query(index, file_ids)
    except sqlite3.Error:  # a damaged row (not JSON) fails the whole query: then one file at a time
        rows = []
        for file_id in file_ids:
            try:
                rows += _query(index, [file_id])
            except sqlite3.Error:
                continue  # that deck counts its cards
    out: dict[int, tuple[list[str], list[int]]] = {}
    for file_id, card_id, n in rows:
        ids, counts = out.setdefault(file_id, ([], []))
        ids.append(card_id)
        counts.append(n)
    return {f: (tuple(ids), tuple(counts)) for f, (ids, counts) in out.items()}


def _query(index: DeckIndex, file_ids: list[int]) -> list[tuple[int, str, int | None]]:
    return index.conn.execute(
        f"SELECT file_id, card_id, json_array_length(data, '$[{_ITEMS}]') FROM card "
        "WHERE file_id IN (SELECT value FROM json_each(?)) ORDER BY file_id, seq",
        (f"[{','.join(str(int(f)) for f in file_ids)}]",)).fetchall()
