"""Item memories rolled forward through planned reviews, for the exam-day forecast, vectorised; pure.

Each item is reviewed on its card's planned days (days on or before its last answer are skipped: only the first
answer of a study day counts). At each review the item is recalled (Good) with its predicted probability, else
forgotten (Again); the expected recall on the date is taken over every such path. Up to MAX_STATES paths are
followed exactly; past that, paths whose memories agree to two significant digits of stability and one decimal
of difficulty are merged and at most MAX_STATES of them kept per item (the likeliest; each other one folded into
the kept memory nearest in stability, which moves to their probability-weighted mean), which leaves the result
within a hundredth of a point of the full 2^k expectation on average and a tenth at worst
(tests/test_forecast_bulk.py measures it with up to 8 reviews).

A home of 100,000 studied items needs millions of such steps: they are computed on arrays (numpy), with FSRS-6's
long-term step for Good and Again exactly as py-fsrs computes it (tests/test_forecast.py checks each against
py-fsrs's `review_card`; every planned review is at least a day after the previous one, so the short-term
formula never applies). An item's possible memories are one row of a (items × MAX_STATES) table, so merging
sorts a few columns per row rather than every memory of the home; the items with the most planned reviews come
first, and the j-th step works on the leading rows that still have a j-th review.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sysplan_study.memory import fsrs
from sysplan_study.memory.items import ItemMemory

Plan = tuple[date, ...]
S_MIN, D_MIN, D_MAX = 0.001, 1.0, 10.0  # py-fsrs STABILITY_MIN, MIN_DIFFICULTY, MAX_DIFFICULTY
MAX_STATES = 8  # an item's likeliest memories kept after each review (the rest: paths of repeated failures)


class Step:
    """FSRS-6 on arrays: retrievability after `t` days, and the memory after a Good or an Again answer."""

    def __init__(self, config: fsrs.Config):
        import numpy as np

        self.np = np
        self.w = w = config.parameters
        self.decay, self.factor = fsrs.curve(config.parameters)
        d0_easy = w[4] - np.exp(w[5] * 3) + 1  # initial difficulty of Easy, unclamped (the mean-reversion target)
        self.d_target = d0_easy

    def recall(self, stability: Any, days: Any) -> Any:
        return (1 + self.factor * days / stability) ** self.decay

    def _difficulty(self, d: Any, rating: int) -> Any:
        w = self.w
        delta = -(w[6] * (rating - 3))
        moved = d + (10.0 - d) * delta / 9.0
        return self.np.clip(w[7] * self.d_target + (1 - w[7]) * moved, D_MIN, D_MAX)

    def good(self, s: Any, d: Any, r: Any) -> tuple[Any, Any]:
        w, np = self.w, self.np
        grown = s * (1 + np.exp(w[8]) * (11 - d) * s ** -w[9] * (np.exp((1 - r) * w[10]) - 1))
        return np.maximum(grown, S_MIN), self._difficulty(d, fsrs.GOOD)

    def again(self, s: Any, d: Any, r: Any) -> tuple[Any, Any]:
        w, np = self.w, self.np
        long_term = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * np.exp((1 - r) * w[14])
        short_term = s / np.exp(w[17] * w[18])
        return np.maximum(np.minimum(long_term, short_term), S_MIN), self._difficulty(d, fsrs.AGAIN)


def expected_recall(
    memories: Sequence[ItemMemory], plans: Sequence[Plan], day: date, config: fsrs.Config
) -> list[float]:
    """Expected recall on `day` of each item after its planned reviews (those after its last answer, before `day`)."""
    import numpy as np

    if not memories:
        return []
    width = max(1, max(len(p) for p in plans))
    planned = np.full((len(memories), width), -1, dtype=np.int64)
    for i, plan in enumerate(plans):
        planned[i, :len(plan)] = [d.toordinal() for d in plan]
    s = np.array([m.stability for m in memories], dtype=float)
    d = np.array([m.difficulty for m in memories], dtype=float)
    last = np.array([m.last_day.toordinal() for m in memories], dtype=np.int64)
    return project(s, d, last, planned, day.toordinal(), config).tolist()


def project(stability: Any, difficulty: Any, last: Any, planned: Any, day: int, config: fsrs.Config) -> Any:
    """Expected recall on day number `day` of each item (arrays: its memory and the day number of its last answer)
    after the planned review days of its row of `planned` (day numbers, -1 for none) after `last` and before `day`."""
    step = Step(config)
    np = step.np
    n = len(stability)
    if n == 0:
        return np.zeros(0)
    last, planned = np.asarray(last, dtype=np.int64), np.asarray(planned, dtype=np.int64)
    # Each row's reviews that count, first, in order; the rows with the most reviews first.
    due = (planned > last[:, None]) & (planned < day)
    planned = np.take_along_axis(planned, np.argsort(~due, axis=1, kind="stable"), axis=1)
    counts = due.sum(axis=1)
    rows = np.argsort(-counts, kind="stable")
    planned, counts, last = planned[rows], counts[rows], last[rows].copy()
    # Row i, column c: the c-th possible memory of item rows[i] and its probability (0: no memory there).
    s = np.ones((n, MAX_STATES))
    d = np.full((n, MAX_STATES), 5.0)
    p = np.zeros((n, MAX_STATES))
    s[:, 0], d[:, 0] = np.asarray(stability, dtype=float)[rows], np.asarray(difficulty, dtype=float)[rows]
    p[:, 0] = 1.0
    width = 1
    for j in range(int(counts[0])):
        m = int(np.count_nonzero(counts > j))  # the leading rows: those with a j-th review
        when = planned[:m, j]
        sj, dj, pj = s[:m, :width], d[:m, :width], p[:m, :width]
        r = step.recall(sj, (when - last[:m]).astype(float)[:, None])
        sg, dg = step.good(sj, dj, r)
        sa, da = step.again(sj, dj, r)
        both = (np.concatenate([sg, sa], axis=1), np.concatenate([dg, da], axis=1),
                np.concatenate([pj * r, pj * (1 - r)], axis=1))
        # Up to MAX_STATES paths are kept apart (exact); past that, alike ones merge and unlikely ones fold in.
        merged = both if 2 * width <= MAX_STATES else _merge(np, *both)
        width = merged[0].shape[1]
        s[:m, :width], d[:m, :width], p[:m, :width] = merged
        last[:m] = when
    final = (p * step.recall(s, (day - last).astype(float)[:, None])).sum(axis=1)
    out = np.empty(n)
    out[rows] = final
    return out


def _merge(np: Any, s: Any, d: Any, p: Any) -> tuple[Any, Any, Any]:
    """Merge each row's memories that agree to 2 significant digits of S and 1 decimal of D (summing their
    probabilities; the first one stands for them), then keep its MAX_STATES likeliest: MAX_STATES columns, likeliest
    first, empty ones (probability 0) last. At most 32 columns (a column number fits in 5 bits)."""
    n, width = s.shape
    rows = (np.arange(n) * width)[:, None]
    exponent = np.clip(np.floor(np.log10(s)), -5, 15)  # S is at least 0.001 (S_MIN)
    mantissa = np.round(s / np.array(_POWERS_OF_TEN)[exponent.astype(np.int64) + 5])  # s / 10^(e - 1): 10..100
    key = (((exponent + 10) * 128 + mantissa) * 256 + np.round(d * 10)).astype(np.int64)  # below 2^22
    # Sorted by key, then column (one integer sort: the key shifted past the column number): equal memories side
    # by side, in their order; no memory (probability 0) last, never merged with one.
    packed = np.where(p > 0, key << 5, 1 << 40) | np.arange(width)
    packed.sort(axis=1)
    at = (packed & 31) + rows
    key, s, d, p = packed >> 5, s.ravel()[at], d.ravel()[at], p.ravel()[at]
    first = np.ones((n, width), dtype=bool)
    first[:, 1:] = key[:, 1:] != key[:, :-1]
    first = first.ravel()
    merged = np.zeros(n * width)  # each run's total on its first memory, 0 on the others
    merged[first] = np.bincount(np.cumsum(first) - 1, weights=p.ravel())
    # Likeliest first (a float's bits order like the float: these are sums of probabilities, never negative nor
    # -0.0; ties within 2^-47 by column).
    ranked = ((np.iinfo(np.int64).max - merged.view(np.int64)) & ~31).reshape(n, width) | np.arange(width)
    ranked.sort(axis=1)
    at = (ranked & 31) + rows
    s, d, p = s.ravel()[at], d.ravel()[at], merged[at]
    over = np.flatnonzero(p[:, MAX_STATES] > 0) if width > MAX_STATES else []
    if len(over):  # rows with more memories than are kept
        # Each unlikely memory (repeated failures) goes into the row's kept memory nearest in stability: dropping
        # them would make the figure optimistic, piling them on the weakest one pessimistic.
        kept, lost = np.log10(s[over, :MAX_STATES]), np.log10(s[over, MAX_STATES:])
        nearest, best = np.zeros(lost.shape, dtype=np.int64), np.full(lost.shape, np.inf)
        for c in range(MAX_STATES):
            gap = np.abs(lost - kept[:, c, None])
            nearer = gap < best
            best, nearest = np.where(nearer, gap, best), np.where(nearer, c, nearest)
        into = (nearest + (np.arange(len(over)) * MAX_STATES)[:, None]).ravel()
        cells = len(over) * MAX_STATES

        def gathered(values: Any) -> Any:  # each kept memory's sum over what folds into it
            return np.bincount(into, weights=values.ravel(), minlength=cells).reshape(-1, MAX_STATES)

        # The kept memory becomes the probability-weighted mean of itself and what folds into it (S on a log
        # scale, D plainly), so the folded paths move it instead of taking its stability unchanged.
        q_kept, q_lost = p[over, :MAX_STATES], p[over, MAX_STATES:]
        total = q_kept + gathered(q_lost)
        log_s = (q_kept * kept + gathered(q_lost * lost)) / np.where(total > 0, total, 1)
        mean_d = (q_kept * d[over, :MAX_STATES] + gathered(q_lost * d[over, MAX_STATES:])) / np.where(total > 0, total, 1)
        moved = total > 0
        s[over, :MAX_STATES] = np.where(moved, 10.0 ** log_s, s[over, :MAX_STATES])
        d[over, :MAX_STATES] = np.where(moved, mean_d, d[over, :MAX_STATES])
        p[over, :MAX_STATES] = total
    return s[:, :MAX_STATES], d[:, :MAX_STATES], p[:, :MAX_STATES]


_POWERS_OF_TEN = [10.0 ** k for k in range(-6, 15)]  # 10^(e - 1) for e in -5..15, at index e + 5


def recall_if_stop(stability: Any, days: Any, config: fsrs.Config) -> list[float]:
    """Each item's recall `days` (array) after its last answer with no review before: bit for bit the figure of
    fsrs.recall_function (the same arithmetic, exact on arrays too, then Python's own pow: numpy's may differ in
    the last bit), without a Python call per item."""
    import math
    from itertools import repeat

    import numpy as np

    decay, factor = fsrs.curve(config.parameters)
    base = 1 + factor * np.maximum(days, 0) / np.asarray(stability, dtype=float)
    return list(map(math.pow, base.tolist(), repeat(decay)))
