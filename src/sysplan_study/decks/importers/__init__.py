"""Importing study material as a deck: plain-text notes, Markdown outlines, CSV tables, Anki packages.

Every importer returns a deck document (the YAML structure of docs/deck-format.md) and Stats; `deck_yaml` writes it
and `validated` checks it exactly as a user deck is checked when loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from sysplan_study.decks.importers.labels import ascii_id
from sysplan_study.decks.importers.model import Stats
from sysplan_study.errors import UserError

FORMATS = ("auto", "notes", "markdown", "csv", "apkg")
MAX_IMPORT_BYTES = 200 * 1024 * 1024  # an Anki package with media can be large; notes never are
_SUFFIX_FORMAT = {".md": "markdown", ".markdown": "markdown", ".csv": "csv", ".apkg": "apkg", ".colpkg": "apkg",
                  ".txt": "notes", ".text": "notes"}


@dataclass
class Imported:
    """A deck document made from a file, with what the import did."""

    doc: dict[str, Any]
    stats: Stats
    format: str


def detect_format(path: Path, data: bytes) -> str:
    """The format by suffix, else by content (zip → apkg, # headings → markdown, a prompt,items header → csv)."""
    fmt = _SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt:
        return fmt
    if data.startswith(b"PK\x03\x04"):
        return "apkg"
    head = data[:4096].decode("utf-8", errors="ignore").lstrip("\ufeff")
    if re.search(r"^#{1,6}\s", head, re.M):
        return "markdown"
    first = head.splitlines()[0].lower() if head.splitlines() else ""
    if "prompt" in first and "," in first:
        return "csv"
    return "notes"


def default_deck_id(path: Path) -> str:
    """A deck id from the file name: "my notes.txt" → my_notes; "000_abc.txt" → deck_000_abc."""
    return ascii_id(path.stem, "deck")[:40].rstrip("_") or "deck"


def read_source(path: Path) -> bytes:
    """The file's bytes (a regular file, bounded), or one clear error line."""
    try:
        if not path.is_file():
            if path.exists():
                raise UserError(f"不是普通文件，无法导入（not a regular file）: {path}")
            raise UserError(f"找不到要导入的文件（file not found）: {path}")
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise UserError(f"文件超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MiB，未导入（file too large）: {path}")
        return path.read_bytes()
    except OSError as e:
        raise UserError(f"无法读取（cannot read: {e.strerror or e}）: {path}") from None


def import_file(path: Path, fmt: str, deck_id: str, title: str | None,
                ours: Mapping[str, str] | None = None) -> Imported:
    """Read and convert one file; raises UserError with one line for a file that is not what it claims to be."""
    data = read_source(path)
    if fmt == "auto":
        fmt = detect_format(path, data)
    if fmt == "notes":
        from sysplan_study.decks.importers.clean import decode
        from sysplan_study.decks.importers.notes import notes_deck

        doc, stats, _ = notes_deck(decode(data, str(path)), deck_id, title)
        if not _has_cards(doc):
            raise UserError(f"没有找到可导入的编号列表或标签（no lists found: is this study notes text?）: {path}")
    elif fmt == "markdown":
        from sysplan_study.decks.importers.markdown import markdown_deck

        doc, stats = markdown_deck(data, str(path), deck_id, title)
    elif fmt == "csv":
        from sysplan_study.decks.importers.csvdeck import csv_deck

        doc, stats = csv_deck(data, str(path), deck_id, title)
    elif fmt == "apkg":
        from sysplan_study.decks.importers.apkg import apkg_deck

        doc, stats = apkg_deck(path, deck_id, title, ours)
    else:
        raise UserError(f"未知格式 {fmt!r}（unknown format; use {', '.join(FORMATS)}）")
    return Imported(doc, stats, fmt)


def _has_cards(doc: dict[str, Any]) -> bool:
    def walk(holder: dict[str, Any]) -> bool:
        return bool(holder.get("fields") or holder.get("cards")) or any(walk(s) for s in holder.get("sections", []))

    return walk(doc)


# ---------------------------------------------------------------------------------------------- built-in repeats


def field_keys(doc: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(section number, field id) of every field card of a document, chapter fields under the chapter's number."""
    out: list[tuple[str | None, str]] = []

    def walk(holder: dict[str, Any], number: str | None) -> None:
        for f in holder.get("fields", []):
            out.append((number, f["id"]))
        for s in holder.get("sections", []):
            walk(s, s.get("number"))

    walk(doc, doc.get("number"))
    return out


def drop_fields(doc: dict[str, Any], keys: set[tuple[str | None, str]]) -> int:
    """Remove the fields whose (section number, field id) is in keys (--skip-builtin); returns how many."""
    dropped = 0

    def walk(holder: dict[str, Any], number: str | None) -> None:
        nonlocal dropped
        if "fields" in holder:
            kept = [f for f in holder["fields"] if (number, f["id"]) not in keys]
            dropped += len(holder["fields"]) - len(kept)
            if kept:
                holder["fields"] = kept
            else:
                del holder["fields"]
        for s in holder.get("sections", []):
            walk(s, s.get("number"))

    walk(doc, doc.get("number"))
    return dropped


# ---------------------------------------------------------------------------------------------- YAML out


def deck_yaml(doc: dict[str, Any], source: str) -> str:
    """The document as a deck file: a comment naming the source, then block YAML with keys in format order."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def str_rep(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, str_rep)
    body = yaml.dump(doc, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000, indent=2)
    return f"# Imported by `sysplan import` from {Path(source).name}; edit freely, ids keep your history.\n{body}"


def validated(text: str, shown: str) -> Any:
    """Parse and validate deck text exactly as a user deck file is (decks/validate.py); UserError on a problem."""
    from sysplan_study.decks.validate import build_deck
    from sysplan_study.decks.yaml_lines import ContentError, Problem, parse_yaml

    doc = parse_yaml(text.encode("utf-8"), shown)
    deck, problems = build_deck(doc, shown)
    if problems or deck is None:
        raise ContentError(problems or [Problem(shown, 1, "invalid deck")])
    return deck


def count_cards(doc: dict[str, Any]) -> int:
    """Cards a document yields (fields and free-standing cards)."""
    def walk(holder: dict[str, Any]) -> int:
        return len(holder.get("fields", [])) + sum(walk(s) for s in holder.get("sections", []))

    return walk(doc) + len(doc.get("cards", []))


def unique(ids: Iterable[str]) -> list[str]:
    """Ids made unique by suffixes _2, _3… in order."""
    seen: set[str] = set()
    out = []
    for i in ids:
        base, n, cur = i, 2, i
        while cur in seen:
            cur = f"{base}_{n}"
            n += 1
        seen.add(cur)
        out.append(cur)
    return out
