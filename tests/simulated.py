"""A simulated learner for the forecast's tests: every item's true memory follows FSRS with parameters unlike the
defaults (fixed here before any fitting code existed), reviews are typed and scored item by item."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

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


class Simulation:
    """A learner's study days through the app's own answer path (typed recall, scored item by item); it can be forked
    into two copies (database and true memory) that then study differently."""

    def __init__(self, store: Store, cards: Sequence[Any], seed: int, new_per_day: int = 5):
        self.store, self.rng, self.new_per_day = store, random.Random(seed), new_per_day
        self.order = list(cards)
        self.rng.shuffle(self.order)
        self.truth: dict[tuple[str, int], ItemMemory] = {}
        self.introduced = 0
        self.days_off: set[int] | None = None  # fixed days off (forks), else drawn day by day
        self.cfg = replay.SchedulerConfig()

    def due(self, day: date) -> list[Any]:
        """The introduced cards the schedule says are due on `day`."""
        return [c for c in self.order[:self.introduced] if (s := self.store.state(c.id)).due is not None and s.due <= day]

    def study(self, n: int, choose: Callable[["Simulation", date, list[Any]], list[Any]] | None = None) -> int | None:
        """Study day `n` (from START): the cards `choose` picks (default: the due ones), then new cards. Returns the
        number of cards reviewed (new ones not counted), None for a day off."""
        day = START + timedelta(days=n)
        if (self.rng.random() < 0.1) if self.days_off is None else n in self.days_off:
            return None  # a day off now and then
        at = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
        due = self.due(day)
        reviews = due if choose is None else choose(self, day, due)
        fresh = self.order[self.introduced:self.introduced + self.new_per_day]
        self.introduced += len(fresh)
        for card in reviews + fresh:
            self.answer(card, day, at)
        return len(reviews)

    def answer(self, card: Any, day: date, at: datetime) -> None:
        """Type the card's items from true memory; the app marks them and schedules the card (early if not due)."""
        recall = fsrs.recall_function(TRUE)
        results = []
        for i, item in enumerate(card.items):
            m = self.truth.get((card.id, i))
            p = 0.0 if m is None else recall(m.stability, (day - m.last_day).days)
            ok = self.rng.random() < p
            results.append(ItemResult(i, item.text, ok))
            after = answer(m, 4 if ok else 0, day, TRUE)
            if after is not None:
                self.truth[(card.id, i)] = after
        share = sum(r.recalled for r in results) / len(results)
        grade = 5 if share == 1 else 4 if share >= 0.75 else 3 if share >= 0.5 else 1
        answers.answer_review(
            self.store, card.id, self.store.state_row(card.id), grade,
            lambda b, g=grade, d=day: (replay.schedule(b, g, d, self.cfg), None), at, day, 10**6, items=results,
            early=True)

    def fork(self, path: Path, days_off: set[int]) -> "Simulation":
        """A copy studying in its own database (a copy of this one), with the given days off from now on."""
        import sqlite3

        from sysplan_study.store.connection import open_store

        target = sqlite3.connect(path)
        self.store.conn.backup(target)
        target.close()
        twin = copy.copy(self)
        twin.store, twin.truth, twin.rng = open_store(path), dict(self.truth), random.Random()
        twin.rng.setstate(self.rng.getstate())
        twin.days_off = set(days_off)
        return twin

    def learner(self, last_day: date) -> Learner:
        """What the learner truly remembers, studied up to `last_day`."""
        return Learner(self.truth, last_day)


def simulate(store: Store, cards: Sequence[Any], seed: int, days: int = 60, new_per_day: int = 5) -> Learner:
    """`days` study days of reviews through the app's own answer path (SM-2 schedule, typed recall)."""
    sim = Simulation(store, cards, seed, new_per_day)
    for n in range(days):
        sim.study(n)
    return sim.learner(START + timedelta(days=days - 1))


def builtin_library() -> Any:
    """The shipped decks (what the simulated learners study)."""
    from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
    from sysplan_study.decks.model import Library

    return Library.of(load_file(p, builtin=True) for p in deck_files(builtin_content_dir()))


def imported_learner(library: Any, seed: int, folder: Path) -> tuple[Learner, Store]:
    """A learner's 60 study days on one machine, exported as a progress file and imported into a fresh home
    (the issue's setting: the forecast sees the history only through `import-progress`). Returns the learner and
    the store of the fresh home (open)."""
    from sysplan_study.store.connection import open_store
    from sysplan_study.store.progress_file import export_progress, import_progress

    folder.mkdir(parents=True, exist_ok=True)
    source = open_store(folder / "elsewhere.db")
    learner = simulate(source, library.cards, seed)
    export_progress(source, folder / "progress.json")
    source.close()
    store = open_store(folder / "sysplan.db")
    import_progress(store, folder / "progress.json", {c.id: c.count for c in library.cards})
    return learner, store


@dataclass(frozen=True)
class ExamTrial:
    """One learner's exam-day recall after the last study days planned two ways at the same number of reviews."""

    plain: float  # true exam-day recall when the last days review what the schedule says is due
    exam: float  # the same when `review --exam` chooses (budget: the plain schedule's count that day)
    reviews: int  # card reviews in the last days (the same in both)


def exam_trial(cards: Sequence[Any], resolve: Callable[[str], Any], seed: int, folder: Path, days: int = 60,
               last: int = 30, gap: int = 30) -> ExamTrial:
    """`days` study days, the last `last` of them forked: one copy follows the schedule, the other lets the app's
    exam queue (study/exam_queue.py) choose as many reviews each day; the exam is `gap` days after the last."""
    from sysplan_study.store.connection import open_store
    from sysplan_study.study import exam_queue, fitting

    base = Simulation(open_store(folder / f"{seed}-base.db"), cards, seed)
    for n in range(days - last):
        base.study(n)
    off = {n for n in range(days - last, days) if random.Random(f"{seed}-off-{n}").random() < 0.1}
    plain, smart = base.fork(folder / f"{seed}-plain.db", off), base.fork(folder / f"{seed}-exam.db", off)
    exam = START + timedelta(days=days - 1 + gap)
    ids = [c.id for c in cards]
    counts = {c.id: c.count for c in cards}
    planned: dict[int, int] = {}
    for n in range(days - last, days):
        reviewed = plain.study(n)
        if reviewed is not None:
            planned[n] = reviewed

    def choose(sim: Simulation, day: date, due: list[Any]) -> list[Any]:
        budget = planned[(day - START).days]
        if budget == 0:
            return []
        fitting.refresh(sim.store)  # the app fits its parameters on the history as it grows, as `review --exam` does
        queue = exam_queue.plan(sim.store, ids, counts, day, exam, budget, 0)
        return [resolve(c) for c, _ in queue.reviews]

    for n in range(days - last, days):
        smart.study(n, choose)
    last_day = START + timedelta(days=days - 1)
    result = ExamTrial(plain.learner(last_day).truly_recalled(exam), smart.learner(last_day).truly_recalled(exam),
                       sum(planned.values()))
    for sim in (base, plain, smart):
        sim.store.close()
    return result


__all__ = ["builtin_library", "imported_learner", "Learner", "TRUE", "TRUE_PARAMETERS", "simulate", "sm2"]
