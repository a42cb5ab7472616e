"""The user's history: schedule state per card, the review log, per-item results and settings."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from sysplan_study.memory.sm2 import State
from sysplan_study.store.errors import db_error

MODES = ("review", "drill", "quiz")


@dataclass(frozen=True)
class LogEntry:
    """One row of the review log."""

    id: int
    card_id: str
    reviewed_at: str
    study_day: str
    grade: int
    mode: str
    before: State
    after: State | None
    duration_ms: int | None = None
    hints: int = 0
    recalled: int | None = None
    total: int | None = None
    capped_due: str | None = None


@dataclass(frozen=True)
class ItemResult:
    """Whether one expected item of a list card was recalled in a typed answer."""

    item: int
    text: str
    recalled: bool


def _state_from(rep: Any, ef: Any, interval: Any, due: Any) -> State:
    if due is None:
        return State()
    return State(int(rep), int(ef), int(interval), date.fromisoformat(due))


def _state_cols(state: State | None) -> tuple[Any, Any, Any, Any]:
    if state is None or state.is_new:
        return (None, None, None, None)
    assert state.due is not None
    return (state.repetitions, state.ef100, state.interval, state.due.isoformat())


class Store:
    """An open sysplan database; every write is its own short transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: takes the write lock up front so concurrent sessions wait, not fail."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise db_error(e, self.path) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.conn.execute(sql, tuple(params)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Close the connection (every answer is already committed)."""
        self.conn.close()

    # ------------------------------------------------------------------ schedule state

    def state(self, card_id: str) -> State:
        """The card's SM-2 state; a new State for a card never reviewed."""
        row = self.conn.execute(
            "SELECT repetitions, ef100, interval, due FROM card_state WHERE card_id = ?", (card_id,)
        ).fetchone()
        return _state_from(*row) if row else State()

    def states(self) -> dict[str, State]:
        """Every reviewed card's state, by card id (cards removed from the decks included)."""
        rows = self.conn.execute("SELECT card_id, repetitions, ef100, interval, due FROM card_state")
        return {r[0]: _state_from(*r[1:]) for r in rows}

    def due_strings(self) -> dict[str, str]:
        """Due date (YYYY-MM-DD) of every reviewed card, unparsed."""
        return dict(self.conn.execute("SELECT card_id, due FROM card_state").fetchall())

    def due_dates(self) -> dict[str, date]:
        """Due date of every reviewed card."""
        return {r[0]: date.fromisoformat(r[1]) for r in self.conn.execute("SELECT card_id, due FROM card_state")}

    # ------------------------------------------------------------------ answers

    def record(
        self,
        card_id: str,
        mode: str,
        grade: int,
        before: State,
        after: State | None,
        reviewed_at: datetime,
        study_day: date,
        duration_ms: int | None = None,
        hints: int = 0,
        items: list[ItemResult] | None = None,
        capped_due: date | None = None,
    ) -> int:
        """Log one answer and, in review mode, save the new schedule: one transaction, committed at once."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        recalled = sum(1 for i in items if i.recalled) if items else None
        total = len(items) if items else None
        with self._write() as c:
            cur = c.execute(
                """INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode,
                    rep_before, ef100_before, interval_before, due_before,
                    rep_after, ef100_after, interval_after, due_after,
                    duration_ms, hints, recalled, total, capped_due)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    card_id, reviewed_at.isoformat(), study_day.isoformat(), grade, mode,
                    *_state_cols(before), *_state_cols(after), duration_ms, hints, recalled, total,
                    capped_due.isoformat() if capped_due else None,
                ),
            )
            log_id = int(cur.lastrowid or 0)
            if items:
                c.executemany(
                    "INSERT INTO item_result (log_id, card_id, item, item_text, recalled) VALUES (?, ?, ?, ?, ?)",
                    [(log_id, card_id, i.item, i.text, int(i.recalled)) for i in items],
                )
            if mode == "review" and after is not None and after.due is not None:
                due = capped_due or after.due
                c.execute(
                    """INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?)
                       ON CONFLICT(card_id) DO UPDATE SET repetitions = excluded.repetitions,
                         ef100 = excluded.ef100, interval = excluded.interval, due = excluded.due,
                         updated_at = excluded.updated_at""",
                    (card_id, after.repetitions, after.ef100, after.interval, due.isoformat(),
                     reviewed_at.isoformat()),
                )
        return log_id

    def last_entry(self) -> LogEntry | None:
        """The most recent answer, or None."""
        rows = self.log(limit=1, newest_first=True)
        return rows[0] if rows else None

    def undo_last(self) -> LogEntry | None:
        """Remove the last answer and, if it was a scheduled review, restore the state before it."""
        with self._write() as c:
            row = c.execute(f"SELECT {_LOG_COLS} FROM review_log ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                return None
            entry = _entry(row)
            if entry.mode == "review":
                if entry.before.is_new:
                    c.execute("DELETE FROM card_state WHERE card_id = ?", (entry.card_id,))
                else:
                    b = entry.before
                    prior = c.execute(
                        "SELECT reviewed_at FROM review_log WHERE card_id = ? AND mode = 'review' AND id < ? "
                        "ORDER BY id DESC LIMIT 1",
                        (entry.card_id, entry.id),
                    ).fetchone()
                    c.execute(
                        """INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at)
                           VALUES (?, ?, ?, ?, ?, ?)
                           ON CONFLICT(card_id) DO UPDATE SET repetitions = excluded.repetitions,
                             ef100 = excluded.ef100, interval = excluded.interval, due = excluded.due,
                             updated_at = excluded.updated_at""",
                        (entry.card_id, b.repetitions, b.ef100, b.interval,
                         b.due.isoformat() if b.due else None, prior[0] if prior else entry.reviewed_at),
                    )
            c.execute("DELETE FROM item_result WHERE log_id = ?", (entry.id,))
            c.execute("DELETE FROM review_log WHERE id = ?", (entry.id,))
        return entry

    def new_introduced_on(self, day: date, card_ids: Iterable[str] | None = None) -> int:
        """How many new cards were first reviewed on a study day (the daily new-card limit counts these)."""
        rows = self.conn.execute(
            "SELECT DISTINCT card_id FROM review_log WHERE study_day = ? AND mode = 'review' AND due_before IS NULL",
            (day.isoformat(),),
        ).fetchall()
        ids = {r[0] for r in rows}
        if card_ids is not None:
            ids &= set(card_ids)
        return len(ids)

    def log(
        self, limit: int | None = None, newest_first: bool = False, card_id: str | None = None
    ) -> list[LogEntry]:
        """Review-log rows, oldest first unless asked otherwise."""
        sql = f"SELECT {_LOG_COLS} FROM review_log"
        params: list[Any] = []
        if card_id is not None:
            sql += " WHERE card_id = ?"
            params.append(card_id)
        sql += " ORDER BY id DESC" if newest_first else " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_entry(r) for r in self.conn.execute(sql, params)]

    def iter_log(self) -> Iterator[LogEntry]:
        """Stream the whole review log, oldest first, without holding it in memory."""
        for row in self.conn.execute(f"SELECT {_LOG_COLS} FROM review_log ORDER BY id"):
            yield _entry(row)

    def item_results(self, log_id: int) -> list[ItemResult]:
        """Per-item outcomes stored with one typed answer."""
        rows = self.conn.execute(
            "SELECT item, item_text, recalled FROM item_result WHERE log_id = ? ORDER BY item", (log_id,)
        )
        return [ItemResult(r[0], r[1], bool(r[2])) for r in rows]

    # ------------------------------------------------------------------ settings

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        return self._one("SELECT value FROM setting WHERE key = ?", (key,))

    def set_setting(self, key: str, value: str | None) -> None:
        """Store (or, with None, delete) a setting."""
        with self._write() as c:
            if value is None:
                c.execute("DELETE FROM setting WHERE key = ?", (key,))
            else:
                c.execute(
                    "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )


_LOG_COLS = (
    "id, card_id, reviewed_at, study_day, grade, mode, rep_before, ef100_before, interval_before, due_before, "
    "rep_after, ef100_after, interval_after, due_after, duration_ms, hints, recalled, total, capped_due"
)


def _entry(r: tuple[Any, ...]) -> LogEntry:
    after = _state_from(*r[10:14]) if r[13] is not None else None
    return LogEntry(
        id=r[0], card_id=r[1], reviewed_at=r[2], study_day=r[3], grade=r[4], mode=r[5],
        before=_state_from(*r[6:10]), after=after, duration_ms=r[14], hints=r[15] or 0,
        recalled=r[16], total=r[17], capped_due=r[18],
    )

