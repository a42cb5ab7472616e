"""Progress files: the schedule and full log as JSON for another machine, and merging such a file back.

Import reads the file twice, streaming: first it checks every value (nothing written), then it merges inside one
transaction, checking again as it goes so that a file changed in between is rolled back, never half merged.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping, TextIO

from sysplan_study.errors import UserError
from sysplan_study.store.errors import db_error
from sysplan_study.store import item_states, schedules
from sysplan_study.store.history import IMPORTED, Store
from sysplan_study.store.outputs import database_files, write_with
from sysplan_study.store.progress_schema import Checker, LogRow, SchemaError
from sysplan_study.store.progress_stream import (
    MAX_FILE_BYTES, PROGRESS_FORMAT, PROGRESS_VERSION, ProgressStream,
)

__all__ = ["PROGRESS_FORMAT", "PROGRESS_VERSION", "MAX_FILE_BYTES", "export_progress", "import_progress"]

ITEM_BATCH = 10_000

_INSERT_LOG = """INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode,
    rep_before, ef100_before, interval_before, due_before, rep_after, ef100_after, interval_after, due_after,
    duration_ms, hints, recalled, total, capped_due, tested, origin)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


# ---------------------------------------------------------------------------------------------- export

_EXPORT_LOG = """SELECT l.id, l.card_id, l.reviewed_at, l.study_day, l.grade, l.mode,
    l.rep_before, l.ef100_before, l.interval_before, l.due_before,
    l.rep_after, l.ef100_after, l.interval_after, l.due_after,
    l.duration_ms, l.hints, l.recalled, l.total, l.capped_due, i.item, i.item_text, i.recalled, l.tested
    FROM review_log l LEFT JOIN item_result i ON i.log_id = l.id ORDER BY l.id, i.item"""


def _state_json(rep: Any, ef: Any, interval: Any, due: Any) -> dict[str, Any] | None:
    return None if due is None else {"repetitions": rep, "ef100": ef, "interval": interval, "due": due}


