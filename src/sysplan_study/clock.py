"""The one source of 'today' and 'now': honours SYSPLAN_TODAY and the study-day rollover hour."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

from sysplan_study.errors import UserError

DEFAULT_ROLLOVER_HOUR = 4


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
        raise UserError(f"SYSPLAN_ROLLOVER_HOUR must be an hour 0-23, got {raw!r}")
    return hour


def study_day(local_now: datetime, hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The study day a local time belongs to: before the rollover hour it is still yesterday."""
    return (local_now - timedelta(hours=hour)).date()


def today() -> date:
    """Today's study day: SYSPLAN_TODAY=YYYY-MM-DD if set, else local time with the rollover."""
    raw = os.environ.get("SYSPLAN_TODAY", "")
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise UserError(f"SYSPLAN_TODAY must be a date YYYY-MM-DD, got {raw!r}") from None
    return study_day(datetime.now(), rollover_hour())


def utc_now() -> datetime:
    """The current time in UTC, for the review log."""
    return datetime.now(timezone.utc)


def parse_date(raw: str, what: str = "date") -> date:
    """Parse YYYY-MM-DD or raise a UserError naming what was expected."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError(f"{what} must be YYYY-MM-DD, got {raw!r}") from None
