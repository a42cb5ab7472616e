"""The forecast against simulated learners (issue "Done when"): mean absolute error of overall.recall_if_stop, and
per deck with ≥ 50 studied items, against what each learner truly recalls 30 days after 60 study days.

Usage: python bench/forecast_accuracy.py [--learners 20]
Each learner's true memory follows FSRS with parameters unlike the defaults (tests/simulated.py); the app sees only
the typed answers, imported through `import-progress` into a fresh home, fits its parameters on them and forecasts.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import learners



def main() -> None:
    args, lib = learners.setup(__doc__)
    from sysplan_study.memory import fsrs
    from sysplan_study.study import fitting, forecast
    from tests import simulated

    overall_fit, overall_default, deck_errors = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.learners):
            learner, store = simulated.imported_learner(lib, seed, Path(tmp) / str(seed))
            exam = learner.last_day + timedelta(days=30)
            default = forecast.forecast(store, lib, exam, learner.last_day).overall.recall_if_stop
            fitting.refresh(store)
            result = forecast.forecast(store, lib, exam, learner.last_day)
            truth = learner.truly_recalled(exam)
            overall_fit.append(abs(result.overall.recall_if_stop - truth))
            overall_default.append(abs(default - truth))
            recall = fsrs.recall_function(simulated.TRUE)
            for deck in result.decks:
                if deck.studied >= 50:
                    keys = [k for k in learner.memories if lib.card(k[0]).deck == deck.id]
                    share = sum(recall(learner.memories[k].stability, (exam - learner.memories[k].last_day).days)
                                for k in keys) / len(keys)
                    deck_errors.append((deck.id, abs(deck.recall_if_stop - share)))
            print(f"learner {seed:2}: truly {truth:.3f}  fitted {result.overall.recall_if_stop:.3f}  "
                  f"default {default:.3f}")
            store.close()
    mae = 100 * sum(overall_fit) / len(overall_fit)
    mae_default = 100 * sum(overall_default) / len(overall_default)
    by_deck: dict[str, list[float]] = {}
    for deck_id, err in deck_errors:
        by_deck.setdefault(deck_id, []).append(err)
    print(f"\noverall MAE: fitted {mae:.2f} points (goal ≤ 4), default parameters {mae_default:.2f}")
    for deck_id, errs in sorted(by_deck.items()):
        print(f"  {deck_id:10} MAE {100 * sum(errs) / len(errs):.2f} points over {len(errs)} learners (goal ≤ 5)")


if __name__ == "__main__":
    main()
