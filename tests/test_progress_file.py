"""import-progress checks the whole file before writing anything; export streams; imported rows are never undone."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sysplan_study.store import progress_file, progress_stream

BASE = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=20)
TABLES = ("review_log", "card_state", "item_result", "setting")


def ts(minutes: int) -> str:
    """A timestamp some minutes after BASE (twenty days ago), as the app writes them."""
    return (BASE + timedelta(minutes=minutes)).isoformat()


def state(rep: int, ef: int, interval: int, due: str) -> dict[str, Any]:
    return {"repetitions": rep, "ef100": ef, "interval": interval, "due": due}


def valid_doc() -> dict[str, Any]:
    """Another machine's progress: design.purpose has 8 items, design.benefits 6; gone.deck.card is in no deck."""
    items = [{"item": i, "text": f"条目{i}", "recalled": i % 2 == 0} for i in range(8)]
    return {
        "format": "sysplan-study-progress", "version": 1, "exported_at": ts(100),
        "cards": [
            {"card_id": "design.purpose", **state(2, 250, 6, "2026-12-07"), "updated_at": ts(2)},
            {"card_id": "gone.deck.card", **state(1, 250, 1, "2026-11-02"), "updated_at": ts(4)},
        ],
        "log": [
            {"card_id": "design.purpose", "reviewed_at": ts(1), "study_day": "2026-11-01", "grade": 5,
             "mode": "review", "before": None, "after": state(1, 260, 1, "2026-11-02"), "duration_ms": 1200,
             "hints": 0, "recalled": None, "total": None, "capped_due": None, "items": []},
            {"card_id": "design.purpose", "reviewed_at": ts(2), "study_day": "2026-11-02", "grade": 3,
             "mode": "review", "before": state(1, 260, 1, "2026-11-02"), "after": state(2, 250, 6, "2026-12-07"),
             "duration_ms": 5000, "hints": 1, "recalled": 4, "total": 8, "capped_due": None, "items": items},
            {"card_id": "design.benefits", "reviewed_at": ts(3), "study_day": "2026-11-02", "grade": 2,
             "mode": "drill", "before": None, "after": None, "duration_ms": None, "hints": 0, "recalled": 1,
             "total": 1, "capped_due": None, "items": [{"item": 5, "text": "改进服务流程", "recalled": True}]},
            {"card_id": "gone.deck.card", "reviewed_at": ts(4), "study_day": "2026-11-02", "grade": 4,
             "mode": "quiz", "before": None, "after": None, "items": [{"item": 40, "text": "旧条目", "recalled": False}]},
            {"card_id": "design.benefits", "reviewed_at": ts(5), "study_day": "2026-11-03", "grade": 0,
             "mode": "reset", "before": state(1, 250, 1, "2026-11-03"), "after": None},
        ],
    }


