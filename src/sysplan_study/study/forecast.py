"""Exam-day recall forecast: per deck and overall, the expected share of studied items recalled on a date.

Two figures, from the stored item memories: *if you stop reviewing now* (the mean predicted recall of the studied
items on that date) and *if you keep to the schedule* (each card's planned reviews before that date rolled forward,
each item recalled at a review with its predicted probability, then answered Good, else Again). Items never
studied are counted apart, never folded in as 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from sysplan_study.decks.model import Library
from sysplan_study.errors import UserError
from sysplan_study.memory import fsrs, projection
from sysplan_study.memory.replay import SchedulerConfig
from sysplan_study.store import item_states, schedules
from sysplan_study.store.history import Store

MAX_REVIEWS = 8  # planned reviews followed per card before the date (later ones change the figure little)


@dataclass(frozen=True)
class Figure:
    """One line of the forecast: a deck or the whole library."""

    id: str | None
    title: str | None
    items: int
    studied: int
    recall_if_stop: float | None
    recall_if_schedule: float | None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON object (recall in 0..1, null when nothing is studied)."""
        out: dict[str, Any] = {"id": self.id, "title": self.title} if self.id is not None else {}
        out.update(items=self.items, studied=self.studied, recall_if_stop=rounded(self.recall_if_stop),
                   recall_if_schedule=rounded(self.recall_if_schedule))
        return out


@dataclass(frozen=True)
class Forecast:
    """The forecast for one date."""

    date: date
    parameters: str  # "default" or "fitted"
    decks: tuple[Figure, ...]
    overall: Figure

    def to_json(self) -> dict[str, Any]:
        """`sysplan forecast --format json` (documented in README: a stable interface)."""
        return {"date": self.date.isoformat(), "parameters": self.parameters,
                "decks": [d.to_json() for d in self.decks], "overall": self.overall.to_json()}


def rounded(value: float | None) -> float | None:
    """A share as the JSON gives it: four decimals, or null."""
    return None if value is None else round(value, 4)


def target_date(store: Store, when: date | None, today: date) -> date:
    """The date asked for, else the exam date; a UserError if there is neither or it has passed."""
    from sysplan_study.study import planner

    day = when or planner.exam_date(store)
    if day is None:
        raise UserError("没有考试日期：用 --date YYYY-MM-DD 指定日期，或先 sysplan exam set 2027-05-22（no date）")
    if day < today:
        raise UserError(f"日期 {day.isoformat()} 已经过去（今天是 {today.isoformat()}）（date is in the past）")
    return day


def forecast(store: Store, lib: Library, day: date, today: date, chapter: str | None = None) -> Forecast:
    """The forecast for `day` over every deck (or one chapter)."""
    import numpy as np

    from sysplan_study.decks.counts import item_counts
    from sysplan_study.store import columns

    cfg = schedules.config(store)
    config = item_states.item_config(store.conn)
    decks = [lib.deck(chapter)] if chapter else list(lib.decks)
    counts = item_counts(decks)  # read off the card index: no card is decoded
    ids = [cid for deck in decks for cid in deck.card_ids]
    n_items = np.array([n for per_card in counts for n in per_card], dtype=np.int64)
    # The studied items of these decks, in deck, card and item order (an item no longer in the deck is left out);
    # a card is named by its position in `ids`.
    table = columns.item_memories(store, ids)
    keep = table.item < n_items[table.card]
    card, s, d, last = table.card[keep], table.stability[keep], table.difficulty[keep], table.last_day[keep]
    stop = projection.recall_if_stop(s, day.toordinal() - last, config)
    studied = card[np.flatnonzero(np.diff(card, prepend=-1))]  # each card with studied items once (card is sorted)
    planned = _planned(store, cfg, ids, studied, today, day)[card]
    kept = projection.project(s, d, last, planned, day.toordinal(), config).tolist()
    bounds = np.searchsorted(card, np.cumsum([0] + [len(deck.card_ids) for deck in decks])).tolist()
    figures = [_figure(deck.id, deck.title, sum(n), stop[a:b], kept[a:b])
               for deck, n, a, b in zip(decks, counts, bounds, bounds[1:])]
    params = "default" if cfg.parameters == fsrs.DEFAULT_PARAMETERS else "fitted"
    return Forecast(day, params, tuple(figures), _figure(None, None, int(n_items.sum()), stop, kept))


def _planned(store: Store, cfg: SchedulerConfig, ids: list[str], studied: Any, today: date, day: date) -> Any:
    """Each card's planned reviews before `day` under the scheduler in force, each passed (Good) as a kept schedule
    expects: day numbers, one row per card of `ids` (-1: none). Only the cards at positions `studied` (those with
    studied items) are planned; suspended and unscheduled cards have no reviews."""
    import numpy as np

    from sysplan_study.memory import plans
    from sysplan_study.store import columns

    out = np.full((len(ids), MAX_REVIEWS), -1, dtype=np.int64)
    suspended = store.suspended_ids()
    cards = [int(i) for i in studied if ids[i] not in suspended]
    sched = columns.schedules(store, [ids[i] for i in cards])
    if len(sched.card):
        out[np.array(cards)[sched.card]] = plans.planned(
            sched.repetitions, sched.ef100, sched.interval, sched.due, sched.stability, sched.difficulty,
            sched.last_day, today.toordinal(), day.toordinal(), cfg, MAX_REVIEWS)
    return out


def _figure(id_: str | None, title: str | None, n_items: int, stop: Sequence[float], kept: Sequence[float]) -> Figure:
    n = len(stop)
    return Figure(id_, title, n_items, n, sum(stop) / n if n else None, sum(kept) / n if n else None)


def overall_if_stop(store: Store, lib: Library, day: date, chapter: str | None = None) -> Figure:
    """Only the overall *if you stop* figure (of one chapter, or all), from the stored item memories in one SQL
    aggregate and item counts read off the card index: quick, for `exam`, `review --exam` and `stats`."""
    from sysplan_study.decks.counts import item_counts

    decks = [lib.deck(chapter)] if chapter else list(lib.decks)
    counts: dict[str, int] = {}
    for deck, per_card in zip(decks, item_counts(decks)):
        counts.update(zip(deck.card_ids, per_card))
    # The curve recall_function evaluates, with the same decay and factor.
    decay, factor = fsrs.curve(item_states.item_config(store.conn).parameters)
    studied, total = item_states.recall_total(store, counts, day, decay, factor)
    mean = total / studied if studied else None
    return Figure(None, None, sum(counts.values()), studied, mean, mean)
