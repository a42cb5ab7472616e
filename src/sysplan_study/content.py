"""Card decks: YAML files → validated, immutable dataclasses, with file:line errors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from sysplan_study.errors import UserError

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TEXT = 2000  # longest text accepted in one prompt/item: longer is almost surely a pasting mistake
MAX_DEPTH = 8  # deepest nesting of sections or sub-items
KINDS = ("chapter", "terms", "user")

DECK_KEYS = {"deck", "title", "kind", "number", "note", "fields", "sections", "cards"}
SECTION_KEYS = {"id", "number", "title", "note", "fields", "sections"}
FIELD_KEYS = {"id", "name", "question", "note", "items"}
ITEM_KEYS = {"text", "children", "note", "cut_off"}
CARD_KEYS = {"id", "prompt", "items", "note", "source"}


@dataclass(frozen=True)
class Item:
    """One entry of an answer list, possibly with sub-items."""

    text: str
    children: tuple["Item", ...] = ()
    note: str | None = None
    cut_off: bool = False

    def to_json(self) -> str | dict[str, Any]:
        """A plain string, or an object when the item has sub-items, a note or is cut off."""
        if not self.children and self.note is None and not self.cut_off:
            return self.text
        out: dict[str, Any] = {"text": self.text}
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        if self.note is not None:
            out["note"] = self.note
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
    note: str | None = None
    source: str | None = None
    path: str = ""
    line: int = 0

    @property
    def count(self) -> int:
        """Number of top-level items (the 共N项 of the prompt)."""
        return len(self.items)

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
        raise UserError(f"unknown chapter or deck {deck_id!r}; valid ids: {valid}")

    def card(self, card_id: str) -> Card:
        """The card with this id (loading only its deck), or a UserError."""
        deck = self._deck_of.get(card_id)
        if deck is None:
            raise UserError(f"unknown card id {card_id!r} (see `sysplan cards` or `sysplan search`)")
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


@dataclass(frozen=True)
class Problem:
    """One validation error at a file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(UserError):
    """Decks failed validation; holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "invalid deck"
        more = f" (and {len(problems) - 1} more; run `sysplan check`)" if len(problems) > 1 else ""
        super().__init__(first + more)


# ---------------------------------------------------------------------------------------------- YAML with lines


class _LineDict(dict):
    """A mapping that remembers the line of its own start and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _LineList(list):
    """A sequence that remembers the line of each element."""

    line: int = 0
    item_lines: list[int]


def _loader_class() -> type:
    """A SafeLoader (the C one where present) whose mappings and sequences carry line numbers."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_mapping(loader: Any, node: Any) -> _LineDict:
        loader.flatten_mapping(node)
        out = _LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(loader: Any, node: Any) -> _LineList:
        out = _LineList(loader.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out

    LineLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    return LineLoader


def parse_yaml(data: bytes, path: str) -> Any:
    """Decode UTF-8 strictly and parse with the safe loader; errors become a ContentError at file:line."""
    import yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ContentError([Problem(path, line, f"not valid UTF-8 (byte 0x{data[e.start]:02x})")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return yaml.load(text, Loader=_loader_class())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (e.problem or e.context or "YAML error").strip()
        raise ContentError([Problem(path, line, f"YAML error: {problem}")]) from None
    except yaml.YAMLError as e:
        raise ContentError([Problem(path, 1, f"YAML error: {e}")]) from None
    except RecursionError:
        raise ContentError([Problem(path, 1, "YAML nested too deeply")]) from None


# ---------------------------------------------------------------------------------------------- validation


class _Checker:
    """Walks one parsed deck, collecting problems and building dataclasses."""

    def __init__(self, path: str, builtin: bool):
        self.path = path
        self.builtin = builtin
        self.problems: list[Problem] = []
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

    def items(self, obj: dict, what: str, depth: int = 0) -> tuple[Item, ...]:
        entries = self.seq(obj, "items" if depth == 0 else "children", what)
        if depth == 0 and not entries and "items" in obj:
            self.err(_key_line(obj, "items"), f"{what} has no items")
        elif depth == 0 and "items" not in obj:
            pass  # reported as a missing required key
        out = []
        for raw, line in entries:
            item = self.item(raw, line, depth)
            if item is not None:
                out.append(item)
        return tuple(out)

    def item(self, raw: Any, line: int, depth: int) -> Item | None:
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
        note = self.text(raw, "note", "item", required=False)
        cut = raw.get("cut_off", False)
        if not isinstance(cut, bool):
            self.err(_key_line(raw, "cut_off"), f"item 'cut_off' must be true or false, got {_type_name(cut)}")
            cut = False
        children = self.items(raw, "item", depth + 1) if "children" in raw else ()
        if raw.get("children") == []:
            self.err(_key_line(raw, "children"), "item 'children' is empty")
        if text is None:
            return None
        return Item(text, children, note, cut)


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


def _list_prompt(number: str | None, title: str, question: str, count: int) -> str:
    head = f"【{number} {title}】" if number else f"【{title}】"
    return f"{head}{question}(共{count}项)"


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
    deck_note = ck.text(doc, "note", "deck", required=False)
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
            note = ck.text(raw, "note", "field", required=False)
            items = ck.items(raw, "field")
            if fid is not None and fid in local:
                ck.err(_key_line(raw, "id"), f"duplicate field id {fid!r} (first at line {local[fid]})")
                continue
            if fid is None or name is None or not items:
                continue
            local[fid] = _key_line(raw, "id")
            q = question or f"{title}的{name}有哪些？"
            card = Card(
                id=f"{owner_id}.{fid}",
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
            note = ck.text(raw, "note", "section", required=False)
            if sid is not None and sid in local:
                ck.err(_key_line(raw, "id"), f"duplicate section id {sid!r} (first at line {local[sid]})")
                continue
            if sid is None or stitle is None:
                continue
            local[sid] = _key_line(raw, "id")
            full = f"{parent_id}.{sid}"
            field_ids = fields_of(raw, full, number, stitle)
            subs = sections_of(raw, full, depth + 1)
            out.append(Section(full, number or "", stitle, field_ids, subs, note))
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
        note = ck.text(raw, "note", "card", required=False)
        source = ck.text(raw, "source", "card", required=False)
        items = ck.items(raw, "card")
        if cid is not None and cid in card_locals:
            ck.err(_key_line(raw, "id"), f"duplicate card id {cid!r} (first at line {card_locals[cid]})")
            continue
        if cid is None or prompt is None or not items:
            continue
        card_locals[cid] = _key_line(raw, "id")
        add_card(
            Card(
                id=f"{owner}.{cid}", deck=deck_id or "", prompt=prompt, items=items, chapter=chapter,
                note=note, source=source, path=path, line=line,
            ),
            line,
        )
    if not ck.problems and not cards:
        ck.err(1, "deck has no cards (give it fields, sections with fields, or cards)")
    if ck.problems or deck_id is None or title is None:
        return None, ck.problems
    top = Section(deck_id, number or "", title, top_fields, sections) if top_fields else None
    all_sections = ((top,) if top else ()) + sections
    deck = Deck(deck_id, title, kind, path, tuple(cards), all_sections, number, deck_note, builtin)
    return deck, []


# ---------------------------------------------------------------------------------------------- loading


def builtin_content_dir() -> Path:
    """The shipped decks: inside the installed package, or content/ of a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "content"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "content"


