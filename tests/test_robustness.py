"""Robustness: concurrent sessions, damaged or foreign files, hostile deck files and prompt input, start-up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sysplan_study.decks.library import check_files


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "SYSPLAN_STUDY_HOME": str(home), "SYSPLAN_TODAY": "2026-11-24"}


def test_two_concurrent_reviews_lose_nothing(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    grades = "5\n" * 25
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sysplan_study", "review", "--chapter", ch, "--new-limit", "100", "--limit", "25"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(isolated_home),
        )
        for ch in ("design", "terms")
    ]
    results = [p.communicate(grades, timeout=120) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    rows = conn.execute("SELECT card_id, mode FROM review_log").fetchall()
    assert len(rows) == 50  # 25 answers each: none lost
    assert {c.split(".")[0] for c, _ in rows} == {"design", "terms"}
    reviewed = {c for c, m in rows if m == "review"}
    assert conn.execute("SELECT count(*) FROM card_state").fetchone()[0] == len(reviewed)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _one_line(result: Any, phrase: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and phrase in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_truncated_database(invoke: Any, isolated_home: Path) -> None:
    assert invoke("review", "--limit", "3", input="5\n5\n5\n").exit_code == 0
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    for name in ("sysplan.db-wal", "sysplan.db-shm"):
        (isolated_home / name).unlink(missing_ok=True)
    cut = db.read_bytes()
    result = invoke("stats", "--format", "json")
    _one_line(result, "corrupt")
    assert db.read_bytes() == cut


def test_random_bytes_database(invoke: Any, tmp_path: Path) -> None:
    db = tmp_path / "noise.db"
    noise = os.urandom(8192)
    db.write_bytes(noise)
    _one_line(invoke("--db", str(db), "decks"), "corrupt or not an SQLite database")
    assert db.read_bytes() == noise


def test_other_programs_database(invoke: Any, tmp_path: Path) -> None:
    db = tmp_path / "places.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    _one_line(invoke("--db", str(db), "review"), "not a sysplan-study database")
    assert db.read_bytes() == before


def test_missing_directory(invoke: Any, tmp_path: Path) -> None:
    _one_line(invoke("--db", str(tmp_path / "gone" / "s.db"), "review"), "directory does not exist")
    assert not (tmp_path / "gone").exists()


def test_unwritable_output_path(invoke: Any, tmp_path: Path) -> None:
    _one_line(invoke("export", "--history", str(tmp_path / "nodir" / "h.csv")), "directory does not exist")
    _one_line(invoke("export", "--anki", str(tmp_path)), "is a directory")


# ------------------------------------------------------------------------------ hostile decks

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
    st.sampled_from(["design", "a.b", "", " ", "x" * 5000, "活动", "1.1"]),
)
keys = st.sampled_from(["deck", "title", "kind", "sections", "fields", "cards", "items", "id", "name", "number",
                        "text", "children", "note", "cut_off", "prompt", "question", "bogus"])
docs = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(keys, inner, max_size=6)), max_leaves=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=docs)
def test_random_yaml_structures_never_crash(tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    decks, problems = check_files([path])
    assert len(decks) + len({p.path for p in problems}) == 1
    for p in problems:
        assert p.path == str(path) and p.line >= 0 and p.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_deck_never_crashes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.yaml"
    path.write_bytes(b"deck: x\ntitle: t\n" + data)
    decks, problems = check_files([path])
    assert decks or problems


@pytest.mark.parametrize(
    "payload",
    ["!!python/object/apply:os.system ['echo hacked']", "!!python/object:__main__.X {}", "!!python/name:os.system"],
)
def test_python_tags_refused(invoke: Any, tmp_path: Path, payload: str) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text(f"deck: evil\ntitle: {payload}\ncards: []\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 1 and f"{path}:2: YAML error" in result.stdout
    assert "Traceback" not in result.output


def test_alias_bomb_via_cli(invoke: Any, tmp_path: Path) -> None:
    text = "deck: bomb\ntitle: t\ncards:\n  - id: a\n    prompt: p\n    items: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha]\n"
    for i in range(1, 10):
        text += f"  - id: a{i}\n    prompt: p\n    items: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("check", str(path))
    # Aliased lists where items belong are refused without expanding them (9^10 items if expanded).
    assert result.exit_code == 1 and "bomb.yaml:" in result.stdout and "Traceback" not in result.output


# ------------------------------------------------------------------------------ hostile prompt input

lines = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(["6", "-1", "５", "3", "u", "q", "\x1b[A", "\x00", "9" * 500])),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=lines)
def test_random_prompt_input(invoke: Any, isolated_home: Path, typed: list[str]) -> None:
    text = "".join(t.replace("\n", " ").replace("\r", " ") + "\n" for t in typed)
    result = invoke("review", "--chapter", "supervise", "--new-limit", "100", input=text)
    assert result.exit_code == 0, result.output
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    grades = [r[0] for r in conn.execute("SELECT grade FROM review_log")]
    assert all(0 <= g <= 5 for g in grades)
    conn.close()
    db.unlink()
    for extra in ("sysplan.db-wal", "sysplan.db-shm"):
        (isolated_home / extra).unlink(missing_ok=True)


def test_cli_import_is_light() -> None:
    code = (
        "import sys, sysplan_study.cli; "
        "print(','.join(m for m in ('sqlite_utils', 'yaml', 'rich.table', 'rapidfuzz', 'genanki', 'sqlite3', 'jieba', 'pypinyin') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == ""
