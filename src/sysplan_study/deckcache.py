"""Parsed-deck cache: skip YAML parsing when a deck file's size, mtime and hash are unchanged."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from sysplan_study import __version__
from sysplan_study.content import Deck, load_file

_disk: dict[str, Any] | None = None
_dirty = False


def _cache_file() -> Path:
    from sysplan_study.paths import cache_dir

    return cache_dir() / f"decks-{__version__}.pickle"


def _load_disk() -> dict[str, Any]:
    global _disk
    if _disk is None:
        try:
            with _cache_file().open("rb") as f:
                data = pickle.load(f)
            _disk = data if isinstance(data, dict) else {}
        except Exception:  # a missing, stale or damaged cache is simply rebuilt
            _disk = {}
    return _disk


def load_cached(path: Path, builtin: bool) -> Deck:
    """Load a deck, reusing the parsed result while the file's size, mtime and sha256 are unchanged."""
    global _dirty
    if os.environ.get("SYSPLAN_NO_CACHE"):
        return load_file(path, builtin)
    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError:
        return load_file(path, builtin)  # reports the error with the file name
    key = (st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())
    name = f"{path.resolve()}|{builtin}"
    disk = _load_disk()
    hit = disk.get(name)
    if hit and hit[0] == key and isinstance(hit[1], Deck):
        return hit[1]
    deck = load_file(path, builtin)
    disk[name] = (key, deck)
    _dirty = True
    return deck


def save() -> None:
    """Write the cache if anything new was parsed; failures are ignored (the cache is only a speed-up)."""
    global _dirty
    if not _dirty or _disk is None:
        return
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(_disk, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        _dirty = False
    except OSError:
        pass
