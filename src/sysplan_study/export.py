"""Writing files: stats as CSV/Markdown, the review history, progress JSON (and its import), Anki packages."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from sysplan_study.content import Card, Item, Library
from sysplan_study.errors import UserError
from sysplan_study.store import LogEntry, Store

PROGRESS_FORMAT = "sysplan-study-progress"
PROGRESS_VERSION = 1
ANKI_ROOT = "系统规划与管理师"
ANKI_MODEL_ID = 1_607_392_319  # fixed forever: re-imports must find the same note type


def check_target(path: Path) -> None:
    """Refuse a directory or a path whose directory is missing, before any work is done."""
    if path.is_dir():
        raise UserError(f"output path is a directory: {path}")
    if not path.parent.exists():
        raise UserError(f"directory does not exist: {path.parent}")


def write_text(path: Path, text: str, bom: bool = False) -> None:
    """Write a whole file atomically (temp file + rename); clear errors for unwritable paths."""
    check_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (the caller adds the BOM so Excel reads the Chinese as UTF-8)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; pipes in cells are escaped."""

    def cell(v: Any) -> str:
        return ("—" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- history

HISTORY_COLUMNS = [
    "card_id", "deck", "reviewed_at", "study_day", "grade", "mode", "hints", "recalled", "total",
    "interval_before", "ef_before", "interval_after", "ef_after", "due_after", "duration_ms",
]


def history_rows(store: Store, library: Library) -> Iterable[list[Any]]:
    """The review log, one list per answer, deck filled from the current decks (blank for removed cards)."""
    for e in store.iter_log():
        yield [
            e.card_id, library.deck_of(e.card_id) or "", e.reviewed_at, e.study_day, e.grade, e.mode, e.hints,
            e.recalled, e.total,
            None if e.before.is_new else e.before.interval, None if e.before.is_new else e.before.easiness,
            e.after.interval if e.after else None, e.after.easiness if e.after else None,
            e.after.due.isoformat() if e.after and e.after.due else None, e.duration_ms,
        ]


def export_history(store: Store, library: Library, path: Path) -> int:
    """Write the full review log as .csv (UTF-8 with BOM) or .json; returns the number of rows."""
    check_target(path)
    rows = list(history_rows(store, library))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_text(path, csv_text(HISTORY_COLUMNS, rows), bom=True)
    elif suffix == ".json":
        write_text(path, json.dumps([dict(zip(HISTORY_COLUMNS, r)) for r in rows], ensure_ascii=False, indent=1))
    else:
        raise UserError(f"history file must end in .csv or .json: {path}")
    return len(rows)


# ---------------------------------------------------------------------------------------------- progress


def _state_json(state: Any) -> dict[str, Any] | None:
    if state is None or state.is_new:
        return None
    return {"repetitions": state.repetitions, "ef100": state.ef100, "interval": state.interval,
            "due": state.due.isoformat()}


def _entry_json(e: LogEntry, items: list[Any]) -> dict[str, Any]:
    return {
        "card_id": e.card_id, "reviewed_at": e.reviewed_at, "study_day": e.study_day, "grade": e.grade,
        "mode": e.mode, "before": _state_json(e.before), "after": _state_json(e.after),
        "duration_ms": e.duration_ms, "hints": e.hints, "recalled": e.recalled, "total": e.total,
        "capped_due": e.capped_due,
        "items": [{"item": i.item, "text": i.text, "recalled": i.recalled} for i in items],
    }


def export_progress(store: Store, path: Path) -> tuple[int, int]:
    """Schedule state per card plus the full log, as JSON; returns (cards, log rows)."""
    check_target(path)
    items = store.all_item_results()
    log = [_entry_json(e, items.get(e.id, [])) for e in store.iter_log()]
    states = store.progress_rows()
    doc = {
        "format": PROGRESS_FORMAT, "version": PROGRESS_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(), "cards": states, "log": log,
    }
    write_text(path, json.dumps(doc, ensure_ascii=False, indent=1))
    return len(states), len(log)


def import_progress(store: Store, path: Path) -> tuple[int, int]:
    """Merge a progress file: newest review wins per card, log rows not yet present are added."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"cannot read progress file {path}: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != PROGRESS_FORMAT:
        raise UserError(f"not a sysplan progress file: {path}")
    if doc.get("version") != PROGRESS_VERSION:
        raise UserError(f"unsupported progress file version {doc.get('version')!r}: {path}")
    try:
        states = [_valid_state(s) for s in doc.get("cards", [])]
        log = [_valid_entry(e) for e in doc.get("log", [])]
    except (KeyError, TypeError, ValueError) as e:
        raise UserError(f"progress file {path} is damaged ({e})") from None
    return store.merge_progress(states, log)


def _valid_state(s: Any) -> dict[str, Any]:
    from datetime import date

    date.fromisoformat(s["due"])
    return {"card_id": str(s["card_id"]), "repetitions": int(s["repetitions"]), "ef100": int(s["ef100"]),
            "interval": int(s["interval"]), "due": s["due"], "updated_at": str(s["updated_at"])}


def _valid_entry(e: Any) -> dict[str, Any]:
    if e["mode"] not in ("review", "drill", "quiz") or not 0 <= int(e["grade"]) <= 5:
        raise ValueError("bad log row")
    return dict(e)


# ---------------------------------------------------------------------------------------------- Anki


def _stable_id(text: str) -> int:
    """A positive 31-bit id derived from text, so deck ids never change between exports."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF


def items_html(items: Sequence[Item], depth: int = 0) -> str:
    """Ordered HTML lists: 1. 2. 3. for items, A. B. C. for sub-items."""
    kind = ' type="A"' if depth == 1 else (' type="a"' if depth > 1 else "")
    parts = [f"<ol{kind}>"]
    for item in items:
        text = html.escape(item.text) + ("…（原文截断）" if item.cut_off else "")
        if item.note:
            text += f' <small style="color:#888">〔注：{html.escape(item.note)}〕</small>'
        if item.children:
            text += items_html(item.children, depth + 1)
        parts.append(f"<li>{text}</li>")
    parts.append("</ol>")
    return "".join(parts)


def anki_deck_name(library: Library, deck_id: str) -> str:
    """"系统规划与管理师::IT服务规划设计"."""
    return f"{ANKI_ROOT}::{library.deck(deck_id).title}"


def export_anki(library: Library, path: Path, chapter: str | None = None) -> int:
    """Write the decks as an .apkg: one note per card, one deck per chapter, GUIDs from card ids."""
    import genanki

    check_target(path)
    if path.suffix.lower() != ".apkg":
        raise UserError(f"Anki package must end in .apkg: {path}")
    model = genanki.Model(
        ANKI_MODEL_ID,
        "sysplan-study 列表卡",
        fields=[{"name": "Prompt"}, {"name": "Answer"}, {"name": "CardId"}, {"name": "Note"}],
        templates=[{
            "name": "背诵",
            "qfmt": '<div class="prompt">{{Prompt}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>'
                    '{{#Note}}<div class="note">{{Note}}</div>{{/Note}}<div class="id">{{CardId}}</div>',
        }],
        css=".card{font-family:sans-serif;font-size:20px;text-align:left}.prompt{font-weight:bold}"
            ".note,.id{color:#888;font-size:14px}",
    )
    decks = [library.deck(chapter)] if chapter else list(library.decks)
    packages = []
    count = 0
    for d in decks:
        deck = genanki.Deck(_stable_id(f"sysplan-study:{d.id}"), anki_deck_name(library, d.id))
        for card in d.cards:
            deck.add_note(_note(model, card, genanki))
            count += 1
        packages.append(deck)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        genanki.Package(packages).write_to_file(str(tmp))
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None
    return count


def _note(model: Any, card: Card, genanki: Any) -> Any:
    return genanki.Note(
        model=model,
        fields=[html.escape(card.prompt), items_html(card.items), card.id, html.escape(card.note or "")],
        guid=genanki.guid_for("sysplan-study", card.id),
        tags=[card.deck],
    )
