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
from sysplan_study.memory import fsrs, projection, replay
from sysplan_study.memory.items import ItemMemory
from sysplan_study.memory.replay import CardState, SchedulerConfig
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


class _Plans:
    """Each card's planned reviews before the date under the scheduler in force, each passed (Good) as a kept
    schedule expects."""

    def __init__(self, scheduler: SchedulerConfig, today: date, day: date):
        self.scheduler, self.today, self.day = scheduler, today, day

    def review_days(self, state: CardState) -> tuple[date, ...]:
        return replay.planned_days(state, self.today, self.day, self.scheduler, MAX_REVIEWS)


def forecast(store: Store, lib: Library, day: date, today: date, chapter: str | None = None) -> Forecast:
    """The forecast for `day` over every deck (or one chapter)."""
    cfg = schedules.config(store)
    config = item_states.item_config(store.conn)
    plans = _Plans(cfg, today, day)
    recall = fsrs.recall_function(config)
    memories = item_states.memories(store)
    states = _states(store)
    suspended = store.suspended_ids()
    decks = [lib.deck(chapter)] if chapter else list(lib.decks)
    studied: list[ItemMemory] = []
    planned: list[tuple[date, ...]] = []
    spans = []  # per deck: (items, first studied index, last + 1)
    for deck in decks:
        first, n_items = len(studied), 0
        for card in deck.cards:
            n_items += card.count
            known = memories.get(card.id)
            if not known:
                continue
            state = states.get(card.id)
            plan = plans.review_days(state) if state is not None and card.id not in suspended else ()
            for index, memory in known.items():
                if index < card.count:  # an item no longer in the deck is left out
                    studied.append(memory)
                    planned.append(plan)
        spans.append((deck, n_items, first, len(studied)))
    stop = [recall(m.stability, (day - m.last_day).days) for m in studied]
    kept = projection.expected_recall(studied, planned, day, config)
    rows = [_figure(deck.id, deck.title, n, stop[a:b], kept[a:b]) for deck, n, a, b in spans]
    params = "default" if cfg.parameters == fsrs.DEFAULT_PARAMETERS else "fitted"
    return Forecast(day, params, tuple(rows), _figure(None, None, sum(n for _, n, _, _ in spans), stop, kept))


def _figure(id_: str | None, title: str | None, n_items: int, stop: Sequence[float], kept: Sequence[float]) -> Figure:
    n = len(stop)
    return Figure(id_, title, n_items, n, sum(stop) / n if n else None, sum(kept) / n if n else None)


def _states(store: Store) -> dict[str, CardState]:
    rows = store.conn.execute(
        "SELECT card_id, repetitions, ef100, interval, due, stability, difficulty, last_day FROM card_state")
    return {r[0]: schedules.state_of(tuple(r[1:])) for r in rows}


def overall_if_stop(store: Store, lib: Library, day: date) -> Figure:
    """Only the overall *if you stop* figure, from stored item memories (quick: for `exam` and `stats`)."""
    recall = fsrs.recall_function(item_states.item_config(store.conn))
    counts = {c.id: c.count for c in lib.cards}
    stop = [recall(m.stability, (day - m.last_day).days) for cid, known in item_states.memories(store).items()
            if cid in counts for index, m in known.items() if index < counts[cid]]
    return _figure(None, None, sum(counts.values()), stop, stop)
