"""The review log as the FSRS fitter reads it: the log's size (from the per-day totals, never a scan) and the item
answers of the newest rows."""

from __future__ import annotations

from typing import Any, Iterator

from sysplan_study.store.history import Store


def log_size(store: Store) -> int:
    """Rows in the review log, from the trigger-kept per-day totals (m007): independent of the log's length."""
    return int(store.conn.execute("SELECT coalesce(sum(answers), 0) FROM day_stat").fetchone()[0])


def item_answers(store: Store, newest: int) -> Iterator[tuple[Any, ...]]:
    """(card id, study day, grade, tested, item, recalled) of every answer that tested items from memory among the
    newest `newest` log rows, oldest first; cards with answers before those rows are left out, so that every item
    history starts at its start."""
    start = store.conn.execute("SELECT coalesce(max(id), 0) FROM review_log").fetchone()[0] - newest
    return store.conn.execute(
        "SELECT l.card_id, l.study_day, l.grade, l.tested, i.item, i.recalled FROM review_log l "
        "LEFT JOIN item_result i ON i.log_id = l.id WHERE l.mode IN ('review', 'drill', 'quiz', 'mock') "
        "AND (l.tested > 0 OR i.item IS NOT NULL) AND l.id > ? "
        "AND l.card_id NOT IN (SELECT card_id FROM review_log WHERE id <= ?) ORDER BY l.study_day, l.id, i.item",
        (start, start))
