"""Aggregate queries over the history for `stats` (read-only)."""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from sysplan_study.store.history import Store


def _load_scope(store: Store, card_decks: Iterable[tuple[str, str]]) -> None:
    """Fill a temporary card → deck table so the aggregates below can group by deck in SQL."""
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope (card_id TEXT PRIMARY KEY, deck TEXT NOT NULL)")
    store.conn.execute("DELETE FROM temp.scope")
    store.conn.executemany("INSERT OR IGNORE INTO temp.scope (card_id, deck) VALUES (?, ?)", card_decks)

def deck_aggregates(
    store: Store, card_decks: Iterable[tuple[str, str]], today: date, since: date
) -> dict[str, dict[str, Any]]:
    """Per deck: card counts by maturity, due, average EF, review/lapse counts and recent pass counts."""
    _load_scope(store, card_decks)
    out: dict[str, dict[str, Any]] = {}
    rows = store.conn.execute(
        """SELECT d.deck, count(*), sum(s.card_id IS NULL), sum(s.interval < 7), sum(s.interval BETWEEN 7 AND 20),
                  sum(s.interval >= 21), sum(s.due <= ? AND p.card_id IS NULL), avg(s.ef100), count(p.card_id)
           FROM temp.scope d LEFT JOIN card_state s ON s.card_id = d.card_id
           LEFT JOIN suspended p ON p.card_id = d.card_id GROUP BY d.deck""",
        (today.isoformat(),),
    )
    for deck, cards, new, learning, young, mature, due, ef, suspended in rows:
        out[deck] = {
            "cards": cards, "new": new or 0, "learning": learning or 0, "young": young or 0,
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

def answers_by_day(
    store: Store, since: date, until: date, scoped: bool) -> dict[str, int]:
    """Answers (all modes) per study day in [since, until], optionally only for cards in scope."""
    join = "JOIN temp.scope d ON d.card_id = l.card_id" if scoped else ""
    rows = store.conn.execute(
        f"SELECT l.study_day, count(*) FROM review_log l {join} "
        "WHERE l.study_day BETWEEN ? AND ? GROUP BY l.study_day",
        (since.isoformat(), until.isoformat()),
    )
    return {day: n for day, n in rows}

def study_days(
    store: Store, until: date) -> list[str]:
    """Distinct study days with at least one answer, newest first."""
    rows = store.conn.execute(
        "SELECT DISTINCT study_day FROM review_log WHERE study_day <= ? ORDER BY study_day DESC",
        (until.isoformat(),),
    )
    return [r[0] for r in rows]

def due_by_day(
    store: Store, until: date) -> dict[str, int]:
    """Scheduled cards in scope per due date up to `until` (overdue dates included)."""
    rows = store.conn.execute(
        "SELECT s.due, count(*) FROM card_state s JOIN temp.scope d ON d.card_id = s.card_id "
        "WHERE s.due <= ? GROUP BY s.due",
        (until.isoformat(),),
    )
    return {due: n for due, n in rows}

def weakest_items(
    store: Store, limit: int) -> list[tuple[str, int, str, int, int]]:
    """(card id, item index, item text, times missed, attempts) of in-scope items missed most in typed recall."""
    rows = store.conn.execute(
        """SELECT r.card_id, r.item, max(r.item_text), sum(1 - r.recalled) AS missed, count(*)
           FROM item_result r JOIN temp.scope d ON d.card_id = r.card_id
           GROUP BY r.card_id, r.item HAVING missed > 0
           ORDER BY missed DESC, count(*) DESC, r.card_id, r.item LIMIT ?""",
        (limit,),
    )
    return [tuple(r) for r in rows]
