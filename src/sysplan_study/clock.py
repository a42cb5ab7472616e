"""The one source of 'today' and 'now': honours SYSPLAN_TODAY and the study-day rollover hour."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone

from sysplan_study.errors import UserError

DEFAULT_ROLLOVER_HOUR = 4
# Dates the app accepts anywhere (SYSPLAN_TODAY, exam dates): far enough from date.min/max that today ± any
# SM-2 interval (≤ 36,500 days) or a year of heatmap still fits in a datetime.date.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2200, 12, 31)
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def rollover_hour() -> int:
    """Hour (local time) at which a new study day starts; SYSPLAN_ROLLOVER_HOUR overrides the default 4."""
    raw = os.environ.get("SYSPLAN_ROLLOVER_HOUR", "")
    if not raw:
        return DEFAULT_ROLLOVER_HOUR
    try:
        hour = int(raw)
    except ValueError:
        hour = -1
    if not 0 <= hour <= 23:
        raise UserError(f"SYSPLAN_ROLLOVER_HOUR 必须是 0-23 的整点，而不是 {raw!r}（must be an hour 0-23）")
    return hour


def study_day(local_now: datetime, hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The study day a local time belongs to: before the rollover hour it is still yesterday."""
    return (local_now - timedelta(hours=hour)).date()


def today() -> date:
    """Today's study day: SYSPLAN_TODAY=YYYY-MM-DD if set, else local time with the rollover."""
    raw = os.environ.get("SYSPLAN_TODAY", "")
    if raw:
        return strict_date(raw, "SYSPLAN_TODAY")
    return study_day(datetime.now(), rollover_hour())


def utc_now() -> datetime:
    """The current time in UTC, for the review log."""
    return datetime.now(timezone.utc)


def strict_date(raw: str, what: str) -> date:
    """Exactly YYYY-MM-DD, a real date between 1970-01-01 and 2200-12-31, or a one-line UserError naming `what`."""
    day = None
    if _DATE_SHAPE.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise UserError(
            f"{what} 必须是 {FIRST_DAY} 到 {LAST_DAY} 之间的日期 YYYY-MM-DD，而不是 {raw!r}"
            f"（{what} must be a date YYYY-MM-DD from {FIRST_DAY} to {LAST_DAY}）"
        )
    return day


def parse_date(raw: str, what: str = "date") -> date:
    """Parse a typed YYYY-MM-DD (surrounding spaces ignored) within the supported range, or raise a UserError."""
    return strict_date(raw.strip(), what)
