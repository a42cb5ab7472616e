"""A simulated learner for the forecast's tests: every item's true memory follows FSRS with parameters unlike the
defaults (fixed here before any fitting code existed), reviews are typed and scored item by item."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Sequence

from sysplan_study.memory import fsrs, replay, sm2
from sysplan_study.memory.items import ItemMemory, answer
from sysplan_study.store import answers
from sysplan_study.store.history import ItemResult, Store

# The learner's true memory: first memories weaker and forgetting a little faster than FSRS's defaults assume.
TRUE_PARAMETERS = tuple(
    {0: 0.12, 1: 0.6, 2: 1.2, 3: 4.0, 8: 1.55, 10: 0.9, 20: 0.25}.get(i, p)
    for i, p in enumerate(fsrs.DEFAULT_PARAMETERS)
)
TRUE = fsrs.Config(parameters=TRUE_PARAMETERS)
START = date(2026, 3, 2)


@dataclass
class Learner:
    """What the simulation knows that the app does not: every item's true memory."""

    memories: dict[tuple[str, int], ItemMemory]
    last_day: date

    def truly_recalled(self, day: date) -> float:
        """The expected share of studied items the learner truly recalls on `day`."""
        recall = fsrs.recall_function(TRUE)
        values = [recall(m.stability, (day - m.last_day).days) for m in self.memories.values()]
        return sum(values) / len(values)


def simulate(store: Store, cards: Sequence[Any], seed: int, days: int = 60, new_per_day: int = 5) -> Learner:
    """`days` study days of reviews through the app's own answer path (SM-2 schedule, typed recall)."""
    rng = random.Random(seed)
    order = list(cards)
    rng.shuffle(order)
    recall = fsrs.recall_function(TRUE)
    truth: dict[tuple[str, int], ItemMemory] = {}
    introduced = 0
    cfg = replay.SchedulerConfig()
    for n in range(days):
        day = START + timedelta(days=n)
        if rng.random() < 0.1:
            continue  # a day off now and then
        at = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
        due = [c for c in order[:introduced] if (s := store.state(c.id)).due is not None and s.due <= day]
        fresh = order[introduced:introduced + new_per_day]
        introduced += len(fresh)
        for card in due + fresh:
            results = []
            for i, item in enumerate(card.items):
                m = truth.get((card.id, i))
                p = 0.0 if m is None else recall(m.stability, (day - m.last_day).days)
                ok = rng.random() < p
                results.append(ItemResult(i, item.text, ok))
                after = answer(m, 4 if ok else 0, day, TRUE)
                if after is not None:
                    truth[(card.id, i)] = after
            share = sum(r.recalled for r in results) / len(results)
            grade = 5 if share == 1 else 4 if share >= 0.75 else 3 if share >= 0.5 else 1
            answers.answer_review(
                store, card.id, store.state_row(card.id), grade,
                lambda b, g=grade, d=day: (replay.schedule(b, g, d, cfg), None), at, day, 10**6, items=results)
    return Learner(truth, START + timedelta(days=days - 1))


__all__ = ["Learner", "TRUE", "TRUE_PARAMETERS", "simulate", "sm2"]
