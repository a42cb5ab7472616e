"""Search cards by text, width- and case-insensitively, and say where each card matched (id, prompt, items)."""

from __future__ import annotations

import sqlite3
from typing import Iterable, Iterator

from sysplan_study.decks.cache_codec import fold, fold_char
from sysplan_study.decks.model import Card, Item, Library
from sysplan_study.errors import UserError


_fold_char = fold_char  # one character compatibility-decomposed (full-width → ASCII) and case-folded


def _folded(text: str) -> tuple[str, list[int] | range]:
    """The folded text and, for each folded character, the index of the original character it came from."""
    folded = fold(text)
    if len(folded) == len(text):  # no character folds to two or more (none folds to nothing): one for one
        return folded, range(len(text))
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    return "".join(parts), origin


def needle_of(query: str) -> str:
    """The folded search text; a UserError when it is empty or not text (bytes that are not UTF-8 reach Python
    as lone surrogates: no deck text holds one, and the card index cannot even be asked for one)."""
    needle = "".join(_fold_char(ch) for ch in query.strip())
    if not needle:
        raise UserError("搜索内容为空（search text is empty）")
    if any("\ud800" <= ch <= "\udfff" for ch in needle):
        raise UserError("搜索内容不是有效的 UTF-8 文字（search text is not valid UTF-8）")
    return needle


def spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Where the (folded) needle occurs in text, as (start, end) offsets of the original text."""
    hay, origin = _folded(text)
    out: list[tuple[int, int]] = []
    start = hay.find(needle)
    while start >= 0 and needle:
        end = start + len(needle)
        span = (origin[start], origin[end - 1] + 1)
        if not out or span[0] >= out[-1][1]:
            out.append(span)
        start = hay.find(needle, end)
    return out


class ItemHit:
    """An item (or sub-item) that contains the search text: its path of 0-based indices and the item.

    A plain class, not a dataclass: the two dataclasses cost a millisecond of every search's start-up."""

    __slots__ = ("path", "item")

    def __init__(self, path: tuple[int, ...], item: Item):
        self.path, self.item = path, item

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ItemHit) and (self.path, self.item) == (other.path, other.item)

    def __hash__(self) -> int:
        return hash((self.path, self.item))

    def __repr__(self) -> str:
        return f"ItemHit(path={self.path!r}, item={self.item!r})"


class Hit:
    """A card that contains the search text, and where: its id, its prompt, which items."""

    __slots__ = ("card", "in_id", "in_prompt", "items")

    def __init__(self, card: Card, in_id: bool, in_prompt: bool, items: tuple[ItemHit, ...]):
        self.card, self.in_id, self.in_prompt, self.items = card, in_id, in_prompt, items

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hit) and (self.card, self.in_id, self.in_prompt, self.items) == (
            other.card, other.in_id, other.in_prompt, other.items)

    def __hash__(self) -> int:
        return hash((self.card, self.in_id, self.in_prompt, self.items))

    def __repr__(self) -> str:
        return f"Hit(card={self.card!r}, in_id={self.in_id!r}, in_prompt={self.in_prompt!r}, items={self.items!r})"

    def to_json(self) -> dict[str, object]:
        """The card's JSON object plus a `matched` key (where the text was found; items as 1-based paths)."""
        out = self.card.to_json()
        where: list[str] = (["id"] if self.in_id else []) + (["prompt"] if self.in_prompt else [])
        out["matched"] = {"in": where + (["items"] if self.items else []),
                          "items": [".".join(str(i + 1) for i in h.path) for h in self.items]}
        return out


def _walk(items: Iterable[Item], path: tuple[int, ...] = ()) -> Iterable[tuple[tuple[int, ...], Item]]:
    """Every item and sub-item with its path of 0-based indices, depth first."""
    for i, item in enumerate(items):
        yield (*path, i), item
        yield from _walk(item.children, (*path, i))


def _candidates(library: Library, needle: str) -> Iterator[Card]:
    """Cards that may contain the needle, in deck order: for decks in the card index only those its search text
    finds (decoding nothing else); every card of any other deck, and of a deck the index no longer holds."""
    from sysplan_study.decks.cache import IndexedDeck

    found: dict[tuple[int, int], list[int] | None] = {}  # (id(index), file id) → positions; None: scan it all
    indexes = {id(d.index): d.index for d in library.decks if isinstance(d, IndexedDeck)}
    for key, index in indexes.items():
        files = [d.file_id for d in library.decks if isinstance(d, IndexedDeck) and d.index is index]
        try:
            hits, stale = index.candidates(files, needle), index.stale(files)
        except sqlite3.Error:  # a damaged index must not stop a search: scan those decks instead
            hits, stale = {}, set(files)
        found.update(((key, f), hits.get(f, [])) for f in files)
        found.update(((key, f), None) for f in stale)  # stored again by another process meanwhile
    for deck in library.decks:
        seqs = found.get((id(deck.index), deck.file_id)) if isinstance(deck, IndexedDeck) else None
        if seqs is None:
            yield from deck.cards
        elif seqs:
            yield from deck.cards_at(seqs)


def search(library: Library, query: str) -> list[Hit]:
    """Cards whose id, prompt or items contain the query (NFKC, case- and width-insensitive), in deck order."""
    needle = needle_of(query)
    found: list[Hit] = []
    for card in _candidates(library, needle):
        items = tuple(ItemHit(p, it) for p, it in _walk(card.items) if spans(it.text, needle))
        in_id, in_prompt = bool(spans(card.id, needle)), bool(spans(card.prompt, needle))
        if in_id or in_prompt or items:
            found.append(Hit(card, in_id, in_prompt, items))
    return found


def select(library: Library, names: Iterable[str]) -> list[Card]:
    """Cards named by id or by a chapter/section prefix (design.catalog → every card under it), each once,
    in the order named; an unknown name is a UserError."""
    out: dict[str, Card] = {}
    for raw in names:
        key = raw.strip().rstrip(".")
        if key and library.has_card(key):
            out.setdefault(key, library.card(key))
            continue
        matched = [cid for cid in library.card_ids if key and cid.startswith(key + ".")]
        if not matched:
            raise UserError(f"没有这张卡片或小节：{raw!r}（unknown card id {raw!r}; see `sysplan cards` or `sysplan search`）")
        for cid in matched:
            out.setdefault(cid, library.card(cid))
    return list(out.values())
