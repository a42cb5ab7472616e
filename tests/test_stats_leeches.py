"""Leeches: `stats` lists the worst 50 (most lapses, then card id) and counts them all in `leech_count`;
`sysplan cards --leeches` lists every one. Also the stats paths made fast: the lowest-recall batches and the
facts remembered about a loaded scope."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from helpers import seed
from test_stats_aggregates import old_leeches, old_missed_items_of

from sysplan_study.decks.model import Library
from sysplan_study.memory.sm2 import State
from sysplan_study.reports import json_text, stats
from sysplan_study.store import aggregates, report_queries
from sysplan_study.store.connection import open_store
from sysplan_study.store.history import ItemResult, Store

TODAY = date(2026, 11, 24)
GONE = "supervise.gone.card"  # a leech no deck holds any more


def make_leeches(store: Store, card_ids: list[str], rng: random.Random) -> None:
    """Each card failed 1-4 times after having been passed, some items typed and missed."""
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    passed = State(repetitions=2, ef100=230, interval=6, due=TODAY)
    for n, cid in enumerate(card_ids):
        for k in range(rng.randint(1, 4)):
            items = [ItemResult(i, f"项{i}", rng.random() < 0.3) for i in range(rng.randint(0, 6))] or None
            seed(store, cid, "review", 1, passed, None, at + timedelta(minutes=10 * n + k),
                 TODAY - timedelta(days=rng.randint(0, 60)), items=items)
    store.set_setting("leech_threshold", "1")


def full_list(store: Store, library: Library) -> list[dict[str, Any]]:
    """Every leech as the full-log queries give them (what stats JSON listed before the cap)."""
    every = old_leeches(store, 1)
    missed = old_missed_items_of(store, [cid for cid, _ in every], 5)
    return [{"card_id": cid, "deck": library.deck_of(cid), "lapses": n, "missed_items": missed[cid]}
            for cid, n in every]


@pytest.fixture
def home_store(isolated_home: Path, library: Library) -> Store:
    isolated_home.mkdir(parents=True, exist_ok=True)
    store = open_store(isolated_home / "sysplan.db")
    make_leeches(store, [*library.card_ids[:70], GONE], random.Random(7))
    return store


def test_stats_lists_the_worst_50_and_counts_all(home_store: Store, library: Library) -> None:
    data = stats.compute(library, home_store, TODAY)
    every = full_list(home_store, library)
    assert len(every) == 71 and any(x["missed_items"] for x in every) and any(x["deck"] is None for x in every)
    assert data["leech_count"] == 71
    assert data["leeches"] == every[:50] and stats.LEECHES_LISTED == 50
    lapses = [x["lapses"] for x in data["leeches"]]
    assert lapses == sorted(lapses, reverse=True) and len(set(lapses)) > 1  # most lapses first, ties by card id
    assert stats.leeches(library, home_store, None) == (every, 71)


def test_fewer_leeches_are_all_listed(tmp_path: Path, library: Library) -> None:
    store = open_store(tmp_path / "s.db")
    make_leeches(store, list(library.card_ids[:7]), random.Random(3))
    data = stats.compute(library, store, TODAY)
    assert data["leech_count"] == 7 and data["leeches"] == full_list(store, library)
    assert "sysplan cards --leeches" not in render_text(data)


def render_text(data: dict[str, Any], width: int = 80) -> str:
    import io

    from rich.console import Console

    from sysplan_study.ui import stats_view

    console = Console(width=width, no_color=True, file=io.StringIO(), record=True)
    console.print(stats_view.render(data))
    return console.export_text()


def test_the_table_says_how_many_and_where_the_rest_are(home_store: Store, library: Library) -> None:
    text = render_text(stats.compute(library, home_store, TODAY))
    assert "共 71 张，只列出遗忘最多的 50 张；全部：sysplan cards --leeches" in text
    assert text.count("  遗忘 ") == 50


def test_cards_leeches_lists_every_one(invoke: Any, home_store: Store, library: Library) -> None:
    every = full_list(home_store, library)
    result = invoke("cards", "--leeches", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == every
    assert result.stdout == json_text.dumps(every) + "\n"
    ids = invoke("cards", "--leeches", "--format", "ids").stdout.splitlines()
    assert ids == [x["card_id"] for x in every]
    table = invoke("cards", "--leeches", env={"COLUMNS": "80"}).stdout
    assert "难点卡片 71 张" in table and all(x["card_id"] in table for x in every)
    chapter = library.decks[0].id
    mine = json.loads(invoke("cards", "--leeches", "--chapter", chapter, "--format", "json").stdout)
    assert mine == [x for x in every if x["deck"] == chapter] and mine
    bad = invoke("cards", "--leeches", "--chapter", "nope")
    assert bad.exit_code == 1 and "nope" in bad.stderr


def test_cards_leeches_says_when_there_are_none(invoke: Any) -> None:
    result = invoke("cards", "--leeches")
    assert result.exit_code == 0 and "没有难点卡片" in result.stdout
    assert json.loads(invoke("cards", "--leeches", "--format", "json").stdout) == []


def test_the_report_counts_every_leech(home_store: Store, library: Library) -> None:
    from sysplan_study.reports import html_report

    page = html_report.render(stats.compute(library, home_store, TODAY), None)
    assert "共 71 张" in page and page.count('class="leech"') == html_report.LEECHES_SHOWN


# ---------------------------------------------------------------------------------------------- lowest recall


def lowest_oracle(store: Store, today: date) -> list[tuple[str, int, float, date]]:
    """Every in-scope item memory sorted at once, as the query did before it came in batches."""
    scope = {r[0] for r in store.conn.execute("SELECT card_id FROM temp.scope")}
    rows = [(cid, item, s, date.fromisoformat(last)) for cid, item, s, _, last in
            store.conn.execute("SELECT card_id, item, stability, difficulty, last_day FROM item_state") if cid in scope]
    return sorted(rows, key=lambda r: (-max(0, (today - r[3]).days) / r[2], r[0], r[1]))


@pytest.mark.parametrize("in_scope", ["all", "half", "lowest out", "few"])
def test_lowest_recall_batches_give_the_full_sort(tmp_path: Path, in_scope: str) -> None:
    store = open_store(tmp_path / "s.db")
    rng = random.Random(in_scope)
    cards = [f"d.c{i:02d}" for i in range(20)]
    rows = []
    for n, cid in enumerate(cards):
        for item in range(rng.randint(1, 5)):
            stability = 0.5 + n * 3 + rng.choice((0, 0, 1.5))  # the later cards remembered better; equal ratios too
            rows.append((cid, item, stability, 5.0, (TODAY - timedelta(days=rng.choice((0, 3, 9, 30, -2)))).isoformat()))
    with store._write() as c:
        c.executemany("INSERT INTO item_state VALUES (?, ?, ?, ?, ?)", rows)
        c.executemany("INSERT INTO card_stat VALUES (?, 1, 1, 1, 0, '2026-11-01', '2026-11-01')",
                      [(cid,) for cid in cards])
    scope = {"all": cards, "half": cards[::2], "lowest out": cards[10:], "few": cards[:3]}[in_scope]
    aggregates._load_scope(store, {cid: "d" for cid in scope})
    expected = lowest_oracle(store, TODAY)
    assert len(expected) > 5
    for first in (1, 2, 3, 64):
        assert list(report_queries.lowest_recall(store, TODAY, first)) == expected, first


# ---------------------------------------------------------------------------------------------- remembered facts


def test_a_new_scope_or_a_write_is_never_answered_from_old_facts(tmp_path: Path, library: Library) -> None:
    from test_stats_aggregates import script

    path = tmp_path / "s.db"
    store = open_store(path)
    script(store, library, random.Random(21), 300)
    fresh = {ch: json_text.dumps(stats.compute(library, open_store(path), TODAY, ch))
             for ch in ("supervise", None, "design")}
    for ch in ("supervise", None, "design", None):  # one connection, scopes one after another
        assert json_text.dumps(stats.compute(library, store, TODAY, ch)) == fresh[ch]
    before = stats.compute(library, store, TODAY)
    cid = library.deck("design").card_ids[-1]
    seed(store, cid, "review", 5, State(), State(1, 250, 1, TODAY), datetime(2026, 11, 24, tzinfo=timezone.utc),
         TODAY)
    after = stats.compute(library, store, TODAY)
    assert after["forecast"][0]["due"] == before["forecast"][0]["due"] + 1
    assert after == stats.compute(library, open_store(path), TODAY)


def test_remembered_facts_end_with_any_change_on_the_connection(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    aggregates._load_scope(store, aggregates.DeckScope([("d", ["d.a", "d.b"])]))
    until = TODAY + timedelta(days=3)
    assert aggregates.due_by_day(store, until) == {} and aggregates._prefixed(store)
    seed(store, "d.a", "review", 5, State(), State(1, 250, 1, TODAY), datetime(2026, 11, 24, tzinfo=timezone.utc),
         TODAY)
    assert aggregates.due_by_day(store, until) == {TODAY.isoformat(): 1}  # a write: asked again
    aggregates._load_scope(store, {"x.a": "d"})  # another scope, loaded without facts of its own
    assert not aggregates._prefixed(store) and aggregates._scope_decks(store) == {"d"}
    assert aggregates.due_by_day(store, until) == {}


def test_a_card_id_in_two_decks_stays_with_the_first(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    aggregates._load_scope(store, aggregates.DeckScope([("a", ["a.x", "a.y"]), ("b", ["a.x"])]))
    assert store.conn.execute("SELECT * FROM temp.scope ORDER BY card_id").fetchall() == [("a.x", "a"), ("a.y", "a")]
    assert aggregates._scope_decks(store) == {"a"} and aggregates._prefixed(store)


def test_prefix_check_on_joined_ids_is_not_fooled_by_a_newline() -> None:
    assert aggregates._own_prefix("d", ["d.a", "d.b"]) and aggregates._own_prefix("d", [])
    assert not aggregates._own_prefix("d", ["d.x\nd.y", "zzz"])  # joined, this would look like three good ids
    assert not aggregates._own_prefix("d.e", ["d.e.x"]) and not aggregates._own_prefix("d", ["dx.a"])
