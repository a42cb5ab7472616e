"""Review sessions: which cards to show, in what order, and what each answer does (no terminal I/O)."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from dataclasses import replace
from typing import Any, Callable, Iterable, NamedTuple

from sysplan_study.memory import replay, sm2
from sysplan_study.memory.replay import CardState
from sysplan_study.clock import utc_now
from sysplan_study.decks.model import Card
from sysplan_study.errors import UserError
from sysplan_study.store import answers, schedules
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


class Planned(NamedTuple):
    """A card waiting in the session queue, with the mode its answer will be logged under.

    Only the id is held: the card's deck is loaded when the card is shown, so a large home starts fast (a tuple:
    a queue holds thousands, and a frozen dataclass costs several times as much to make).
    """

    card_id: str
    mode: str
    resolve: Callable[[str], Card]
    seen: tuple[Any, ...] | None = None  # the card_state row when the card was shown (None: new)
    early: bool = False  # `review --exam`: reviewed before its due date on purpose (seen is the planned row)

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
    logged_as: str = REVIEW  # DRILL when the card was answered elsewhere meanwhile or the new-card limit was hit


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


ELSEWHERE_NOTICE = "已在其他窗口复习过，本次记为练习（answered in another window: logged as a drill）"
SKIPPED_NOTICE = "{card} 已在其他窗口复习过，跳过（answered in another window）"
LIMIT_NOTICE = "今天的新卡已达上限 {limit} 张（含其他窗口），跳过其余 {n} 张新卡（daily new-card limit reached）"


@dataclass
class ReviewSession:
    """A review in progress: a queue of due and new cards, then same-day drills of cards graded below 4.

    Other terminals may answer the same cards: each card is checked again when it comes up (skipped if it is no
    longer due or new) and inside the answer's transaction (logged as a drill if it changed meanwhile).
    """

    store: Store
    today: date
    queue: deque[Planned]
    clock: Callable[[], datetime] = utc_now
    due_cap: Callable[[sm2.State], date | None] = lambda state: None
    history: list[Answered] = field(default_factory=list)
    hints_used: int = 0
    new_limit: int = DEFAULT_NEW_LIMIT
    notices: list[str] = field(default_factory=list)  # one-line messages for the screen to print, then clear
    leech_threshold: int = 6
    # `review --weak`: cards shown cut down to some items; typed results are logged under the card's own indices.
    item_map: dict[str, tuple[int, ...]] = field(default_factory=dict)

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
            raise UserError("--new-limit 必须是 0 或更大（must be 0 or more）")
        if limit is not None and limit < 1:
            raise UserError("--limit 必须是 1 或更大（must be 1 or more）")
        allowed = new_limit - answers.new_introduced_on(store, today)
        suspended = store.suspended_ids()
        ids = [c for c in card_ids if c not in suspended]
        from sysplan_study.study import review_queue  # plan_queue's order from indexed SQL, no State per card

        planned = review_queue.plan(store, ids, today, allowed, limit)
        queue = deque(Planned(c, REVIEW, resolve) for c in planned)
        return cls(store, today, queue, clock, new_limit=new_limit)

    @classmethod
    def exam(
        cls, store: Store, planned: Any, resolve: Callable[[str], Card], today: date,
        new_limit: int = DEFAULT_NEW_LIMIT, limit: int | None = None, clock: Callable[[], datetime] = utc_now,
    ) -> "ReviewSession":
        """`review --exam`: an exam_queue.ExamQueue's reviews (due or pulled forward), then its new cards; at most
        `limit` cards in all."""
        if limit is not None and limit < 1:
            raise UserError("--limit 必须是 1 或更大（must be 1 or more）")
        queue = deque(Planned(c, REVIEW, resolve, seen=row, early=True) for c, row in planned.reviews)
        queue.extend(Planned(c, REVIEW, resolve) for c in planned.new)
        return cls(store, today, deque(list(queue)[:limit]), clock, new_limit=new_limit)

    @property
    def done(self) -> int:
        """Answers given in this session."""
        return len(self.history)

    @property
    def left(self) -> int:
        """Cards still waiting (drills included)."""
        return len(self.queue)

    def current(self) -> Planned | None:
        """The card to show next (checked against the database now), or None when the session is over."""
        while self.queue:
            planned = self.queue[0]
            if planned.mode != REVIEW or planned.seen is not None:
                return planned
            row = self.store.state_row(planned.card_id)
            if row is None and answers.new_introduced_on(self.store, self.today) >= self.new_limit:
                self._skip_new_cards()
                continue
            if row is not None and row[3] > self.today.isoformat():
                self.queue.popleft()  # answered in another window since the queue was planned
                self.notices.append(SKIPPED_NOTICE.format(card=planned.card_id))
                continue
            if row is None and planned.card_id in self.store.suspended_ids():
                self.queue.popleft()
                continue
            self.queue[0] = planned._replace(seen=row or ())
            return self.queue[0]
        return None

    def leech_note(self, card_id: str) -> str | None:
        """For a leech (failed `leech_threshold` times after being passed): a line naming it 难点 with advice."""
        from sysplan_study.store import cards

        n = cards.lapses(self.store, card_id)
        if n < self.leech_threshold:
            return None
        missed = cards.missed_items(self.store, card_id, 3)
        often = "；常漏：" + "、".join(f"({i + 1}) {t}" for i, t, _ in missed) if missed else ""
        return f"难点：这张卡已遗忘 {n} 次，建议用 --typed 逐项默写{often}"

    def _skip_new_cards(self) -> None:
        """Drop the queued cards that are still new: the day's limit was reached (perhaps in another window)."""
        kept, dropped = deque(), 0
        for p in self.queue:
            if p.mode == REVIEW and p.seen is None and self.store.state_row(p.card_id) is None:
                dropped += 1
            else:
                kept.append(p)
        self.queue = kept
        if dropped:
            self.notices.append(LIMIT_NOTICE.format(limit=self.new_limit, n=dropped))

    def preview(self, card: Card) -> dict[int, sm2.State]:
        """What each grade would do to this card's schedule under the scheduler in force (exam cap applied)."""
        out: dict[int, sm2.State] = {}
        before, cfg = schedules.card_state(self.store, card.id), schedules.config(self.store)
        for grade in range(6):
            state = replay.schedule(before, grade, self.today, cfg)
            capped = self.due_cap(state)
            out[grade] = replace(state, due=capped, interval=(capped - self.today).days) if capped else state
        return out

    def answer(
        self,
        grade: int,
        duration_ms: int | None = None,
        hints: int = 0,
        items: list[ItemResult] | None = None,
    ) -> Answered:
        """Grade the current card, commit it at once, and requeue it for a drill if graded below 4.

        If saving fails (disk full, database busy) a UserError is raised and the card stays current, so the
        screen can say so and the same answer can be given again.
        """
        planned = self.current()
        if planned is None:
            raise UserError("没有要回答的卡片（no card to answer）")
        sm2.check_quality(grade)
        if grade > max_grade(hints):
            raise UserError(f"用了 {hints} 次提示，最高只能评 {max_grade(hints)} 分（grade {grade} is above the cap）")
        now = self.clock()
        keep = self.item_map.get(planned.card_id)
        if keep is not None and items:
            items = [ItemResult(keep[i.item], i.text, i.recalled) for i in items]
        # A self-graded answer tested every item of the list from memory: each gets the card's grade.
        tested = None if items or keep is not None else planned.card.count
        if planned.mode == REVIEW:

            def schedule(before: CardState) -> tuple[sm2.State, date | None]:
                # Called inside the answer's transaction: the scheduler in force is read there, so a switch made
                # in another window meanwhile is honoured (every card_state row belongs to that scheduler).
                after = replay.schedule(before, grade, self.today, schedules.config(self.store))
                return after, self.due_cap(after)

            seen = planned.seen or None
            rec = answers.answer_review(
                self.store, planned.card_id, seen, grade, schedule, now, self.today, self.new_limit,
                duration_ms=duration_ms, hints=hints, items=items, tested=tested, early=planned.early,
            )
            if rec.reason == answers.ANSWERED_ELSEWHERE:
                self.notices.append(ELSEWHERE_NOTICE)
            elif rec.reason == answers.NEW_LIMIT_REACHED:
                self.queue.popleft()
                self._skip_new_cards()
                self.queue.appendleft(planned)
            log_id, before, after, logged = rec.log_id, rec.before, rec.after, rec.mode
        else:
            log_id = answers.record(self.store, planned.card_id, DRILL, grade, now, self.today,
                                    duration_ms=duration_ms, hints=hints, items=items, tested=tested)
            before, after, logged = self.store.state(planned.card_id), None, DRILL
        self.queue.popleft()
        requeue = grade < DRILL_UNTIL
        if requeue:
            self.queue.append(Planned(planned.card_id, DRILL, planned.resolve))
        done = Answered(planned, grade, log_id, before, after, requeue, hints, logged)
        self.history.append(done)
        self.hints_used += hints
        return done

    def undo(self) -> Answered | None:
        """Undo this session's last answer by its log id; refused (UserError) if its card changed since."""
        if not self.history:
            return None
        last = self.history[-1]
        answers.undo(self.store, last.log_id)
        self.history.pop()
        self.hints_used -= last.hints
        if last.requeued:
            # The drill copy is the most recent append for this card.
            for i in range(len(self.queue) - 1, -1, -1):
                if self.queue[i].card_id == last.planned.card_id and self.queue[i].mode == DRILL:
                    del self.queue[i]
                    break
        back = last.planned
        if back.mode == REVIEW:  # shown again as it is now: an early review keeps its (restored) row
            back = back._replace(seen=self.store.state_row(back.card_id) if back.early else None)
        self.queue.appendleft(back)
        return last

    def summary(self) -> Summary:
        """Counts of this session and the next due date over all cards (not only this session's)."""
        grades = Counter(a.grade for a in self.history if a.logged_as == REVIEW)
        return Summary(
            reviewed=sum(1 for a in self.history if a.logged_as == REVIEW),
            drilled=sum(1 for a in self.history if a.logged_as == DRILL),
            grades={g: grades.get(g, 0) for g in range(6)},
            hints=self.hints_used,
            next_due=self.store.next_due(self.today),
            left=self.left,
        )


def weak_session(
    store: Store, today: date, items: Iterable[tuple[str, int]], resolve: Callable[[str], Card],
    clock: Callable[[], datetime] = utc_now,
) -> ReviewSession:
    """`review --weak`: each card with weak items, cut down to them, as a drill (no schedule changes), weakest
    first; the typed results feed those items' memory."""
    from sysplan_study.study.weak import weak_card

    wanted: dict[str, list[int]] = {}
    for card_id, item in items:
        wanted.setdefault(card_id, []).append(item)
    cut = {cid: weak_card(resolve(cid), found) for cid, found in wanted.items()}
    queue = deque(Planned(cid, DRILL, lambda c: cut[c][0]) for cid in cut)
    session = ReviewSession(store, today, queue, clock)
    session.item_map = {cid: keep for cid, (_, keep) in cut.items()}
    return session


def undo_last(store: Store) -> LogEntry | None:
    """`sysplan undo`: remove the newest answer given on this machine and restore its card's state."""
    return answers.undo_last_local(store)
