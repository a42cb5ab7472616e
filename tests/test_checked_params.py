"""Stored FSRS parameters are checked by py-fsrs once, when written; reads trust that very text without importing
py-fsrs, and anything else stored there is checked again (and refused when py-fsrs refuses it)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from sysplan_study.memory import fsrs
from sysplan_study.store import schedules
from sysplan_study.store.connection import open_store

OWN = (0.3, *fsrs.DEFAULT_PARAMETERS[1:])
BAD = (500.0, *fsrs.DEFAULT_PARAMETERS[1:])  # py-fsrs refuses a first stability of 500 days


def _settings(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT key, value FROM setting"))
    finally:
        conn.close()


def _write(path: Path, parameters: tuple[float, ...]) -> None:
    store = open_store(path)
    schedules.change(store, {schedules.PARAMS_KEY: schedules.dump_parameters(parameters)})
    store.close()


def test_written_parameters_are_read_back_without_py_fsrs(tmp_path: Path) -> None:
    db = tmp_path / "sysplan.db"
    _write(db, OWN)
    stored = _settings(db)
    assert stored[schedules.CHECKED_KEY] == stored[schedules.PARAMS_KEY]
    code = ("import sys; from pathlib import Path; from sysplan_study.store.connection import open_store; "
            "from sysplan_study.store import schedules; "
            f"cfg = schedules.config(open_store(Path({str(db)!r}), write=False)); "
            "print(list(cfg.parameters), 'fsrs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("] ")
    assert json.loads(out[0] + "]") == list(OWN) and out[1].strip() == "False"


def test_parameters_changed_behind_the_check_are_checked_again(tmp_path: Path) -> None:
    db = tmp_path / "sysplan.db"
    _write(db, OWN)
    conn = sqlite3.connect(db)
    with conn:  # edited by hand: the copy of the checked text no longer matches
        conn.execute("UPDATE setting SET value = ? WHERE key = ?", (schedules.dump_parameters(BAD),
                                                                     schedules.PARAMS_KEY))
    conn.close()
    store = open_store(db, write=False)
    assert schedules.config(store).parameters == fsrs.DEFAULT_PARAMETERS  # refused by py-fsrs: the defaults
    store.close()


def test_refused_parameters_get_no_check_mark(tmp_path: Path) -> None:
    db = tmp_path / "sysplan.db"
    _write(db, BAD)
    assert schedules.CHECKED_KEY not in _settings(db)
    store = open_store(db, write=False)
    assert schedules.config(store).parameters == fsrs.DEFAULT_PARAMETERS
    store.close()


def test_the_migration_checks_parameters_stored_before_it(tmp_path: Path) -> None:
    for parameters, marked in ((OWN, True), (BAD, False)):
        db = tmp_path / f"{marked}.db"
        open_store(db).close()
        conn = sqlite3.connect(db)
        with conn:  # as a home from before m008 holds them
            conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_checked_fsrs_params'")
            conn.execute("DELETE FROM setting WHERE key = ?", (schedules.CHECKED_KEY,))
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)",
                         (schedules.PARAMS_KEY, schedules.dump_parameters(parameters)))
        conn.close()
        open_store(db).close()
        stored = _settings(db)
        assert (stored.get(schedules.CHECKED_KEY) == stored[schedules.PARAMS_KEY]) is marked
