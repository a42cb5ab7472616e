"""Managing cards: suspend, unsuspend, reset (a logged, undoable schedule change) and leech counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from sysplan_study.store.answers import _insert_log, _read_row, _state_of
from sysplan_study.store.history import Store

RESET = "reset"


def suspend(store: Store, card_ids: Iterable[str], at: datetime) -> int:
    """Suspend cards (never scheduled, never due; their schedule and log are kept); returns how many were new to it."""
    with store._write() as c:
        before = c.total_changes
        c.executemany("INSERT OR IGNORE INTO suspended (card_id, since) VALUES (?, ?)",
                      [(cid, at.isoformat()) for cid in card_ids])
        return c.total_changes - before


def unsuspend(store: Store, card_ids: Iterable[str]) -> int:
    """Bring suspended cards back; returns how many were suspended."""
    with store._write() as c:
        before = c.total_changes
        c.executemany("DELETE FROM suspended WHERE card_id = ?", [(cid,) for cid in card_ids])
        return c.total_changes - before


def suspended_count(store: Store, card_ids: Iterable[str]) -> int:
    """How many of these cards are suspended."""
    ids = store.suspended_ids()
    return sum(1 for cid in card_ids if cid in ids)


def reset(store: Store, card_ids: Iterable[str], at: datetime, day: date) -> list[str]:
    """Forget the schedule of cards that have one: each reset is a log row (mode reset, state after = new).

    The log keeps every earlier answer; `sysplan undo` takes a reset back like an answer. Cards already new are
    left alone (nothing to reset) and not returned.
    """
    done = []
    with store._write() as c:
        for cid in card_ids:
            row = _read_row(c, cid)
            if row is None:
                continue
            _insert_log(c, cid, RESET, 0, _state_of(row), None, at, day, None, 0, None, None)
            c.execute("DELETE FROM card_state WHERE card_id = ?", (cid,))
            done.append(cid)
    return done


def lapses(store: Store, card_id: str) -> int:
    """Times the card was failed (grade < 3) in a scheduled review after having been passed."""
    return store.conn.execute(
        "SELECT count(*) FROM review_log WHERE card_id = ? AND mode = 'review' AND grade < 3 AND rep_before >= 1",
        (card_id,),
    ).fetchone()[0]


def leeches(store: Store, threshold: int) -> list[tuple[str, int]]:
    """(card id, lapses) of every card failed at least `threshold` times after having been passed, worst first."""
    # card_stat.lapses is kept by triggers (migration m007): no scan of the log, however long it grows.
    rows = store.conn.execute(
        "SELECT card_id, lapses FROM card_stat WHERE lapses > 0 AND lapses >= ? ORDER BY lapses DESC, card_id",
        (threshold,),
    )
    return [(r[0], r[1]) for r in rows]


def missed_items(store: Store, card_id: str, limit: int = 5) -> list[tuple[int, str, int]]:
    """(item, text, times missed) of the card's items most often missed in typed recall."""
    rows = store.conn.execute(
        "SELECT item, max(item_text), sum(1 - recalled) AS missed FROM item_result WHERE card_id = ? "
        "GROUP BY item HAVING missed > 0 ORDER BY missed DESC, item LIMIT ?",
        (card_id, limit),
    )
    return [(r[0], r[1], r[2]) for r in rows]
