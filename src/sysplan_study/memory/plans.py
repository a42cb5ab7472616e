"""Planned review days of many cards at once (replay.planned_days on arrays), for the exam-day forecast; pure.

The same days as replay.planned_days: each review passed (Good) on its due day, an overdue card reviewed on the
first day. SM-2 is integer arithmetic, so the days are exactly those; FSRS computes py-fsrs's own formulas in the
same order on float64 (numpy's power may differ from Python's in the last bit, which could move a day only where
an interval is a hair from a half day). A card FSRS would treat otherwise (no memory yet, or reviewed again on the
day of its last review) is planned one at a time by replay.planned_days.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sysplan_study.memory import fsrs, sm2
from sysplan_study.memory.projection import D_MAX, D_MIN, S_MIN
from sysplan_study.memory.replay import FSRS, CardState, SchedulerConfig, planned_days


def planned(rep: Any, ef100: Any, interval: Any, due: Any, stability: Any, difficulty: Any, last: Any, start: int,
            until: int, config: SchedulerConfig, most: int) -> Any:
    """Each card's review days (day numbers, date.toordinal) before `until`, at most `most`, padded with -1: one row
    per card from its schedule (arrays: SM-2 repetitions, ef100, interval, due day; FSRS stability and difficulty,
    NaN if none, and last review day, -1 if none)."""
    import numpy as np

    due = np.asarray(due, dtype=np.int64)
    out = np.full((len(due), most), -1, dtype=np.int64)
    if config.name == FSRS:
        _fsrs(np, out, due, start, np.array(stability, dtype=float), np.array(difficulty, dtype=float),
              np.array(last, dtype=np.int64), until, config, most)
        return out
    rep, ef100, interval = (np.array(a, dtype=np.int64) for a in (rep, ef100, interval))
    when = np.maximum(due, start)
    for j in range(most):
        on = when < until
        if not on.any():
            break
        out[on, j] = when[on]
        # sm2.review with grade 4: the EF from before the review multiplies the previous interval.
        grown = np.clip((interval * ef100 + 50) // 100, 1, sm2.MAX_INTERVAL)
        interval = np.where(rep == 0, sm2.FIRST_INTERVAL, np.where(rep == 1, sm2.SECOND_INTERVAL, grown))
        rep += 1
        ef100 = np.maximum(sm2.MIN_EF100, ef100 + 10 - 1 * (8 + 1 * 2))  # next_ef100 for grade 4 (5 - 4 = 1)
        when = when + interval
    return out


def _fsrs(np: Any, out: Any, due: Any, start: int, s: Any, d: Any, last: Any, until: int, config: SchedulerConfig,
          most: int) -> None:
    """FSRS rows of `planned`, filled in place (s, d and last are the caller's copies, changed too): py-fsrs
    review_card (Review state, Good, a day or more since the last review) step by step on arrays."""
    sched = fsrs.scheduler(config.fsrs)
    w, decay, factor = sched.parameters, sched._DECAY, sched._FACTOR
    when = np.maximum(due, start)
    odd = np.isnan(s) | np.isnan(d) | (last < 1) | ((when < until) & (when - last < 1))
    for i in np.flatnonzero(odd):
        state = CardState(due=date.fromordinal(int(due[i])), stability=None if np.isnan(s[i]) else float(s[i]),
                          difficulty=None if np.isnan(d[i]) else float(d[i]),
                          last_day=date.fromordinal(int(last[i])) if last[i] >= 1 else None)
        days = planned_days(state, date.fromordinal(start), date.fromordinal(until), config, most)
        out[i, :len(days)] = [x.toordinal() for x in days]
    when[odd] = until  # planned above
    gain = math.e ** w[8]
    target = w[4] - (math.e ** (w[5] * (fsrs.EASY - 1))) + 1  # initial difficulty of Easy, unclamped
    to_interval = (sched.desired_retention ** (1 / decay)) - 1
    for j in range(most):
        on = np.flatnonzero(when < until)
        if not len(on):
            break
        day, sj, dj = when[on], s[on], d[on]
        out[on, j] = day
        r = (1 + factor * (day - last[on]) / sj) ** decay
        grown = sj * (1 + gain * (11 - dj) * (sj ** -w[9]) * ((np.power(math.e, (1 - r) * w[10])) - 1) * 1 * 1)
        s[on] = sj = np.maximum(grown, S_MIN)
        moved = dj + (10.0 - dj) * (-(w[6] * (fsrs.GOOD - 3))) / 9.0
        d[on] = np.clip(w[7] * target + (1 - w[7]) * moved, D_MIN, D_MAX)
        days = np.clip(np.rint((sj / factor) * to_interval), 1, sched.maximum_interval).astype(np.int64)
        last[on] = day
        when[on] = day + days
