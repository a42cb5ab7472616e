"""`stats` shows the exam-day forecast's overall *if you stop* figure: the same numbers `forecast` gives, from one
SQL aggregate over the stored item memories (items of cards no longer in a deck, and item indexes a card no longer
has, left out)."""

from __future__ import annotations

import json
import math
import random
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.decks.model import Library
from sysplan_study.memory import fsrs
from sysplan_study.store import item_states
from sysplan_study.store.connection import open_store

EXAM = "2027-01-10"
CH = "operate"
KEYS = ("items", "studied", "recall_if_stop")


def study(invoke: Any) -> None:
    """Self-graded reviews of one chapter on two days (item memories for every item of those cards)."""
    for day, grades in (("2026-11-01", "5\n2\n4\n3\n4\n4\n4\n"), ("2026-11-03", "4\n5\n1\n4\n4\n3\n4\n4\n")):
        assert invoke("review", "--chapter", CH, "--limit", "6", input=grades, env={"SYSPLAN_TODAY": day}
                      ).exit_code == 0


def plant(home: Path, library: Library) -> None:
    """Item memories that must not count: a card in no deck, and an item index past a studied card's items."""
    conn = sqlite3.connect(home / "sysplan.db")
    studied = conn.execute("SELECT card_id FROM item_state ORDER BY card_id LIMIT 1").fetchone()[0]
    beyond = library.card(studied).count
    conn.executemany("INSERT INTO item_state (card_id, item, stability, difficulty, last_day) VALUES (?, ?, ?, ?, ?)",
                     [("operate.gone.card", 0, 0.5, 5.0, "2026-11-03"), (studied, beyond, 0.5, 5.0, "2026-11-03"),
                      (studied, beyond + 4, 0.7, 5.0, "2026-11-01")])
    conn.commit()
    conn.close()


