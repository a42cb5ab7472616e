"""Parameters fitted on the user's own history close the forecast's gap on a learner unlike FSRS's defaults."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.memory import fsrs
from sysplan_study.store.connection import open_store
from sysplan_study.study import fitting, forecast
from tests import simulated


@pytest.fixture(scope="module")
def learners(tmp_path_factory: pytest.TempPathFactory, library: Any) -> list[tuple[Path, simulated.Learner]]:
    """Three simulated learners, 60 study days each, most of the library studied by typed recall, each history
    imported through import-progress into a fresh home."""
    out = []
    for seed in range(3):
        folder = tmp_path_factory.mktemp(f"learner{seed}")
        learner, store = simulated.imported_learner(library, seed, folder)
        store.close()
        out.append((folder / "sysplan.db", learner))
    return out


def _copy(db: Path, tmp_path: Path) -> Any:
    import shutil

    tmp_path.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "sysplan.db"
    shutil.copy(db, target)
    return open_store(target)


def test_fitted_forecast_matches_what_the_learner_truly_recalls(learners: Any, library: Any, tmp_path: Path) -> None:
    """The issue's bar: overall error ≤ 4 points and ≤ 5 per deck with ≥ 50 studied items (bench/forecast_
    accuracy.py runs it over 20 learners); with default parameters the forecast is several points too optimistic."""
    fitted_errors, default_bias = [], []
    for i, (db, learner) in enumerate(learners):
        store = _copy(db, tmp_path / str(i))
        exam = learner.last_day + timedelta(days=30)
        default = forecast.forecast(store, library, exam, learner.last_day)
        assert fitting.refresh(store)
        fitted = forecast.forecast(store, library, exam, learner.last_day)
        assert default.parameters == "default" and fitted.parameters == "fitted"
        truth = learner.truly_recalled(exam)
        fitted_errors.append(abs(fitted.overall.recall_if_stop - truth))
        default_bias.append(default.overall.recall_if_stop - truth)
        for deck in fitted.decks:
            if deck.studied >= 50:
                keys = {k for k in learner.memories if library.card(k[0]).deck == deck.id}
                share = sum(fsrs.recall_function(simulated.TRUE)(learner.memories[k].stability,
                                                                  (exam - learner.memories[k].last_day).days)
                            for k in keys) / len(keys)
                assert abs(deck.recall_if_stop - share) <= 0.05, deck.id
    assert sum(fitted_errors) / len(fitted_errors) <= 0.04
    assert sum(default_bias) / len(default_bias) >= 0.03  # what the fit earns


def test_fit_needs_enough_history_and_refits_after_a_quarter_more(learners: Any, tmp_path: Path) -> None:
    db, _ = learners[0]
    store = _copy(db, tmp_path)
    h = fitting.history(store)
    assert h.eligible and h.count >= fitting.MIN_ANSWERS and h.days >= fitting.MIN_DAYS
    assert fitting.refresh(store) and not fitting.refresh(store)  # fitted once; nothing new since
    rows = store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
    store.set_setting(fitting.FITTED_ON_KEY, str(int(rows / fitting.REFIT_GROWTH) + 1))  # grown a bit under 25 %
    assert not fitting.refresh(store)
    store.set_setting(fitting.FITTED_ON_KEY, str(int(rows / fitting.REFIT_GROWTH)))  # as if the log grew 25 %
    assert fitting.refresh(store)
    store.conn.execute("DELETE FROM review_log WHERE study_day > '2026-03-10'")
    store.set_setting(fitting.FITTED_ON_KEY, None)
    store.set_setting("fsrs_params", None)
    assert not fitting.history(store).eligible and not fitting.refresh(store)


def test_config_switches_between_fitted_and_default(learners: Any, invoke: Any, isolated_home: Path) -> None:
    import shutil

    isolated_home.mkdir(parents=True)
    shutil.copy(learners[1][0], isolated_home / "sysplan.db")
    result = invoke("config", "fsrs-params", "fitted")
    assert result.exit_code == 0, result.output
    store = open_store(isolated_home / "sysplan.db")
    fitted = json.loads(store.setting("fsrs_params"))
    assert len(fitted) == 21 and tuple(fitted) != fsrs.DEFAULT_PARAMETERS
    assert invoke("forecast", "--date", "2026-12-20", "--format", "json").exit_code == 0
    assert json.loads(invoke("forecast", "--date", "2026-12-20", "-f", "json").stdout)["parameters"] == "fitted"
    assert invoke("config", "fsrs-params", "default").exit_code == 0
    assert store.setting("fsrs_params") is None
    data = json.loads(invoke("forecast", "--date", "2026-12-20", "-f", "json").stdout)
    assert data["parameters"] == "default"  # and no fit behind the user's back
    bad = invoke("config", "fsrs-params", "mine")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1


def test_evaluate_scores_fitted_against_default_on_the_newest_answers(learners: Any, invoke: Any,
                                                                      isolated_home: Path) -> None:
    import shutil

    isolated_home.mkdir(parents=True)
    shutil.copy(learners[2][0], isolated_home / "sysplan.db")
    result = invoke("forecast", "--evaluate", "--format", "json")
    assert result.exit_code == 0, result.output
    e = json.loads(result.stdout)
    assert e["train_items"] > 3 * e["test_items"] - 3 > 0
    assert e["fitted"]["log_loss"] < e["default"]["log_loss"]
    assert e["fitted"]["rmse_bins"] < e["default"]["rmse_bins"]
    assert "对数损失" in invoke("forecast", "--evaluate").stdout


def test_evaluate_without_history_is_one_line(invoke: Any) -> None:
    result = invoke("forecast", "--evaluate")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "记录还不够" in result.stderr
