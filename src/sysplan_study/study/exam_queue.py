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
from typing import Any, Mapping, Sequence

from sysplan_study.decks.model import Library
from sysplan_study.errors import UserError
from sysplan_study.memory import exam_gain
from sysplan_study.store import answers, columns, due, item_states
from sysplan_study.store.history import Store

MIN_DEFAULT_BUDGET = 10  # with nothing due, `review --exam` still reviews this many of the most useful cards


@dataclass(frozen=True)
class ExamQueue:
    """The day's exam-aware queue: reviews (best gain first, each with the state row it was planned from), then
    new cards."""

    exam: date
    budget: int  # the day's reviews: --budget N, else what a plain review would ask now
    done_today: int  # reviews of studied cards already given today (they count against --budget N)
    reviews: tuple[tuple[str, tuple[Any, ...]], ...]
    gains: tuple[float, ...]  # expected exam-day items gained by each review
    new: tuple[str, ...]


def default_budget(store: Store, card_ids: Sequence[str], today: date) -> int:
    """What a plain review would ask today: the cards due in scope (at least MIN_DEFAULT_BUDGET)."""
    due_now = due.due_ids(store, today)
    return max(MIN_DEFAULT_BUDGET, sum(1 for c in card_ids if c in due_now))


def item_counts(lib: Library, chapter: str | None = None) -> dict[str, int]:
    """Each card's number of items (of one chapter, or all), read from the card index without decoding cards."""
    from sysplan_study.decks import counts

    decks = [lib.deck(chapter)] if chapter else list(lib.decks)
    out: dict[str, int] = {}
    for deck, numbers in zip(decks, counts.item_counts(decks)):
        out.update(zip(deck.card_ids, numbers))
    return out


def card_gains(store: Store, card_ids: Sequence[str], counts: Mapping[str, int], today: date, exam: date
               ) -> dict[str, float]:
    """Each of these cards' expected gain in exam-day items recalled from one review today, over its current items
    (those with a memory); cards with no item memory are left out."""
    import numpy as np

    cols = columns.item_memories(store, card_ids)
    limit = np.array([counts.get(c, 0) for c in card_ids], dtype=np.int64)
    keep = cols.item < limit[cols.card] if len(card_ids) else np.zeros(0, dtype=bool)
    owner = cols.card[keep]
    gain = exam_gain.gains(cols.stability[keep], cols.difficulty[keep], today.toordinal() - cols.last_day[keep],
                           (exam - today).days, item_states.item_config(store.conn))
    total = np.bincount(owner, weights=gain, minlength=len(card_ids))
    seen = np.bincount(owner, minlength=len(card_ids)) > 0
    return {card_ids[i]: float(total[i]) for i in np.flatnonzero(seen)}


def plan(
    store: Store, card_ids: Sequence[str], counts: Mapping[str, int], today: date, exam: date,
    budget: int | None, new_allowed: int,
) -> ExamQueue:
    """Rank the studied cards among `card_ids` (suspended ones already left out; `counts`: each card's number of
    items) by gain and keep `budget` of them, best first; then the new cards a plain review would introduce.

    Cards with no item memory (history imported without item results) have no forecast to gain on: due ones fill
    any budget left, most overdue first.
    """
    if budget is not None and budget < 1:
        raise UserError("--budget 必须是 1 或更大（must be 1 or more）")
    if exam < today:
        raise UserError(f"考试日期 {exam.isoformat()} 已经过去（exam date is in the past）")
    done = answers.reviews_on(store, today)
    # --budget is the day's: reviews given earlier today (another session, another window) count against it. The
    # default is what a plain review would ask now, which the day's reviews have already made smaller.
    chosen = default_budget(store, card_ids, today) if budget is None else max(0, budget - done)
    scheduled = due.scheduled_ids(store)
    studied = [c for c in card_ids if c in scheduled]
    gains = card_gains(store, studied, counts, today, exam)
    order = {c: i for i, c in enumerate(card_ids)}
    ranked = sorted((c for c, g in gains.items() if g > 0), key=lambda c: (-gains[c], order[c]))
    unknown = sorted((when, order[c], c) for c, when in due.due_queue(store, today) if c in order and c not in gains)
    picked = (ranked + [c for _, _, c in unknown])[:chosen]
    rows = due.state_rows(store, picked)
    new = tuple(islice((c for c in card_ids if c not in scheduled), max(0, new_allowed)))
    return ExamQueue(exam, budget if budget is not None else chosen, done, tuple((c, rows[c]) for c in picked),
                     tuple(gains.get(c, 0.0) for c in picked), new)
