"""Writing reports: stats as CSV/Markdown and the review history."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from sysplan_study.decks.model import Library
from sysplan_study.errors import UserError
from sysplan_study.store.history import Store
from sysplan_study.store.outputs import check_target, is_stdout, write_text


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such text gets a leading '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """One CSV cell: None blank, numbers as they are, text starting like a formula prefixed with '."""
    # Numbers are never prefixed: a spreadsheet reads -5 as the number -5, not a formula, and '-5 would turn it
    # into text that no longer sums. Only text (titles, ids, deck names) can carry a formula.
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text, formula-safe (the caller adds the BOM so Excel reads the Chinese as UTF-8)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_cell(h) for h in header])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
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


def history_document(store: Store, library: Library, kind: str) -> tuple[str, bool, int]:
    """The review log as "csv" (with BOM flag) or "json" text: (text, bom, rows)."""
    rows = list(history_rows(store, library))
    if kind == "csv":
        return csv_text(HISTORY_COLUMNS, rows), True, len(rows)
    return json.dumps([dict(zip(HISTORY_COLUMNS, r)) for r in rows], ensure_ascii=False, indent=1), False, len(rows)


def history_kind(path: Path) -> str:
    """"csv" or "json" from the file name; `-` (standard output) is CSV."""
    if is_stdout(path):
        return "csv"
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise UserError(f"复习记录文件必须以 .csv 或 .json 结尾（history file must end in .csv or .json）: {path}")
    return suffix[1:]


def export_history(store: Store, library: Library, path: Path, protected: Iterable[Path] = ()) -> int:
    """Write the full review log as .csv (UTF-8 with BOM) or .json; returns the number of rows."""
    protected = list(protected)
    kind = history_kind(path)
    check_target(path, protected)
    text, bom, n = history_document(store, library, kind)
    write_text(path, text, bom=bom, protected=protected)
    return n


# ---------------------------------------------------------------------------------------------- progress
