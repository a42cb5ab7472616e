"""The deck model: items, cards, sections, decks and the library of loaded decks (immutable dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from sysplan_study.errors import UserError

# Bump when the same deck file parses to different objects (new fields, another prompt format): the parsed-deck
# cache is keyed by it, so stale cards are never reused. 2: source_note, Deck.notes, （共N项）.
DECK_FORMAT = 2


def count_tail(n: int) -> str:
    """The item count closing a list prompt, full-width like the rest of the Chinese text: "（共6项）"."""
    return f"（共{n}项）"


@dataclass(frozen=True)
class DeckNote:
    """One `note` (for candidates) or `source_note` (editorial) of a deck, where its key stands in the file."""

    path: str
    line: int
    owner: str  # deck, section or card id, plus the item label for an item's note: "design.sla.framework (4) B"
    kind: str  # "note" or "source_note"
    text: str

    def __str__(self) -> str:
        label = "整理" if self.kind == "source_note" else "注"
        return f"{self.path}:{self.line}: {self.owner}: {label}：{self.text}"


@dataclass(frozen=True)
class Item:
    """One entry of an answer list, possibly with sub-items."""

    text: str
    children: tuple["Item", ...] = ()
    note: str | None = None  # for candidates: a doubtful reading to be aware of (shown with the answer)
    cut_off: bool = False
    source_note: str | None = None  # editorial: how the source was split or corrected (check, read --source, JSON)

    def to_json(self) -> str | dict[str, Any]:
        """A plain string, or an object when the item has sub-items, a note or is cut off."""
        if not self.children and self.note is None and self.source_note is None and not self.cut_off:
            return self.text
        out: dict[str, Any] = {"text": self.text}
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        if self.note is not None:
            out["note"] = self.note
        if self.source_note is not None:
            out["source_note"] = self.source_note
        if self.cut_off:
            out["cut_off"] = True
        return out

    def walk(self) -> Iterator["Item"]:
        """This item and all its sub-items, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Card:
    """One question with an ordered list of items as its answer."""

    id: str
    deck: str
    prompt: str
    items: tuple[Item, ...]
    chapter: str | None = None
    section: str | None = None
    section_number: str | None = None
    section_title: str | None = None
    field: str | None = None
    field_name: str | None = None
    note: str | None = None  # for candidates, shown with the answer
    source: str | None = None
    path: str = ""
    line: int = 0
    source_note: str | None = None  # editorial, never shown while studying

    @property
    def count(self) -> int:
        """Number of top-level items (the 共N项 of the prompt)."""
        return len(self.items)

    @property
    def bare_prompt(self) -> str:
        """The prompt without its （共N项） tail, for rephrasing it as another question."""
        tail = count_tail(self.count)
        return self.prompt[: -len(tail)] if self.prompt.endswith(tail) else self.prompt

    def to_json(self) -> dict[str, Any]:
        """The card as the `cards --format json` object."""
        out: dict[str, Any] = {
            "id": self.id,
            "deck": self.deck,
            "chapter": self.chapter,
            "section": self.section,
            "field": self.field,
            "prompt": self.prompt,
            "answer": [i.to_json() for i in self.items],
        }
        if self.note is not None:
            out["note"] = self.note
        if self.source_note is not None:
            out["source_note"] = self.source_note
        return out


@dataclass(frozen=True)
class Section:
    """A numbered section of the notes with its fields (as card ids) and sub-sections."""

    id: str
    number: str
    title: str
    cards: tuple[str, ...] = ()
    sections: tuple["Section", ...] = ()
    note: str | None = None
    source_note: str | None = None


@dataclass(frozen=True)
class Deck:
    """One YAML file: a chapter, the terms deck or a user deck."""

    id: str
    title: str
    kind: str
    path: str
    cards: tuple[Card, ...]
    sections: tuple[Section, ...] = ()
    number: str | None = None
    note: str | None = None
    builtin: bool = False
    source_note: str | None = None
    notes: tuple[DeckNote, ...] = field(default=(), compare=False, repr=False)  # every note, in file order

    def source_notes(self) -> tuple[DeckNote, ...]:
        """The editorial notes only (what `check --notes` lists)."""
        return tuple(n for n in self.notes if n.kind == "source_note")


