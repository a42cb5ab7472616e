"""The card index file (decks.cache): its exact schema and version, opened only when it is exactly this version's
and otherwise deleted and created again.

Safe to delete. A file whose sqlite_master differs in any way from what this version creates (a damaged file, a
planted one, another version's) or whose version row differs is never read: the caller creates a new one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sysplan_study import __version__
from sysplan_study.decks.model import DECK_FORMAT

SCHEMA_VERSION = 4  # 3: each card's search text ends with a line break (two-character searches use trigrams);
# 4: each deck file's item counts per card
FILE_NAME = "cards.sqlite3"
BUSY_MS = 3000

TABLES = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE deck_file (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, builtin INTEGER NOT NULL,
        size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, checksum TEXT NOT NULL, ctime_ns INTEGER NOT NULL,
        ino INTEGER NOT NULL, recorded_ns INTEGER NOT NULL, deck_id TEXT NOT NULL, title TEXT NOT NULL,
        kind TEXT NOT NULL, number TEXT, note TEXT, card_ids TEXT NOT NULL, item_counts TEXT NOT NULL,
        body TEXT NOT NULL)""",
    """CREATE TABLE card (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        card_id TEXT NOT NULL, data TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX card_seq ON card(file_id, seq)",
    "CREATE INDEX card_by_id ON card(file_id, card_id)",
    # The folded search text apart from the cards' JSON: a scan for a 1-2 character needle reads only this.
    "CREATE TABLE fold (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, seq INTEGER NOT NULL, text TEXT NOT NULL)",
)
FTS = ("CREATE VIRTUAL TABLE card_text USING fts5(text, content='fold', content_rowid='id', "
       "tokenize='trigram case_sensitive 1')")
_schema: tuple[tuple[str, ...], list[tuple[Any, ...]]] | None = None


def fingerprint() -> str:
    """The version row: a cache written under another schema, deck format or release is not reused."""
    return f"schema {SCHEMA_VERSION}, deck format {DECK_FORMAT}, sysplan-study {__version__}"


def expected() -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """This version's DDL (with the FTS5 table where SQLite has the trigram tokenizer) and the sqlite_master rows
    it produces, made once per process in memory."""
    global _schema
    if _schema is None:
        mem = sqlite3.connect(":memory:")
        ddl: tuple[str, ...] = TABLES
        for statement in TABLES:
            mem.execute(statement)
        try:
            mem.execute(FTS)
            ddl = (*TABLES, FTS)
        except sqlite3.Error:
            pass  # no FTS5 or no trigram tokenizer: every search scans the folded text
        _schema = (ddl, _master(mem))
        mem.close()
    return _schema


def _usual() -> list[tuple[Any, ...]]:
    """What sqlite_master holds with SQLite's FTS5 as of 3.40 (checked first, saving the in-memory build)."""
    shadow = {"config": "(k PRIMARY KEY, v) WITHOUT ROWID", "data": "(id INTEGER PRIMARY KEY, block BLOB)",
              "docsize": "(id INTEGER PRIMARY KEY, sz BLOB)",
              "idx": "(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID"}
    rows: list[tuple[Any, ...]] = [
        ("index", "card_by_id", "card", TABLES[4]), ("index", "card_seq", "card", TABLES[3]),
        ("index", "sqlite_autoindex_deck_file_1", "deck_file", None),
        ("index", "sqlite_autoindex_meta_1", "meta", None),
        ("table", "card", "card", TABLES[2]), ("table", "card_text", "card_text", FTS),
        ("table", "deck_file", "deck_file", TABLES[1]), ("table", "fold", "fold", TABLES[5]),
        ("table", "meta", "meta", TABLES[0]),
        *(("table", f"card_text_{k}", f"card_text_{k}", f"CREATE TABLE 'card_text_{k}'{v}") for k, v in shadow.items()),
    ]
    return sorted(rows, key=repr)


def _master(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=repr)


def cache_file() -> Path:
    """Where the card index lives (in the data home's cache directory)."""
    from sysplan_study.paths import cache_dir

    return cache_dir() / FILE_NAME


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA trusted_schema = OFF")  # no function calls from views or triggers (there are none)
    return conn


def open_checked(path: Path) -> sqlite3.Connection | None:
    """The cache file if it is exactly this version's card index, else None (never raises)."""
    if not path.is_file():
        return None
    try:
        conn = _connect(path)
    except sqlite3.Error:
        return None
    try:
        found = _master(conn)
        if found == _usual() or found == expected()[1]:  # the usual SQLite first: no in-memory build
            if conn.execute("SELECT key, value FROM meta").fetchall() == [("version", fingerprint())]:
                return conn
    except sqlite3.Error:
        pass
    conn.close()
    return None


def create(path: Path) -> sqlite3.Connection:
    """A new, empty card index at path (whatever was there before is deleted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for statement in expected()[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('version', ?)", (fingerprint(),))
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn
