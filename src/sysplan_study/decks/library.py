"""The library of every deck to study: built-in, user and --content-dir decks, validated together; search."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Iterable

from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
from sysplan_study.decks.model import Card, Deck, DeckRef, Library
from sysplan_study.decks.yaml_lines import ContentError, Problem
from sysplan_study.errors import UserError


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
    from sysplan_study.decks import cache as deckcache

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
