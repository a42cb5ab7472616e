"""The user's history: schedule state per card, the review log, per-item results and settings."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from sysplan_study.memory.sm2 import State
from sysplan_study.store.errors import db_error

MODES = ("review", "drill", "quiz", "reset", "mock")  # mock: a mock exam answer (no schedule change)
LOCAL, IMPORTED = "local", "import"  # review_log.origin


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
    origin: str = "local"

    @property
    def state_after(self) -> tuple[Any, ...] | None:
        """The card_state row (repetitions, ef100, interval, due) this answer left, or None if it changed none."""
        if self.after is None or self.after.due is None:
            return None
        return (self.after.repetitions, self.after.ef100, self.after.interval,
                self.capped_due or self.after.due.isoformat())


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

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only: bool = False):
        self.conn = conn
        self.path = path
        self.read_only = read_only  # opened without write access: only reading commands get such a store
        self.backup_made: Path | None = None  # set when opening backed the file up before a migration

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
            self.conn.execute("COMMIT")
        except BaseException as e:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise db_error(e, self.path) from None
            raise

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

    def state_row(self, card_id: str) -> tuple[Any, ...] | None:
        """The card's stored schedule as (repetitions, ef100, interval, due) exactly as saved, or None if new."""
        row = self.conn.execute(
            "SELECT repetitions, ef100, interval, due FROM card_state WHERE card_id = ?", (card_id,)
        ).fetchone()
        return tuple(row) if row else None

    def states(self) -> dict[str, State]:
        """Every reviewed card's state, by card id (cards removed from the decks included)."""
        rows = self.conn.execute("SELECT card_id, repetitions, ef100, interval, due FROM card_state")
        return {r[0]: _state_from(*r[1:]) for r in rows}

    def due_strings(self) -> dict[str, str]:
        """Due date (YYYY-MM-DD) of every reviewed card, unparsed."""
        return dict(self.conn.execute("SELECT card_id, due FROM card_state").fetchall())

    def suspended_ids(self) -> set[str]:
        """Ids of suspended cards."""
        return {r[0] for r in self.conn.execute("SELECT card_id FROM suspended")}

    def next_due(self, after: date) -> date | None:
        """The earliest due date after a day, over every scheduled card that is not suspended."""
        row = self.conn.execute(
            "SELECT min(due) FROM card_state WHERE due > ? AND card_id NOT IN (SELECT card_id FROM suspended)",
            (after.isoformat(),),
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def due_dates(self) -> dict[str, date]:
        """Due date of every reviewed card."""
        return {r[0]: date.fromisoformat(r[1]) for r in self.conn.execute("SELECT card_id, due FROM card_state")}

    # ------------------------------------------------------------------ log rows

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
    "rep_after, ef100_after, interval_after, due_after, duration_ms, hints, recalled, total, capped_due, origin"
)


def _entry(r: tuple[Any, ...]) -> LogEntry:
    after = _state_from(*r[10:14]) if r[13] is not None else None
    return LogEntry(
        id=r[0], card_id=r[1], reviewed_at=r[2], study_day=r[3], grade=r[4], mode=r[5],
        before=_state_from(*r[6:10]), after=after, duration_ms=r[14], hints=r[15] or 0,
        recalled=r[16], total=r[17], capped_due=r[18], origin=r[19],
    )

