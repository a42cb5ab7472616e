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
from typing import Sequence

from sysplan_study.memory import fsrs
from sysplan_study.memory.items import ItemMemory


def review_gains(memories: Sequence[ItemMemory], today: date, exam: date, config: fsrs.Config) -> list[float]:
    """Expected gain in each item's exam-day recall from answering it today rather than not before the exam."""
    from sysplan_study.memory.projection import Step

    if not memories:
        return []
    step = Step(config)
    np = step.np
    s = np.array([m.stability for m in memories], dtype=float)
    d = np.array([m.difficulty for m in memories], dtype=float)
    since = np.array([(today - m.last_day).days for m in memories], dtype=float)
    ahead = float(max(0, (exam - today).days))
    fresh = since >= 1  # answered today already (or later: a clock moved back): nothing to gain
    since = np.maximum(since, 1.0)
    now = step.recall(s, since)
    left_alone = step.recall(s, since + ahead)
    s_good, _ = step.good(s, d, now)
    s_again, _ = step.again(s, d, now)
    reviewed = now * step.recall(s_good, ahead) + (1 - now) * step.recall(s_again, ahead)
    return np.where(fresh, reviewed - left_alone, 0.0).tolist()