def _log_json(rows: Iterator[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """Group the log ⟕ item_result rows (ordered by log id) into one object per answer."""
    current: dict[str, Any] | None = None
    current_id = None
    for r in rows:
        if r[0] != current_id:
            if current is not None:
                yield current
            current_id = r[0]
            current = {
                "card_id": r[1], "reviewed_at": r[2], "study_day": r[3], "grade": r[4], "mode": r[5],
                "before": _state_json(*r[6:10]), "after": _state_json(*r[10:14]),
                "duration_ms": r[14], "hints": r[15] or 0, "recalled": r[16], "total": r[17], "capped_due": r[18],
                "items": [],
            }
            if r[22] is not None:
                current["tested"] = r[22]  # a self-graded answer: how many items it tested from memory
        if r[19] is not None:
            assert current is not None
            current["items"].append({"item": r[19], "text": r[20], "recalled": bool(r[21])})
    if current is not None:
        yield current


def export_progress(store: Store, path: Path, protected: Iterable[Path] = ()) -> tuple[int, int]:
    """Schedule state per card plus the full log as JSON, streamed row by row; returns (cards, log rows).

    Rows carry no `origin`: on the machine that imports them every row is foreign, whoever first answered it.
    """
    counts = [0, 0]

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            counts[:] = _write_progress(store.conn, f)

    try:
        write_with(path, fill, [*database_files(store.path), *protected])
    except sqlite3.Error as e:
        raise db_error(e, store.path) from None
    return counts[0], counts[1]


def _write_progress(conn: sqlite3.Connection, f: TextIO) -> list[int]:
    """Write the document one row per line, from one read snapshot; returns [cards, log rows]."""
    from sysplan_study.clock import utc_now

    cards = rows = 0
    conn.execute("BEGIN")  # one snapshot: states and log agree even if a review commits meanwhile
    try:
        head = {"format": PROGRESS_FORMAT, "version": PROGRESS_VERSION, "exported_at": utc_now().isoformat(),
                "scheduler": schedules.scheduler_json(schedules.read_config(conn))}
        f.write(json.dumps(head, ensure_ascii=False)[:-1] + ',\n"cards": [')
        for r in conn.execute(
            "SELECT card_id, repetitions, ef100, interval, due, updated_at FROM card_state ORDER BY card_id"
        ):
            row = {"card_id": r[0], "repetitions": r[1], "ef100": r[2], "interval": r[3], "due": r[4],
                   "updated_at": r[5]}
            f.write(("," if cards else "") + "\n " + json.dumps(row, ensure_ascii=False))
            cards += 1
        f.write('],\n"log": [')
        for entry in _log_json(conn.execute(_EXPORT_LOG)):
            f.write(("," if rows else "") + "\n " + json.dumps(entry, ensure_ascii=False))
            rows += 1
        f.write('],\n"suspended": [')  # suspensions travel too: a card suspended here stays suspended there
        for n, (card_id, since) in enumerate(conn.execute("SELECT card_id, since FROM suspended ORDER BY card_id")):
            f.write(("," if n else "") + "\n " + json.dumps({"card_id": card_id, "since": since}, ensure_ascii=False))
        f.write("]}\n")
    finally:
        conn.execute("COMMIT")
    return [cards, rows]


# ---------------------------------------------------------------------------------------------- import


@contextmanager
def _open_progress(path: Path) -> Iterator[BinaryIO]:
    """Open a regular file of at most MAX_FILE_BYTES for reading, or say in one line why not."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
        f = os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb")
    except FileNotFoundError:
        raise UserError(f"{path}: 文件不存在") from None
    except IsADirectoryError:
        raise UserError(f"{path}: 是目录，不是进度文件") from None
    except OSError as e:
        raise UserError(f"{path}: 无法读取（{e.strerror or e}）") from None
    with f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{path}: 不是普通文件，拒绝读取")
        if info.st_size > MAX_FILE_BYTES:
            raise UserError(f"{path}: 文件超过 {MAX_FILE_BYTES // 1024**3} GiB，拒绝导入")
        try:
            yield f
        except OSError as e:
            raise UserError(f"{path}: 读取失败（{e.strerror or e}）") from None


def _rows(f: BinaryIO, path: Path, checker: Checker) -> Iterator[tuple[str, str, Any]]:
    """Every row of the file checked: ("cards", path, CardRow) or ("log", path, LogRow); a bad value → one
    UserError naming the file and the JSON path."""
    try:
        for kind, where, obj in ProgressStream(f, checker).rows():
            check = {"cards": checker.card, "log": checker.log, "suspended": checker.suspended}[kind]
            yield kind, where, check(where, obj)
    except SchemaError as e:
        raise UserError(f"{path}: {e.where}: {e.message}") from None


def _validate(store: Store, f: BinaryIO, path: Path, checker: Checker) -> None:
    """The first pass: every value checked and card ids unique; the database is not written (a TEMP table
    holds the card ids seen, so that a file of millions of cards does not hold them all in memory)."""
    c = store.conn
    c.execute("DROP TABLE IF EXISTS temp.import_card_ids")
    c.execute("CREATE TEMP TABLE import_card_ids (card_id TEXT PRIMARY KEY) WITHOUT ROWID")
    try:
        for kind, where, row in _rows(f, path, checker):
            if kind == "cards":
                if c.execute("INSERT OR IGNORE INTO temp.import_card_ids VALUES (?)", (row[0],)).rowcount == 0:
                    raise UserError(f"{path}: {where}.card_id: 卡片 {row[0]} 在 cards 中重复出现")
    finally:
        c.execute("DROP TABLE IF EXISTS temp.import_card_ids")


class _Merger:
    """The second pass, inside the write transaction: log rows added once, then the schedules of the cards they
    touch replayed from the merged log (the file's `cards` states are checked, never copied: the log is the truth).
    """

    def __init__(self, c: sqlite3.Connection, item_counts: Mapping[str, int]):
        self.c = c
        self.item_counts = item_counts
        self.updated = self.added = 0
        self.touched: set[str] = set()  # cards given a new scheduling row (review or reset)
        self.tested: set[str] = set()  # cards given a new answer with evidence about their items
        self.items: list[tuple[int, str, int, str, int]] = []
        # The rows already here as a multiset (card, time, mode, grade) → how many a file row may still match.
        c.execute("DROP TABLE IF EXISTS temp.import_present")
        c.execute("""CREATE TEMP TABLE import_present (card_id TEXT, reviewed_at TEXT, mode TEXT, grade INTEGER,
                     left INTEGER, PRIMARY KEY (card_id, reviewed_at, mode, grade)) WITHOUT ROWID""")
        c.execute("""INSERT INTO temp.import_present SELECT card_id, reviewed_at, mode, grade, count(*)
                     FROM review_log GROUP BY card_id, reviewed_at, mode, grade""")
        self.any_present = c.execute("SELECT 1 FROM temp.import_present LIMIT 1").fetchone() is not None

    def log(self, row: LogRow) -> None:
        cols, items = row
        if self.any_present and self.c.execute(
            "UPDATE temp.import_present SET left = left - 1 "
            "WHERE card_id = ? AND reviewed_at = ? AND mode = ? AND grade = ? AND left > 0",
            (cols[0], cols[1], cols[4], cols[3]),
        ).rowcount:
            return  # already here (once per copy present): re-importing a file adds nothing
        if cols[-1] is None and not items and cols[16] is None and cols[4] in ("review", "drill"):
            # Written before item memory: a self-graded review tested every item the decks give its card.
            cols = (*cols[:-1], self.item_counts.get(cols[0]))
        log_id = self.c.execute(_INSERT_LOG, (*cols, IMPORTED)).lastrowid  # undo never takes these
        self.added += 1
        if cols[4] in schedules.SCHEDULING_MODES:
            self.touched.add(cols[0])
        if cols[4] in item_states.EVIDENCE_MODES and (items or cols[-1]):
            self.tested.add(cols[0])
        if items:
            self.items.extend((log_id, cols[0], item, text, rec) for item, text, rec in items)
            if len(self.items) >= ITEM_BATCH:
                self.flush()

    def flush(self) -> None:
        self.c.executemany(
            "INSERT INTO item_result (log_id, card_id, item, item_text, recalled) VALUES (?, ?, ?, ?, ?)", self.items
        )
        self.items.clear()

    def finish(self, settings: dict[str, str | None] | None) -> None:
        """Adopt the file's scheduler settings (if it has them) and replay: every card if they change what the
        schedules are, else the cards the new rows touch."""
        self.flush()
        self.c.execute("DROP TABLE temp.import_present")
        before = schedules.read_config(self.c)
        for key, value in (settings or {}).items():
            if value is None:
                self.c.execute("DELETE FROM setting WHERE key = ?", (key,))
            else:
                self.c.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
        after = schedules.read_config(self.c)
        if before != after and not before.name == after.name == schedules.SM2:
            self.updated = schedules.replay_all(self.c, after)
        else:
            self.updated = schedules.recompute(self.c, sorted(self.touched), after)
        if before.parameters != after.parameters:
            item_states.replay_all(self.c, item_states.item_config(self.c))
        else:
            item_states.recompute(self.c, sorted(self.tested), item_states.item_config(self.c))


def import_progress(
    store: Store, path: Path, item_counts: Mapping[str, int] | None = None, now: datetime | None = None
) -> tuple[int, int]:
    """Merge a progress file after checking all of it; returns (card states changed, log rows added).

    Card states are replayed from the merged log (under the file's scheduler settings when it carries them), so
    a history imported here schedules exactly as on the machine that exported it.

    item_counts maps a card id of the loaded decks to its number of items: per-item results of those cards must
    index an existing item; cards missing from the decks keep their history as it is. Imported log rows get
    origin 'import', which undo never takes.
    """
    from sysplan_study.clock import utc_now

    path = Path(path)
    checker = Checker(item_counts, now or utc_now())
    try:
        with _open_progress(path) as f:
            _validate(store, f, path, checker)
        with _open_progress(path) as f, store._write() as c:
            merger = _Merger(c, item_counts or {})
            for kind, _, row in _rows(f, path, checker):
                if kind == "log":
                    merger.log(row)
                elif kind == "suspended":  # a union: suspended on either machine stays suspended
                    c.execute("INSERT OR IGNORE INTO suspended (card_id, since) VALUES (?, ?)", row)
            merger.finish(checker.settings)
    except sqlite3.Error as e:
        raise db_error(e, store.path) from None
    return merger.updated, merger.added
