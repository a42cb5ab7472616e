"""Managing cards as Anki users expect: suspend/unsuspend, reset (logged, undoable), leeches, config."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from helpers import seed

from sysplan_study.decks.model import Library
from sysplan_study.memory import sm2
from sysplan_study.store.connection import open_store

CH = "supervise"


def _deck(invoke: Any, deck: str = CH) -> dict[str, Any]:
    result = invoke("decks", "--format", "json")
    assert result.exit_code == 0, result.output
    return next(r for r in json.loads(result.stdout) if r["id"] == deck)


def test_suspended_cards_are_never_scheduled_nor_due(invoke: Any, isolated_home: Path, library: Library) -> None:
    ids = library.deck(CH).card_ids
    assert invoke("review", "--chapter", CH, "--limit", "2", input="5\n5\n").exit_code == 0
    result = invoke("suspend", ids[0], ids[2])
    assert result.exit_code == 0 and "已暂停 2 张" in result.stdout
    row = _deck(invoke, CH)
    assert row["suspended"] == 2
    assert _deck(invoke, CH)["new"] == len(ids) - 3  # ids[1] reviewed, ids[0] reviewed+suspended, ids[2] suspended
    tomorrow = invoke("decks", "--format", "json", env={"SYSPLAN_TODAY": "2026-11-25"})
    assert next(r for r in json.loads(tomorrow.stdout) if r["id"] == CH)["due"] == 1  # ids[0] is not due
    review = invoke("review", "--chapter", CH, input="5\n" * 40, env={"SYSPLAN_TODAY": "2026-11-25"})
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    shown = {r[0] for r in conn.execute("SELECT card_id FROM review_log WHERE study_day = '2026-11-25'")}
    assert review.exit_code == 0 and ids[0] not in shown and ids[2] not in shown and ids[1] in shown
    stats = json.loads(invoke("stats", "--format", "json", env={"SYSPLAN_TODAY": "2026-11-25"}).stdout)
    chapter = next(c for c in stats["chapters"] if c["id"] == CH)
    assert chapter["suspended"] == 2 and stats["totals"]["suspended"] == 2
    assert invoke("unsuspend", ids[0], ids[2]).exit_code == 0
    assert _deck(invoke, CH)["suspended"] == 0


def test_suspend_a_section_prefix_and_unknown_ids(invoke: Any, library: Library) -> None:
    section = "design.catalog"
    n = sum(1 for c in library.card_ids if c.startswith(section + "."))
    result = invoke("suspend", section)
    assert result.exit_code == 0 and f"已暂停 {n} 张" in result.stdout
    bad = invoke("suspend", "design.nope")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1 and "design.nope" in bad.stderr


def test_reset_is_logged_counted_as_nothing_and_undoable(invoke: Any, isolated_home: Path,
                                                         library: Library) -> None:
    cid = library.deck(CH).card_ids[0]
    assert invoke("review", "--chapter", CH, "--limit", "1", input="5\n").exit_code == 0
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    state = conn.execute("SELECT repetitions, interval, due FROM card_state").fetchone()
    result = invoke("reset", cid)
    assert result.exit_code == 0 and "已重置 1 张" in result.stdout
    assert conn.execute("SELECT count(*) FROM card_state").fetchone()[0] == 0
    rows = conn.execute("SELECT mode, rep_before, due_after FROM review_log ORDER BY id").fetchall()
    assert rows == [("review", None, "2026-11-25"), ("reset", 1, None)]  # the log keeps the review
    stats = json.loads(invoke("stats", "--format", "json").stdout)
    assert stats["totals"]["reviews"] == 1  # the reset is not a review
    assert _deck(invoke)["new"] == len(library.deck(CH).card_ids)  # a new card again
    assert invoke("reset", cid).stdout.startswith("已重置 0 张")  # nothing to reset twice
    undo = invoke("undo")
    assert undo.exit_code == 0 and "reset" in undo.stdout
    assert conn.execute("SELECT repetitions, interval, due FROM card_state").fetchone() == state


def test_leech_marked_in_review_and_listed_in_stats(invoke: Any, isolated_home: Path, library: Library) -> None:
    cid = library.deck(CH).card_ids[0]
    isolated_home.mkdir(parents=True)
    store = open_store(isolated_home / "sysplan.db")
    at = datetime(2026, 10, 1, tzinfo=timezone.utc)
    state = sm2.new_state()
    day = date(2026, 10, 1)
    for grade in (5, 1, 5, 1, 5, 1):  # passed, then failed three times
        after = sm2.review(state, grade, day)
        seed(store, cid, "review", grade, state, after, at, day)
        state, day = after, after.due
    seed(store, cid, "quiz", 2, state, None, at, day,
         items=[__import__("sysplan_study.store.history", fromlist=["ItemResult"]).ItemResult(0, "甲", False)])
    store.conn.execute("UPDATE card_state SET due = '2026-11-24'")
    store.close()
    assert invoke("config", "leech-threshold", "3").exit_code == 0
    stats = json.loads(invoke("stats", "--format", "json").stdout)
    assert [(x["card_id"], x["lapses"]) for x in stats["leeches"]] == [(cid, 3)]
    assert stats["leeches"][0]["missed_items"] == [{"item": 1, "text": "甲", "missed": 1}]
    review = invoke("review", "--chapter", CH, "--limit", "1", input="5\n")
    assert review.exit_code == 0 and "难点" in review.stdout and "--typed" in review.stdout
    assert invoke("config", "leech-threshold", "4").exit_code == 0
    assert json.loads(invoke("stats", "--format", "json").stdout)["leeches"] == []


def test_config_lists_sets_and_resets(invoke: Any, isolated_home: Path) -> None:
    listing = invoke("config")
    assert listing.exit_code == 0
    for key in ("new-limit", "rollover-hour", "leech-threshold", "exam-lead-days", "cap-intervals"):
        assert key in listing.stdout
    assert invoke("config", "new-limit", "3").exit_code == 0
    assert "new-limit = 3" in invoke("config", "new-limit").stdout
    review = invoke("review", "--chapter", CH, input="5\n" * 10)
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert review.exit_code == 0 and conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 3
    bad = invoke("config", "new-limit", "10000")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1 and "new-limit" in bad.stderr
    unknown = invoke("config", "nope")
    assert unknown.exit_code == 1 and "new-limit" in unknown.stderr
    assert "恢复默认值 20" in invoke("config", "new-limit", "--unset").stdout
    rows = json.loads(invoke("config", "--format", "json").stdout)
    assert {r["key"]: r["value"] for r in rows}["new-limit"] == 20


def test_env_wins_for_the_run(invoke: Any) -> None:
    assert invoke("config", "rollover-hour", "6").exit_code == 0
    shown = invoke("config", env={"SYSPLAN_ROLLOVER_HOUR": "2"}).stdout
    line = next(x for x in shown.splitlines() if x.startswith("rollover-hour"))
    assert " 2 " in line and "SYSPLAN_ROLLOVER_HOUR" in line
    assert "本次运行仍以环境变量" in invoke("config", "rollover-hour", "5", env={"SYSPLAN_ROLLOVER_HOUR": "2"}).stdout


def test_exam_set_new_limit_is_the_config_value_and_survives_exam_clear(invoke: Any) -> None:
    assert invoke("exam", "set", "2027-05-22", "--new-limit", "7").exit_code == 0
    assert "new-limit = 7" in invoke("config", "new-limit").stdout
    assert invoke("exam", "clear").exit_code == 0
    assert "new-limit = 7" in invoke("config", "new-limit").stdout  # a setting, shown and kept


def test_progress_files_carry_resets_and_suspensions(invoke: Any, isolated_home: Path, library: Library,
                                                     tmp_path: Path) -> None:
    ids = library.deck(CH).card_ids
    assert invoke("review", "--chapter", CH, "--limit", "2", input="5\n5\n").exit_code == 0
    assert invoke("reset", ids[0]).exit_code == 0
    assert invoke("suspend", ids[3]).exit_code == 0
    exported = tmp_path / "p.json"
    assert invoke("export", "--progress", str(exported)).exit_code == 0
    doc = json.loads(exported.read_text(encoding="utf-8"))
    assert [s["card_id"] for s in doc["suspended"]] == [ids[3]]
    other = tmp_path / "other"
    result = invoke("import-progress", str(exported), env={"SYSPLAN_STUDY_HOME": str(other)})
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(other / "sysplan.db")
    assert conn.execute("SELECT card_id FROM suspended").fetchall() == [(ids[3],)]
    assert [r[0] for r in conn.execute("SELECT mode FROM review_log ORDER BY id")] == ["review", "review", "reset"]
    assert conn.execute("SELECT card_id FROM card_state").fetchall() == [(ids[1],)]  # ids[0] is new again
    doc["suspended"] = [{"card_id": "Bad Id", "since": "2026-11-24T00:00:00+00:00"}]
    exported.write_text(json.dumps(doc), encoding="utf-8")
    bad = invoke("import-progress", str(exported), env={"SYSPLAN_STUDY_HOME": str(other)})
    assert bad.exit_code == 1 and "suspended[0].card_id" in bad.stderr and bad.stderr.count("\n") == 1
