"""The content commands through CliRunner: output, JSON shapes, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

USER_DECK = """\
deck: mine
title: 我的卡片
cards:
  - id: pdca
    prompt: PDCA 指什么？
    items: [Plan 计划, Do 实施, Check 检查, Act 改进]
"""


def one_line_error(result: Any, phrase: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and phrase in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_decks_table_and_json(invoke: Any) -> None:
    table = invoke("decks")
    assert table.exit_code == 0
    for word in ("design", "IT服务规划设计", "terms", "术语与缩写"):
        assert word in table.stdout
    rows = json.loads(invoke("decks", "--format", "json").stdout)
    assert len(rows) == 7
    assert {"id", "title", "cards", "new", "due"} <= set(rows[0])
    assert all(r["new"] == r["cards"] and r["due"] == 0 for r in rows)


def test_user_decks_loaded_from_home_and_content_dir(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    (isolated_home / "decks").mkdir(parents=True)
    (isolated_home / "decks" / "mine.yaml").write_text(USER_DECK, encoding="utf-8")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "more.yaml").write_text(USER_DECK.replace("deck: mine", "deck: more"), encoding="utf-8")
    rows = json.loads(invoke("--content-dir", str(extra), "decks", "--format", "json").stdout)
    assert [r["id"] for r in rows][-2:] == ["mine", "more"]
    assert invoke("show", "mine.pdca").exit_code == 0


def test_bad_user_deck_is_one_line_warning(invoke: Any, isolated_home: Path) -> None:
    (isolated_home / "decks").mkdir(parents=True)
    (isolated_home / "decks" / "bad.yaml").write_text("deck: bad\ntitle: [x\n", encoding="utf-8")
    result = invoke("decks")  # the broken user deck is skipped with one warning; the others stay usable
    assert result.exit_code == 0 and "design" in result.stdout
    assert result.stderr.count("\n") == 1 and "bad.yaml:3:" in result.stderr and "已跳过该卡组" in result.stderr
    check = invoke("check")
    assert check.exit_code == 1 and "bad.yaml:3: YAML error" in check.stdout


def test_cards_json(invoke: Any) -> None:
    cards = json.loads(invoke("cards", "--chapter", "design", "--format", "json").stdout)
    assert all(c["chapter"] == "design" and c["deck"] == "design" for c in cards)
    card = next(c for c in cards if c["id"] == "design.catalog.activities")
    assert card["section"] == "design.catalog" and card["field"] == "activities"
    assert card["answer"][0] == "确定小组成员" and "（共6项）" in card["prompt"]
    nested = [i for c in cards for i in c["answer"] if isinstance(i, dict) and "children" in i]
    assert nested and all(isinstance(i["text"], str) for i in nested)
    assert len(json.loads(invoke("cards", "--format", "json").stdout)) > len(cards)


def test_cards_unknown_chapter(invoke: Any) -> None:
    one_line_error(invoke("cards", "--chapter", "nope"), "valid ids: design, deploy")


def test_show_text_and_json(invoke: Any) -> None:
    result = invoke("show", "design.catalog.activities")
    assert result.exit_code == 0
    assert "(1)" in result.stdout and "确定小组成员" in result.stdout and "(6)" in result.stdout
    data = json.loads(invoke("show", "design.catalog.activities", "--format", "json").stdout)
    assert data["id"] == "design.catalog.activities" and len(data["answer"]) == 6


def test_show_unknown_card(invoke: Any) -> None:
    one_line_error(invoke("show", "design.nope"), "unknown card id 'design.nope'")


def test_search(invoke: Any) -> None:
    result = invoke("search", "列举服务清单")
    assert result.exit_code == 0 and "design.catalog.activities" in result.stdout
    wide = json.loads(invoke("search", "ＳＬＡ", "--format", "json").stdout)
    narrow = json.loads(invoke("search", "sla", "--format", "json").stdout)
    assert wide == narrow and wide
    assert "没有找到" in invoke("search", "绝对不存在的词").stdout


def test_check_default_and_paths(invoke: Any, tmp_path: Path) -> None:
    ok = invoke("check")
    assert ok.exit_code == 0 and "OK: 7 decks" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(USER_DECK.replace("    prompt: PDCA 指什么？\n", ""), encoding="utf-8")
    result = invoke("check", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:4: card is missing required key 'prompt'" in result.stdout
    assert "1 problem" in result.stderr
    one_line_error(invoke("check", str(tmp_path / "missing.yaml")), "no such file")


def test_path(invoke: Any, isolated_home: Path) -> None:
    result = invoke("path")
    assert result.exit_code == 0
    assert str(isolated_home / "sysplan.db") in result.stdout and str(isolated_home / "decks") in result.stdout


def test_db_option(invoke: Any, tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    assert invoke("--db", str(db), "review", "--limit", "1", input="5\n").exit_code == 0
    assert db.exists()
    one_line_error(invoke("--db", str(tmp_path / "no" / "x.db"), "decks"), "directory does not exist")


def test_corrupt_database_is_one_line_error(invoke: Any, tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    db.write_bytes(b"this is not sqlite" * 100)
    one_line_error(invoke("--db", str(db), "review"), "corrupt or not an SQLite database")
    assert db.read_bytes() == b"this is not sqlite" * 100


def test_bad_today_env(invoke: Any) -> None:
    one_line_error(invoke("review", env={"SYSPLAN_TODAY": "tomorrow"}), "SYSPLAN_TODAY")


def test_module_entry_point() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "sysplan_study", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "review" in out.stdout
