"""Exam-aware study: how much answering an item today is expected to raise its recall on exam day; pure.

Answered today, the item is recalled (Good) with its predicted probability today, else forgotten (Again); either
way its memory then decays until the exam. Left alone, it decays from its last answer. The gain is the difference
of the two expected recalls on exam day: large for an item half-forgotten today whose memory a review would carry
to the exam, small for one reviewed yesterday (recalled for sure, so a review adds little stability) or one so weak
that even a fresh answer fades before the exam. FSRS-6's long-term step on arrays (projection.Step, checked against
py-fsrs in tests/test_forecast.py); an item already answered today gains nothing (only the day's first answer
counts).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sysplan_study.memory import fsrs
from sysplan_study.memory.items import ItemMemory


def gains(stability: Any, difficulty: Any, since: Any, ahead: int, config: fsrs.Config) -> Any:
    """Expected gain in exam-day recall of items answered today (arrays: their stability, difficulty and days since
    their last answer) rather than left alone until the exam, `ahead` days away."""
    from sysplan_study.memory.projection import Step

    step = Step(config)
    np = step.np
    s, d = np.asarray(stability, dtype=float), np.asarray(difficulty, dtype=float)
    since = np.asarray(since, dtype=float)
    counts = since >= 1  # answered today already (or later: a clock moved back): nothing to gain
    since = np.maximum(since, 1.0)
    ahead_days = float(max(0, ahead))
    now = step.recall(s, since)
    left_alone = step.recall(s, since + ahead_days)
    s_good, _ = step.good(s, d, now)
    s_again, _ = step.again(s, d, now)
    reviewed = now * step.recall(s_good, ahead_days) + (1 - now) * step.recall(s_again, ahead_days)
    return np.where(counts, reviewed - left_alone, 0.0)


def review_gains(memories: Sequence[ItemMemory], today: date, exam: date, config: fsrs.Config) -> list[float]:
    """`gains` for a list of item memories."""
    if not memories:
        return []
    return gains([m.stability for m in memories], [m.difficulty for m in memories],
                 [(today - m.last_day).days for m in memories], (exam - today).days, config).tolist()
