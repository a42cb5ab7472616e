"""Turning sqlite3 errors into one clear line naming the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sysplan_study.errors import UserError


def db_error(e: sqlite3.Error, path: Path) -> UserError:
    msg = str(e).lower()
    if "readonly" in msg or "read-only" in msg:
        return UserError(f"数据库只读（database is read-only）: {path}")
    if "locked" in msg or "busy" in msg:
        return UserError(f"数据库正被其他程序锁定，请稍后重试（database is locked by another program）: {path}")
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return UserError(f"数据库文件已损坏或不是 SQLite 数据库（database file is corrupt or not an SQLite database）: {path}")
    if "unable to open" in msg:
        return UserError(f"无法打开数据库（cannot open database）: {path}")
    return UserError(f"数据库错误（database error: {e}）: {path}")


def as_user_error(e: sqlite3.Error, path: Path) -> UserError:
    """Translate an sqlite3 error into one clear line naming the database."""
    return db_error(e, path)
