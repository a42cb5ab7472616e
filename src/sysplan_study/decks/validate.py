"""Deck validation: a parsed YAML document → a Deck, or every problem found at file:line."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sysplan_study.decks.model import Card, Deck, DeckNote, Item, Section, count_tail
from sysplan_study.decks.yaml_lines import Problem, _LineDict

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TEXT = 2000  # longest text accepted in one prompt/item: longer is almost surely a pasting mistake
MAX_DEPTH = 8  # deepest nesting of sections or sub-items
KINDS = ("chapter", "terms", "user")

# `note` is for candidates (a doubtful reading, shown with the answer); `source_note` is editorial (how the source
# was split or corrected), shown only by `check --notes`, `read --source` and JSON.
DECK_KEYS = {"deck", "title", "kind", "number", "note", "source_note", "fields", "sections", "cards"}
SECTION_KEYS = {"id", "number", "title", "note", "source_note", "fields", "sections"}
FIELD_KEYS = {"id", "name", "question", "note", "source_note", "items"}
ITEM_KEYS = {"text", "children", "note", "source_note", "cut_off"}
CARD_KEYS = {"id", "prompt", "items", "note", "source_note", "source"}
NOTE_KEYS = ("note", "source_note")


class _Checker:
    """Walks one parsed deck, collecting problems and building dataclasses."""

    def __init__(self, path: str, builtin: bool):
        self.path = path
        self.builtin = builtin
        self.problems: list[Problem] = []
        self.notes: list[DeckNote] = []
        self.seen: set[int] = set()

    def err(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def visit(self, obj: Any, line: int) -> bool:
        """Refuse a container met twice: that is a YAML alias, and aliases can blow up exponentially."""
        if isinstance(obj, (dict, list)):
            if id(obj) in self.seen:
                self.err(line, "YAML anchors/aliases (&x / *x) are not allowed in decks")
                return False
            self.seen.add(id(obj))
        return True

    def mapping(self, obj: Any, line: int, what: str, allowed: set[str], required: tuple[str, ...]) -> bool:
        if not isinstance(obj, dict):
            self.err(line, f"{what} must be a mapping, got {_type_name(obj)}")
            return False
        if not self.visit(obj, line):
            return False
        for key in obj:
            if key not in allowed:
                self.err(_key_line(obj, key), f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in obj:
                self.err(_line(obj, line), f"{what} is missing required key {key!r}")
        return True

    def text(self, obj: dict, key: str, what: str, required: bool = True) -> str | None:
        line = _key_line(obj, key)
        if key not in obj:
            return None
        value = obj[key]
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            self.err(line, f"{what} {key!r} must be text, got {_type_name(value)}")
            return None
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str):
            self.err(line, f"{what} {key!r} must be text, got {_type_name(value)}")
            return None
        value = value.strip()
        if not value:
            if required:
                self.err(line, f"{what} {key!r} is empty")
            return None
        if len(value) > MAX_TEXT:
            self.err(line, f"{what} {key!r} is longer than {MAX_TEXT} characters")
            return None
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
            self.err(line, f"{what} {key!r} contains control characters")
            return None
        return value

    def notes_of(self, obj: dict, what: str, owner: str) -> tuple[str | None, str | None]:
        """The (note, source_note) of a deck, section, field, card or item, each recorded with its line."""
        found: list[str | None] = []
        for key in NOTE_KEYS:
            value = self.text(obj, key, what, required=False)
            if value is not None:
                self.notes.append(DeckNote(self.path, _key_line(obj, key), owner, key, value))
            found.append(value)
        return found[0], found[1]

    def ident(self, obj: dict, what: str) -> str | None:
        if "id" not in obj:
            return None
        value = obj["id"]
        line = _key_line(obj, "id")
        if not isinstance(value, str) or not ID_RE.match(value):
            self.err(line, f"{what} id {value!r} must be lowercase ASCII: letters, digits, _ (starting with a letter)")
            return None
        return value

    def seq(self, obj: dict, key: str, what: str) -> list[tuple[Any, int]]:
        if key not in obj or obj[key] is None:
            return []
        value = obj[key]
        line = _key_line(obj, key)
        if not isinstance(value, list):
            self.err(line, f"{what} {key!r} must be a list, got {_type_name(value)}")
            return []
        if not self.visit(value, line):
            return []
        lines = getattr(value, "item_lines", [line] * len(value))
        return list(zip(value, lines))

    def items(self, obj: dict, what: str, owner: str, depth: int = 0) -> tuple[Item, ...]:
        entries = self.seq(obj, "items" if depth == 0 else "children", what)
        if depth == 0 and not entries and "items" in obj:
            self.err(_key_line(obj, "items"), f"{what} has no items")
        elif depth == 0 and "items" not in obj:
            pass  # reported as a missing required key
        out = []
        for n, (raw, line) in enumerate(entries):
            item = self.item(raw, line, depth, f"{owner} {_item_label(depth, n)}")
            if item is not None:
                out.append(item)
        return tuple(out)

    def item(self, raw: Any, line: int, depth: int, owner: str) -> Item | None:
        if depth > MAX_DEPTH:
            self.err(line, f"sub-items nested deeper than {MAX_DEPTH} levels")
            return None
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            holder = _LineDict(text=raw)
            holder.line, holder.key_lines = line, {"text": line}
            text = self.text(holder, "text", "item")
            return Item(text) if text is not None else None
        if raw is None:
            self.err(line, "item is empty")
            return None
        if not self.mapping(raw, line, "item", ITEM_KEYS, ("text",)):
            return None
        text = self.text(raw, "text", "item")
        note, source_note = self.notes_of(raw, "item", owner)
        cut = raw.get("cut_off", False)
        if not isinstance(cut, bool):
            self.err(_key_line(raw, "cut_off"), f"item 'cut_off' must be true or false, got {_type_name(cut)}")
            cut = False
        children = self.items(raw, "item", owner, depth + 1) if "children" in raw else ()
        if raw.get("children") == []:
            self.err(_key_line(raw, "children"), "item 'children' is empty")
        if text is None:
            return None
        return Item(text, children, note, cut, source_note)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def _line(obj: Any, default: int) -> int:
    return getattr(obj, "line", default) or default


def _key_line(obj: Any, key: str) -> int:
    return getattr(obj, "key_lines", {}).get(key, _line(obj, 1))


def _item_label(depth: int, index: int) -> str:
    """How `check --notes` names an item: (1) (2)… at the top, A B… below, a b… deeper."""
    if depth == 0:
        return f"({index + 1})"
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if depth == 1 else "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < len(letters) else str(index + 1)


def default_question(title: str, name: str) -> str:
    """"<section>的<field>有哪些？"; a field named as a clause (可能存在的风险和控制) follows the title without 的."""
    joiner = "" if name.startswith("可能") else "的"
    return f"{title}{joiner}{name}有哪些？"


def _list_prompt(number: str | None, title: str, question: str, count: int) -> str:
    """"【1.1 服务目录的结构和内容】服务目录设计的活动有哪些？（共6项）", question marks made full-width."""
    head = f"【{number} {title}】" if number else f"【{title}】"
    return f"{head}{question.replace('?', '？')}{count_tail(count)}"


def build_deck(doc: Any, path: str, builtin: bool = False) -> tuple[Deck | None, list[Problem]]:
    """Validate one parsed YAML document and build its Deck; returns (deck or None, problems)."""
    ck = _Checker(path, builtin)
    if not ck.mapping(doc, 1, "deck", DECK_KEYS, ("deck", "title")):
        if doc is None:
            ck.problems = [Problem(path, 1, "deck file is empty")]
        return None, ck.problems
    deck_id = None
    if "deck" in doc:
        raw = doc["deck"]
        if isinstance(raw, str) and ID_RE.match(raw):
            deck_id = raw
        else:
            ck.err(_key_line(doc, "deck"), f"deck id {raw!r} must be lowercase ASCII: letters, digits, _")
    title = ck.text(doc, "title", "deck")
    kind = doc.get("kind", "user")
    if kind not in KINDS:
        ck.err(_key_line(doc, "kind"), f"deck kind {kind!r} must be one of {', '.join(KINDS)}")
        kind = "user"
    number = ck.text(doc, "number", "deck", required=False)
    deck_note, deck_source_note = ck.notes_of(doc, "deck", deck_id or "deck")
    chapter = deck_id if kind == "chapter" else None
    cards: list[Card] = []
    card_ids: dict[str, int] = {}

    def add_card(card: Card, line: int) -> None:
        if card.id in card_ids:
            ck.err(line, f"duplicate card id {card.id!r} (first at line {card_ids[card.id]})")
            return
        card_ids[card.id] = line
        cards.append(card)

    def fields_of(holder: dict, owner_id: str, number: str | None, title: str) -> tuple[str, ...]:
        ids: list[str] = []
        local: dict[str, int] = {}
        for raw, line in ck.seq(holder, "fields", "section"):
            if not ck.mapping(raw, line, "field", FIELD_KEYS, ("id", "name", "items")):
                continue
            fid = ck.ident(raw, "field")
            name = ck.text(raw, "name", "field")
            question = ck.text(raw, "question", "field", required=False)
            card_id = f"{owner_id}.{fid}"
            note, source_note = ck.notes_of(raw, "field", card_id)
            items = ck.items(raw, "field", card_id)
            if fid is not None and fid in local:
                ck.err(_key_line(raw, "id"), f"duplicate field id {fid!r} (first at line {local[fid]})")
                continue
            if fid is None or name is None or not items:
                continue
            local[fid] = _key_line(raw, "id")
            q = question or default_question(title, name)
            card = Card(
                id=card_id,
                deck=deck_id or "",
                prompt=_list_prompt(number, title, q, len(items)),
                items=items,
                chapter=chapter,
                section=owner_id if owner_id != deck_id else None,
                section_number=number,
                section_title=title,
                field=fid,
                field_name=name,
                note=note,
                path=path,
                line=line,
                source_note=source_note,
            )
            add_card(card, line)
            ids.append(card.id)
        return tuple(ids)

    def sections_of(holder: dict, parent_id: str, depth: int) -> tuple[Section, ...]:
        out: list[Section] = []
        local: dict[str, int] = {}
        for raw, line in ck.seq(holder, "sections", "section"):
            if depth > MAX_DEPTH:
                ck.err(line, f"sections nested deeper than {MAX_DEPTH} levels")
                break
            if not ck.mapping(raw, line, "section", SECTION_KEYS, ("id", "number", "title")):
                continue
            sid = ck.ident(raw, "section")
            number = ck.text(raw, "number", "section")
            stitle = ck.text(raw, "title", "section")
            full = f"{parent_id}.{sid}"
            note, source_note = ck.notes_of(raw, "section", full)
            if sid is not None and sid in local:
                ck.err(_key_line(raw, "id"), f"duplicate section id {sid!r} (first at line {local[sid]})")
                continue
            if sid is None or stitle is None:
                continue
            local[sid] = _key_line(raw, "id")
            field_ids = fields_of(raw, full, number, stitle)
            subs = sections_of(raw, full, depth + 1)
            out.append(Section(full, number or "", stitle, field_ids, subs, note, source_note))
        return tuple(out)

    owner = deck_id or "deck"
    top_fields = fields_of(doc, owner, number if kind == "chapter" else None, title or owner)
    sections = sections_of(doc, owner, 1)
    card_locals: dict[str, int] = {}
    for raw, line in ck.seq(doc, "cards", "deck"):
        if not ck.mapping(raw, line, "card", CARD_KEYS, ("id", "prompt", "items")):
            continue
        cid = ck.ident(raw, "card")
        prompt = ck.text(raw, "prompt", "card")
        card_id = f"{owner}.{cid}"
        note, source_note = ck.notes_of(raw, "card", card_id)
        source = ck.text(raw, "source", "card", required=False)
        items = ck.items(raw, "card", card_id)
        if cid is not None and cid in card_locals:
            ck.err(_key_line(raw, "id"), f"duplicate card id {cid!r} (first at line {card_locals[cid]})")
            continue
        if cid is None or prompt is None or not items:
            continue
        card_locals[cid] = _key_line(raw, "id")
        add_card(
            Card(
                id=card_id, deck=deck_id or "", prompt=prompt, items=items, chapter=chapter,
                note=note, source=source, path=path, line=line, source_note=source_note,
            ),
            line,
        )
    if not ck.problems and not cards:
        ck.err(1, "deck has no cards (give it fields, sections with fields, or cards)")
    if ck.problems or deck_id is None or title is None:
        return None, ck.problems
    top = Section(deck_id, number or "", title, top_fields, sections) if top_fields else None
    all_sections = ((top,) if top else ()) + sections
    notes = tuple(sorted(ck.notes, key=lambda n: n.line))
    deck = Deck(deck_id, title, kind, path, tuple(cards), all_sections, number, deck_note, builtin,
                deck_source_note, notes)
    return deck, []


# ---------------------------------------------------------------------------------------------- loading
