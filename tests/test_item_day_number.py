"""item_state.day_number (m009): the stored whole julianday of last_day that recall queries subtract, kept by
SQLite on every write and filled for the rows of a home from before it."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from sysplan_study.store.connection import open_store
from sysplan_study.store.item_states import day_number

OLD_TABLE = """CREATE TABLE item_state (card_id TEXT NOT NULL, item INTEGER NOT NULL, stability REAL NOT NULL,
    difficulty REAL NOT NULL, last_day TEXT NOT NULL, PRIMARY KEY (card_id, item)) WITHOUT ROWID"""


def test_day_number_follows_every_write(invoke: Any, isolated_home: Path) -> None:
    for day in ("2026-11-01", "2026-11-03"):
        assert invoke("review", "--chapter", "operate", "--limit", "3", input="4\n2\n4\n4\n",
                      env={"SYSPLAN_TODAY": day}).exit_code == 0
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    rows = conn.execute("SELECT last_day, day_number FROM item_state").fetchall()
    conn.close()
    assert rows and {r[0] for r in rows} <= {"2026-11-01", "2026-11-03"}
    assert all(n == day_number(date.fromisoformat(d)) for d, n in rows)
    assert day_number(date(2026, 11, 3)) - day_number(date(2026, 11, 1)) == 2


def test_the_migration_keeps_every_memory_and_numbers_its_day(tmp_path: Path) -> None:
    db = tmp_path / "sysplan.db"
    open_store(db).close()
    rows = [("a.x", 0, 2.5, 5.0, "2026-01-31"), ("a.x", 1, 0.4, 7.25, "2024-02-29"), ("b.y", 0, 100.0, 1.0,
                                                                                      "2026-11-24")]
    conn = sqlite3.connect(db)
    with conn:  # a home from before m009
        conn.execute("DROP TABLE item_state")
        conn.execute(OLD_TABLE)
        conn.executemany("INSERT INTO item_state VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_item_day_number'")
    conn.close()
    open_store(db).close()
    conn = sqlite3.connect(db)
    got = conn.execute("SELECT card_id, item, stability, difficulty, last_day, day_number FROM item_state "
                       "ORDER BY card_id, item").fetchall()
    conn.close()
    assert [g[:5] for g in got] == rows
    assert [g[5] for g in got] == [day_number(date.fromisoformat(r[4])) for r in rows]
