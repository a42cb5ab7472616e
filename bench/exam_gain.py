"""Exam-aware study earns its place (issue "Done when"): over simulated learners (60 study days, exam 30 days after
the last), letting `review --exam` choose the reviews of the last 30 study days, with the same number of card reviews
each day as the plain schedule, against following the schedule: the mean gain in true exam-day recall.

Usage: python bench/exam_gain.py [--learners 20]
Each learner's true memory follows FSRS with parameters unlike the defaults (tests/simulated.py); the app sees only
the typed answers (its exam queue ranks cards with the parameters it fits on them).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import learners

GOAL = 2.0  # points of exam-day recall, mean over the learners


def main() -> None:
    args, lib = learners.setup(__doc__)
    from tests import simulated

    gains = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.learners):
            r = simulated.exam_trial(lib.cards, lib.card, seed, Path(tmp))
            gains.append(100 * (r.exam - r.plain))
            print(f"learner {seed:2}: schedule {r.plain:.1%}  review --exam {r.exam:.1%}  "
                  f"gain {gains[-1]:+.2f} points  ({r.reviews} reviews in the last 30 days, each way)")
    mean = statistics.mean(gains)
    print(f"\nmean gain {mean:+.2f} points over {len(gains)} learners (goal ≥ {GOAL}); "
          f"smallest {min(gains):+.2f}, largest {max(gains):+.2f}: {'met' if mean >= GOAL else 'NOT MET'}")
    sys.exit(0 if mean >= GOAL else 1)


if __name__ == "__main__":
    main()
