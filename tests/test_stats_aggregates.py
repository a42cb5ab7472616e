"""Stats from running totals (migration m007): the triggers keep them equal to the log through answers, undo,
reset, import and direct edits; the migration backfills them; and `stats` gives byte for byte what the full-log
queries it replaced gave, without scanning the log."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

import pytest
from helpers import seed

from sysplan_study.decks.model import DeckRef, Library
from sysplan_study.memory import sm2
from sysplan_study.reports import json_text, stats
from sysplan_study.store import aggregates, answers, cards
from sysplan_study.store.connection import open_store
from sysplan_study.store.history import ItemResult, Store

TODAY = date(2026, 11, 24)
ORPHANS = ("supervise.gone.card", "design.old.one", "nodot", "olddeck.x")  # in the log, in no loaded deck


# ---------------------------------------------------------------------------------------------- the old queries
# What store/aggregates.py and store/cards.py ran before m007, kept here as the oracle.


def old_deck_aggregates(store: Store, card_decks: Iterable[tuple[str, str]], today: date, since: date) -> Any:
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope (card_id TEXT PRIMARY KEY, deck TEXT NOT NULL)")
    store.conn.execute("DELETE FROM temp.scope")
    if isinstance(card_decks, aggregates.DeckScope):  # what stats passes: deck by deck
        card_decks = [(cid, deck) for deck, ids in card_decks.decks for cid in ids]
    pairs = card_decks.items() if isinstance(card_decks, dict) else card_decks
    store.conn.executemany("INSERT OR IGNORE INTO temp.scope (card_id, deck) VALUES (?, ?)", pairs)
    out: dict[str, dict[str, Any]] = {}
    rows = store.conn.execute(
        """SELECT d.deck, count(*), sum(s.card_id IS NULL), sum(s.interval < 7), sum(s.interval BETWEEN 7 AND 20),
                  sum(s.interval >= 21), sum(s.due <= ? AND p.card_id IS NULL), avg(s.ef100), count(p.card_id)
           FROM temp.scope d LEFT JOIN card_state s ON s.card_id = d.card_id
           LEFT JOIN suspended p ON p.card_id = d.card_id GROUP BY d.deck""",
        (today.isoformat(),),
    )
    for deck, n, new, learning, young, mature, due, ef, suspended in rows:
        out[deck] = {
            "cards": n, "new": new or 0, "learning": learning or 0, "young": young or 0,
            "mature": mature or 0, "due": due or 0, "ef100_avg": ef, "suspended": suspended or 0,
            "reviews": 0, "lapses": 0, "recent": 0, "recent_passed": 0,
        }
    rows = store.conn.execute(
        """SELECT d.deck, count(*), sum(l.grade < 3 AND l.rep_before >= 1),
                  sum(l.study_day >= ?), sum(l.study_day >= ? AND l.grade >= 3)
           FROM review_log l JOIN temp.scope d ON d.card_id = l.card_id
           WHERE l.mode = 'review' GROUP BY d.deck""",
        (since.isoformat(), since.isoformat()),
    )
    for deck, reviews, lapses, recent, passed in rows:
        out[deck].update(reviews=reviews, lapses=lapses or 0, recent=recent or 0, recent_passed=passed or 0)
    return out


def old_answers_by_day(store: Store, since: date, until: date, scoped: bool) -> dict[str, int]:
    join = "JOIN temp.scope d ON d.card_id = l.card_id" if scoped else ""
    rows = store.conn.execute(
        f"SELECT l.study_day, count(*) FROM review_log l {join} WHERE l.study_day BETWEEN ? AND ? GROUP BY l.study_day",
        (since.isoformat(), until.isoformat()),
    )
    return {day: n for day, n in rows}


def old_study_days(store: Store, until: date) -> list[str]:
    rows = store.conn.execute(
        "SELECT DISTINCT study_day FROM review_log WHERE study_day <= ? ORDER BY study_day DESC", (until.isoformat(),)
    )
    return [r[0] for r in rows]


def old_weakest_items(store: Store, limit: int) -> list[tuple[Any, ...]]:
    rows = store.conn.execute(
        """SELECT r.card_id, r.item, max(r.item_text), sum(1 - r.recalled) AS missed, count(*)
           FROM item_result r JOIN temp.scope d ON d.card_id = r.card_id
           GROUP BY r.card_id, r.item HAVING missed > 0
           ORDER BY missed DESC, count(*) DESC, r.card_id, r.item LIMIT ?""",
        (limit,),
    )
    return [tuple(r) for r in rows]


def old_weekly_retention(store: Store, since: date, until: date) -> dict[str, dict[int, tuple[int, int]]]:
    rows = store.conn.execute(
        "SELECT d.deck, CAST((julianday(l.study_day) - julianday(?)) / 7 AS INTEGER) AS w, count(*), sum(l.grade >= 3) "
        "FROM review_log l JOIN temp.scope d ON d.card_id = l.card_id "
        "WHERE l.study_day BETWEEN ? AND ? AND l.mode = 'review' GROUP BY d.deck, w",
        (since.isoformat(), since.isoformat(), until.isoformat()),
    )
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for deck, week, n, passed in rows:
        out.setdefault(deck, {})[int(week)] = (int(n), int(passed or 0))
    return out


def old_leeches(store: Store, threshold: int) -> list[tuple[str, int]]:
    rows = store.conn.execute(
        "SELECT card_id, count(*) AS n FROM review_log WHERE mode = 'review' AND grade < 3 AND rep_before >= 1 "
        "GROUP BY card_id HAVING n >= ? ORDER BY n DESC, card_id",
        (threshold,),
    )
    return [(r[0], r[1]) for r in rows]


def old_leeches_top(store: Store, threshold: int, limit: int | None) -> tuple[list[tuple[str, int]], int]:
    every = old_leeches(store, threshold)
    return every[:limit], len(every)


def old_missed_items_of(store: Store, card_ids: Iterable[str], limit: int) -> dict[str, list[dict[str, Any]]]:
    return {cid: [{"item": i + 1, "text": t, "missed": m} for i, t, m in cards.missed_items(store, cid, limit)]
            for cid in card_ids}


def old_overall_if_stop(store: Store, lib: Library, day: date, chapter: str | None = None) -> Any:
    """The exam-day figure as forecast.overall_if_stop computed it in Python, over every item memory."""
    from types import SimpleNamespace

    from sysplan_study.memory import fsrs
    from sysplan_study.store import item_states

    recall = fsrs.recall_function(item_states.item_config(store.conn))
    counts = {c.id: c.count for c in lib.cards_in(chapter)}
    stop = [recall(s, (day - date.fromisoformat(last)).days) for cid, item, s, last in
            store.conn.execute("SELECT card_id, item, stability, last_day FROM item_state")
            if cid in counts and item < counts[cid]]
    mean = sum(stop) / len(stop) if stop else None
    return SimpleNamespace(items=sum(counts.values()), studied=len(stop), recall_if_stop=mean)


def old_stats(monkeypatch: pytest.MonkeyPatch, library: Library, store: Store, chapter: str | None) -> str:
    """`stats --format json` as the code before m007 computed it."""
    from sysplan_study.study import forecast

    with monkeypatch.context() as m:
        m.setattr(forecast, "overall_if_stop", old_overall_if_stop)
        m.setattr(aggregates, "deck_aggregates", old_deck_aggregates)
        m.setattr(aggregates, "answers_by_day", old_answers_by_day)
        m.setattr(aggregates, "study_days", old_study_days)
        m.setattr(aggregates, "weakest_items", old_weakest_items)
        m.setattr(aggregates, "weekly_retention", old_weekly_retention)
        m.setattr(aggregates, "missed_items_of", old_missed_items_of)
        m.setattr(aggregates, "leeches", old_leeches_top)
        return json.dumps(stats.compute(library, store, TODAY, chapter), ensure_ascii=False, indent=2)


def new_stats(library: Library, store: Store, chapter: str | None) -> str:
    return json_text.dumps(stats.compute(library, store, TODAY, chapter))


# ---------------------------------------------------------------------------------------------- a scripted history


def _items(rng: random.Random) -> list[ItemResult]:
    return [ItemResult(i, rng.choice(("甲", "乙", "丙丙")), rng.random() < 0.5) for i in range(rng.randint(1, 8))]


def script(store: Store, library: Library, rng: random.Random, n: int = 500) -> None:
    """Answers of every mode over 150 days (a few after today), with typed items, undos, resets, suspensions
    and direct edits; some on cards in no loaded deck."""
    pool = [c for d in library.decks for c in d.card_ids[:6]] + list(ORPHANS)
    at = datetime(2026, 6, 1, tzinfo=timezone.utc)
    for i in range(n):
        cid = rng.choice(pool)
        day = TODAY + timedelta(days=rng.randint(-150, 3))
        mode = rng.choice(("review", "review", "review", "drill", "quiz"))
        grade = rng.randint(0, 5)
        items = _items(rng) if rng.random() < 0.3 else None
        before = store.state(cid)
        after = sm2.review(before, grade, day) if mode == "review" else None
        seed(store, cid, mode, grade, before, after, at + timedelta(minutes=i), day, items=items)
        if rng.random() < 0.05:
            answers.undo_last_local(store)
        if rng.random() < 0.02:
            cards.reset(store, [cid], at, day)
    cards.suspend(store, pool[:3], at)
    with store._write() as c:  # edits by hand (or a future feature): the update triggers keep up
        c.execute("UPDATE review_log SET grade = 1, rep_before = 2 WHERE id % 17 = 0")
        c.execute("UPDATE review_log SET study_day = '2026-11-20' WHERE id % 23 = 0")
        c.execute("UPDATE item_result SET recalled = 1 - recalled, item_text = '丁' WHERE log_id % 5 = 0")
        c.execute("DELETE FROM item_result WHERE log_id % 7 = 0")
        c.execute("DELETE FROM review_log WHERE id % 29 = 0")


RECOMPUTE = {
    "card_stat": """SELECT card_id, count(*), sum(mode = 'review'), sum(mode = 'review' AND grade >= 3),
                      sum(coalesce(mode = 'review' AND grade < 3 AND rep_before >= 1, 0)), max(study_day),
                      max(CASE WHEN mode = 'review' THEN study_day END) FROM review_log GROUP BY card_id""",
    "day_stat": "SELECT study_day, count(*) FROM review_log GROUP BY study_day",
    "deck_day_stat": """SELECT study_day, substr(card_id, 1, instr(card_id, '.') - 1), count(*), sum(mode = 'review'),
                          sum(mode = 'review' AND grade >= 3) FROM review_log GROUP BY 1, 2""",
    "item_stat": """SELECT card_id, item, max(item_text), sum(1 - recalled), count(*) FROM item_result
                      GROUP BY card_id, item""",
}


def assert_totals_match_log(conn: sqlite3.Connection) -> None:
    for table, query in RECOMPUTE.items():
        kept = sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
        assert kept == sorted(conn.execute(query).fetchall()), table


@pytest.fixture
def history(tmp_path: Path, library: Library) -> Store:
    store = open_store(tmp_path / "s.db")
    script(store, library, random.Random(14))
    store.set_setting("leech_threshold", "2")
    return store


def test_triggers_keep_the_totals_equal_to_the_log(history: Store) -> None:
    assert history.conn.execute("SELECT count(*) FROM item_stat").fetchone()[0] > 10
    assert_totals_match_log(history.conn)


def test_import_keeps_the_totals(tmp_path: Path, library: Library) -> None:
    from sysplan_study.store.progress_file import export_progress, import_progress

    other = open_store(tmp_path / "other.db")
    script(other, library, random.Random(3), 150)
    export_progress(other, tmp_path / "p.json")
    mine = open_store(tmp_path / "mine.db")
    script(mine, library, random.Random(4), 100)
    assert import_progress(mine, tmp_path / "p.json")[1] > 0
    assert_totals_match_log(mine.conn)
    at = datetime(2026, 11, 24, tzinfo=timezone.utc)
    for cid in library.card_ids[:5]:  # answers after the import, then undone
        answers.record(mine, cid, "drill", 1, at, TODAY, items=_items(random.Random(cid)))
    assert_totals_match_log(mine.conn)
    for _ in range(5):
        assert answers.undo_last_local(mine) is not None
    assert_totals_match_log(mine.conn)


def test_the_migration_backfills_an_existing_history(tmp_path: Path, library: Library) -> None:
    from sqlite_utils import Database

    from sysplan_study.store.migrations import MIGRATION_NAMES, _migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    _migrations().apply(Database(conn), stop_before=MIGRATION_NAMES[-1])
    rng = random.Random(5)
    rows = [(rng.choice(("a.x", "a.y", "b.z", "nodot")), "2026-01-01T00:00:00+00:00",
             f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", rng.randint(0, 5), rng.choice(("review", "drill")),
             rng.choice((None, 0, 1, 3))) for _ in range(300)]
    conn.executemany("INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode, rep_before) "
                     "VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO item_result (log_id, card_id, item, item_text, recalled) "
                     "SELECT id, card_id, ?, ?, ? FROM review_log WHERE id % 3 = ?",
                     [(0, "甲", 0, 0), (1, "乙", 1, 1), (1, "丙", 0, 2)])
    conn.commit()
    conn.close()
    store = open_store(path)
    assert store.conn.execute("SELECT count(*) FROM card_stat").fetchone()[0] == 4
    assert_totals_match_log(store.conn)


@pytest.mark.parametrize("chapter", [None, "supervise", "design"])
def test_stats_json_is_byte_for_byte_what_the_full_log_queries_gave(
    history: Store, library: Library, monkeypatch: pytest.MonkeyPatch, chapter: str | None
) -> None:
    new = new_stats(library, history, chapter)
    assert new == old_stats(monkeypatch, library, history, chapter)
    data = json.loads(new)
    assert data["leeches"] and data["weakest"] and any(c["retention"] is not None for c in data["chapters"])
    weekly = [w for c in data.get("retention_by_week", []) for w in c["weeks"]]  # the HTML report's key
    assert not weekly or any(w["retention"] is not None for w in weekly)


@pytest.mark.parametrize("chapter", [None, "supervise", "design"])
def test_stats_json_with_an_exam_date_is_what_python_computed(
    history: Store, library: Library, monkeypatch: pytest.MonkeyPatch, chapter: str | None
) -> None:
    """The new keys too: `exam_forecast` from the SQL aggregate equals the Python figure it replaced, with item
    memories of cards in no deck and of items past a card's count among them."""
    rng = random.Random(8)
    cards = [c for d in library.decks for c in d.cards[:5]]
    rows = [(c.id, rng.randint(0, c.count + 2), rng.uniform(0.2, 90), 5.0,
             (TODAY - timedelta(days=rng.randint(-3, 120))).isoformat()) for c in cards for _ in range(4)]
    rows += [(cid, 0, 3.0, 5.0, "2026-10-01") for cid in ORPHANS]
    with history._write() as c:
        c.executemany("INSERT OR REPLACE INTO item_state VALUES (?, ?, ?, ?, ?)", rows)
    history.set_setting("exam_date", "2027-03-01")
    new = new_stats(library, history, chapter)
    assert new == old_stats(monkeypatch, library, history, chapter)
    figure = json.loads(new)["exam_forecast"]
    assert figure["date"] == "2027-03-01" and figure["studied"] > 3 and 0 < figure["recall_if_stop"] < 1


