"""Parsed-deck cache: a small index (deck ids, titles, card ids) plus one pickle per deck, reused while the
deck file's size, mtime and sha256 are unchanged. Safe to delete; a damaged cache is rebuilt."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from sysplan_study import __version__
from sysplan_study.decks.model import DECK_FORMAT, Deck, DeckRef
from sysplan_study.decks.files import load_file, read_deck_bytes

_index: dict[str, Any] | None = None
_dirty = False


def _dir() -> Path:
    from sysplan_study.paths import cache_dir

    return cache_dir() / f"decks-{__version__}-f{DECK_FORMAT}"


def _load_index() -> dict[str, Any]:
    global _index
    if _index is None:
        try:
            with (_dir() / "index.pickle").open("rb") as f:
                data = pickle.load(f)
            _index = data if isinstance(data, dict) else {}
        except Exception:  # a missing, stale or damaged cache is simply rebuilt
            _index = {}
    return _index


def _deck_file(key: tuple[int, int, str]) -> Path:
    return _dir() / f"{key[2]}.pickle"


def _write_atomic(target: Path, obj: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, target)


def _ref(deck: Deck) -> DeckRef:
    return DeckRef.of(deck)


def _loader(path: Path, builtin: bool, key: tuple[int, int, str]) -> Any:
    def load() -> Deck:
        try:
            with _deck_file(key).open("rb") as f:
                deck = pickle.load(f)
            if isinstance(deck, Deck):
                return deck
        except Exception:
            pass
        return load_file(path, builtin)  # the file was validated when indexed; parse it again

    return load


def load_ref(path: Path, builtin: bool) -> DeckRef:
    """A deck reference from the index when the file is unchanged, else parse, validate and cache it."""
    global _dirty
    if os.environ.get("SYSPLAN_NO_CACHE"):
        return _ref(load_file(path, builtin))
    try:
        st = path.stat()
        data = read_deck_bytes(path)  # bounded, and a FIFO is refused rather than read (ContentError)
    except OSError:
        return _ref(load_file(path, builtin))  # reports the error with the file name
    key = (st.st_size, st.st_mtime_ns, hashlib.sha256(data + (b"\x01" if builtin else b"\x00")).hexdigest())
    name = str(path.resolve())
    index = _load_index()
    hit = index.get(name)
    if hit and hit[0] == key:
        deck_id, title, kind, number, note, card_ids = hit[1]
        return DeckRef(deck_id, title, kind, str(path), card_ids, number, note, builtin,
                       loader=_loader(path, builtin, key))
    deck = load_file(path, builtin)
    try:
        _write_atomic(_deck_file(key), deck)
        index[name] = (key, (deck.id, deck.title, deck.kind, deck.number, deck.note, tuple(c.id for c in deck.cards)))
        _dirty = True
    except OSError:
        pass  # the cache is only a speed-up
    return _ref(deck)


def save() -> None:
    """Write the index if anything new was parsed; failures are ignored."""
    global _dirty
    if not _dirty or _index is None:
        return
    try:
        _write_atomic(_dir() / "index.pickle", _index)
        _dirty = False
    except OSError:
        pass
