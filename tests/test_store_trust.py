"""The store under stress: read-only files, newer databases, backups before migrations, failed migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.store import connection
from sysplan_study.store.migrations import MIGRATION_NAMES


def _one_line(result: Any, phrase: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and phrase in result.stderr, result.stderr
    assert "Traceback" not in result.output


def _settle(db: Path) -> bytes:
    """Checkpoint the WAL into the main file and return its bytes."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db.read_bytes()


def _make_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open every database file read-only from now on, as for a user without write access (root ignores modes)."""
    real = connection._connect

    def ro(target: str, uri: bool = False) -> sqlite3.Connection:
        if not uri and target != ":memory:":
            target, uri = f"{Path(target).resolve().as_uri()}?mode=ro", True
        return real(target, uri=uri)

    monkeypatch.setattr(connection, "_connect", ro)


def test_review_refuses_a_read_only_database_before_the_first_card(
    invoke: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("review", "--limit", "1", input="5\n").exit_code == 0
    before = _settle(isolated_home / "sysplan.db")
    _make_read_only(monkeypatch)
    result = invoke("review", input="5\n")
    _one_line(result, "只读")
    assert "【" not in result.stdout  # no card was shown, so no answer can be lost
    assert (isolated_home / "sysplan.db").read_bytes() == before


def test_reading_commands_work_on_a_read_only_database(
    invoke: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("review", "--chapter", "supervise", "--limit", "2", input="5\n4\n").exit_code == 0
    db = isolated_home / "sysplan.db"
    before = _settle(db)
    _make_read_only(monkeypatch)
    stats = invoke("stats", "--format", "json")
    assert stats.exit_code == 0, stats.output
    assert '"reviews": 2' in stats.stdout
    assert invoke("decks", "--format", "json").exit_code == 0
    assert invoke("exam").exit_code == 0
    out = isolated_home.parent / "h.csv"
    assert invoke("export", "--history", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8-sig").count("\n") == 3
    _one_line(invoke("undo"), "只读")
    assert db.read_bytes() == before


def test_newer_database_is_refused_untouched(invoke: Any, isolated_home: Path) -> None:
    assert invoke("review", "--limit", "1", input="5\n").exit_code == 0
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('sysplan_study', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = _settle(db)
    for args in (("decks",), ("review",), ("stats",)):
        _one_line(invoke(*args), "更新版本")
    assert db.read_bytes() == before


def _old_database(path: Path, stop_before: str) -> None:
    from sqlite_utils import Database

    from sysplan_study.store.migrations import _migrations

    db = Database(path)
    _migrations().apply(db, stop_before=stop_before)
    db.execute("INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at) "
               "VALUES ('supervise.x', 2, 260, 6, '2026-11-30', '2026-11-24T00:00:00')")
    db.conn.commit()
    db.close()


def test_migration_backs_up_first_and_keeps_three(invoke: Any, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    db = isolated_home / "sysplan.db"
    for n in range(4):
        for f in isolated_home.glob("sysplan.db*"):
            if ".bak-" not in f.name:
                f.unlink()
        _old_database(db, MIGRATION_NAMES[-1])
        original = _settle(db)
        result = invoke("decks", "--format", "json")
        assert result.exit_code == 0, result.output
        assert result.stderr.count("备份") == 1
    backups = connection.backups(db)
    assert len(backups) == 3
    copy = sqlite3.connect(backups[-1])
    assert copy.execute("SELECT card_id FROM card_state").fetchall() == [("supervise.x",)]
    names = [r[0] for r in copy.execute("SELECT name FROM _sqlite_migrations")]
    assert names == list(MIGRATION_NAMES[:-1])
    assert sqlite3.connect(db).execute("SELECT count(*) FROM card_state").fetchone()[0] == 1
    assert original  # the backup holds what the file held before the migration
    path_out = invoke("path").stdout
    assert backups[-1].name in path_out


def test_fresh_database_makes_no_backup(invoke: Any, isolated_home: Path) -> None:
    assert invoke("decks").exit_code == 0
    assert connection.backups(isolated_home / "sysplan.db") == []


def test_failed_migration_leaves_the_database_as_it_was(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.db"
    _old_database(db, "m003_log_origin")
    before = _settle(db)
    from sysplan_study.store import migrations

    real = migrations._migrations

    def failing() -> Any:
        m = real()

        @m()
        def m999_broken(db: Any) -> None:
            db.execute("CREATE TABLE half_done (x)")
            raise RuntimeError("disk on fire")

        return m

    monkeypatch.setattr(connection, "_migrations", failing)
    monkeypatch.setattr(connection, "MIGRATION_NAMES", (*MIGRATION_NAMES, "m999_broken"))
    with pytest.raises(RuntimeError):
        connection.open_store(db)
    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert names == ["m001_initial", "m002_recall_settings"]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables and "suspended" not in tables
    conn.close()
    assert _settle(db) == before


def test_synchronous_full(tmp_path: Path) -> None:
    store = connection.open_store(tmp_path / "s.db")
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
