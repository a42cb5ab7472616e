"""Exam-date planner: days left, new cards per day needed, and the optional pull-back of late due dates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from sysplan_study import clock
from sysplan_study.memory import sm2
from sysplan_study.errors import UserError
from sysplan_study.store.history import Store

EXAM_KEY = "exam_date"
CAP_KEY = "cap_intervals"
DEFAULT_LEAD_DAYS = 14
LAST_WEEK = 7


def exam_date(store: Store) -> date | None:
    """The exam date the user set, or None (also for a stored value that is not a date, e.g. edited by hand)."""
    raw = store.setting(EXAM_KEY)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def check_exam_date(when: date, today: date) -> None:
    """An exam date must be today or later and within the dates the app supports (see clock.LAST_DAY)."""
    if when < today:
        raise UserError(f"考试日期 {when.isoformat()} 已经过去（今天是 {today.isoformat()}）"
                        f"（exam date is in the past）")
    if not clock.FIRST_DAY <= when <= clock.LAST_DAY:
        raise UserError(f"考试日期 {when.isoformat()} 超出支持的范围 {clock.FIRST_DAY} 到 {clock.LAST_DAY}"
                        f"（exam date out of range）")


NEW_LIMIT_KEY = "new_limit"
LEAD_KEY = "lead_days"
DEFAULT_NEW_LIMIT = 20


def set_exam(
    store: Store, when: date | None, cap_intervals: bool = False, lead_days: int = DEFAULT_LEAD_DAYS,
    new_limit: int | None = None, today: date | None = None,
) -> None:
    """Set (or clear with None) exam date, lead time, new-card limit and cap; the date is checked against today."""
    if when is not None:
        check_exam_date(when, today if today is not None else clock.today())
    if lead_days < 0:
        raise UserError("--lead-days 必须是 0 或更大（must be 0 or more）")
    if new_limit is not None and new_limit < 0:
        raise UserError("--new-limit 必须是 0 或更大（must be 0 or more）")
    store.set_setting(EXAM_KEY, when.isoformat() if when else None)
    store.set_setting(CAP_KEY, "1" if (when and cap_intervals) else None)
    store.set_setting(LEAD_KEY, str(lead_days) if when else None)
    if new_limit is not None:
        store.set_setting(NEW_LIMIT_KEY, str(new_limit))


def new_limit(store: Store) -> int:
    """The daily new-card limit: the one saved with `exam set --new-limit`, else 20."""
    raw = store.setting(NEW_LIMIT_KEY)
    return int(raw) if raw and raw.isdigit() else DEFAULT_NEW_LIMIT


def lead_days(store: Store) -> int:
    """Days before the exam by which every card should have been seen."""
    raw = store.setting(LEAD_KEY)
    return int(raw) if raw and raw.isdigit() else DEFAULT_LEAD_DAYS


def describe(p: "ExamPlan") -> str:
    """The `sysplan exam` report in words."""
    if p.days_left < 0:
        return f"考试日 {p.exam.isoformat()} 已过 {-p.days_left} 天。"
    lines = [
        f"考试日期：{p.exam.isoformat()}，还有 {p.days_left} 天",
        f"从未学过的卡片：{p.unseen} 张",
        f"要在考前 {p.lead_days} 天学完所有卡片，每天需新学 {p.needed_per_day} 张",
        f"当前每天新卡上限 {p.new_limit} 张：" + ("来得及" if p.on_track else "来不及，请提高 --new-limit"),
    ]
    if p.cap_intervals:
        lines.append("已开启 --cap-intervals：考试后才到期的卡片会提前到考前最后一周复习")
    return "\n".join(lines)


@dataclass(frozen=True)
class ExamPlan:
    """Where the user stands against the exam date."""

    exam: date
    days_left: int
    unseen: int
    lead_days: int
    needed_per_day: int
    new_limit: int
    on_track: bool
    cap_intervals: bool

    def to_json(self) -> dict[str, object]:
        return {
            "date": self.exam.isoformat(), "days_left": self.days_left, "unseen": self.unseen,
            "lead_days": self.lead_days, "needed_new_per_day": self.needed_per_day,
            "new_limit": self.new_limit, "on_track": self.on_track, "cap_intervals": self.cap_intervals,
        }


def plan(exam: date, today: date, unseen: int, new_limit: int, lead_days: int = DEFAULT_LEAD_DAYS,
         cap_intervals: bool = False) -> ExamPlan:
    """New cards per day so every card is seen at least `lead_days` days before the exam."""
    days_left = (exam - today).days
    study_days = days_left - lead_days
    if unseen == 0:
        needed = 0
    elif study_days <= 0:
        needed = unseen  # already inside the lead window: everything now
    else:
        needed = math.ceil(unseen / study_days)
    return ExamPlan(exam, days_left, unseen, lead_days, needed, new_limit, needed <= new_limit, cap_intervals)


def cap_due(due: date, exam: date, today: date) -> date | None:
    """A due date after the exam is pulled into the last week before it (never before tomorrow)."""
    if due <= exam:
        return None
    target = exam - timedelta(days=LAST_WEEK - 1)
    earliest = today + timedelta(days=1)
    capped = max(target, earliest)
    return capped if capped < due and capped <= exam else None


def due_cap(store: Store, today: date) -> Callable[[sm2.State], date | None]:
    """The session's due-date cap: active only while an exam date is set with --cap-intervals."""
    exam = exam_date(store)
    if exam is None or store.setting(CAP_KEY) != "1" or exam < today:
        return lambda state: None
    return lambda state: cap_due(state.due, exam, today) if state.due else None


def header(store: Store, today: date) -> str | None:
    """The review screen's header line when an exam date is set."""
    exam = exam_date(store)
    if exam is None:
        return None
    days = (exam - today).days
    if days < 0:
        return f"考试日 {exam.isoformat()} 已过"
    hint = "（按考试日的收益挑卡复习：sysplan review --exam）" if days <= EXAM_HINT_DAYS else ""
    return f"距考试（{exam.isoformat()}）还有 {days} 天{hint}"


EXAM_HINT_DAYS = 60  # from this close to the exam, the plain review screen points to `review --exam`
