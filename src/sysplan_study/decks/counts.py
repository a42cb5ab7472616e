"""Each card's item count (its 共N项), deck by deck, without decoding cards where the card index holds them.

The forecast needs only how many items each card has: decoding 20,000 cards for that costs more than the whole
forecast. A deck served from the card index gets its counts from the index's row for its file (recorded when the file was
parsed: one short string per deck file); any other deck, or one whose row does not match its card ids (changed or
damaged meanwhile), counts its cards.
"""

from __future__ import annotations

import sqlite3
from typing import Sequence

from sysplan_study.decks.cache import DeckIndex
from sysplan_study.decks.indexed import IndexedDeck
from sysplan_study.decks.model import DeckRef


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
    """(card ids, item counts) of these deck files, in card order, as the index recorded them when it parsed each
    file; a file whose row cannot be read or whose counts are not a number per card is left out."""
    try:
        rows = index.conn.execute(
            "SELECT id, card_ids, item_counts FROM deck_file WHERE id IN (SELECT value FROM json_each(?))",
            (f"[{','.join(str(int(f)) for f in file_ids)}]",)).fetchall()
    except sqlite3.Error:  # damaged pages: every deck counts its cards
        return {}
    out: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] = {}
    for file_id, joined_ids, joined_counts in rows:
        if not isinstance(joined_ids, str) or not isinstance(joined_counts, str):
            continue
        ids = tuple(joined_ids.split("\n")) if joined_ids else ()
        parts = joined_counts.split(",") if joined_counts else []
        if len(parts) == len(ids) and all(p.isascii() and p.isdigit() and len(p) < 7 for p in parts):
            out[file_id] = (ids, tuple(int(p) for p in parts))
    return out
