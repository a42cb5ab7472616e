"""The SQLite store (the only module with SQL): schedule state, review log, per-item results, settings."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from sysplan_study.errors import UserError
from sysplan_study.sm2 import State

MIGRATION_SET = "sysplan_study"
BUSY_TIMEOUT_MS = 10_000
MODES = ("review", "drill", "quiz")


def _migrations() -> Any:
    """The numbered schema migrations. Shipped migrations are never edited: add a new one instead."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)

    @migrations()
    def m001_initial(db: Any) -> None:
        db.execute(
            """CREATE TABLE card_state (
                card_id TEXT PRIMARY KEY,
                repetitions INTEGER NOT NULL,
                ef100 INTEGER NOT NULL,
                interval INTEGER NOT NULL,
                due TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )"""
        )
        db.execute(
            """CREATE TABLE review_log (
                id INTEGER PRIMARY KEY,
                card_id TEXT NOT NULL,
                reviewed_at TEXT NOT NULL,
                study_day TEXT NOT NULL,
                grade INTEGER NOT NULL,
                mode TEXT NOT NULL,
                rep_before INTEGER, ef100_before INTEGER, interval_before INTEGER, due_before TEXT,
                rep_after INTEGER, ef100_after INTEGER, interval_after INTEGER, due_after TEXT,
                duration_ms INTEGER
            )"""
        )
        db.execute("CREATE INDEX idx_log_card ON review_log(card_id)")
        db.execute("CREATE INDEX idx_log_day ON review_log(study_day, mode)")
        db.execute("CREATE INDEX idx_state_due ON card_state(due)")

    @migrations()
    def m002_recall_settings(db: Any) -> None:
        db.execute("ALTER TABLE review_log ADD COLUMN hints INTEGER NOT NULL DEFAULT 0")
        db.execute("ALTER TABLE review_log ADD COLUMN recalled INTEGER")
        db.execute("ALTER TABLE review_log ADD COLUMN total INTEGER")
        db.execute("ALTER TABLE review_log ADD COLUMN capped_due TEXT")
        db.execute(
            """CREATE TABLE item_result (
                log_id INTEGER NOT NULL REFERENCES review_log(id) ON DELETE CASCADE,
                card_id TEXT NOT NULL,
                item INTEGER NOT NULL,
                item_text TEXT NOT NULL,
                recalled INTEGER NOT NULL,
                PRIMARY KEY (log_id, item)
            )"""
        )
        db.execute("CREATE INDEX idx_item_card ON item_result(card_id, item)")
        db.execute("CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    return migrations


# The names of the migrations below, in order; checked with plain sqlite3 on open so that sqlite-utils (slow to
# import) is loaded only when there is something to apply. A test keeps this list equal to _migrations().
MIGRATION_NAMES = ("m001_initial", "m002_recall_settings")


def _pending(conn: sqlite3.Connection, tables: set[str]) -> bool:
    """True if any migration of ours has not been applied yet."""
    if "_sqlite_migrations" not in tables:
        return True
    done = {r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
    )}
    return not set(MIGRATION_NAMES) <= done


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
            raise _db_error(e, self.path) from None
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

    # ------------------------------------------------------------------ aggregate queries (for stats)

    def _load_scope(self, card_decks: Iterable[tuple[str, str]]) -> None:
        """Fill a temporary card → deck table so the aggregates below can group by deck in SQL."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope (card_id TEXT PRIMARY KEY, deck TEXT NOT NULL)")
        self.conn.execute("DELETE FROM temp.scope")
        self.conn.executemany("INSERT OR IGNORE INTO temp.scope (card_id, deck) VALUES (?, ?)", card_decks)

    def deck_aggregates(
        self, card_decks: Iterable[tuple[str, str]], today: date, since: date
    ) -> dict[str, dict[str, Any]]:
        """Per deck: card counts by maturity, due, average EF, review/lapse counts and recent pass counts."""
        self._load_scope(card_decks)
        out: dict[str, dict[str, Any]] = {}
        rows = self.conn.execute(
            """SELECT d.deck, count(*), sum(s.card_id IS NULL), sum(s.interval < 7), sum(s.interval BETWEEN 7 AND 20),
                      sum(s.interval >= 21), sum(s.due <= ?), avg(s.ef100)
               FROM temp.scope d LEFT JOIN card_state s ON s.card_id = d.card_id GROUP BY d.deck""",
            (today.isoformat(),),
        )
        for deck, cards, new, learning, young, mature, due, ef in rows:
            out[deck] = {
                "cards": cards, "new": new or 0, "learning": learning or 0, "young": young or 0,
                "mature": mature or 0, "due": due or 0, "ef100_avg": ef,
                "reviews": 0, "lapses": 0, "recent": 0, "recent_passed": 0,
            }
        rows = self.conn.execute(
            """SELECT d.deck, count(*), sum(l.grade < 3 AND l.rep_before >= 1),
                      sum(l.study_day >= ?), sum(l.study_day >= ? AND l.grade >= 3)
               FROM review_log l JOIN temp.scope d ON d.card_id = l.card_id
               WHERE l.mode = 'review' GROUP BY d.deck""",
            (since.isoformat(), since.isoformat()),
        )
        for deck, reviews, lapses, recent, passed in rows:
            out[deck].update(reviews=reviews, lapses=lapses or 0, recent=recent or 0, recent_passed=passed or 0)
        return out

    def answers_by_day(self, since: date, until: date, scoped: bool) -> dict[str, int]:
        """Answers (all modes) per study day in [since, until], optionally only for cards in scope."""
        join = "JOIN temp.scope d ON d.card_id = l.card_id" if scoped else ""
        rows = self.conn.execute(
            f"SELECT l.study_day, count(*) FROM review_log l {join} "
            "WHERE l.study_day BETWEEN ? AND ? GROUP BY l.study_day",
            (since.isoformat(), until.isoformat()),
        )
        return {day: n for day, n in rows}

    def study_days(self, until: date) -> list[str]:
        """Distinct study days with at least one answer, newest first."""
        rows = self.conn.execute(
            "SELECT DISTINCT study_day FROM review_log WHERE study_day <= ? ORDER BY study_day DESC",
            (until.isoformat(),),
        )
        return [r[0] for r in rows]

    def due_by_day(self, until: date) -> dict[str, int]:
        """Scheduled cards in scope per due date up to `until` (overdue dates included)."""
        rows = self.conn.execute(
            "SELECT s.due, count(*) FROM card_state s JOIN temp.scope d ON d.card_id = s.card_id "
            "WHERE s.due <= ? GROUP BY s.due",
            (until.isoformat(),),
        )
        return {due: n for due, n in rows}

    def weakest_items(self, limit: int) -> list[tuple[str, int, str, int, int]]:
        """(card id, item index, item text, times missed, attempts) of in-scope items missed most in typed recall."""
        rows = self.conn.execute(
            """SELECT r.card_id, r.item, max(r.item_text), sum(1 - r.recalled) AS missed, count(*)
               FROM item_result r JOIN temp.scope d ON d.card_id = r.card_id
               GROUP BY r.card_id, r.item HAVING missed > 0
               ORDER BY missed DESC, count(*) DESC, r.card_id, r.item LIMIT ?""",
            (limit,),
        )
        return [tuple(r) for r in rows]

    # ------------------------------------------------------------------ progress export / import

    def progress_rows(self) -> list[dict[str, Any]]:
        """Every card's schedule with its last-review time."""
        rows = self.conn.execute(
            "SELECT card_id, repetitions, ef100, interval, due, updated_at FROM card_state ORDER BY card_id"
        )
        return [
            {"card_id": r[0], "repetitions": r[1], "ef100": r[2], "interval": r[3], "due": r[4], "updated_at": r[5]}
            for r in rows
        ]

    def all_item_results(self) -> dict[int, list[ItemResult]]:
        """Per-item results grouped by log id."""
        out: dict[int, list[ItemResult]] = {}
        for log_id, item, text, rec in self.conn.execute(
            "SELECT log_id, item, item_text, recalled FROM item_result ORDER BY log_id, item"
        ):
            out.setdefault(log_id, []).append(ItemResult(item, text, bool(rec)))
        return out

    def merge_progress(self, states: list[dict[str, Any]], log: list[dict[str, Any]]) -> tuple[int, int]:
        """Merge exported progress in one transaction: newest review wins per card; log rows added once."""
        updated = added = 0
        from collections import Counter

        with self._write() as c:
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


