"""Decks served from the card index (decks.cache): listing fields at hand, cards decoded only when asked for."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from sysplan_study.decks.files import load_file
from sysplan_study.decks.model import Card, Deck, DeckRef
from sysplan_study.errors import UserError


class CardRows(Protocol):
    """What a deck needs of the card index (decks.cache.DeckIndex)."""

    def card_rows(self, file_id: int, seqs: Iterable[int] | None = None) -> list[tuple[int, str]]: ...

    def card_row(self, file_id: int, card_id: str) -> str | None: ...

    def body(self, file_id: int) -> str | None: ...

    def forget(self, file_id: int) -> None: ...


class IndexedDeck(DeckRef):
    """A deck from the card index: ids and titles at hand, cards decoded only when asked for (one, some or all).

    A card row that is not what this version writes makes the deck fall back to parsing its file (and dropping
    the row from the index, so the next run stores it again).
    """

    def __init__(self, index: CardRows, file_id: int, id: str, title: str, kind: str, path: str,
                 joined_ids: str, number: str | None, note: str | None, builtin: bool, source: Path):
        card_ids = tuple(joined_ids.split("\n")) if joined_ids else ()
        super().__init__(id, title, kind, path, card_ids, number, note, builtin, loader=self._load_full)
        self.index, self.file_id, self.source = index, file_id, source
        self.joined_ids = joined_ids  # the card ids joined by newlines, as the index keeps them
        self._cards: tuple[Card, ...] | None = None
        self._some: dict[str, Card] = {}

    def _damaged(self) -> Deck:
        self.index.forget(self.file_id)
        deck = load_file(self.source, self.builtin)
        self._full, self._cards = deck, deck.cards
        return deck

    def _load_full(self) -> Deck:
        from sysplan_study.decks import cache_codec as codec  # JSON decoding: only once cards are asked for

        try:
            meta = (self.id, self.title, self.kind, self.number, self.note, self.builtin)
            return codec.decode_deck(meta, self.index.body(self.file_id), self.cards, self.path)
        except (codec.CacheDamaged, sqlite3.Error):
            return self._damaged()

    @property
    def cards(self) -> tuple[Card, ...]:
        """The deck's cards in order, decoded from the index once."""
        if self._full is not None:
            return self._full.cards
        if self._cards is None:
            from sysplan_study.decks import cache_codec as codec

            try:
                cards = tuple(codec.decode_card(data, self.path) for _, data in self.index.card_rows(self.file_id))
                if tuple(c.id for c in cards) != self.card_ids:
                    raise codec.CacheDamaged("cards do not match the deck's card ids")
                self._cards = cards
            except (codec.CacheDamaged, sqlite3.Error):
                return self._damaged().cards
        return self._cards

    def cards_at(self, seqs: Sequence[int]) -> list[Card]:
        """The cards at these positions (sorted, no repeats), decoding only those."""
        if self._full is not None or self._cards is not None:
            return [self.cards[i] for i in seqs]
        from sysplan_study.decks import cache_codec as codec

        try:
            rows = self.index.card_rows(self.file_id, seqs)
            cards = [codec.decode_card(data, self.path) for _, data in rows]
            if [s for s, _ in rows] != list(seqs) or any(c.id != self.card_ids[s] for c, s in zip(cards, seqs)):
                raise codec.CacheDamaged("cards do not match the deck's card ids")
            return cards
        except (codec.CacheDamaged, sqlite3.Error, IndexError):
            return list(self._damaged().cards)  # every card: the caller checks each, and the file may have changed

    def card(self, card_id: str) -> Card:
        """One card by id, decoding only that card unless the deck is already loaded."""
        if self._full is not None or self._cards is not None:
            return self._from_file(card_id) if card_id in self.card_ids else super().card(card_id)
        found = self._some.get(card_id)
        if found is None:
            if card_id not in self.card_ids:
                raise KeyError(card_id)
            from sysplan_study.decks import cache_codec as codec

            try:
                found = codec.decode_card(self.index.card_row(self.file_id, card_id), self.path)
                if found.id != card_id:
                    raise codec.CacheDamaged("card id does not match")
            except (codec.CacheDamaged, sqlite3.Error):
                self._damaged()
                return self._from_file(card_id)
            self._some[card_id] = found
        return found

    def _from_file(self, card_id: str) -> Card:
        """A card from the deck file parsed again; a UserError if the file no longer has it (edited meanwhile)."""
        try:
            return super().card(card_id)
        except KeyError:
            raise UserError(f"卡组文件已改动，没有卡片 {card_id}，请重新运行（deck changed meanwhile: run again）: "
                            f"{self.path}") from None
