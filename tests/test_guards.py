"""Guards that older robustness tests did not pin down: each test here fails when its guard is removed."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.errors import UserError
from sysplan_study.memory import sm2
from sysplan_study.store import answers
from sysplan_study.store.connection import open_store

DAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)


def test_yaml_alias_refused_even_when_the_expansion_would_be_valid(invoke: Any, tmp_path: Path) -> None:
    """A reused list is a YAML alias: refused by the alias guard itself, not by some later type check."""
    path = tmp_path / "alias.yaml"
    path.write_text(
        "deck: alias\ntitle: t\ncards:\n  - id: a\n    prompt: p\n    items: &l [甲, 乙]\n"
        "  - id: b\n    prompt: q\n    items: *l\n",
        encoding="utf-8",
    )
    result = invoke("check", str(path))
    assert result.exit_code == 1 and "alias" in result.stdout, result.output


def test_control_character_line_is_not_an_empty_line(invoke: Any, isolated_home: Path) -> None:
    """str.strip() eats \\x1c-\\x1f: without cleaning such a line would end the session like an empty line."""
    result = invoke("review", "--chapter", "supervise", "--limit", "1", input="\x1c\n5\n")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT grade FROM review_log").fetchall() == [(5,)]


def test_failed_write_is_rolled_back_and_the_store_still_works(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after the log row was written (disk I/O on the state row) leaves neither row; the next try works."""
    store = open_store(tmp_path / "s.db")
    real = answers._save_state

    def broken(*args: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(answers, "_save_state", broken)
    with pytest.raises(UserError, match="s.db"):
        answers.answer_review(store, "x.a", None, 5, lambda b: (sm2.review(b, 5, DAY), None), AT, DAY, 20)
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 0
    assert not store.conn.in_transaction
    monkeypatch.setattr(answers, "_save_state", real)
    answers.answer_review(store, "x.a", None, 5, lambda b: (sm2.review(b, 5, DAY), None), AT, DAY, 20)
    other = sqlite3.connect(tmp_path / "s.db")
    assert other.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    assert other.execute("SELECT due FROM card_state").fetchone() == ("2026-11-25",)