def _db_error(e: sqlite3.Error, path: Path) -> UserError:
    msg = str(e).lower()
    if "readonly" in msg or "read-only" in msg:
        return UserError(f"database is read-only: {path}")
    if "locked" in msg or "busy" in msg:
        return UserError(f"database is locked by another program: {path}")
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return UserError(f"database file is corrupt or not an SQLite database: {path}")
    if "unable to open" in msg:
        return UserError(f"cannot open database: {path}")
    return UserError(f"database error ({e}): {path}")


def as_user_error(e: sqlite3.Error, path: Path) -> UserError:
    """Translate an sqlite3 error into one clear line naming the database."""
    return _db_error(e, path)


def open_store(path: Path, create_dirs: bool = False) -> Store:
    """Open (creating if absent) a sysplan database, refuse foreign or corrupt files, apply migrations."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"database path is a directory: {path}")
    if not path.parent.exists():
        if not create_dirs:
            raise UserError(f"directory does not exist: {path.parent}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(f"cannot create data directory {path.parent}: {e.strerror or e}") from None
    existed = path.exists() and path.stat().st_size > 0
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as e:
        raise _db_error(e, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        ours = "_sqlite_migrations" in tables and conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", (MIGRATION_SET,)
        ).fetchone()
        if existed and tables and not ours:
            raise UserError(f"not a sysplan-study database (it holds other tables): {path}")
        # Find out now, not after the first answer, if the file cannot be written.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if journal != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if _pending(conn, tables):
            from sqlite_utils import Database

            db = Database(conn)
            migrations = _migrations()
            # Serialise concurrent first opens: the second waits for the lock, then finds nothing pending.
            conn.execute("BEGIN IMMEDIATE")
            try:
                migrations.apply(db)  # applies only what is still pending once we hold the lock
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    except UserError:
        conn.close()
        raise
    except sqlite3.Error as e:
        conn.close()
        raise _db_error(e, path) from None
    return Store(conn, path)