def stats_json(invoke: Any, *args: str, today: str = "2026-11-24") -> dict[str, Any]:
    result = invoke("stats", "--format", "json", *args, env={"SYSPLAN_TODAY": today})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def forecast_overall(invoke: Any, *args: str) -> dict[str, Any]:
    result = invoke("forecast", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["overall"]


def python_figure(home: Path, library: Library, day: date, chapter: str | None = None) -> tuple[int, int, float]:
    """The figure as the forecast used to compute it: in Python, over every stored item memory."""
    counts = {c.id: c.count for c in library.cards_in(chapter)}
    conn = sqlite3.connect(home / "sysplan.db")
    recall = fsrs.recall_function(fsrs.Config())
    stop = [recall(s, (day - date.fromisoformat(last)).days)
            for cid, item, s, last in conn.execute("SELECT card_id, item, stability, last_day FROM item_state")
            if cid in counts and item < counts[cid]]
    return sum(counts.values()), len(stop), sum(stop) / len(stop)


@pytest.mark.parametrize("chapter", [None, CH, "design"])
def test_stats_gives_what_forecast_gives(invoke: Any, isolated_home: Path, library: Library,
                                         chapter: str | None) -> None:
    study(invoke)
    plant(isolated_home, library)
    assert invoke("exam", "set", EXAM).exit_code == 0
    args = ("--chapter", chapter) if chapter else ()
    shown = stats_json(invoke, *args)["exam_forecast"]
    full = forecast_overall(invoke, *args)
    assert shown == {"date": EXAM, **{k: full[k] for k in KEYS}}
    if chapter == "design":  # nothing studied there: null, never 0 %
        assert shown["studied"] == 0 and shown["recall_if_stop"] is None
    else:
        assert shown["studied"] > 0 and 0 < shown["recall_if_stop"] < 1


def test_memories_of_removed_cards_and_items_are_left_out(invoke: Any, isolated_home: Path,
                                                          library: Library) -> None:
    study(invoke)
    clean = python_figure(isolated_home, library, date.fromisoformat(EXAM))
    plant(isolated_home, library)
    assert python_figure(isolated_home, library, date.fromisoformat(EXAM)) == clean  # the oracle ignores them
    assert invoke("exam", "set", EXAM).exit_code == 0
    shown = stats_json(invoke)["exam_forecast"]
    items, studied, mean = clean
    assert (shown["items"], shown["studied"]) == (items, studied)
    assert shown["recall_if_stop"] == round(mean, 4)
    # and `exam`, which reads the same figure
    assert json.loads(invoke("exam", "--format", "json").stdout)["forecast"] == {k: shown[k] for k in KEYS}


def test_the_sum_is_the_python_sum(tmp_path: Path) -> None:
    """Random memories (future answers too): SQLite's pow over julianday gives py-fsrs's curve to the last bits."""
    store = open_store(tmp_path / "s.db")
    rng = random.Random(12)
    rows = [(f"d.c{rng.randint(0, 40)}", rng.randint(0, 9), rng.uniform(0.01, 400), 5.0,
             date.fromordinal(date(2026, 1, 1).toordinal() + rng.randint(0, 400)).isoformat()) for _ in range(3000)]
    with store._write() as c:
        c.executemany("INSERT OR IGNORE INTO item_state VALUES (?, ?, ?, ?, ?)", rows)
    counts = {f"d.c{i}": rng.randint(0, 8) for i in range(0, 40, 2)}
    day = date(2026, 12, 31)
    for cfg in (fsrs.Config(), fsrs.Config(parameters=(*fsrs.DEFAULT_PARAMETERS[:20], 0.3))):
        model = fsrs.scheduler(cfg)
        recall = fsrs.recall_function(cfg)
        stop = [recall(s, (day - date.fromisoformat(last)).days) for cid, item, s, _, last in
                store.conn.execute("SELECT card_id, item, stability, difficulty, last_day FROM item_state") if item < counts.get(cid, 0)]
        studied, total = item_states.recall_total(store, counts, day, model._DECAY, model._FACTOR)
        assert studied == len(stop) > 50
        assert total == pytest.approx(sum(stop), rel=1e-12)


class NoMathFunctions:
    """A connection as SQLite built without its math functions: pow() unknown until registered."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn, self.registered = conn, False

    def execute(self, sql: str, *args: Any) -> Any:
        if "pow(" in sql and not self.registered:
            raise sqlite3.OperationalError("no such function: pow")
        return self.conn.execute(sql, *args)

    def create_function(self, name: str, n: int, fn: Any, deterministic: bool = False) -> None:
        assert (name, n, fn) == ("pow", 2, math.pow)
        self.conn.create_function(name, n, fn, deterministic=deterministic)
        self.registered = True


def test_without_sqlite_math_functions_python_pow_gives_the_same(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    with store._write() as c:
        c.executemany("INSERT INTO item_state VALUES (?, ?, ?, ?, ?)",
                      [("d.a", i, 1.5 + i, 5.0, f"2026-11-{10 + i}") for i in range(6)])
    model = fsrs.scheduler(fsrs.Config())
    args = ({"d.a": 4}, date(2027, 1, 1), model._DECAY, model._FACTOR)
    built_in = item_states.recall_total(store, *args)
    store.conn = NoMathFunctions(store.conn)  # type: ignore[assignment]
    assert item_states.recall_total(store, *args) == built_in
    assert store.conn.registered  # type: ignore[attr-defined]


def test_no_figure_without_an_exam_date_or_after_it(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert stats_json(invoke)["exam_forecast"] is None
    assert "考试日" not in invoke("stats").stdout
    assert invoke("exam", "set", EXAM).exit_code == 0
    assert stats_json(invoke, today=EXAM)["exam_forecast"]["date"] == EXAM  # the exam day itself still counts
    assert stats_json(invoke, today="2027-01-11")["exam_forecast"] is None  # passed: forecast refuses it too
    assert invoke("forecast", "--format", "json", env={"SYSPLAN_TODAY": "2027-01-11"}).exit_code == 1


def test_the_table_shows_one_line(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert invoke("exam", "set", EXAM).exit_code == 0
    f = stats_json(invoke)["exam_forecast"]
    out = invoke("stats", env={"COLUMNS": "100"}).stdout
    line = f"考试日（{EXAM}）预计记住 {f['recall_if_stop']:.0%}（已学 {f['studied']:,} / {f['items']:,} 项）"
    assert line in out


def test_the_table_line_says_when_nothing_is_studied() -> None:
    from sysplan_study.ui.stats_view import exam_forecast_line

    line = exam_forecast_line({"date": EXAM, "items": 5678, "studied": 0, "recall_if_stop": None})
    assert line == f"考试日（{EXAM}）预计记住 —（已学 0 / 5,678 项）"
    line = exam_forecast_line({"date": EXAM, "items": 5678, "studied": 1234, "recall_if_stop": 0.7123})
    assert line == f"考试日（{EXAM}）预计记住 71%（已学 1,234 / 5,678 项）"