def test_stats_is_the_same_when_card_ids_do_not_start_with_their_deck(
    history: Store, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The per-deck daily totals are keyed by the card id's prefix; a library where that does not hold (only a
    # hand-made one: deck validation prefixes every card id) takes the window from the log rows instead.
    sup = library.deck("supervise")
    renamed = Library([*(d for d in library.decks if d.id != "supervise"),
                       DeckRef("renamed", sup.title, sup.kind, sup.path, sup.card_ids, full=sup.full)])
    for chapter in (None, "renamed"):
        assert new_stats(renamed, history, chapter) == old_stats(monkeypatch, renamed, history, chapter)


def test_stats_reads_no_log_rows_beyond_one_card_s(history: Store, library: Library) -> None:
    """Every query `stats` runs on the log looks rows up by card (the orphans'); none scans it."""
    run: list[str] = []
    history.conn.set_trace_callback(run.append)
    try:
        stats.compute(library, history, TODAY)
    finally:
        history.conn.set_trace_callback(None)
    on_log = [s for s in run if "review_log" in s or "item_result" in s]
    for sql in on_log:
        plan = [row[3] for row in history.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        assert all(not step.startswith("SCAN") for step in plan), (sql, plan)
        assert "card_id = " in sql
    assert len(on_log) <= 2 * len(ORPHANS)


def test_leeches_come_from_the_running_totals(history: Store) -> None:
    assert cards.leeches(history, 2) == old_leeches(history, 2)
    assert cards.leeches(history, 1) == old_leeches(history, 1)
    assert cards.leeches(history, 999) == []
