"""Progress files: the schedule and full log as JSON, for another machine, and merging such a file back."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sysplan_study.errors import UserError
from sysplan_study.store.history import ItemResult, LogEntry, Store
from sysplan_study.store.outputs import check_target, write_text

PROGRESS_FORMAT = "sysplan-study-progress"
PROGRESS_VERSION = 1



def progress_rows(store: Store) -> list[dict[str, Any]]:
    """Every card's schedule with its last-review time."""
    rows = store.conn.execute(
        "SELECT card_id, repetitions, ef100, interval, due, updated_at FROM card_state ORDER BY card_id"
    )
    return [
        {"card_id": r[0], "repetitions": r[1], "ef100": r[2], "interval": r[3], "due": r[4], "updated_at": r[5]}
        for r in rows
    ]

def all_item_results(store: Store) -> dict[int, list[ItemResult]]:
    """Per-item results grouped by log id."""
    out: dict[int, list[ItemResult]] = {}
    for log_id, item, text, rec in store.conn.execute(
        "SELECT log_id, item, item_text, recalled FROM item_result ORDER BY log_id, item"
    ):
        out.setdefault(log_id, []).append(ItemResult(item, text, bool(rec)))
    return out

def merge_progress(store: Store, states: list[dict[str, Any]], log: list[dict[str, Any]]) -> tuple[int, int]:
    """Merge exported progress in one transaction: newest review wins per card; log rows added once."""
    updated = added = 0

    with store._write() as c:
        # A multiset of the rows already here: an imported row matching one is skipped, once per match.
        present = Counter(c.execute("SELECT card_id, reviewed_at, mode, grade FROM review_log"))
        for e in log:
            key = (e["card_id"], e["reviewed_at"], e["mode"], e["grade"])
            if present[key] > 0:
                present[key] -= 1
                continue
            b, a = e.get("before") or {}, e.get("after") or {}
            cur = c.execute(
                """INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode,
                    rep_before, ef100_before, interval_before, due_before,
                    rep_after, ef100_after, interval_after, due_after, duration_ms, hints, recalled, total, capped_due)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (e["card_id"], e["reviewed_at"], e["study_day"], e["grade"], e["mode"],
                 b.get("repetitions"), b.get("ef100"), b.get("interval"), b.get("due"),
                 a.get("repetitions"), a.get("ef100"), a.get("interval"), a.get("due"),
                 e.get("duration_ms"), e.get("hints", 0), e.get("recalled"), e.get("total"), e.get("capped_due")),
            )
            for it in e.get("items", []):
                c.execute(
                    "INSERT INTO item_result (log_id, card_id, item, item_text, recalled) VALUES (?, ?, ?, ?, ?)",
                    (cur.lastrowid, e["card_id"], it["item"], it["text"], int(bool(it["recalled"]))),
                )
            added += 1
        for s in states:
            row = c.execute("SELECT updated_at FROM card_state WHERE card_id = ?", (s["card_id"],)).fetchone()
            if row is not None and row[0] >= s["updated_at"]:
                continue
            c.execute(
                """INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(card_id) DO UPDATE SET repetitions = excluded.repetitions,
                     ef100 = excluded.ef100, interval = excluded.interval, due = excluded.due,
                     updated_at = excluded.updated_at""",
                (s["card_id"], s["repetitions"], s["ef100"], s["interval"], s["due"], s["updated_at"]),
            )
            updated += 1
    return updated, added



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
    items = all_item_results(store)
    log = [_entry_json(e, items.get(e.id, [])) for e in store.iter_log()]
    states = progress_rows(store)
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
    return merge_progress(store, states, log)


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
