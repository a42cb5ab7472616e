"""`sysplan mock`: cards drawn across chapters, typed recall scored item by item, logged as mock, checked against
the forecast's prediction for the same items."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from sysplan_study.study import mock as mocks


def test_draw_is_random_across_chapters_and_reproducible(library: Any) -> None:
    a = mocks.draw(library.cards, 12, seed=4)
    assert a == mocks.draw(library.cards, 12, seed=4) and len({c.deck for c in a}) >= 3
    assert mocks.draw(library.cards, 12, seed=5) != a


def test_mock_logs_item_answers_without_scheduling(invoke: Any, isolated_home: Path, library: Any) -> None:
    assert invoke("review", "--chapter", "operate", "--limit", "17", "--new-limit", "17",
                  input="4\n" * 17, env={"SYSPLAN_TODAY": "2026-11-01"}).exit_code == 0
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    schedule = conn.execute("SELECT * FROM card_state ORDER BY card_id").fetchall()
    cards = mocks.draw(library.cards, 40, seed=1)
    typed = "".join("\n".join(it.text for it in c.items[:1]) + "\n\n\n" for c in cards)
    result = invoke("mock", "-n", "40", "--seed", "1", input=typed, env={"SYSPLAN_TODAY": "2026-11-20"})
    assert result.exit_code == 0, result.output
    m = re.search(r"(\d+) 项中回忆出 (\d+) 项.*学过的 (\d+) 项：预测 (\d+)% · 实得 (\d+)%", result.stdout)
    assert m, result.stdout
    assert int(m.group(1)) == sum(c.count for c in cards) and int(m.group(2)) >= len(cards) // 2
    rows = conn.execute("SELECT mode, count(*) FROM review_log WHERE study_day = '2026-11-20' GROUP BY mode").fetchall()
    assert rows == [("mock", len(cards))]
    assert conn.execute("SELECT * FROM card_state ORDER BY card_id").fetchall() == schedule
    fed = conn.execute("SELECT count(*) FROM item_state WHERE last_day = '2026-11-20'").fetchone()[0]
    assert fed == sum(c.count for c in cards)  # every item asked now has today's evidence


def test_bad_count_is_one_line(invoke: Any) -> None:
    result = invoke("mock", "--count", "0")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