def deck_files(directory: Path) -> list[Path]:
    """The *.yaml decks of a directory, sorted by name."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_file(path: Path, builtin: bool = False) -> Deck:
    """Read, parse and validate one deck file; raises ContentError."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ContentError([Problem(shown, 0, f"cannot read deck: {e.strerror or e}")]) from None
    doc = parse_yaml(data, shown)
    deck, problems = build_deck(doc, shown, builtin)
    if problems or deck is None:
        raise ContentError(problems or [Problem(shown, 1, "invalid deck")])
    return deck


def check_files(paths: Iterable[Path], builtin: bool = False) -> tuple[list[Deck], list[Problem]]:
    """Validate files independently and also across files (deck and card ids unique); never raises."""
    decks: list[Deck] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            decks.append(load_file(path, builtin))
        except ContentError as e:
            problems.extend(e.problems)
    problems.extend(_cross_check(decks))
    return decks, problems


def _cross_check(decks: list[Any]) -> list[Problem]:
    """Deck ids and card ids must be unique across files (works on Deck and DeckRef alike)."""
    problems = []
    seen_deck: dict[str, str] = {}
    seen_card: dict[str, str] = {}
    for d in decks:
        if d.id in seen_deck:
            problems.append(Problem(d.path, 1, f"deck id {d.id!r} is already used by {seen_deck[d.id]}"))
            continue
        seen_deck[d.id] = d.path
        ids = d.card_ids if isinstance(d, DeckRef) else tuple(c.id for c in d.cards)
        for cid in ids:
            if cid in seen_card:
                where = d.card(cid) if isinstance(d, DeckRef) else next(c for c in d.cards if c.id == cid)
                problems.append(
                    Problem(where.path, where.line, f"card id {cid!r} is already used in {seen_card[cid]}")
                )
            else:
                seen_card[cid] = d.path
    return problems


def library_paths(content_dirs: Iterable[Path] = ()) -> list[tuple[Path, bool]]:
    """Every deck file to load: built-in first, then $SYSPLAN_STUDY_HOME/decks, then --content-dir ones."""
    from sysplan_study.paths import user_decks_dir

    out = [(p, True) for p in deck_files(builtin_content_dir())]
    extra = [user_decks_dir(), *content_dirs]
    for directory in extra:
        if directory != user_decks_dir() and not directory.is_dir():
            raise UserError(f"content directory not found: {directory}")
        out.extend((p, False) for p in deck_files(directory))
    return out


def load_library(content_dirs: Iterable[Path] = ()) -> Library:
    """Load and validate every deck once; raises ContentError listing every problem."""
    from sysplan_study import deckcache

    entries = library_paths(content_dirs)
    decks: list[DeckRef] = []
    problems: list[Problem] = []
    for path, builtin in entries:
        try:
            decks.append(deckcache.load_ref(path, builtin))
        except ContentError as e:
            problems.extend(e.problems)
    problems.extend(_cross_check(decks))
    if problems:
        raise ContentError(problems)
    deckcache.save()
    return Library(decks)


# ---------------------------------------------------------------------------------------------- search


def fold(text: str) -> str:
    """Normalise for searching and matching: NFKC (full-width → ASCII), case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def search(library: Library, query: str) -> list[Card]:
    """Cards whose prompt, items or id contain the query (NFKC, case- and width-insensitive)."""
    needle = fold(query.strip())
    if not needle:
        raise UserError("search text is empty")
    found = []
    for card in library.cards:
        hay = [card.id, card.prompt, *(i.text for top in card.items for i in top.walk())]
        if any(needle in fold(h) for h in hay):
            found.append(card)
    return found
