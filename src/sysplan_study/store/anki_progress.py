"""Progress across Anki: each reviewed card's schedule and log for a package, and an Anki review log read back.

Out: `anki_schedules` gives, per reviewed card, what Anki keeps (interval, ease ×1000, due, repetitions, lapses) and
its reviews since the last reset. In: `merge_anki_reviews` turns the review log (revlog) of our cards in an Anki
collection into log rows, drops those already here (our own reviews come back from Anki to the millisecond, with
a coarser grade), and merges them exactly like a progress file (progress_file.import_progress: validated first,
each row added once, states replayed from the merged log). Anki's Again/Hard/Good/Easy are grades 1/3/4/5.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from sysplan_study.store.history import Store
from sysplan_study.store.errors import db_error

EASE_TO_GRADE = {1: 1, 2: 3, 3: 4, 4: 5}  # Again, Hard, Good, Easy
REVLOG_KINDS = (0, 1, 2, 3)  # learning, review, relearning, filtered deck; 4/5 are manual reschedules, not answers
SAME_REVIEW_MS = 1000  # a review of the same card within a second of one here is that review come back


@dataclass(frozen=True)
class AnkiReview:
    """One review for a package's review log (revlog)."""

    at_ms: int  # when, in milliseconds since the epoch (the revlog id)
    ease: int  # Anki's button: 1 Again, 2 Hard, 3 Good, 4 Easy
    interval: int  # days after the review
    last_interval: int  # days before it
    factor: int  # ease ×1000 after the review
    duration_ms: int
    kind: int  # 0 learning (first review), 1 review, 2 relearning


@dataclass(frozen=True)
class AnkiSchedule:
    """A reviewed card's state as Anki keeps it."""

    interval: int
    factor: int  # ease ×1000 (SM-2 EF 2.5 → 2500)
    due: date
    reps: int
    lapses: int
    reviews: tuple[AnkiReview, ...] = ()


def grade_to_ease(grade: int) -> int:
    """sysplan's 0–5 grade → Anki's button: fail (0–2) Again, 3 Hard, 4 Good, 5 Easy."""
    return 1 if grade < 3 else grade - 1


def _ms(iso: str) -> int:
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def anki_schedules(store: Store, card_ids: set[str] | None = None) -> dict[str, AnkiSchedule]:
    """Every reviewed card's schedule and its reviews since its last reset (cards in card_ids, or all)."""
    try:
        states = store.conn.execute(
            "SELECT card_id, ef100, interval, due FROM card_state WHERE due IS NOT NULL").fetchall()
        log = store.conn.execute(
            "SELECT card_id, reviewed_at, grade, mode, interval_before, interval_after, ef100_after, duration_ms, "
            "rep_before FROM review_log WHERE mode IN ('review', 'reset') ORDER BY id").fetchall()
    except sqlite3.Error as e:
        raise db_error(e, store.path) from None
    reviews: dict[str, list[AnkiReview]] = {}
    for cid, at, grade, mode, ivl_before, ivl_after, ef_after, duration, rep_before in log:
        if mode == "reset":
            reviews[cid] = []
            continue
        first = not rep_before and not ivl_before
        kind = 0 if first else (2 if grade < 3 else 1)
        reviews.setdefault(cid, []).append(AnkiReview(
            _ms(at), grade_to_ease(grade), max(0, ivl_after or 0), max(0, ivl_before or 0),
            (ef_after or 250) * 10, max(0, duration or 0), kind))
    out: dict[str, AnkiSchedule] = {}
    for cid, ef100, interval, due in states:
        if card_ids is not None and cid not in card_ids:
            continue
        mine = reviews.get(cid, [])
        lapses = sum(1 for r in mine if r.ease == 1 and r.kind != 0)
        out[cid] = AnkiSchedule(max(1, interval or 1), (ef100 or 250) * 10, date.fromisoformat(due), len(mine),
                                lapses, tuple(mine))
    return out


# ---------------------------------------------------------------------------------------------- back from Anki


def anki_reviews(collection: sqlite3.Connection, guid_to_card: Mapping[str, str]) -> list[tuple[str, int, int, int]]:
    """(card id, time ms, grade, duration ms) of every answer in an Anki collection to a card of ours, in time order."""
    try:
        rows = collection.execute(
            "SELECT r.id, r.ease, r.time, r.type, n.guid FROM revlog r JOIN cards c ON c.id = r.cid "
            "JOIN notes n ON n.id = c.nid ORDER BY r.id").fetchall()
    except sqlite3.Error as e:
        from sysplan_study.errors import UserError

        raise UserError(f"Anki 集合中的复习记录无法读取（cannot read revlog: {e}）") from None
    out = []
    for rid, ease, duration, kind, guid in rows:
        card = guid_to_card.get(guid)
        if card is None or kind not in REVLOG_KINDS or ease not in EASE_TO_GRADE:
            continue
        out.append((card, int(rid), EASE_TO_GRADE[ease], max(0, int(duration or 0))))
    return out


def _study_day(ms: int, hour: int) -> str:
    from sysplan_study.clock import study_day

    return study_day(datetime.fromtimestamp(ms / 1000).astimezone().replace(tzinfo=None), hour).isoformat()


def _progress_document(rows: list[tuple[str, int, int, int]], hour: int) -> dict[str, Any]:
    """The reviews as a progress file (store/progress_file.py's format): log rows with SM-2 before/after states."""
    from sysplan_study.clock import utc_now
    from sysplan_study.memory import sm2
    from sysplan_study.store.progress_stream import PROGRESS_FORMAT, PROGRESS_VERSION

    state: dict[str, Any] = {}
    log = []
    for card, ms, grade, duration in rows:
        day = _study_day(ms, hour)
        before = state.get(card, sm2.new_state())
        after = sm2.review(before, grade, date.fromisoformat(day))
        state[card] = after
        log.append({
            "card_id": card,
            "reviewed_at": datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds"),
            "study_day": day, "grade": grade, "mode": "review",
            "before": _state_json(before), "after": _state_json(after),
            "duration_ms": min(duration, 366 * 86_400_000),
        })
    return {"format": PROGRESS_FORMAT, "version": PROGRESS_VERSION, "exported_at": utc_now().isoformat(),
            "cards": [], "log": log}


def _state_json(state: Any) -> dict[str, Any] | None:
    if state.is_new or state.due is None:
        return None
    return {"repetitions": state.repetitions, "ef100": state.ef100, "interval": state.interval,
            "due": state.due.isoformat()}


def merge_anki_reviews(store: Store, rows: list[tuple[str, int, int, int]],
                       item_counts: Mapping[str, int]) -> tuple[int, int, int]:
    """Merge Anki's reviews of our cards; returns (card states changed, rows added, rows already here)."""
    from sysplan_study.clock import rollover_hour
    from sysplan_study.store import progress_file

    try:
        here: dict[str, list[int]] = {}
        for cid, at in store.conn.execute("SELECT card_id, reviewed_at FROM review_log WHERE mode = 'review'"):
            here.setdefault(cid, []).append(_ms(at))
    except sqlite3.Error as e:
        raise db_error(e, store.path) from None
    fresh = [r for r in rows if not any(abs(r[1] - t) < SAME_REVIEW_MS for t in here.get(r[0], ()))]
    known = len(rows) - len(fresh)
    if not fresh:
        return 0, 0, known
    doc = _progress_document(fresh, rollover_hour())
    fd, name = tempfile.mkstemp(prefix="sysplan-anki-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        updated, added = progress_file.import_progress(store, Path(name), item_counts)
    finally:
        os.unlink(name)
    return updated, added, known + (len(fresh) - added)
