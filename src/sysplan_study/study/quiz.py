"""Chapter quizzes: pick questions reproducibly, log answers as mode `quiz`, never touch the SM-2 schedule."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Sequence

from sysplan_study.study import drills
from sysplan_study.clock import utc_now
from sysplan_study.decks.model import Card
from sysplan_study.errors import UserError
from sysplan_study.store import answers
from sysplan_study.store.history import ItemResult, Store

DEFAULT_COUNT = 10
MIXED = "mixed"
CHOICE_RIGHT, CHOICE_WRONG = 5, 0  # how a choice answer is logged on the 0-5 scale


def build_questions(
    cards: Sequence[Card], pool: Sequence[Card], count: int, mode: str, seed: int | None
) -> list[drills.Question]:
    """`count` questions over `cards` in random order (reproducible with a seed); mixed modes by default."""
    if count < 1:
        raise UserError("--count 必须是 1 或更大（--count must be 1 or more）")
    if mode != MIXED and mode not in drills.MODES:
        raise UserError(f"没有这种题型：{mode!r}；可选 {', '.join((*drills.MODES, MIXED))}（unknown quiz mode）")
    if not cards:
        raise UserError("没有可测验的卡片（no cards to quiz）")
    rng = random.Random(seed)
    order = list(cards)
    rng.shuffle(order)
    questions: list[drills.Question] = []
    attempts = 0
    # Cycle through the cards (again if count exceeds them); skip modes a card cannot support.
    while len(questions) < count and attempts < count * 20:
        card = order[attempts % len(order)]
        attempts += 1
        modes = [mode] if mode != MIXED else rng.sample(drills.MODES, len(drills.MODES))
        for m in modes:
            q = drills.make_question(m, card, pool, rng)
            if q is not None:
                questions.append(q)
                break
    if not questions:
        raise UserError(f"这些卡片出不了 {mode} 题，试试 --mode recall（no {mode} questions can be made）")
    return questions


@dataclass(frozen=True)
class QuizAnswer:
    """One answered question."""

    question: drills.Question
    grade: int
    correct: bool
    chosen: int | None = None
    items: tuple[ItemResult, ...] = ()
    log_id: int = 0


@dataclass
class QuizSession:
    """A quiz in progress: answers are logged as mode `quiz` (the schedule is never changed)."""

    store: Store
    today: date
    questions: list[drills.Question]
    clock: Callable[[], datetime] = utc_now
    answers: list[QuizAnswer] = field(default_factory=list)
    left_early: bool = False  # set when the user quit before the last question

    def _log(self, q: drills.Question, grade: int, duration_ms: int | None, hints: int,
             items: list[ItemResult] | None, tested: int | None = None) -> int:
        return answers.record(self.store, q.card.id, "quiz", grade, self.clock(), self.today,
                              duration_ms=duration_ms, hints=hints, items=items, tested=tested)

    @property
    def position(self) -> int:
        """Index of the next question to ask (questions answered so far)."""
        return len(self.answers)

    def undo(self) -> QuizAnswer | None:
        """Take back the last answer of this quiz (by its log id); its question is asked again."""
        if not self.answers:
            return None
        last = self.answers[-1]
        answers.undo(self.store, last.log_id)
        self.answers.pop()
        return last

    def answer_recall(self, q: drills.Question, grade: int, duration_ms: int | None = None, hints: int = 0,
                      items: list[ItemResult] | None = None) -> QuizAnswer:
        """Log a self-graded (or typed and scored) recall answer."""
        from sysplan_study.memory import sm2

        sm2.check_quality(grade)
        # Self-graded, the whole list was recalled from memory: item memory gives each item this grade.
        log_id = self._log(q, grade, duration_ms, hints, items, None if items else q.card.count)
        a = QuizAnswer(q, grade, grade >= 3, None, tuple(items or ()), log_id)
        self.answers.append(a)
        return a

    def answer_choice(self, q: drills.Question, chosen: int, duration_ms: int | None = None) -> QuizAnswer:
        """Log a multiple-choice answer (`chosen` is 0-based)."""
        if not 0 <= chosen < len(q.choices):
            raise UserError(f"请选择 1-{len(q.choices)}（choice must be 1-{len(q.choices)}）")
        correct = chosen == q.answer
        grade = CHOICE_RIGHT if correct else CHOICE_WRONG
        log_id = self._log(q, grade, duration_ms, 0, None)
        a = QuizAnswer(q, grade, correct, chosen, (), log_id)
        self.answers.append(a)
        return a

    def score(self) -> dict[str, tuple[int, int]]:
        """Right answers and questions per mode (recall counts grade ≥ 3 as right)."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a in self.answers:
            out[a.question.mode][0] += int(a.correct)
            out[a.question.mode][1] += 1
        return {m: (r, n) for m, (r, n) in out.items()}

    def missed(self) -> list[tuple[str, str]]:
        """(card id, what was missed) of answers counted wrong: items not recalled, right choices not picked."""
        out: list[tuple[str, str]] = []
        for a in self.answers:
            q = a.question
            if a.correct:
                continue
            if q.is_choice:
                out.append((q.card.id, f"{q.prompt} → {q.choices[q.answer]}"))
            out.extend((q.card.id, i.text) for i in a.items if not i.recalled)
            if q.mode == drills.RECALL and not any(not i.recalled for i in a.items):
                out.append((q.card.id, f"{drills.card_label(q.card)}（自评 {a.grade}）"))
        return out

    def accepted_unmatched(self) -> list[tuple[str, str]]:
        """Items the grader did not match in answers you graded as right anyway (your grade decides the score)."""
        return [(a.question.card.id, i.text) for a in self.answers if a.correct for i in a.items if not i.recalled]
