"""Stats on a scripted history, the exam planner, and every export (CSV BOM, Markdown, .apkg, progress)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from helpers import seed

from sysplan_study.memory import sm2
from sysplan_study.decks.model import Library
from sysplan_study.reports.stats import streak
from sysplan_study.store.history import ItemResult
from sysplan_study.store.connection import open_store

TODAY = date(2026, 11, 24)


def script_history(home: Path, library: Library) -> list[str]:
    """Known history on the supervise deck: 4 review answers in the last 30 days, 3 passed; 1 old failure."""
    home.mkdir(parents=True, exist_ok=True)
    store = open_store(home / "sysplan.db")
    ids = [c.id for c in library.deck("supervise").cards]
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)

    def answer(cid: str, grade: int, day: date, mode: str = "review", items: list[ItemResult] | None = None) -> None:
        before = store.state(cid)
        after = sm2.review(before, grade, day) if mode == "review" else None
        seed(store, cid, mode, grade, before, after, at, day, items=items)

    answer(ids[0], 1, TODAY - timedelta(days=60))  # outside the 30-day retention window
    answer(ids[0], 5, TODAY - timedelta(days=2))  # due +1 → 11-23 (overdue today)
    answer(ids[1], 4, TODAY - timedelta(days=1))  # due 11-24
    answer(ids[1], 2, TODAY - timedelta(days=1), "drill")
    answer(ids[2], 5, TODAY)  # due 11-25
    answer(ids[2], 2, TODAY)  # failed after a pass: a lapse
    answer(ids[3], 0, TODAY, "quiz", [ItemResult(0, "甲", False), ItemResult(1, "乙", True)])
    answer(ids[3], 0, TODAY, "quiz", [ItemResult(0, "甲", False), ItemResult(1, "乙", False)])
    store.close()
    return ids


def test_stats_json_on_scripted_history(invoke: Any, isolated_home: Path, library: Library) -> None:
    ids = script_history(isolated_home, library)
    result = invoke("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    sup = next(c for c in data["chapters"] if c["id"] == "supervise")
    assert sup["cards"] == 5 and sup["new"] == 2 and sup["learning"] == 3
    assert sup["reviews"] == 4 + 1 and sup["lapses"] == 1
    assert sup["retention"] == 0.75  # last 30 days: 5, 4, 5 passed; 2 failed
    assert sup["due"] == 2  # ids[0] overdue, ids[1] due today; ids[2] failed today → due 11-25
    assert data["totals"]["cards"] == len(library.cards)
    assert data["streak_days"] == 3
    by_day = {d["day"]: d["count"] for d in data["reviews_by_day"]}
    assert len(data["reviews_by_day"]) == 90 and by_day["2026-11-23"] == 2 and by_day["2026-11-24"] == 4
    assert data["forecast"][0] == {"day": "2026-11-24", "due": 2} and data["forecast"][1]["due"] == 1
    assert len(data["forecast"]) == 14
    assert data["weakest"][0] == {"card_id": ids[3], "item": 1, "text": "甲", "missed": 2, "attempts": 2}
    assert "exam" not in data


def test_streak_rules() -> None:
    days = ["2026-11-23", "2026-11-22", "2026-11-20"]
    assert streak(days, TODAY) == 2  # today not studied yet: the streak is not broken
    assert streak(["2026-11-24", *days], TODAY) == 3
    assert streak(["2026-11-21"], TODAY) == 0


def test_stats_table_fits_80_columns_without_colour(invoke: Any, isolated_home: Path, library: Library) -> None:
    script_history(isolated_home, library)
    result = invoke("stats", env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for phrase in ("supervise", "合计", "连续学习 3 天", "未来 14 天到期", "最近 13 周", "甲"):
        assert phrase in result.stdout
    assert "\x1b[" not in result.stdout


def test_stats_csv_bom_and_markdown(invoke: Any, isolated_home: Path, library: Library, tmp_path: Path) -> None:
    script_history(isolated_home, library)
    out = tmp_path / "s.csv"
    assert invoke("stats", "--format", "csv", "--output", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,title,cards,new") and len(lines) == 1 + 7 + 1  # header, 7 decks, the totals row
    assert any(line.startswith("supervise,监督管理,5,2,3") for line in lines)
    assert lines[-1].startswith("total,合计,133,") and ",2.28," in lines[-1]  # EF with two decimals
    md = invoke("stats", "--format", "markdown", "--chapter", "supervise").stdout.splitlines()
    assert md[0].startswith("| id | title | cards") and md[1].startswith("|---|") and md[2].startswith("| supervise |")
    assert md[3].startswith("| total | 合计 | 5 |") and "| 2.28 |" in md[3]


def test_stats_output_errors(invoke: Any, tmp_path: Path) -> None:
    for target, phrase in ((tmp_path, "is a directory"), (tmp_path / "no" / "x.json", "directory does not exist")):
        result = invoke("stats", "--format", "json", "--output", str(target))
        assert result.exit_code == 1 and phrase in result.stderr and result.stderr.count("\n") == 1


def test_exam_planner(invoke: Any, library: Library) -> None:
    assert "还没有设置考试日期" in invoke("exam").stdout
    assert invoke("exam", "set", "2027-01-07").exit_code == 0
    data = json.loads(invoke("exam", "--format", "json").stdout)
    n = len(library.cards)
    # 44 days left, all cards unseen, seen 14 days before: 30 study days.
    assert data["days_left"] == 44 and data["unseen"] == n
    assert data["needed_new_per_day"] == -(-n // 30) and data["on_track"] is True
    assert "距考试（2027-01-07）还有 44 天" in invoke("review", "--limit", "1", input="5\n").stdout
    assert "exam" in json.loads(invoke("stats", "--format", "json").stdout)
    assert invoke("exam", "set", "2026-12-10", "--new-limit", "5").exit_code == 0
    assert json.loads(invoke("exam", "--format", "json").stdout)["on_track"] is False
    assert invoke("exam", "clear").exit_code == 0
    assert "还没有设置" in invoke("exam").stdout
    bad = invoke("exam", "set", "next-may")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.stderr


def test_cap_intervals_pulls_due_into_last_week(invoke: Any, isolated_home: Path, library: Library) -> None:
    card = library.deck("supervise").cards[0]
    isolated_home.mkdir(parents=True)
    store = open_store(isolated_home / "sysplan.db")
    at = datetime(2026, 10, 1, tzinfo=timezone.utc)
    seed(store, card.id, "review", 5, sm2.new_state(), sm2.State(3, 280, 40, TODAY), at, date(2026, 10, 15))
    store.close()
    assert invoke("exam", "set", "2026-12-20", "--cap-intervals").exit_code == 0
    result = invoke("review", "--chapter", "supervise", "--limit", "1", input="5\n")
    assert result.exit_code == 0
    assert "5→20天" in result.stdout and "5→112天" not in result.stdout  # the preview shows the capped interval
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    row = conn.execute("SELECT interval_after, due_after, capped_due FROM review_log ORDER BY id DESC LIMIT 1").fetchone()
    assert row == (112, "2027-03-16", "2026-12-14")  # SM-2 state kept; due pulled to the exam's last week
    assert conn.execute("SELECT interval, due FROM card_state WHERE card_id = ?", (card.id,)).fetchone() == (112, "2026-12-14")


def test_history_export_csv_and_json(invoke: Any, isolated_home: Path, library: Library, tmp_path: Path) -> None:
    script_history(isolated_home, library)
    csv_path, json_path = tmp_path / "h.csv", tmp_path / "h.json"
    result = invoke("export", "--history", str(csv_path))
    assert result.exit_code == 0 and "8 条" in result.stdout
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("card_id,deck,reviewed_at,study_day,grade,mode")
    assert invoke("export", "--history", str(json_path)).exit_code == 0
    rows = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(rows) == 8 and rows[0]["deck"] == "supervise" and rows[0]["ef_before"] is None
    assert rows[1]["interval_before"] == 1 and rows[1]["ef_before"] == 1.96 and rows[1]["ef_after"] == 2.06
    bad = invoke("export", "--history", str(tmp_path / "h.txt"))
    assert bad.exit_code == 1 and ".csv or .json" in bad.stderr
    assert invoke("export").exit_code == 1


def test_anki_package_is_valid(invoke: Any, library: Library, tmp_path: Path) -> None:
    import genanki

    apkg = tmp_path / "sysplan.apkg"
    result = invoke("export", "--anki", str(apkg))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist() and "media" in z.namelist()
        z.extract("collection.anki2", tmp_path)
    col = sqlite3.connect(tmp_path / "collection.anki2")
    n = len(library.cards)
    assert col.execute("SELECT count(*) FROM notes").fetchone()[0] == n
    assert col.execute("SELECT count(*) FROM cards").fetchone()[0] == n
    guids = {r[0] for r in col.execute("SELECT guid FROM notes")}
    assert guids == {genanki.guid_for("sysplan-study", c.id) for c in library.cards}
    decks = json.loads(col.execute("SELECT decks FROM col").fetchone()[0])
    names = {d["name"] for d in decks.values()}
    assert "系统规划与管理师::01 IT服务规划设计" in names and "系统规划与管理师::07 术语与缩写" in names
    flds = col.execute("SELECT flds FROM notes WHERE flds LIKE '%design.catalog.activities%'").fetchone()[0]
    assert "<ol><li>确定小组成员</li>" in flds
    # Same GUIDs on a second export, so re-importing updates instead of duplicating.
    again = tmp_path / "again.apkg"
    assert invoke("export", "--anki", str(again), "--chapter", "design").exit_code == 0
    with zipfile.ZipFile(again) as z:
        z.extract("collection.anki2", tmp_path / "b")
    col2 = sqlite3.connect(tmp_path / "b" / "collection.anki2")
    assert {r[0] for r in col2.execute("SELECT guid FROM notes")} <= guids
    assert col2.execute("SELECT count(*) FROM notes").fetchone()[0] == len(library.deck("design").cards)


def test_progress_round_trip(invoke: Any, isolated_home: Path, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script_history(isolated_home, library)
    exported = tmp_path / "p.json"
    assert invoke("export", "--progress", str(exported)).exit_code == 0
    before = json.loads(invoke("stats", "--format", "json").stdout)
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(fresh))
    result = invoke("import-progress", str(exported))
    assert result.exit_code == 0 and "新增 8 条" in result.stdout
    after = json.loads(invoke("stats", "--format", "json").stdout)
    assert after["chapters"] == before["chapters"] and after["weakest"] == before["weakest"]
    # Importing again adds nothing; nothing is lost or doubled.
    assert "更新 0 张卡片的日程，新增 0 条" in invoke("import-progress", str(exported)).stdout
    conn = sqlite3.connect(fresh / "sysplan.db")
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 8


def test_import_merge_replays_the_log(invoke: Any, isolated_home: Path, library: Library, tmp_path: Path) -> None:
    """A file's card states are checked but never copied, however new: states are replayed from the merged log."""
    cid = library.deck("supervise").cards[0].id
    doc = {"format": "sysplan-study-progress", "version": 1, "cards": [
        {"card_id": cid, "repetitions": 3, "ef100": 260, "interval": 16, "due": "2026-12-10", "updated_at": "2026-11-30T00:00:00+00:00"},
    ], "log": []}
    path = tmp_path / "p.json"
    assert invoke("review", "--chapter", "supervise", "--limit", "1", input="5\n").exit_code == 0
    from datetime import datetime, timezone

    doc["cards"][0]["updated_at"] = datetime.now(timezone.utc).isoformat()  # newer than the review just made
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "更新 0 张" in invoke("import-progress", str(path)).stdout  # no answer behind the file's state
    doc["cards"][0]["updated_at"] = "2020-01-01T00:00:00+00:00"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "更新 0 张" in invoke("import-progress", str(path)).stdout  # older: local state kept
    for bad, phrase in (("{}", "（顶层）: 缺少键 'format'：不是 sysplan 进度文件"), ('{"format": ', "不是有效的 JSON")):
        path.write_text(bad, encoding="utf-8")
        result = invoke("import-progress", str(path))
        assert result.exit_code == 1 and phrase in result.stderr


def test_ef_has_two_decimals_everywhere() -> None:
    from sysplan_study.reports import stats as figures

    assert figures.fmt(2.5, "avg_ef") == "2.50" and figures.fmt(None, "avg_ef") == "—"
    data = {"chapters": [{"id": "a", "title": "A", **{k: 0 for k in figures.KEYS}, "avg_ef": 2.5}],
            "totals": {**{k: 0 for k in figures.KEYS}, "avg_ef": 2.5}}
    _, rows = figures.table_rows(data)
    assert rows[0][figures.KEYS.index("avg_ef") + 2] == "2.50" and rows[-1][:2] == ["total", "合计"]


@pytest.mark.parametrize("columns", ["40", "80"])
def test_stats_screen_never_cuts_at_any_width(invoke: Any, isolated_home: Path, library: Library,
                                              columns: str) -> None:
    from rich.cells import cell_len

    script_history(isolated_home, library)
    out = invoke("stats", env={"COLUMNS": columns}).stdout
    assert "…" not in out and "..." not in out
    assert all(cell_len(line.rstrip()) <= int(columns) for line in out.splitlines())
    assert "133" in out and "2.28" in out  # the totals and an EF, whole
