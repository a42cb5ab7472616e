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
from sysplan_study.store.outputs import check_target, write_text


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
