"""Starting a review and listing decks from indexed SQL: the same queue and counts as with a State per card."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from helpers import seed

from sysplan_study.decks.model import Library
from sysplan_study.memory import sm2
from sysplan_study.reports import stats
from sysplan_study.store import cards
from sysplan_study.store.connection import open_store
from sysplan_study.store.history import Store
from sysplan_study.study import review_queue
from sysplan_study.study.session import ReviewSession, plan_queue

TODAY = date(2026, 11, 24)


@pytest.fixture
def store(tmp_path: Path, library: Library) -> Store:
    """Reviews scattered over the library: due dates before, on and after today, some suspended, some orphans."""
    s = open_store(tmp_path / "s.db")
    rng = random.Random(9)
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)
    ids = list(library.card_ids)
    for cid in rng.sample(ids, len(ids) // 2) + ["gone.card"]:
        day = TODAY - timedelta(days=rng.randint(0, 40))
        seed(s, cid, "review", rng.randint(0, 5), sm2.State(), sm2.review(sm2.State(), rng.randint(0, 5), day), at,
             day)
    cards.suspend(s, rng.sample(ids, 15), at)
    return s


def old_overview(library: Library, store: Store, today: date) -> list[dict[str, Any]]:
    """deck_overview before it used sets of ids (a dict of every due date)."""
    dues = dict(store.conn.execute("SELECT card_id, due FROM card_state").fetchall())
    suspended = store.suspended_ids()
    day = today.isoformat()
    return [{"id": d.id, "title": d.title, "kind": d.kind, "cards": len(d.card_ids),
             "new": sum(1 for i in d.card_ids if i not in dues and i not in suspended),
             "due": sum(1 for i in d.card_ids if i in dues and dues[i] <= day and i not in suspended),
             "suspended": sum(1 for i in d.card_ids if i in suspended), "builtin": d.builtin} for d in library.decks]


def test_deck_overview_counts_as_before(store: Store, library: Library) -> None:
    for day in (TODAY - timedelta(days=30), TODAY, TODAY + timedelta(days=10)):
        assert stats.deck_overview(library, store, day) == old_overview(library, store, day)


@pytest.mark.parametrize("allowed, limit", [(0, None), (7, None), (20, 5), (-3, None), (10**6, 10**6)])
def test_queue_from_sql_is_plan_queue(store: Store, library: Library, allowed: int, limit: int | None) -> None:
    ids = list(library.card_ids)
    for day in (TODAY - timedelta(days=20), TODAY, TODAY + timedelta(days=30)):
        assert review_queue.plan(store, ids, day, allowed, limit) == plan_queue(ids, store.states(), day, allowed,
                                                                                  limit)


def test_a_review_starts_without_a_state_per_card(
    store: Store, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "states", lambda self: pytest.fail("every card's State built"))
    monkeypatch.setattr(Store, "due_dates", lambda self: pytest.fail("every card's due date parsed"))
    session = ReviewSession.start(store, library.card_ids, library.card, TODAY, 5)
    assert session.left > 5
    assert stats.deck_overview(library, store, TODAY)
