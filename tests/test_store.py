"""The SQLite store: migrations, committed answers, undo, and refusal of foreign or corrupt files."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from helpers import seed
from sysplan_study.store import answers

from sysplan_study.memory import sm2
from sysplan_study.errors import UserError
from sysplan_study.store.history import ItemResult
from sysplan_study.store.connection import open_store

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def test_fresh_database_has_all_migrations(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    names = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    from sysplan_study.store.migrations import MIGRATION_NAMES

    assert names == list(MIGRATION_NAMES)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    # Reopening applies nothing twice.
    again = open_store(tmp_path / "a.db")
    assert again.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(MIGRATION_NAMES)


def test_migration_names_match() -> None:
    from sysplan_study.store.migrations import MIGRATION_NAMES, _migrations

    assert tuple(m.name for m in _migrations()._migrations) == MIGRATION_NAMES


def test_v1_database_upgrades_keeping_rows(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from sysplan_study.store.migrations import _migrations

    path = tmp_path / "v1.db"
    db = Database(path)
    _migrations().apply(db, stop_before="m002_recall_settings")
    db.execute(
        "INSERT INTO card_state VALUES ('design.catalog.activities', 2, 260, 6, '2026-11-30', '2026-11-24T00:00:00')"
    )
    db.execute(
        "INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode, rep_after, ef100_after, "
        "interval_after, due_after) VALUES ('design.catalog.activities', '2026-11-24T00:00:00+00:00', "
        "'2026-11-24', 5, 'review', 2, 260, 6, '2026-11-30')"
    )
    db.conn.commit()
    db.close()
    store = open_store(path)
    assert store.state("design.catalog.activities") == sm2.State(2, 260, 6, date(2026, 11, 30))
    (entry,) = store.log()
    assert entry.grade == 5 and entry.hints == 0 and entry.recalled is None
    assert store.setting("exam_date") is None


def test_record_commits_state_and_log(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = open_store(path)
    before = sm2.new_state()
    after = sm2.review(before, 5, DAY)
    seed(store, "x.a", "review", 5, before, after, NOW, DAY, duration_ms=1200)
    # A second connection sees it at once: committed, not pending.
    other = sqlite3.connect(path)
    assert other.execute("SELECT grade, mode, due_after FROM review_log").fetchall() == [(5, "review", "2026-11-25")]
    assert other.execute("SELECT due FROM card_state WHERE card_id='x.a'").fetchone() == ("2026-11-25",)


def test_drill_and_quiz_do_not_change_state(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    seed(store, "x.a", "drill", 2, sm2.new_state(), None, NOW, DAY)
    seed(store, "x.a", "quiz", 5, sm2.new_state(), None, NOW, DAY)
    assert store.state("x.a").is_new
    assert [e.mode for e in store.log()] == ["drill", "quiz"]


def test_item_results_stored(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    items = [ItemResult(0, "甲", True), ItemResult(1, "乙", False)]
    log_id = seed(store, "x.a", "quiz", 2, sm2.new_state(), None, NOW, DAY, items=items)
    assert store.item_results(log_id) == items
    assert (store.log()[0].recalled, store.log()[0].total) == (1, 2)


def test_undo_restores_previous_state(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    s1 = sm2.review(sm2.new_state(), 5, DAY)
    seed(store, "x.a", "review", 5, sm2.new_state(), s1, NOW, DAY)
    s2 = sm2.review(s1, 3, DAY)
    seed(store, "x.a", "review", 3, s1, s2, NOW, DAY)
    assert answers.undo_last_local(store).grade == 3
    assert store.state("x.a") == s1
    assert answers.undo_last_local(store).grade == 5
    assert store.state("x.a").is_new
    assert answers.undo_last_local(store) is None


def test_new_cards_counted_per_day(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    for cid in ("a", "b"):
        seed(store, cid, "review", 4, sm2.new_state(), sm2.review(sm2.new_state(), 4, DAY), NOW, DAY)
    seed(store, "a", "drill", 4, sm2.new_state(), None, NOW, DAY)
    assert answers.new_introduced_on(store, DAY) == 2
    assert answers.new_introduced_on(store, date(2026, 11, 25)) == 0


def test_random_bytes_file_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    data = bytes(range(256)) * 40
    path.write_bytes(data)
    with pytest.raises(UserError, match="corrupt or not an SQLite database"):
        open_store(path)
    assert path.read_bytes() == data


def test_foreign_database_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UserError, match="not a sysplan-study database"):
        open_store(path)
    assert path.read_bytes() == before


def test_missing_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="directory does not exist"):
        open_store(tmp_path / "nope" / "s.db")


def test_directory_as_database_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is a directory"):
        open_store(tmp_path)
