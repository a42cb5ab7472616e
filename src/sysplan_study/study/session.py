"""Review sessions: which cards to show, in what order, and what each answer does (no terminal I/O)."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterable

from sysplan_study.memory import sm2
from sysplan_study.clock import utc_now
from sysplan_study.decks.model import Card
from sysplan_study.errors import UserError
from sysplan_study.store.history import ItemResult, LogEntry, Store

DEFAULT_NEW_LIMIT = 20
DRILL_UNTIL = 4  # SM-2: repeat the day's items graded below 4 until they reach 4
REVIEW, DRILL, QUIZ = "review", "drill", "quiz"


def max_grade(hints: int) -> int:
    """Highest grade on offer after using `hints` hints: each one lowers it by one."""
    return max(0, 5 - max(0, hints))


def parse_grade(raw: str, highest: int = 5) -> int:
    """Read a grade typed as ASCII or full-width digit (０-５); raise UserError if it is not 0..highest."""
    import unicodedata

    text = unicodedata.normalize("NFKC", raw).strip()
    if len(text) == 1 and text.isdigit() and 0 <= int(text) <= 5:
        grade = int(text)
        if grade > highest:
            raise UserError(f"用了提示，最高只能评 {highest} 分（grade {grade} > {highest}）")
        return grade
    raise UserError(f"评分应为 0-{highest} 的数字（grade must be 0-{highest}），收到 {raw.strip()[:20]!r}")


@dataclass(frozen=True)
class Planned:
    """A card waiting in the session queue, with the mode its answer will be logged under.

    Only the id is held: the card's deck is loaded when the card is shown, so a large home starts fast.
    """

    card_id: str
    mode: str
    resolve: Callable[[str], Card] = field(compare=False, repr=False)

    @property
    def card(self) -> Card:
        """The card itself."""
        return self.resolve(self.card_id)


@dataclass(frozen=True)
class Answered:
    """One answer given in this session (kept so it can be undone)."""

    planned: Planned
    grade: int
    log_id: int
    before: sm2.State
    after: sm2.State | None
    requeued: bool
    hints: int = 0


@dataclass(frozen=True)
class Summary:
    """End-of-session figures."""

    reviewed: int
    drilled: int
    grades: dict[int, int]
    hints: int
    next_due: date | None
    left: int


def plan_queue(
    card_ids: Iterable[str],
    states: dict[str, sm2.State],
    today: date,
    new_allowed: int,
    limit: int | None = None,
) -> list[str]:
    """Due cards first (most overdue first), then new cards in deck order up to new_allowed; cap at limit."""
    ids = list(card_ids)
    order = {c: i for i, c in enumerate(ids)}
    due = [c for c in ids if c in states and states[c].due is not None and states[c].due <= today]
    due.sort(key=lambda c: (states[c].due, order[c]))
    new = [c for c in ids if c not in states][: max(0, new_allowed)]
    queue = due + new
    return queue[:limit] if limit is not None else queue


@dataclass
class ReviewSession:
    """A review in progress: a queue of due and new cards, then same-day drills of cards graded below 4."""

    store: Store
    today: date
    queue: deque[Planned]
    clock: Callable[[], datetime] = utc_now
    due_cap: Callable[[sm2.State], date | None] = lambda state: None
    history: list[Answered] = field(default_factory=list)
    hints_used: int = 0

    @classmethod
    def start(
        cls,
        store: Store,
        card_ids: Iterable[str],
        resolve: Callable[[str], Card],
        today: date,
        new_limit: int = DEFAULT_NEW_LIMIT,
        limit: int | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> "ReviewSession":
        """Plan today's queue: the new-card allowance is what remains of the daily limit per the log."""
        if new_limit < 0:
            raise UserError("--new-limit must be 0 or more")
        if limit is not None and limit < 1:
            raise UserError("--limit must be 1 or more")
        allowed = new_limit - store.new_introduced_on(today)
        planned = plan_queue(card_ids, store.states(), today, allowed, limit)
        return cls(store, today, deque(Planned(c, REVIEW, resolve) for c in planned), clock)

    @property
    def done(self) -> int:
        """Answers given in this session."""
        return len(self.history)

    @property
    def left(self) -> int:
        """Cards still waiting (drills included)."""
        return len(self.queue)

    def current(self) -> Planned | None:
        """The card to show next, or None when the session is over."""
        return self.queue[0] if self.queue else None

    def preview(self, card: Card) -> dict[int, sm2.State]:
        """What each grade would do to this card's schedule."""
        return sm2.preview(self.store.state(card.id), self.today)

    def answer(
        self,
        grade: int,
        duration_ms: int | None = None,
        hints: int = 0,
        items: list[ItemResult] | None = None,
    ) -> Answered:
        """Grade the current card, commit it at once, and requeue it for a drill if graded below 4."""
        planned = self.current()
        if planned is None:
            raise UserError("no card to answer")
        sm2.check_quality(grade)
        if grade > max_grade(hints):
            raise UserError(f"grade {grade} is above {max_grade(hints)}, the highest on offer after {hints} hint(s)")
        card = planned.card
        before = self.store.state(card.id)
        after = sm2.review(before, grade, self.today) if planned.mode == REVIEW else None
        capped = self.due_cap(after) if after is not None else None
        log_id = self.store.record(
            card.id, planned.mode, grade, before, after, self.clock(), self.today,
            duration_ms=duration_ms, hints=hints, items=items, capped_due=capped,
        )
        self.queue.popleft()
        requeue = grade < DRILL_UNTIL
        if requeue:
            self.queue.append(Planned(card.id, DRILL, planned.resolve))
        done = Answered(planned, grade, log_id, before, after, requeue, hints)
        self.history.append(done)
        self.hints_used += hints
        return done

    def undo(self) -> Answered | None:
        """Undo this session's last answer: delete it from the log, restore the state, show the card again."""
        if not self.history:
            return None
        last = self.history[-1]
        entry = self.store.undo_last()
        if entry is None or entry.id != last.log_id:
            raise UserError("the last answer in the database is not this session's; use `sysplan undo`")
        self.history.pop()
        self.hints_used -= last.hints
        if last.requeued:
            # The drill copy is the most recent append for this card.
            for i in range(len(self.queue) - 1, -1, -1):
                if self.queue[i].card_id == last.planned.card_id and self.queue[i].mode == DRILL:
                    del self.queue[i]
                    break
        self.queue.appendleft(last.planned)
        return last

    def summary(self) -> Summary:
        """Counts of this session and the next due date among the cards seen."""
        grades = Counter(a.grade for a in self.history if a.planned.mode == REVIEW)
        seen = {a.planned.card_id for a in self.history}
        dues = self.store.due_dates()
        upcoming = [dues[c] for c in seen if c in dues]
        return Summary(
            reviewed=sum(1 for a in self.history if a.planned.mode == REVIEW),
            drilled=sum(1 for a in self.history if a.planned.mode == DRILL),
            grades={g: grades.get(g, 0) for g in range(6)},
            hints=self.hints_used,
            next_due=min(upcoming) if upcoming else None,
            left=self.left,
        )


def undo_last(store: Store) -> LogEntry | None:
    """`sysplan undo`: remove the most recent answer of any session and restore its card's state."""
    return store.undo_last()
