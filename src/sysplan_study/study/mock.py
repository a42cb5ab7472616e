"""Mock exams: list cards drawn at random across chapters, typed recall scored item by item, logged as mode `mock`.

No schedule changes, but every item answer feeds item memory. The score is shown beside what the forecast predicted
for the same items before they were asked: the honest check of the forecast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from sysplan_study.decks.model import Card
from sysplan_study.errors import UserError
from sysplan_study.memory import fsrs
from sysplan_study.store import answers, item_states
from sysplan_study.store.history import ItemResult, Store
from sysplan_study.study import drills
from sysplan_study.study.quiz import QuizSession

DEFAULT_COUNT = 10
MOCK = "mock"


def draw(cards: Sequence[Card], count: int, seed: int | None) -> list[Card]:
    """`count` cards at random from all of them (not only due ones), reproducible with a seed."""
    if count < 1:
        raise UserError("--count 必须是 1 或更大（must be 1 or more）")
    pool = [c for c in cards if c.count > 0]
    if not pool:
        raise UserError("没有可以出题的卡片（no cards）")
    return random.Random(seed).sample(pool, min(count, len(pool)))


@dataclass(frozen=True)
class Prediction:
    """What the forecast expected of each asked item before the mock: recall probability, per (card, item)."""

    recall: dict[tuple[str, int], float]


def predict(store: Store, cards: Sequence[Card], day: date) -> Prediction:
    """Predicted recall today of every studied item of these cards (never-studied items have no prediction)."""
    recall = fsrs.recall_function(item_states.item_config(store.conn))
    memories = item_states.memories(store, [c.id for c in cards])
    return Prediction({(cid, i): recall(m.stability, (day - m.last_day).days)
                       for cid, known in memories.items() for i, m in known.items()})


class MockSession(QuizSession):
    """A quiz of recall questions whose answers are logged as mode `mock`."""

    def _log(self, q: drills.Question, grade: int, duration_ms: int | None, hints: int,
             items: list[ItemResult] | None, tested: int | None = None) -> int:
        return answers.record(self.store, q.card.id, MOCK, grade, self.clock(), self.today,
                              duration_ms=duration_ms, hints=hints, items=items, tested=tested)


def start(store: Store, cards: Sequence[Card], today: date) -> tuple[MockSession, Prediction]:
    """The mock's questions, and the forecast for their items taken before the first answer."""
    questions = [drills.Question(drills.RECALL, c, c.prompt) for c in cards]
    return MockSession(store, today, questions), predict(store, cards, today)


@dataclass(frozen=True)
class Score:
    """Items recalled of all asked, and predicted vs recalled over the items the forecast knew."""

    recalled: int
    asked: int
    predicted: float | None  # mean predicted recall of the studied items asked
    actual: float | None  # share of those same items recalled
    known: int


def score(session: MockSession, prediction: Prediction) -> Score:
    """Item by item, like the exam: a typed ✓ counts, a self-graded answer counts every item as its grade ≥ 3."""
    recalled = asked = 0
    predicted: list[float] = []
    hits: list[int] = []
    for a in session.answers:
        card = a.question.card
        marks = {i.item: i.recalled for i in a.items} if a.items else {i: a.grade >= 3 for i in range(card.count)}
        for index, ok in marks.items():
            asked += 1
            recalled += int(ok)
            if (card.id, index) in prediction.recall:
                predicted.append(prediction.recall[(card.id, index)])
                hits.append(int(ok))
    n = len(predicted)
    return Score(recalled, asked, sum(predicted) / n if n else None, sum(hits) / n if n else None, n)
