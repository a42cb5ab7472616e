"""`sysplan read`: a chapter's notes as an outline to read before drilling it.

Sections (numbered headings) → fields (name, and the question when it says more than the name) → numbered
items → sub-items, with the notes for candidates; editorial notes only with `source`.
"""

from __future__ import annotations

from typing import Any

from sysplan_study.decks.model import Card, DeckRef, Section
from sysplan_study.errors import UserError
from sysplan_study.ui.listing import question
from sysplan_study.ui.render import item_rows, join, notes_of, row_list, text, wrapped


def _notes(owner: Any, source: bool, indent: int) -> list[Any]:
    """A deck's or section's candidate note (and editorial note with `source`)."""
    out = []
    if getattr(owner, "note", None):
        out.append(wrapped(text(owner.note, "dim"), text(" " * indent + "注：", "dim")))
    if source and getattr(owner, "source_note", None):
        out.append(wrapped(text(owner.source_note, "dim"), text(" " * indent + "整理：", "dim")))
    return out


def _default_question(card: Card) -> str:
    """The question a field gets when the deck gives none (it adds nothing to the field name)."""
    title, name = card.section_title or "", card.field_name or ""
    try:
        from sysplan_study.decks.validate import default_question

        return default_question(title, name)
    except ImportError:
        return f"{title}的{name}有哪些？"


def card_block(card: Card, source: bool = False) -> list[Any]:
    """One field or card: its name (or prompt) with the id dimmed, the question if it adds to the name, items."""
    out: list[Any] = []
    if card.field_name:
        out.append(wrapped(join((card.field_name, "bold"), ("  " + card.id, "dim")), prefix="  "))
        q = question(card)
        if q.rstrip("？?") and q != _default_question(card):
            out.append(wrapped(text(q, "dim"), prefix="  "))
    else:
        out.append(wrapped(join((card.prompt, "bold"), ("  " + card.id, "dim")), prefix="  "))
    out.append(row_list(item_rows(card.items, source=source), indent=4))
    out.extend(notes_of(card, source, indent=4))
    return out


def _section(deck: DeckRef, section: Section, source: bool, top: bool) -> list[Any]:
    """A section heading (none for the chapter's own fields), its notes, fields and sub-sections."""
    out: list[Any] = []
    if not top:
        head = f"{section.number} {section.title}" if section.number else section.title
        out += [text(""), wrapped(join((head, "bold underline"), ("  " + section.id, "dim")))]
        out += _notes(section, source, 2)
    for cid in section.cards:
        out += card_block(deck.card(cid), source)
    for sub in section.sections:
        out += _section(deck, sub, source, False)
    return out


def find_section(deck: DeckRef, name: str) -> Section:
    """A section of the deck by full id (design.catalog), local id (catalog) or number (1.1)."""
    key = name.strip().rstrip(".")
    flat: list[Section] = []

    def walk(sections: tuple[Section, ...]) -> None:
        for s in sections:
            if s.id != deck.id:
                flat.append(s)
            walk(s.sections)

    walk(deck.sections)
    for s in flat:
        if key in (s.id, s.number) or s.id == f"{deck.id}.{key}":
            return s
    valid = ", ".join(s.id.removeprefix(deck.id + ".") for s in flat) or "（没有小节）"
    raise UserError(f"{deck.id} 没有小节 {name!r}（unknown section; valid: {valid}）")


def outline(deck: DeckRef, section: str | None = None, source: bool = False) -> Any:
    """The whole chapter, or one section of it, as an outline (a Rich Group)."""
    from rich.console import Group

    head = f"{deck.number} {deck.title}" if deck.number else deck.title
    parts: list[Any] = [wrapped(join((head, "bold reverse"), ("  " + deck.id, "dim")))]
    if section is not None:
        parts += _section(deck, find_section(deck, section), source, False)
        return Group(*parts)
    parts += _notes(deck, source, 0)
    in_sections: set[str] = set()
    for s in deck.sections:
        parts += _section(deck, s, source, s.id == deck.id)
        stack = [s]
        while stack:
            cur = stack.pop()
            in_sections.update(cur.cards)
            stack.extend(cur.sections)
    loose = [c for c in deck.cards if c.id not in in_sections]  # free-standing cards (terms, user decks)
    if loose and deck.sections:
        parts.append(text(""))
    for card in loose:
        parts += card_block(card, source)
    return Group(*parts)
