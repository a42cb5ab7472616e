"""Opening the database: refuse foreign, corrupt or newer files, back up before migrating, open read-only if need be."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sysplan_study.errors import UserError
from sysplan_study.store.errors import db_error
from sysplan_study.store.history import Store
from sysplan_study.store.migrations import MIGRATION_NAMES, MIGRATION_SET, _migrations

BUSY_TIMEOUT_MS = 10_000
KEEP_BACKUPS = 3
NEWER_VERSION = "数据库由更新版本的 sysplan-study 写入，请升级（written by a newer sysplan-study: please upgrade）: {path}"
READ_ONLY = "数据库只读，无法保存（database is read-only: answers cannot be saved）: {path}"


def _connect(target: str, uri: bool = False) -> sqlite3.Connection:
    """One connection in autocommit mode (we issue BEGIN ourselves); a seam tests use to simulate read-only files."""
    return sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False,
                           uri=uri)


def _readonly_connect(path: Path) -> sqlite3.Connection:
    """Open without writing anything; a WAL database whose -shm cannot be created is read as immutable."""
    uri = path.resolve().as_uri()
    conn = _connect(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise UserError(f"数据库只读且有未合并的日志，无法读取（read-only database with a pending WAL）: {path}")
    return _connect(f"{uri}?immutable=1", uri=True)


def _writable(conn: sqlite3.Connection) -> bool:
    """True if this connection can write: a real write (the header's user_version, unchanged), rolled back."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as e:
        text = str(e).lower()
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return False
        raise


def applied_migrations(conn: sqlite3.Connection) -> list[str] | None:
    """Names of our migrations recorded in the file; None if it is not (yet) a sysplan database."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" not in tables:
        return None if tables else []
    rows = conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,))
    names = [r[0] for r in rows]
    return names if names or tables == {"_sqlite_migrations"} else None


def backups(path: Path) -> list[Path]:
    """Backups made before migrations (`sysplan.db.bak-<schema version>`), oldest first."""
    return sorted(path.parent.glob(f"{path.name}.bak-*"), key=lambda p: (p.stat().st_mtime_ns, p.name))


def _back_up(path: Path, version: int) -> Path:
    """Copy the database beside itself (SQLite's backup API, from a second, reading connection); keep three.

    Called while our own connection holds the write lock, so the copy is exactly what the migration starts from.
    """
    target = path.with_name(f"{path.name}.bak-{version}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bak-{version}.{n}")
    source, dest = _connect(str(path)), sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    for old in backups(path)[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
    return target


def _has_history(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return any(
        t in tables and conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()  # noqa: S608 - fixed names
        for t in ("review_log", "card_state", "setting")
    )


def _migrate(conn: sqlite3.Connection, path: Path) -> Path | None:
    """Apply pending migrations in one transaction (after a backup if the file holds history)."""
    from sqlite_utils import Database

    # Serialise concurrent first opens: the second waits for the lock, then finds nothing pending.
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = applied_migrations(conn) or []
        if set(MIGRATION_NAMES) <= set(done):
            conn.execute("ROLLBACK")
            return None
        backup = _back_up(path, len(done)) if _has_history(conn) else None
        _migrations().apply(Database(conn))  # nested in our transaction: each migration is a savepoint
        conn.execute("COMMIT")
        return backup
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def open_store(path: Path, create_dirs: bool = False, write: bool = True) -> Store:
    """Open (creating if absent) a sysplan database, apply migrations; `write=False` accepts a read-only file.

    Refused untouched: a directory, a foreign SQLite file, a corrupt file, a database from a newer version, and
    (with `write=True`) a file that cannot be written, so a review says so before its first card.
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"数据库路径是一个目录（database path is a directory）: {path}")
    if not path.parent.exists():
        if not create_dirs:
            raise UserError(f"目录不存在（directory does not exist）: {path.parent}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            if write:
                raise UserError(f"无法创建数据目录 {path.parent}: {e.strerror or e}") from None
            return _empty_store(path)
    if not path.exists() and not write:
        try:
            path.touch()
            path.unlink()
        except OSError:
            return _empty_store(path)  # nothing recorded yet and nowhere to record: read as empty
    try:
        conn = _connect(str(path))
    except sqlite3.Error as e:
        raise db_error(e, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        done = applied_migrations(conn)
        if done is None:
            raise UserError(f"不是 sysplan-study 的数据库（not a sysplan-study database）: {path}")
        if set(done) - set(MIGRATION_NAMES):
            raise UserError(NEWER_VERSION.format(path=path))
        pending = not set(MIGRATION_NAMES) <= set(done)
        if not _writable(conn):
            conn.close()
            if write:
                raise UserError(READ_ONLY.format(path=path))
            if pending:
                raise UserError(f"数据库只读，且需要升级后才能读取（read-only and needs a migration）: {path}")
            conn = _readonly_connect(path)
            return Store(conn, path, read_only=True)
        # Every answer survives power loss once committed; WAL's default NORMAL could lose the last few.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if not done:
            _use_wal(conn)  # a new file: WAL first, so concurrent first opens read while one of them migrates
        backup = _migrate(conn, path) if pending else None
        # An older file switches to WAL only after a successful migration: a failed one leaves it byte for byte.
        _use_wal(conn)
    except UserError:
        conn.close()
        raise
    except sqlite3.Error as e:
        conn.close()
        raise db_error(e, path) from None
    store = Store(conn, path)
    store.backup_made = backup
    return store


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. The switch needs the file to itself and SQLite does not wait for that, so retry a while."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as e:
            if "locked" not in str(e).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _empty_store(path: Path) -> Store:
    """An in-memory, freshly migrated database for read-only commands when the home cannot be written."""
    from sqlite_utils import Database

    conn = _connect(":memory:")
    _migrations().apply(Database(conn))
    return Store(conn, path, read_only=True)