def dump(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def db_snapshot(home: Path) -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    """The database file's bytes (hashed) and every row of the history tables."""
    db = home / "sysplan.db"
    conn = sqlite3.connect(db)
    try:
        rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()
    return hashlib.sha256(db.read_bytes()).hexdigest(), rows


@pytest.fixture
def local_home(invoke: Any, isolated_home: Path) -> Path:
    """A home with two local answers, checkpointed into the main file so its bytes are stable."""
    assert invoke("review", "--chapter", "supervise", "--limit", "2", input="5\n4\n").exit_code == 0
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return isolated_home


def assert_refused(result: Any, path: Path, where: str) -> str:
    """Exit 1, exactly one stderr line naming the file and the JSON path, no traceback, never blaming the DB."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and where in lines[0], lines[0]
    assert "Traceback" not in result.stderr and "database" not in lines[0].lower()
    return lines[0]


# ---------------------------------------------------------------------------------------------- valid files


def test_valid_file_merges_with_origin_import(invoke: Any, local_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(dump(valid_doc()))
    result = invoke("import-progress", str(path))
    assert result.exit_code == 0, result.stderr
    # States are replayed from the merged log: design.purpose's two reviews schedule it; gone.deck.card has only
    # a quiz answer, so the state the file gives it is not copied (the log is the truth).
    assert "更新 1 张卡片的日程，新增 5 条复习记录" in result.stdout
    conn = sqlite3.connect(local_home / "sysplan.db")
    origins = conn.execute("SELECT origin, count(*) FROM review_log GROUP BY origin ORDER BY origin").fetchall()
    assert origins == [("import", 5), ("local", 2)]
    assert conn.execute("SELECT count(*) FROM item_result").fetchone()[0] == 10
    assert conn.execute("SELECT due FROM card_state WHERE card_id = 'gone.deck.card'").fetchone() is None
    assert conn.execute("SELECT repetitions, ef100, interval, due FROM card_state WHERE card_id = 'design.purpose'"
                        ).fetchone() == (2, 246, 6, "2026-11-08")  # SM-2: 5 on 11-01, then 3 on 11-02
    # Re-importing adds nothing and updates nothing.
    assert "更新 0 张卡片的日程，新增 0 条复习记录" in invoke("import-progress", str(path)).stdout


def test_duplicate_rows_in_a_file_are_a_multiset(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    doc = valid_doc()
    doc["log"].append(copy.deepcopy(doc["log"][0]))  # two identical answers: both kept, once each
    path = tmp_path / "p.json"
    path.write_bytes(dump(doc))
    assert "新增 6 条" in invoke("import-progress", str(path)).stdout
    assert "新增 0 条" in invoke("import-progress", str(path)).stdout
    doc["log"].append(copy.deepcopy(doc["log"][0]))  # a third copy: only it is new
    path.write_bytes(dump(doc))
    assert "新增 1 条" in invoke("import-progress", str(path)).stdout


def test_round_trip_through_another_machine_does_not_double(invoke: Any, local_home: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    a_file, b_file = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke("export", "--progress", str(a_file)).exit_code == 0
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(tmp_path / "b"))
    assert "新增 2 条" in invoke("import-progress", str(a_file)).stdout
    assert invoke("export", "--progress", str(b_file)).exit_code == 0
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(local_home))
    result = invoke("import-progress", str(b_file))  # A's own rows come back from B: nothing is doubled
    assert result.exit_code == 0 and "更新 0 张卡片的日程，新增 0 条复习记录" in result.stdout
    exported = json.loads(b_file.read_text(encoding="utf-8"))
    assert "origin" not in exported["log"][0] and len(exported["log"]) == 2


def test_export_is_streamed_and_complete(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    path, again = tmp_path / "p.json", tmp_path / "again.json"
    path.write_bytes(dump(valid_doc()))
    assert invoke("import-progress", str(path)).exit_code == 0
    assert invoke("export", "--progress", str(again)).exit_code == 0
    out = json.loads(again.read_text(encoding="utf-8"))
    src = valid_doc()
    # A self-graded review from a file without `tested` tested every item of its card (design.purpose: 8).
    src["log"][0]["tested"] = 8
    assert out["log"] == [{**{"duration_ms": None, "hints": 0, "recalled": None, "total": None, "capped_due": None,
                              "items": []}, **row} for row in src["log"]]
    assert sorted(c["card_id"] for c in out["cards"]) == ["design.purpose"]  # the only card its log schedules
    assert out["scheduler"] == {"name": "sm2", "desired_retention": 0.9, "parameters": None}


def test_states_in_the_file_are_checked_but_the_log_decides(invoke: Any, isolated_home: Path,
                                                             tmp_path: Path) -> None:
    """A state without the answers behind it schedules nothing (it used to win when newer): the log is the truth."""
    doc = valid_doc()
    doc["log"] = []
    doc["cards"] = [{"card_id": "design.purpose", **state(3, 250, 16, "2026-12-20"), "updated_at": ts(10)}]
    path = tmp_path / "p.json"
    path.write_bytes(dump(doc))
    assert "更新 0 张" in invoke("import-progress", str(path)).stdout
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT count(*) FROM card_state").fetchone() == (0,)


def test_undo_after_import_undoes_the_local_answer(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    """Review here, import another machine's newer rows, undo: the local answer goes, the imported rows stay."""
    assert invoke("review", "--chapter", "supervise", "--limit", "1", input="5\n").exit_code == 0
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    (local_card,) = conn.execute("SELECT card_id FROM review_log").fetchone()
    conn.close()
    doc = valid_doc()
    for i, row in enumerate(doc["log"]):
        row["reviewed_at"] = (datetime.now(timezone.utc) + timedelta(minutes=i + 1)).isoformat()  # newer rows
    path = tmp_path / "p.json"
    path.write_bytes(dump(doc))
    assert invoke("import-progress", str(path)).exit_code == 0
    before = db_snapshot(isolated_home)[1]
    result = invoke("undo")
    assert result.exit_code == 0 and local_card in result.stdout, result.stdout
    after = db_snapshot(isolated_home)[1]
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT count(*) FROM review_log WHERE origin = 'local'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM review_log WHERE origin = 'import'").fetchone()[0] == 5
    assert conn.execute("SELECT 1 FROM card_state WHERE card_id = ?", (local_card,)).fetchone() is None  # new again
    assert [r for r in before["review_log"] if r[-1] == "import"] == [r for r in after["review_log"] if r[-1] == "import"]
    assert before["item_result"] == after["item_result"]
    assert [r for r in before["card_state"] if r[0] != local_card] == after["card_state"]
    assert "没有可撤销的回答" in invoke("undo").stdout  # imported rows are never "the last answer"


# ---------------------------------------------------------------------------------------------- tampered files


def at(path: str, value: Any) -> Callable[[dict[str, Any]], bytes]:
    """Set the value at a dotted/indexed path (log.1.after.due) and dump the document."""

    def mutate(doc: dict[str, Any]) -> bytes:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = doc
        for p in parents:
            node = node[p]
        node[last] = value
        return dump(doc)

    return mutate


def drop(path: str) -> Callable[[dict[str, Any]], bytes]:
    def mutate(doc: dict[str, Any]) -> bytes:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = doc
        for p in parents:
            node = node[p]
        del node[last]
        return dump(doc)

    return mutate


def raw(old: str, new: str, count: int = 1) -> Callable[[dict[str, Any]], bytes]:
    """Replace text of the dumped valid document (for what json.dumps cannot produce)."""

    def mutate(doc: dict[str, Any]) -> bytes:
        text = dump(doc).decode("utf-8")
        assert old in text, old
        return text.replace(old, new, count).encode("utf-8")

    return mutate


def deep(levels: int, open_: str = "[", close: str = "]") -> Callable[[dict[str, Any]], bytes]:
    return raw('"before": null', '"before": ' + open_ * levels + "1" + close * levels)


FUTURE = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()

TAMPERED: list[tuple[str, Callable[[dict[str, Any]], bytes], str]] = [
    ("grade-7", at("log.1.grade", 7), "log[1].grade"),
    ("grade-bool", at("log.1.grade", True), "log[1].grade"),
    ("grade-string", at("log.1.grade", "5"), "log[1].grade"),
    ("grade-float", at("log.1.grade", 4.0), "log[1].grade"),
    ("grade-1e30", at("log.1.grade", 1e30), "log[1].grade"),
    ("grade-huge-int", at("log.1.grade", 10**40), "log[1].grade"),
    ("grade-5000-digits", raw('"grade": 3', '"grade": ' + "9" * 5000), "log[1].grade"),
    ("grade-nan", at("log.1.grade", float("nan")), "log[1].grade"),
    ("interval-infinity", at("log.1.after.interval", float("inf")), "log[1].after.interval"),
    ("ef100-low", at("cards.0.ef100", 129), "cards[0].ef100"),
    ("ef100-high", at("log.1.before.ef100", 1001), "log[1].before.ef100"),
    ("interval-over-cap", at("cards.1.interval", 36501), "cards[1].interval"),
    ("interval-negative", at("log.0.after.interval", -1), "log[0].after.interval"),
    ("repetitions-negative", at("cards.0.repetitions", -1), "cards[0].repetitions"),
    ("repetitions-x", at("log.1.after.repetitions", "x"), "log[1].after.repetitions"),
    ("before-due-feb-30", at("log.1.before.due", "2026-02-30"), "log[1].before.due"),
    ("after-due-month-13", at("log.0.after.due", "2026-13-01"), "log[0].after.due"),
    ("due-basic-format", at("cards.0.due", "20261207"), "cards[0].due"),
    ("due-1969", at("cards.0.due", "1969-12-31"), "cards[0].due"),
    ("due-2201", at("log.0.after.due", "2201-01-01"), "log[0].after.due"),
    ("due-9999", at("log.0.after.due", "9999-12-31"), "log[0].after.due"),
    ("study-day-word", at("log.2.study_day", "tomorrow"), "log[2].study_day"),
    ("capped-due-bad", at("log.1.capped_due", "2026-11-31"), "log[1].capped_due"),
    ("reviewed-at-future", at("log.2.reviewed_at", FUTURE), "log[2].reviewed_at"),
    ("reviewed-at-no-zone", at("log.2.reviewed_at", "2026-11-01T08:00:00"), "log[2].reviewed_at"),
    ("reviewed-at-garbage", at("log.2.reviewed_at", "yesterday"), "log[2].reviewed_at"),
    ("updated-at-future", at("cards.1.updated_at", FUTURE), "cards[1].updated_at"),
    ("exported-at-number", at("exported_at", 5), "exported_at"),
    ("card-id-null", at("log.3.card_id", None), "log[3].card_id"),
    ("card-id-upper", at("cards.0.card_id", "Design.Purpose"), "cards[0].card_id"),
    ("card-id-empty-segment", at("log.0.card_id", "design..purpose"), "log[0].card_id"),
    ("card-id-number", at("log.0.card_id", 12), "log[0].card_id"),
    ("card-id-path", at("cards.1.card_id", "../../etc"), "cards[1].card_id"),
    ("mode-unknown", at("log.2.mode", "cram"), "log[2].mode"),
    ("review-without-after", at("log.0.after", None), "log[0].after"),
    ("reset-with-after", at("log.4.after", state(1, 250, 1, "2026-11-03")), "log[4].after"),
    ("item-past-card-count", at("log.2.items.0.item", 6), "log[2].items[0].item"),
    ("item-negative", at("log.3.items.0.item", -1), "log[3].items[0].item"),
    ("item-duplicate", at("log.1.items.1.item", 0), "log[1].items[1].item"),
    ("item-recalled-int", at("log.1.items.2.recalled", 1), "log[1].items[2].recalled"),
    ("item-text-control", at("log.1.items.3.text", "a\x00b"), "log[1].items[3].text"),
    ("item-text-huge", at("log.1.items.3.text", "长" * 10_001), "log[1].items[3].text"),
    ("items-object", at("log.2.items", {"item": 1}), "log[2].items"),
    ("recalled-over-total", at("log.1.recalled", 9), "log[1].recalled"),
    ("recalled-without-total", at("log.1.total", None), "log[1].recalled"),
    ("total-without-recalled", at("log.1.recalled", None), "log[1].recalled"),
    ("hints-negative", at("log.1.hints", -1), "log[1].hints"),
    ("duration-string", at("log.0.duration_ms", "1200"), "log[0].duration_ms"),
    ("missing-reviewed-at", drop("log.1.reviewed_at"), "log[1]"),
    ("missing-due", drop("cards.0.due"), "cards[0]"),
    ("missing-before", drop("log.0.before"), "log[0]"),
    ("unknown-key-row", at("log.0.origin", "local"), "log[0]"),
    ("unknown-key-state", at("log.1.after.note", "x"), "log[1].after"),
    ("unknown-key-top", at("logs", []), "（顶层）"),
    ("duplicate-key", raw('"grade": 3', '"grade": 3, "grade": 3'), "log[1].grade"),
    ("duplicate-top-key", raw('"version": 1', '"version": 1, "version": 1'), "version: 重复的键"),
    ("too-many-keys", at("log.0.after", {f"k{i}": 1 for i in range(40)}), "log[0].after.k32: 键超过 32 个"),
    ("too-many-items", at("log.3.items", [{"item": 1, "text": "x", "recalled": True}] * 1001),
     "log[3].items[1000]: 元素超过 1000 个"),
    ("duplicate-card", at("cards.1.card_id", "design.purpose"), "cards[1].card_id"),
    ("row-is-string", at("log.2", "x"), "log[2]"),
    ("cards-is-object", at("cards", {}), "cards"),
    ("top-is-list", lambda doc: dump([doc]), "（顶层）"),
    ("missing-log", drop("log"), "（顶层）"),
    ("missing-format", drop("format"), "（顶层）"),
    ("foreign-format", at("format", "anki"), "format"),
    ("version-2", at("version", 2), "version"),
    ("version-string", at("version", "1"), "version"),
    ("deep-arrays-2000", deep(2000), "log[0].before[0][0]: 嵌套过深"),
    ("deep-objects-2000", deep(2000, '{"a": ', "}"), "log[0].before.a.a: 嵌套过深"),
    ("deep-top-2000", lambda doc: b"[" * 2000 + b"]" * 2000, "（顶层）"),
    ("truncated", lambda doc: dump(doc)[: len(dump(doc)) * 2 // 3], "log["),
    ("trailing-garbage", lambda doc: dump(doc) + b"x", "（顶层）"),
    ("empty", lambda doc: b"", "（顶层）"),
    ("invalid-utf8", lambda doc: dump(doc).replace('"条目3"'.encode(), b'"\xff"'), "log[1].items[3].text"),
    ("nul-byte-outside-string", raw('"grade": 3', '"grade":\x00 3'), "log[1].grade"),
]


@pytest.mark.parametrize("case,mutate,where", TAMPERED, ids=[c[0] for c in TAMPERED])
def test_tampered_file_is_refused_untouched(case: str, mutate: Callable[[dict[str, Any]], bytes], where: str,
                                            invoke: Any, local_home: Path, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.json"
    path.write_bytes(mutate(valid_doc()))
    before = db_snapshot(local_home)
    assert_refused(invoke("import-progress", str(path)), path, where)
    assert db_snapshot(local_home) == before


def test_file_above_the_size_limit_is_refused_unread(invoke: Any, local_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(progress_stream.MAX_FILE_BYTES + 1)  # sparse: no disk used
    before = db_snapshot(local_home)
    line = assert_refused(invoke("import-progress", str(path)), path, "")
    assert "2 GiB" in line and db_snapshot(local_home) == before


def test_file_growing_past_the_limit_while_read_is_refused(invoke: Any, local_home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(dump(valid_doc()))
    monkeypatch.setattr(progress_stream, "MAX_FILE_BYTES", 1000)  # the reader's own count, past the up-front stat
    before = db_snapshot(local_home)
    assert "GiB" in assert_refused(invoke("import-progress", str(path)), path, "")
    assert db_snapshot(local_home) == before


def test_over_long_token_is_refused_without_buffering_it(invoke: Any, local_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(raw('"条目3"', '"' + "x" * (progress_stream.MAX_GAP + 10) + '"')(valid_doc()))
    assert "过长" in assert_refused(invoke("import-progress", str(path)), path, "log[")


@pytest.mark.parametrize("kind,message", [("missing", "文件不存在"), ("directory", "是目录"), ("fifo", "不是普通文件")])
def test_not_a_readable_regular_file(kind: str, message: str, local_home: Path, tmp_path: Path) -> None:
    """Run as a process with a timeout: opening a FIFO must neither wait for a writer nor read it."""
    path = tmp_path / "p.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    before = db_snapshot(local_home)
    env = {**os.environ, "SYSPLAN_STUDY_HOME": str(local_home)}
    proc = subprocess.run([sys.executable, "-m", "sysplan_study", "import-progress", str(path)], env=env,
                          capture_output=True, text=True, timeout=60)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and str(path) in lines[0] and message in lines[0], proc.stderr
    assert db_snapshot(local_home) == before


def test_a_file_changed_between_the_passes_is_rolled_back(invoke: Any, local_home: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge pass checks again: rows written before a bad one are rolled back with it."""
    path = tmp_path / "p.json"
    path.write_bytes(at("log.4.grade", 9)(valid_doc()))
    monkeypatch.setattr(progress_file, "_validate", lambda *a: None)  # as if the file changed after pass one
    before = db_snapshot(local_home)
    assert_refused(invoke("import-progress", str(path)), path, "log[4].grade")
    assert db_snapshot(local_home) == before


def test_bom_is_accepted(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b"\xef\xbb\xbf" + dump(valid_doc()))
    assert invoke("import-progress", str(path)).exit_code == 0


# ---------------------------------------------------------------------------------------------- any bytes


def _later_commands_work(invoke: Any, env: dict[str, str], tmp_path: Path) -> None:
    """An accepted file must not break what comes after it."""
    out = tmp_path / "after.json"
    for args in (["export", "--progress", str(out)], ["stats", "--format", "json"], ["undo"],
                 ["import-progress", str(out)]):
        result = invoke(*args, env=env)
        assert result.exit_code == 0, (args, result.stderr, result.exception)


def _check_any(invoke: Any, tmp_path: Path, data: bytes, n: int) -> None:
    home = tmp_path / f"h{n}"
    env = {"SYSPLAN_STUDY_HOME": str(home)}
    path = tmp_path / f"f{n}.json"
    path.write_bytes(data)
    assert invoke("review", "--chapter", "supervise", "--limit", "1", input="5\n", env=env).exit_code == 0
    conn = sqlite3.connect(home / "sysplan.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db_snapshot(home)
    result = invoke("import-progress", str(path), env=env)
    if result.exit_code == 0:
        _later_commands_work(invoke, env, tmp_path / f"h{n}")
        return
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "database" not in lines[0].lower(), result.stderr
    assert db_snapshot(home) == before


_counter = iter(range(10**9))
VALID_BYTES = dump(valid_doc())
mutation = st.tuples(st.sampled_from(["replace", "insert", "delete"]), st.integers(0, len(VALID_BYTES) - 1),
                     st.binary(min_size=1, max_size=4))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_bytes_never_crash_or_half_import(invoke: Any, tmp_path: Path, edits: list[Any]) -> None:
    data = bytearray(VALID_BYTES)
    for op, pos, blob in edits:
        pos = min(pos, len(data))
        if op == "replace":
            data[pos:pos + len(blob)] = blob
        elif op == "insert":
            data[pos:pos] = blob
        else:
            del data[pos:pos + len(blob)]
    _check_any(invoke, tmp_path, bytes(data), next(_counter))


# Mostly plausible values (so that many files are accepted and then must not break later commands), some wild.
plausible = (st.integers(-1, 7) | st.integers(125, 1005) | st.integers(36_495, 36_505) | st.sampled_from(
    ["1970-01-01", "2200-12-31", "2026-02-28", "2026-02-30", "1969-12-31", "2201-01-01", ts(9), ts(-10**6), FUTURE,
     "design.purpose", "design.benefits", "gone.deck.card", "review", "drill", "quiz", "reset", "[/]", "=1+1"]))
wild = st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats() | st.text(max_size=20)
containers = st.recursive(wild, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                            max_size=3), max_leaves=8)
json_values = st.integers(0, 9).flatmap(lambda k: plausible if k < 6 else wild if k < 8 else containers)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        out += _paths(child, (*prefix, key))
    return out


ALL_PATHS = _paths(valid_doc())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(ALL_PATHS), json_values)
def test_any_value_anywhere_is_checked(invoke: Any, tmp_path: Path, where: tuple[Any, ...], value: Any) -> None:
    doc = valid_doc()
    node: Any = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    _check_any(invoke, tmp_path, json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"), next(_counter))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(invoke: Any, tmp_path: Path, data: bytes) -> None:
    _check_any(invoke, tmp_path, data, next(_counter))
