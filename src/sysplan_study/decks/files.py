"""Finding and loading deck files: the built-in decks and directories of *.yaml."""

from __future__ import annotations

from pathlib import Path

from sysplan_study.decks.model import Deck
from sysplan_study.decks.validate import build_deck
from sysplan_study.decks.yaml_lines import ContentError, Problem, parse_yaml


def builtin_content_dir() -> Path:
    """The shipped decks: inside the installed package, or content/ of a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the sysplan_study package
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
