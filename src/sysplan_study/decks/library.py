"""The library of every deck to study: built-in, user and --content-dir decks, validated together; search."""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from sysplan_study.decks.files import builtin_content_dir, load_file, scan_decks
from sysplan_study.decks.model import DeckRef, Library
from sysplan_study.errors import UserError

# Problem and ContentError are imported where a deck is invalid: a start with valid decks needs neither.
if TYPE_CHECKING:
    from sysplan_study.decks.model import Card, Deck
    from sysplan_study.decks.yaml_lines import ContentError, Problem


def check_files(paths: Iterable[Path], builtin: bool = False) -> tuple[list[Deck], list[Problem]]:
    """Validate files independently and also across files (deck and card ids unique); never raises."""
    from sysplan_study.decks.yaml_lines import ContentError

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
    from sysplan_study.decks.yaml_lines import Problem

    problems = []
    seen_deck: dict[str, str] = {}
    seen_card: dict[str, str] = {}
    for d in decks:
        if d.id in seen_deck:
            problems.append(Problem(d.path, 1, _deck_id_taken(d.id, seen_deck[d.id])))
            continue
        seen_deck[d.id] = d.path
        ids = d.card_ids if isinstance(d, DeckRef) else tuple(c.id for c in d.cards)
        for cid in ids:
            if cid in seen_card:
                where = d.card(cid) if isinstance(d, DeckRef) else next(c for c in d.cards if c.id == cid)
                problems.append(Problem(where.path, where.line, _card_id_taken(cid, seen_card[cid])))
            else:
                seen_card[cid] = d.path
    return problems


def _deck_id_taken(deck_id: str, other: str) -> str:
    return f"卡组 id {deck_id!r} 已在 {other} 中使用（deck id {deck_id!r} is already used by {other}）"


def _card_id_taken(card_id: str, other: str) -> str:
    return f"卡片 id {card_id!r} 已在 {other} 中使用（card id {card_id!r} is already used in {other}）"


def scan_library(content_dirs: Iterable[Path] = ()) -> tuple[list[tuple[Path, bool]], list[Problem]]:
    """Deck files to load (built-in, $SYSPLAN_STUDY_HOME/decks, --content-dir) and the non-files skipped."""
    from sysplan_study.paths import user_decks_dir

    files, skipped = scan_decks(builtin_content_dir())
    out = [(p, True) for p in files]
    extra = [user_decks_dir(), *content_dirs]
    for directory in extra:
        if directory != user_decks_dir() and not directory.is_dir():
            raise UserError(f"找不到卡组目录（content directory not found）: {directory}")
        files, more = scan_decks(directory)
        out.extend((p, False) for p in files)
        skipped.extend(more)
    return out, skipped


def library_paths(content_dirs: Iterable[Path] = ()) -> list[tuple[Path, bool]]:
    """Every deck file to load, flagged built-in or not (see scan_library)."""
    return scan_library(content_dirs)[0]


class LoadedLibrary(Library):
    """The library as loaded for studying, with one warning per user deck or entry skipped on the way.

    The card id → deck map is built on first use: listing decks and their counts never needs it.
    """

    def __init__(self, decks: Iterable[DeckRef], warnings: Iterable[str] = ()):
        self.decks = tuple(decks)
        self._card_decks: dict[str, DeckRef] | None = None
        self.warnings: tuple[str, ...] = tuple(warnings)

    @property  # type: ignore[override]
    def _deck_of(self) -> dict[str, DeckRef]:
        if self._card_decks is None:
            found: dict[str, DeckRef] = {}
            for d in self.decks:
                found.update(dict.fromkeys(d.card_ids, d))
            self._card_decks = found
        return self._card_decks

    @_deck_of.setter
    def _deck_of(self, value: dict[str, DeckRef]) -> None:
        self._card_decks = value

    @property
    def card_ids(self) -> tuple[str, ...]:
        """Every card id in deck order, without loading cards (joined in C: 20,000 ids start every review)."""
        return tuple(chain.from_iterable(d.card_ids for d in self.decks))


def _skip_warning(problems: list[Problem]) -> str:
    """One line for a skipped user deck: its first problem, how many more, and that the deck was skipped."""
    more = f"（另有 {len(problems) - 1} 处问题，运行 sysplan check 查看）" if len(problems) > 1 else ""
    return f"{problems[0]}{more}；已跳过该卡组（deck skipped）"


