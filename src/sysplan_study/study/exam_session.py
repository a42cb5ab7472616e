"""`review --exam` put together, without terminal I/O: the exam date checked, item memory and fitted parameters
brought up to date, the day's exam-aware queue planned and its session started, with the exam-day figure before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sysplan_study.decks.model import Library
from sysplan_study.errors import UserError
from sysplan_study.store import answers, item_states
from sysplan_study.store.history import Store
from sysplan_study.study import config, exam_queue, fitting, forecast, planner, weak
from sysplan_study.study.session import ReviewSession


@dataclass(frozen=True)
class ExamReview:
    """A started `review --exam`: its session and queue, the exam date and the overall exam-day figure before."""

    session: ReviewSession
    queue: exam_queue.ExamQueue
    exam: date
    before: float | None

    def recall_now(self, lib: Library) -> float | None:
        """The overall exam-day figure as the answers given so far leave it."""
        return forecast.overall_if_stop(self.session.store, lib, self.exam).recall_if_stop


def start(store: Store, lib: Library, today: date, chapter: str | None, new_limit: int | None, budget: int | None,
          limit: int | None, progress: item_states.Progress | None = None) -> ExamReview:
    """Check the exam date, bring item memory up to date (progress: a replay after an upgrade or a re-fit), plan
    the queue and start its session."""
    exam = planner.exam_date(store)
    if exam is None:
        raise UserError("--exam 需要考试日期：先 sysplan exam set 2027-05-22（review --exam needs an exam date）")
    if exam < today:
        raise UserError(f"考试日期 {exam.isoformat()} 已经过去（今天是 {today.isoformat()}）：用 sysplan exam set 设新的日期"
                        "（the exam date has passed）")
    limit_new = config.get(store, "new-limit") if new_limit is None else new_limit
    assert isinstance(limit_new, int)
    if limit_new < 0:
        raise UserError("--new-limit 必须是 0 或更大（must be 0 or more）")
    weak.ensure(store, lib, progress)
    fitting.refresh(store, progress)
    suspended = store.suspended_ids()
    ids = [c for c in lib.card_ids_in(chapter) if c not in suspended]
    queue = exam_queue.plan(store, ids, exam_queue.item_counts(lib, chapter), today, exam, budget,
                            limit_new - answers.new_introduced_on(store, today))
    session = ReviewSession.exam(store, queue, lib.card, today, limit_new, limit)
    session.due_cap = planner.due_cap(store, today)
    session.leech_threshold = int(config.get(store, "leech-threshold"))
    return ExamReview(session, queue, exam, forecast.overall_if_stop(store, lib, exam).recall_if_stop)
