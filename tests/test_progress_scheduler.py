"""Progress files carry the scheduler settings; import adopts them and replays the merged log, so a history
imported here schedules exactly as on the machine that exported it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.test_progress_file import assert_refused, at, db_snapshot, dump, local_home, raw, valid_doc  # noqa: F401

STATE_COLS = "card_id, repetitions, ef100, interval, due, updated_at, stability, difficulty, last_day"


def states(home: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(home / "sysplan.db")
    try:
        return conn.execute(f"SELECT {STATE_COLS} FROM card_state ORDER BY card_id").fetchall()
    finally:
        conn.close()


def settings(home: Path) -> dict[str, str]:
    conn = sqlite3.connect(home / "sysplan.db")
    try:
        return dict(conn.execute("SELECT key, value FROM setting"))
    finally:
        conn.close()


def with_scheduler(**scheduler: Any) -> dict[str, Any]:
    doc = valid_doc()
    doc["scheduler"] = {"name": "fsrs", "desired_retention": 0.9, "parameters": None, **scheduler}
    return doc


def test_another_machines_fsrs_history_schedules_the_same_here(invoke: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(a))
    assert invoke("config", "scheduler", "fsrs").exit_code == 0
    assert invoke("config", "desired-retention", "0.85").exit_code == 0
    for day, grades in (("2026-11-20", "5\n2\n4\n4\n3\n4\n"), ("2026-11-22", "4\n1\n4\n4\n5\n")):
        result = invoke("review", "--chapter", "operate", "--limit", "5", input=grades, env={"SYSPLAN_TODAY": day})
        assert result.exit_code == 0
    path = tmp_path / "a.json"
    assert invoke("export", "--progress", str(path)).exit_code == 0
    head = json.loads(path.read_text(encoding="utf-8"))["scheduler"]
    assert head == {"name": "fsrs", "desired_retention": 0.85, "parameters": None}
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(b))
    result = invoke("import-progress", str(path))
    assert result.exit_code == 0, result.output
    assert states(b) == states(a) and len(states(a)) >= 5
    assert settings(b)["scheduler"] == "fsrs" and settings(b)["desired_retention"] == "0.85"


def test_importing_other_settings_replays_every_card(invoke: Any, local_home: Path, tmp_path: Path) -> None:
    """Local SM-2 states become FSRS states when the file says FSRS: card_state is never of two schedulers."""
    before = states(local_home)
    assert all(r[6] is None for r in before)
    path = tmp_path / "p.json"
    path.write_bytes(dump(with_scheduler()))
    result = invoke("import-progress", str(path))
    assert result.exit_code == 0, result.output
    after = states(local_home)
    assert all(r[6] is not None for r in after) and {r[0] for r in before} < {r[0] for r in after}
    # Switching back here gives the SM-2 states of the merged log, local cards exactly as they were.
    assert invoke("config", "scheduler", "sm2").exit_code == 0
    assert [r for r in states(local_home) if r[0] in {b[0] for b in before}] == before


def test_a_file_without_settings_leaves_them(invoke: Any, local_home: Path, tmp_path: Path) -> None:
    assert invoke("config", "scheduler", "fsrs").exit_code == 0
    path = tmp_path / "p.json"
    path.write_bytes(dump(valid_doc()))  # written before files carried settings
    assert invoke("import-progress", str(path)).exit_code == 0
    assert settings(local_home)["scheduler"] == "fsrs"
    assert all(r[6] is not None for r in states(local_home))


def test_fitted_parameters_travel_with_the_file(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    from sysplan_study.memory import fsrs

    params = [round(p * 1.1, 4) if i in (0, 1, 2, 3) else p for i, p in enumerate(fsrs.DEFAULT_PARAMETERS)]
    path = tmp_path / "p.json"
    path.write_bytes(dump(with_scheduler(parameters=params)))
    assert invoke("import-progress", str(path)).exit_code == 0
    assert json.loads(settings(isolated_home)["fsrs_params"]) == params
    again = tmp_path / "again.json"
    assert invoke("export", "--progress", str(again)).exit_code == 0
    assert json.loads(again.read_text(encoding="utf-8"))["scheduler"]["parameters"] == params


BAD: list[tuple[str, Callable[[dict[str, Any]], bytes], str]] = [
    ("name-anki", at("scheduler.name", "anki"), "scheduler.name"),
    ("name-null", at("scheduler.name", None), "scheduler.name"),
    ("retention-high", at("scheduler.desired_retention", 1.5), "scheduler.desired_retention"),
    ("retention-string", at("scheduler.desired_retention", "0.9"), "scheduler.desired_retention"),
    ("retention-bool", at("scheduler.desired_retention", True), "scheduler.desired_retention"),
    ("params-short", at("scheduler.parameters", [0.2] * 5), "scheduler.parameters"),
    ("params-out-of-bounds", at("scheduler.parameters", [500.0] * 21), "scheduler.parameters"),
    ("params-string", at("scheduler.parameters", ["0.2"] * 21), "scheduler.parameters[0]"),
    ("params-object", at("scheduler.parameters", {"w": 1}), "scheduler.parameters"),
    ("scheduler-extra-key", at("scheduler.fuzz", True), "scheduler"),
    ("scheduler-missing-key", lambda doc: dump({**doc, "scheduler": {"name": "sm2"}}), "scheduler"),
    ("scheduler-not-object", at("scheduler", "fsrs"), "scheduler"),
    ("retention-nan", raw('"desired_retention": 0.9', '"desired_retention": NaN'), "scheduler"),
]


@pytest.mark.parametrize("case,mutate,where", BAD, ids=[c[0] for c in BAD])
def test_bad_scheduler_settings_refuse_the_file_untouched(case: str, mutate: Callable[[dict[str, Any]], bytes],
                                                          where: str, invoke: Any, local_home: Path,
                                                          tmp_path: Path) -> None:
    path = tmp_path / f"{case}.json"
    doc = with_scheduler()
    path.write_bytes(mutate(doc))
    before = db_snapshot(local_home)
    assert_refused(invoke("import-progress", str(path)), path, where)
    assert db_snapshot(local_home) == before