def load_library(
    content_dirs: Iterable[Path] = (), progress: Callable[[int, int], None] | None = None
) -> LoadedLibrary:
    """Load every deck once; a broken or clashing user deck is skipped with a warning, a broken built-in is fatal.

    Decks come from the card index (decks.cache) when their files are unchanged; the others are parsed, and
    `progress` (files parsed, files to parse) is told how that goes so a caller can draw a bar.
    """
    # Warnings are returned (LoadedLibrary.warnings), never printed: decks/ does no terminal I/O. A broken built-in
    # deck means a damaged installation: hiding a whole chapter would be worse than saying so and stopping.
    from sysplan_study.decks.cache import DeckIndex

    entries, skipped = scan_library(content_dirs)
    warnings = [str(p) for p in skipped]
    decks: list[DeckRef] = []
    fatal: list[Problem] = []
    seen_deck: dict[str, str] = {}
    seen_card: dict[str, str] = {}
    index = DeckIndex.open()
    loaded = index.load(entries, progress) if index is not None else _parse_each(entries, progress)
    # Deck validation starts every card id with its deck id and a dot, and deck ids have no dot: decks with
    # distinct ids cannot then share a card id, and the per-card check (a map of every card id) is not needed.
    by_card = not all(not isinstance(d, DeckRef) or _own_prefix(d) for d in loaded)
    for (_, builtin), deck in zip(entries, loaded, strict=True):
        if not isinstance(deck, DeckRef):  # the ContentError of an invalid file
            if builtin:
                fatal.extend(deck.problems)
            else:
                warnings.append(_skip_warning(deck.problems))
            continue
        clash = _clash(deck, seen_deck, seen_card)
        if clash:
            if builtin:
                fatal.extend(clash)
            else:
                warnings.append(_skip_warning(clash))
            continue
        seen_deck[deck.id] = deck.path
        if by_card:
            seen_card.update(dict.fromkeys(deck.card_ids, deck.path))
        decks.append(deck)
    if fatal:
        from sysplan_study.decks.yaml_lines import ContentError

        raise ContentError(fatal)
    return LoadedLibrary(decks, warnings)


def _own_prefix(deck: DeckRef) -> bool:
    """True if every card id of the deck starts with the deck's id and a dot (checked on the joined ids: C speed)."""
    head = deck.id + "."
    joined = getattr(deck, "joined_ids", None)
    if joined is None or "." in deck.id:
        return "." not in deck.id and all(c.startswith(head) for c in deck.card_ids)
    return not deck.card_ids or (joined.startswith(head) and joined.count("\n" + head) == len(deck.card_ids) - 1)


def _parse_each(
    entries: list[tuple[Path, bool]], progress: Callable[[int, int], None] | None
) -> list[DeckRef | ContentError]:
    """Every deck file parsed now (no card index to be had: SYSPLAN_NO_CACHE, or a home that cannot be written)."""
    from sysplan_study.decks.yaml_lines import ContentError

    out: list[DeckRef | ContentError] = []
    if progress is not None:
        progress(0, len(entries))
    for done, (path, builtin) in enumerate(entries, 1):
        try:
            out.append(DeckRef.of(load_file(path, builtin)))
        except ContentError as e:
            out.append(e)
        if progress is not None:
            progress(done, len(entries))
    return out


def _clash(deck: DeckRef, seen_deck: dict[str, str], seen_card: dict[str, str]) -> list[Problem]:
    """Why a deck cannot join the decks already loaded: its deck id or a card id is taken (the earlier one stays)."""
    if deck.id in seen_deck:
        from sysplan_study.decks.yaml_lines import Problem

        return [Problem(deck.path, 1, _deck_id_taken(deck.id, seen_deck[deck.id]))]
    # The usual cases: no card map kept (every deck's ids carry its own prefix), or no id shared, checked in C.
    if not seen_card or seen_card.keys().isdisjoint(deck.card_ids):
        return []
    from sysplan_study.decks.yaml_lines import Problem

    return [Problem(deck.path, deck.card(cid).line, _card_id_taken(cid, seen_card[cid]))
            for cid in deck.card_ids if cid in seen_card]


# ---------------------------------------------------------------------------------------------- search


def fold(text: str) -> str:
    """Normalise for searching and matching: NFKC (full-width → ASCII), case-folded."""
    import unicodedata

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
