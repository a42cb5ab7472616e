"""Item memories rolled forward through planned reviews, for the exam-day forecast, vectorised; pure.

Each item is reviewed on its card's planned days (days on or before its last answer are skipped: only the first
answer of a study day counts). At each review the item is recalled (Good) with its predicted probability, else
forgotten (Again); the expected recall on the date is taken over every such path. Paths whose memories agree to
two significant digits of stability and one decimal of difficulty are merged and at most MAX_STATES of them kept
per item (the likeliest; each other one folded into the kept memory nearest in stability), which leaves the
result within a few tenths of a point of the full 2^k expectation.

A home of 100,000 studied items needs millions of such steps: they are computed on arrays (numpy), with FSRS-6's
long-term step for Good and Again exactly as py-fsrs computes it (tests/test_forecast.py checks each against
py-fsrs's `review_card`; every planned review is at least a day after the previous one, so the short-term
formula never applies).
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
        s = fsrs.scheduler(config)
        self.decay, self.factor = s._DECAY, s._FACTOR
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
    """Expected recall on `day` of each item after its planned reviews (those before `day`)."""
    step = Step(config)
    np = step.np
    n = len(memories)
    if n == 0:
        return []
    origin = min(m.last_day for m in memories)
    # Days are counted from `origin`; each item's planned days after its last answer, padded with -1.
    kept = [[(d - origin).days for d in plan if m.last_day < d < day] for m, plan in zip(memories, plans)]
    depth = max((len(k) for k in kept), default=0)
    grid = np.full((n, max(depth, 1)), -1, dtype=np.int64)
    for i, k in enumerate(kept):
        grid[i, :len(k)] = k
    # One row per (item, possible memory): item index, weight, stability, difficulty, day of the last answer.
    item = np.arange(n)
    weight = np.ones(n)
    s = np.array([m.stability for m in memories], dtype=float)
    d = np.array([m.difficulty for m in memories], dtype=float)
    last = np.array([(m.last_day - origin).days for m in memories], dtype=np.int64)
    for j in range(depth):
        when = grid[item, j]
        due = when >= 0
        if not due.any():
            break
        r = step.recall(s[due], (when[due] - last[due]).astype(float))
        sg, dg = step.good(s[due], d[due], r)
        sa, da = step.again(s[due], d[due], r)
        rest = ~due
        item = np.concatenate([item[rest], item[due], item[due]])
        weight = np.concatenate([weight[rest], weight[due] * r, weight[due] * (1 - r)])
        s = np.concatenate([s[rest], sg, sa])
        d = np.concatenate([d[rest], dg, da])
        last = np.concatenate([last[rest], when[due], when[due]])
        item, weight, s, d, last = _merge(np, item, weight, s, d, last)
    final = step.recall(s, ((day - origin).days - last).astype(float))
    return np.bincount(item, weights=weight * final, minlength=n).tolist()


def _merge(np: Any, item: Any, weight: Any, s: Any, d: Any, last: Any) -> tuple[Any, ...]:
    """Merge an item's rows whose memories agree to 2 significant digits of S and 1 decimal of D (an item's rows
    all share the day of their last answer), then keep its MAX_STATES likeliest rows (reweighted to sum to 1)."""
    exponent = np.floor(np.log10(s)).astype(np.int64)
    mantissa = np.round(s / 10.0 ** (exponent - 1)).astype(np.int64)  # 10..100
    s_key = (exponent + 10) * 128 + mantissa
    key = (item.astype(np.int64) << 22) | (s_key << 8) | np.round(d * 10).astype(np.int64)
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    weight = np.bincount(inverse.reshape(-1), weight, minlength=len(unique))
    item, s, d, last = item[first], s[first], d[first], last[first]
    order = np.lexsort((-weight, item))  # by item, likeliest first
    item, weight, s, d, last = item[order], weight[order], s[order], d[order], last[order]
    starts = np.flatnonzero(np.r_[True, item[1:] != item[:-1]])
    rank = np.arange(len(item)) - np.repeat(starts, np.diff(np.r_[starts, len(item)]))
    if (rank >= MAX_STATES).any():
        # Each unlikely row (repeated failures) goes into the item's kept memory nearest in stability: dropping
        # them would make the figure optimistic, piling them on the weakest one pessimistic.
        keep = rank < MAX_STATES
        ki, kw, ks, kd, kl = item[keep], weight[keep], s[keep], d[keep], last[keep]
        order = np.lexsort((ks, ki))
        ki, kw, ks, kd, kl = ki[order], kw[order], ks[order], kd[order], kl[order]
        place = ki * 100.0 + np.log10(ks) + 50  # log10 S lies in [-3, 5]: items never overlap
        lost = item[~keep] * 100.0 + np.log10(s[~keep]) + 50
        right = np.clip(np.searchsorted(place, lost), 0, len(place) - 1)
        left = np.clip(right - 1, 0, len(place) - 1)
        nearer = np.where((ki[left] == item[~keep]) & ((ki[right] != item[~keep])
                          | (np.abs(place[left] - lost) < np.abs(place[right] - lost))), left, right)
        np.add.at(kw, nearer, weight[~keep])
        item, weight, s, d, last = ki, kw, ks, kd, kl
    return item, weight, s, d, last
