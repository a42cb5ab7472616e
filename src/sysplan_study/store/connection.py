"""Opening the database: refuse foreign or corrupt files, apply pending migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sysplan_study.errors import UserError
from sysplan_study.store.errors import db_error
from sysplan_study.store.history import Store
from sysplan_study.store.migrations import MIGRATION_SET, _migrations, _pending

BUSY_TIMEOUT_MS = 10_000


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
        raise db_error(e, path) from None
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
        raise db_error(e, path) from None
    return Store(conn, path)
