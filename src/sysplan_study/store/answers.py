"""Answers and undo: each one a read-modify-write in a single BEGIN IMMEDIATE transaction.

Another terminal may be answering the same cards, so the card's state is read, checked against what the session
showed, scheduled and written while this connection holds the write lock; the daily new-card limit is decided
from the log inside the same transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from sysplan_study.errors import UserError
from sysplan_study.memory.replay import CardState
from sysplan_study.memory.sm2 import State
from sysplan_study.store import item_states, schedules
from sysplan_study.store.history import _LOG_COLS, LOCAL, MODES, ItemResult, LogEntry, Store, _entry, _state_cols

REVIEW, DRILL = "review", "drill"
# Why a review answer was logged as a drill instead of changing the schedule.
ANSWERED_ELSEWHERE, NEW_LIMIT_REACHED = "elsewhere", "new_limit"

# A scheduler for one answer, called inside the answer's transaction with the card's current state (its FSRS memory
# included): the new state and, if the exam cap pulls it in, the due date to store. It may read settings on the
# store's connection (the scheduler in force): it sees them as of this transaction.
Schedule = Callable[[CardState], tuple[State, date | None]]


@dataclass(frozen=True)
class Recorded:
    """What the store did with one answer."""

    log_id: int
    mode: str  # the mode logged: review, or drill when the schedule could not be changed
    before: State
    after: State | None
    reason: str | None = None  # ANSWERED_ELSEWHERE or NEW_LIMIT_REACHED when a review became a drill


def _state_of(row: tuple[Any, ...] | None) -> State:
    if row is None:
        return State()
    rep, ef, interval, due = row
    return State(int(rep), int(ef), int(interval), date.fromisoformat(due))


def _read_row(c: sqlite3.Connection, card_id: str) -> tuple[Any, ...] | None:
    row = c.execute(
        "SELECT repetitions, ef100, interval, due FROM card_state WHERE card_id = ?", (card_id,)
    ).fetchone()
    return tuple(row) if row else None


def _new_today(c: sqlite3.Connection, day: date) -> int:
    """New cards first reviewed on this study day, counted from the log (all sessions, all terminals)."""
    return c.execute(
        "SELECT count(DISTINCT card_id) FROM review_log "
        "WHERE study_day = ? AND mode = 'review' AND due_before IS NULL",
        (day.isoformat(),),
    ).fetchone()[0]


def new_introduced_on(store: Store, day: date) -> int:
    """How many new cards were first reviewed on a study day (the daily new-card limit counts these)."""
    return _new_today(store.conn, day)


def reviews_on(store: Store, day: date) -> int:
    """Scheduling reviews of cards already studied given on a study day (all sessions and terminals; first looks
    at new cards are counted by the new-card limit instead)."""
    return store.conn.execute(
        "SELECT count(*) FROM review_log WHERE study_day = ? AND mode = 'review' AND due_before IS NOT NULL",
        (day.isoformat(),),
    ).fetchone()[0]


def is_suspended(store: Store, card_id: str) -> bool:
    """True if the card is suspended (never scheduled or counted as due)."""
    return store.conn.execute("SELECT 1 FROM suspended WHERE card_id = ?", (card_id,)).fetchone() is not None


def _insert_log(
    c: sqlite3.Connection, card_id: str, mode: str, grade: int, before: State, after: State | None,
    at: datetime, day: date, duration_ms: int | None, hints: int, items: list[ItemResult] | None,
    capped_due: date | None, tested: int | None = None,
) -> int:
    recalled = sum(1 for i in items if i.recalled) if items else None
    total = len(items) if items else None
    cur = c.execute(
        """INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode,
            rep_before, ef100_before, interval_before, due_before,
            rep_after, ef100_after, interval_after, due_after,
            duration_ms, hints, recalled, total, capped_due, origin, tested)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            card_id, at.isoformat(), day.isoformat(), grade, mode,
            *_state_cols(before), *_state_cols(after), duration_ms, hints, recalled, total,
            capped_due.isoformat() if capped_due else None, LOCAL, None if items else tested,
        ),
    )
    log_id = int(cur.lastrowid or 0)
    if items:
        c.executemany(
            "INSERT INTO item_result (log_id, card_id, item, item_text, recalled) VALUES (?, ?, ?, ?, ?)",
            [(log_id, card_id, i.item, i.text, int(i.recalled)) for i in items],
        )
    return log_id


def _save_state(
    c: sqlite3.Connection, card_id: str, state: State, due: date, updated_at: str, last_day: date | None = None
) -> None:
    """Store a card's schedule (with its FSRS memory and last review day when the state carries them)."""
    full = state if isinstance(state, CardState) else CardState(state.repetitions, state.ef100, state.interval,
                                                                 state.due, last_day=last_day)
    day = full.last_day or last_day
    c.execute(
        """INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at, stability, difficulty,
             last_day)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(card_id) DO UPDATE SET repetitions = excluded.repetitions,
             ef100 = excluded.ef100, interval = excluded.interval, due = excluded.due,
             updated_at = excluded.updated_at, stability = excluded.stability, difficulty = excluded.difficulty,
             last_day = excluded.last_day""",
        (card_id, full.repetitions, full.ef100, full.interval, due.isoformat(), updated_at, full.stability,
         full.difficulty, day.isoformat() if day else None),
    )


def record(
    store: Store, card_id: str, mode: str, grade: int, at: datetime, day: date,
    duration_ms: int | None = None, hints: int = 0, items: list[ItemResult] | None = None,
    tested: int | None = None,
) -> int:
    """Log an answer that changes no schedule (drill, quiz): the state it was given in is read in the transaction.

    Its evidence feeds item memory in the same transaction: the typed `items`, else `tested` items (a self-graded
    recall of the whole list: give the card's item count; None for an answer that tested no item from memory).
    """
    if mode not in MODES or mode == REVIEW:
        raise ValueError(f"mode must be one of {MODES} other than review")
    with store._write() as c:
        before = _state_of(_read_row(c, card_id))
        log_id = _insert_log(c, card_id, mode, grade, before, None, at, day, duration_ms, hints, items, None, tested)
        if mode in item_states.EVIDENCE_MODES:
            item_states.apply(c, card_id, day, item_states.evidence_of(items, tested, grade))
        return log_id


def answer_review(
    store: Store, card_id: str, seen: tuple[Any, ...] | None, grade: int, schedule: Schedule, at: datetime,
    day: date, new_limit: int, duration_ms: int | None = None, hints: int = 0,
    items: list[ItemResult] | None = None, tested: int | None = None, early: bool = False,
) -> Recorded:
    """Schedule a review answer against the card's current state, all inside one write transaction.

    `seen` is the card_state row the session showed the card with. If the card was answered elsewhere since (its
    row changed, it is no longer due, or it was new and the day's new-card limit is now reached), the answer is
    kept but logged as a drill, which changes no schedule. Either way its evidence (typed `items`, else `tested`
    items graded as the card) updates item memory in the same transaction. `early`: a review pulled forward on
    purpose (`review --exam`) may come before the card's due date; it must still find the row it was shown with.
    """
    with store._write() as c:
        full = schedules.read_state(c, card_id)
        row = full[:4] if full else None
        before = schedules.state_of(full)
        reason = None
        if row != seen or (row is not None and row[3] > day.isoformat() and not early):
            reason = ANSWERED_ELSEWHERE
        elif row is None and _new_today(c, day) >= new_limit:
            reason = NEW_LIMIT_REACHED
        elif c.execute("SELECT 1 FROM suspended WHERE card_id = ?", (card_id,)).fetchone():
            reason = ANSWERED_ELSEWHERE  # suspended in another window since it was shown
        evidence = item_states.evidence_of(items, tested, grade)
        if reason is not None:
            log_id = _insert_log(c, card_id, DRILL, grade, before, None, at, day, duration_ms, hints, items, None,
                                 tested)
            item_states.apply(c, card_id, day, evidence)
            return Recorded(log_id, DRILL, before, None, reason)
        after, capped = schedule(before)
        assert after.due is not None
        log_id = _insert_log(c, card_id, REVIEW, grade, before, after, at, day, duration_ms, hints, items, capped,
                             tested)
        _save_state(c, card_id, after, capped or after.due, at.isoformat(), day)
        item_states.apply(c, card_id, day, evidence)
        return Recorded(log_id, REVIEW, before, after)


def _undo_entry(c: sqlite3.Connection, entry: LogEntry) -> None:
    """Remove one log row; if it changed the card's schedule, the card's state is replayed from the rest of its log
    (the caller checked that nothing changed it since), which restores the state before it, FSRS memory included."""
    c.execute("DELETE FROM item_result WHERE log_id = ?", (entry.id,))
    c.execute("DELETE FROM review_log WHERE id = ?", (entry.id,))
    if entry.state_after is not None or entry.mode == "reset":
        schedules.recompute(c, [entry.card_id])
    if entry.mode in item_states.EVIDENCE_MODES:
        item_states.recompute(c, [entry.card_id])  # the answer's evidence goes with it


def _check_undoable(c: sqlite3.Connection, entry: LogEntry) -> None:
    """Refuse to undo an answer whose card has been changed since (by another window or a later answer)."""
    if entry.mode == "reset":
        current = _read_row(c, entry.card_id)
        if current is not None:
            raise UserError(f"卡片 {entry.card_id} 在重置之后又复习过，不能撤销这次重置（card changed since）")
        return
    produced = entry.state_after
    if produced is None:
        return  # a drill or quiz answer changed no schedule: removing it is always safe
    current = _read_row(c, entry.card_id)
    if current != produced:
        raise UserError(
            f"卡片 {entry.card_id} 的日程在这次回答之后已被其他窗口或导入改动，未撤销（card changed since）"
        )


def undo(store: Store, log_id: int) -> LogEntry:
    """Undo one answer by its log id: only if it still exists and its card is as that answer left it."""
    with store._write() as c:
        row = c.execute(f"SELECT {_LOG_COLS} FROM review_log WHERE id = ?", (log_id,)).fetchone()
        if row is None:
            raise UserError(f"这次回答（记录 {log_id}）已被撤销或删除（already undone）")
        entry = _entry(row)
        _check_undoable(c, entry)
        _undo_entry(c, entry)
        return entry


def undo_last_local(store: Store) -> LogEntry | None:
    """`sysplan undo`: the newest answer given on this machine (never a row merged by import-progress)."""
    with store._write() as c:
        row = c.execute(
            f"SELECT {_LOG_COLS} FROM review_log WHERE origin = ? ORDER BY id DESC LIMIT 1", (LOCAL,)
        ).fetchone()
        if row is None:
            return None
        entry = _entry(row)
        _check_undoable(c, entry)
        _undo_entry(c, entry)
        return entry
