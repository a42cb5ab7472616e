"""`review --exam`: the day's reviews chosen by expected gain in exam-day recall within a budget, not by due date.

Every studied card (due or not) is ranked by how much one review today is expected to add to the number of its
items recalled on exam day (memory/exam_gain.py, from the stored item memories); the best `budget` are reviewed,
so reviews are pulled forward when the exam is near and a card whose memory will carry to the exam anyway waits.
New cards follow as in a plain review (the daily new-card limit; they are not reviews and use no budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any, Callable, Sequence

from sysplan_study.decks.model import Card
from sysplan_study.errors import UserError
from sysplan_study.memory import exam_gain
from sysplan_study.memory.items import ItemMemory
from sysplan_study.store import due, item_states
from sysplan_study.store.history import Store

MIN_DEFAULT_BUDGET = 10  # with nothing due, `review --exam` still reviews this many of the most useful cards


@dataclass(frozen=True)
class ExamQueue:
    """The day's exam-aware queue: reviews (best gain first, each with the state row it was planned from), then
    new cards."""

    exam: date
    budget: int
    reviews: tuple[tuple[str, tuple[Any, ...]], ...]
    gains: tuple[float, ...]  # expected exam-day items gained by each review
    new: tuple[str, ...]


def default_budget(store: Store, card_ids: Sequence[str], today: date) -> int:
    """What a plain review would ask today: the cards due in scope (at least MIN_DEFAULT_BUDGET)."""
    due_now = due.due_ids(store, today)
    return max(MIN_DEFAULT_BUDGET, sum(1 for c in card_ids if c in due_now))


def card_gains(
    cards: Sequence[Card], memories: dict[str, dict[int, ItemMemory]], today: date, exam: date,
    config: Any,
) -> dict[str, float]:
    """Each card's expected gain in exam-day items recalled from one review today (its current items only)."""
    owners: list[str] = []
    flat: list[ItemMemory] = []
    for card in cards:
        for index, memory in memories.get(card.id, {}).items():
            if index < card.count:
                owners.append(card.id)
                flat.append(memory)
    out: dict[str, float] = {}
    for owner, gain in zip(owners, exam_gain.review_gains(flat, today, exam, config)):
        out[owner] = out.get(owner, 0.0) + gain
    return out


def plan(
    store: Store, card_ids: Sequence[str], resolve: Callable[[str], Card], today: date, exam: date,
    budget: int | None, new_allowed: int,
) -> ExamQueue:
    """Rank the studied cards among `card_ids` (suspended ones already left out) by gain and keep `budget` of them.

    Cards with no item memory (history imported without item results) have no forecast to gain on: due ones fill
    any budget left, most overdue first.
    """
    if budget is not None and budget < 1:
        raise UserError("--budget 必须是 1 或更大（must be 1 or more）")
    if exam < today:
        raise UserError(f"考试日期 {exam.isoformat()} 已经过去（exam date is in the past）")
    chosen = default_budget(store, card_ids, today) if budget is None else budget
    rows = {cid: row for cid, *row in store.conn.execute(
        "SELECT card_id, repetitions, ef100, interval, due FROM card_state")} if card_ids else {}
    studied = [c for c in card_ids if c in rows]
    memories = item_states.memories(store, studied)
    gains = card_gains([resolve(c) for c in studied if c in memories], memories, today, exam,
                       item_states.item_config(store.conn))
    order = {c: i for i, c in enumerate(card_ids)}
    ranked = sorted((c for c, g in gains.items() if g > 0), key=lambda c: (-gains[c], order[c]))
    day = today.isoformat()
    unknown = sorted((c for c in studied if c not in memories and rows[c][3] <= day), key=lambda c: (rows[c][3], order[c]))
    picked = (ranked + unknown)[:chosen]
    new = tuple(islice((c for c in card_ids if c not in rows), max(0, new_allowed)))
    return ExamQueue(exam, chosen, tuple((c, tuple(rows[c])) for c in picked),
                     tuple(gains.get(c, 0.0) for c in picked), new)
