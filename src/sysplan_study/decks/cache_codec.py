"""Cards and decks as plain JSON for the card index, and back, checking every value's type on the way in.

JSON cannot carry code: a planted or damaged cache gives at worst a CacheDamaged error (the caller then parses
the deck file again), never an object of a type the deck model does not have. The file path is not stored: cards
and notes get the path the deck is loaded under now.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from typing import Any

from sysplan_study.decks.model import Card, Deck, DeckNote, Item, Section

SEPARATOR = "\n"  # between the folded id, prompt and items of one card in the searchable text


class CacheDamaged(ValueError):
    """A cached value is not what this version writes."""


# ---------------------------------------------------------------------------------------------- folding


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """One character folded as decks.search folds it: compatibility-decomposed and case-folded."""
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())


class _FoldTable(dict):  # type: ignore[type-arg]
    """str.translate table computing each character's folding once (translate then runs in C)."""

    def __missing__(self, code: int) -> str:
        value = self[code] = fold_char(chr(code))
        return value


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Text folded character by character, exactly as decks.search folds the text it searches."""
    if text.isascii() and not any("A" <= ch <= "Z" for ch in text):
        return text
    return text.translate(_TABLE)


def search_text(card: Card) -> str:
    """What the index searches for a card: its id, prompt and every item and sub-item, folded, one per line
    (the last line ended too, so every occurrence of a needle is followed by a character: a two-character needle
    is then always the start of one of the text's trigrams, which the card index looks up).

    Each part is folded on its own, so a folded needle found in one part of a card is found here too.
    """
    parts = [card.id, card.prompt]
    stack = list(reversed(card.items))
    while stack:
        item = stack.pop()
        parts.append(item.text)
        stack.extend(reversed(item.children))
    return SEPARATOR.join(fold(p) for p in parts) + SEPARATOR


# ---------------------------------------------------------------------------------------------- encoding


def _item(item: Item) -> Any:
    if not item.children and item.note is None and item.source_note is None and not item.cut_off:
        return item.text
    return [item.text, [_item(c) for c in item.children], item.note, item.cut_off, item.source_note]


def encode_card(card: Card) -> str:
    """One card as a JSON array (its path left out)."""
    return json.dumps(
        [card.id, card.deck, card.prompt, [_item(i) for i in card.items], card.chapter, card.section,
         card.section_number, card.section_title, card.field, card.field_name, card.note, card.source, card.line,
         card.source_note],
        ensure_ascii=False, separators=(",", ":"),
    )


def _section(s: Section) -> Any:
    return [s.id, s.number, s.title, list(s.cards), [_section(c) for c in s.sections], s.note, s.source_note]


def encode_body(deck: Deck) -> str:
    """What a deck holds besides its cards and listing fields: sections, notes, its source note."""
    notes = [[n.line, n.owner, n.kind, n.text] for n in deck.notes]
    return json.dumps([[_section(s) for s in deck.sections], notes, deck.source_note], ensure_ascii=False,
                      separators=(",", ":"))


# ---------------------------------------------------------------------------------------------- decoding


def _str(v: Any) -> str:
    if type(v) is not str:
        raise CacheDamaged("text expected")
    return v


def _opt(v: Any) -> str | None:
    if v is not None and type(v) is not str:
        raise CacheDamaged("text or null expected")
    return v


def _int(v: Any) -> int:
    if type(v) is not int:
        raise CacheDamaged("integer expected")
    return v


def _list(v: Any, n: int | None = None) -> list[Any]:
    if type(v) is not list or (n is not None and len(v) != n):
        raise CacheDamaged("array expected")
    return v


def _decode_item(v: Any, depth: int = 0) -> Item:
    if type(v) is str:
        return Item(v)
    if depth > 16:
        raise CacheDamaged("items nested too deeply")
    text, children, note, cut_off, source_note = _list(v, 5)
    if type(cut_off) is not bool:
        raise CacheDamaged("cut_off must be true or false")
    return Item(_str(text), tuple(_decode_item(c, depth + 1) for c in _list(children)), _opt(note), cut_off,
                _opt(source_note))


def _loads(text: Any) -> Any:
    if type(text) is not str:
        raise CacheDamaged("JSON text expected")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise CacheDamaged("not JSON") from None


def decode_card(text: Any, path: str) -> Card:
    """A card from encode_card's JSON; CacheDamaged if anything in it is not what encode_card writes."""
    (cid, deck, prompt, items, chapter, section, section_number, section_title, field, field_name, note, source,
     line, source_note) = _list(_loads(text), 14)
    return Card(_str(cid), _str(deck), _str(prompt), tuple(_decode_item(i) for i in _list(items)), _opt(chapter),
                _opt(section), _opt(section_number), _opt(section_title), _opt(field), _opt(field_name), _opt(note),
                _opt(source), path, _int(line), _opt(source_note))


def _decode_section(v: Any, depth: int = 0) -> Section:
    if depth > 16:
        raise CacheDamaged("sections nested too deeply")
    sid, number, title, cards, sections, note, source_note = _list(v, 7)
    return Section(_str(sid), _str(number), _str(title), tuple(_str(c) for c in _list(cards)),
                   tuple(_decode_section(s, depth + 1) for s in _list(sections)), _opt(note), _opt(source_note))


def decode_deck(meta: tuple[Any, ...], body: Any, cards: tuple[Card, ...], path: str) -> Deck:
    """The whole deck from its listing fields (id, title, kind, number, note, builtin), body and cards."""
    deck_id, title, kind, number, note, builtin = meta
    sections, notes, source_note = _list(_loads(body), 3)
    deck_notes = []
    for n in _list(notes):
        line, owner, note_kind, text = _list(n, 4)
        deck_notes.append(DeckNote(path, _int(line), _str(owner), _str(note_kind), _str(text)))
    return Deck(_str(deck_id), _str(title), _str(kind), path, cards, tuple(_decode_section(s) for s in _list(sections)),
                _opt(number), _opt(note), bool(builtin), _opt(source_note), tuple(deck_notes))