class DeckRef:
    """A deck as the library lists it: id, title and card ids at hand, the cards themselves loaded on first use.

    Listing decks, counting new/due cards and planning a review need only ids; parsing or unpickling every card
    of a large home for that would dominate start-up.
    """

    def __init__(
        self, id: str, title: str, kind: str, path: str, card_ids: tuple[str, ...], number: str | None = None,
        note: str | None = None, builtin: bool = False, full: Deck | None = None,
        loader: Callable[[], Deck] | None = None,
    ):
        self.id, self.title, self.kind, self.path = id, title, kind, path
        self.card_ids, self.number, self.note, self.builtin = card_ids, number, note, builtin
        self._full, self._loader = full, loader
        self._by_id: dict[str, Card] | None = None

    @classmethod
    def of(cls, deck: Deck) -> "DeckRef":
        """Wrap an already loaded deck."""
        return cls(deck.id, deck.title, deck.kind, deck.path, tuple(c.id for c in deck.cards), deck.number,
                   deck.note, deck.builtin, full=deck)

    @property
    def full(self) -> Deck:
        """The whole deck, loaded once."""
        if self._full is None:
            assert self._loader is not None
            self._full = self._loader()
        return self._full

    @property
    def cards(self) -> tuple[Card, ...]:
        """The deck's cards in order."""
        return self.full.cards

    @property
    def sections(self) -> tuple[Section, ...]:
        """The deck's section tree."""
        return self.full.sections

    def card(self, card_id: str) -> Card:
        """One card of this deck by id."""
        if self._by_id is None:
            self._by_id = {c.id: c for c in self.cards}
        return self._by_id[card_id]


class Library:
    """All loaded decks, with lookups by deck and card id."""

    def __init__(self, decks: Iterable[DeckRef]):
        self.decks: tuple[DeckRef, ...] = tuple(decks)
        self._deck_of = {cid: d for d in self.decks for cid in d.card_ids}

    @classmethod
    def of(cls, decks: Iterable[Deck]) -> "Library":
        """A library of fully loaded decks (card ids already checked unique)."""
        return cls(DeckRef.of(d) for d in decks)

    @property
    def cards(self) -> tuple[Card, ...]:
        """Every card in deck order (loads every deck)."""
        return tuple(c for d in self.decks for c in d.cards)

    @property
    def card_ids(self) -> tuple[str, ...]:
        """Every card id in deck order, without loading cards."""
        return tuple(cid for d in self.decks for cid in d.card_ids)

    def deck(self, deck_id: str) -> DeckRef:
        """The deck with this id, or a UserError listing the valid ids."""
        for d in self.decks:
            if d.id == deck_id:
                return d
        valid = ", ".join(d.id for d in self.decks)
        raise UserError(f"没有这一章或卡组：{deck_id!r}；可用的 id（valid ids: {valid}）")

    def card(self, card_id: str) -> Card:
        """The card with this id (loading only its deck), or a UserError."""
        deck = self._deck_of.get(card_id)
        if deck is None:
            raise UserError(f"没有这张卡片：{card_id!r}（unknown card id; see `sysplan cards` or `sysplan search`）")
        return deck.card(card_id)

    def has_card(self, card_id: str) -> bool:
        """True if a loaded deck holds this card id."""
        return card_id in self._deck_of

    def deck_of(self, card_id: str) -> str | None:
        """The id of the deck holding a card, or None for a card no longer in any deck."""
        d = self._deck_of.get(card_id)
        return d.id if d else None

    def cards_in(self, deck_id: str | None) -> tuple[Card, ...]:
        """Cards of one deck (validated id), or all cards for None."""
        return self.cards if deck_id is None else self.deck(deck_id).cards

    def card_ids_in(self, deck_id: str | None) -> tuple[str, ...]:
        """Card ids of one deck (validated id), or all, without loading cards."""
        return self.card_ids if deck_id is None else self.deck(deck_id).card_ids

