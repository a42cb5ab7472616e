"""The fitter's view of the log: its size from the per-day totals equals a count of the rows, after answers,
undo and import alike."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sysplan_study.store import fit_history
from sysplan_study.store.connection import open_store


def counted(home: Path) -> int:
    conn = sqlite3.connect(home / "sysplan.db")
    try:
        return conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
    finally:
        conn.close()


def size(home: Path) -> int:
    store = open_store(home / "sysplan.db")
    try:
        return fit_history.log_size(store)
    finally:
        store.close()


def test_log_size_follows_answers_undo_and_import(invoke: Any, isolated_home: Path, tmp_path: Path,
                                                  monkeypatch: Any) -> None:
    for day in ("2026-11-01", "2026-11-03"):
        assert invoke("review", "--chapter", "operate", "--limit", "4", input="4\n2\n4\n5\n4\n",
                      env={"SYSPLAN_TODAY": day}).exit_code == 0
    assert size(isolated_home) == counted(isolated_home) > 0
    assert invoke("undo").exit_code == 0
    assert size(isolated_home) == counted(isolated_home)
    path = tmp_path / "p.json"
    assert invoke("export", "--progress", str(path)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(elsewhere))
    assert invoke("import-progress", str(path)).exit_code == 0
    assert size(elsewhere) == counted(elsewhere) == counted(isolated_home)
