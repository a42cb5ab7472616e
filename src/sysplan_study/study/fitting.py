"""FSRS parameters fitted on the user's own item answers (fsrs-rs-python), and how well they predict.

Once the log holds MIN_ANSWERS item answers on MIN_DAYS study days, parameters are fitted and used for item memory,
the forecast and FSRS scheduling (`config fsrs-params fitted`, the default; `default` keeps FSRS's own). They are
fitted again when the log has grown by a quarter since the last fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sysplan_study.errors import UserError
from sysplan_study.memory import fsrs
from sysplan_study.memory.items import typed_grade
from sysplan_study.store import fit_history, item_states, schedules
from sysplan_study.store.history import Store

MIN_ANSWERS, MIN_DAYS = 400, 14
REFIT_GROWTH = 1.25
# Settings: fitted|default; log rows when last fitted; log rows when last found too short to fit on.
MODE_KEY, FITTED_ON_KEY, LOOKED_AT_KEY = "fsrs_params_mode", "fsrs_params_fitted_on", "fsrs_params_looked_at"
MAX_FIT_ROWS = 200_000  # the newest log rows fitted on (a larger history adds time, not accuracy)
FITTED, DEFAULT = "fitted", "default"
TEST_SHARE = 0.25  # `forecast --evaluate`: the newest quarter of the answers is held out


@dataclass(frozen=True)
class History:
    """Every item's answers (first of each study day): (study day, FSRS rating) in order, per (card, item)."""

    answers: dict[tuple[str, int], list[tuple[date, int]]]

    @property
    def count(self) -> int:
        """Item answers in all."""
        return sum(len(a) for a in self.answers.values())

    @property
    def days(self) -> int:
        """Distinct study days with an item answer."""
        return len({d for a in self.answers.values() for d, _ in a})

    @property
    def eligible(self) -> bool:
        """Enough history to fit parameters on."""
        return self.count >= MIN_ANSWERS and self.days >= MIN_DAYS


def history(store: Store) -> History:
    """The item answers the model learns from (the evidence item memory is built from), over the newest
    MAX_FIT_ROWS log rows: cards with answers before those are left out, so every history starts at its start."""
    rows = fit_history.item_answers(store, MAX_FIT_ROWS)
    out: dict[tuple[str, int], list[tuple[date, int]]] = {}
    for cid, day, grade, tested, item, recalled in rows:
        when = date.fromisoformat(day)
        pairs = [(item, typed_grade(bool(recalled)))] if item is not None else [(k, grade) for k in range(tested)]
        for index, g in pairs:
            seen = out.setdefault((cid, index), [])
            if not seen or seen[-1][0] < when:  # only the first answer of a study day counts
                seen.append((when, fsrs.rating(g)))
    return History(out)


def training_items(h: History) -> list[tuple[date, Any]]:
    """fsrs-rs training items: each item's history up to each answer a day or more after the one before, dated by
    that answer, oldest first (those with no long-term review are left out, as fsrs-rs's own examples do)."""
    import fsrs_rs_python as rs

    out: list[tuple[date, Any]] = []
    for answers in h.answers.values():
        reviews = []
        previous = answers[0][0]
        for when, rating in answers:
            gap = (when - previous).days
            reviews.append(rs.FSRSReview(rating, gap))
            if gap > 0:
                item = rs.FSRSItem(list(reviews))
                if item.long_term_review_cnt() > 0:
                    out.append((when, item))
            previous = when
    out.sort(key=lambda x: x[0])
    return out


def fit(items: list[tuple[date, Any]]) -> tuple[float, ...]:
    """Parameters fitted on these training items, checked against py-fsrs's bounds."""
    import fsrs_rs_python as rs

    fitted = rs.FSRS(list(fsrs.DEFAULT_PARAMETERS)).compute_parameters([i for _, i in items])
    try:
        return fsrs.check_parameters(fitted)
    except ValueError:
        raise UserError("拟合出的 FSRS 参数超出范围，继续使用默认参数（fitted parameters out of bounds）") from None


def mode(store: Store) -> str:
    """fitted (the default: fit once there is enough history) or default."""
    return DEFAULT if store.setting(MODE_KEY) == DEFAULT else FITTED


def _apply(store: Store, parameters: tuple[float, ...] | None, fitted_on: int | None,
           progress: item_states.Progress | None) -> None:
    """Store (None: forget) fitted parameters and replay what depends on them, in one transaction."""
    settings: dict[str, str | None] = {
        schedules.PARAMS_KEY: None if parameters is None else schedules.dump_parameters(parameters),
        FITTED_ON_KEY: None if fitted_on is None else str(fitted_on),
    }
    item_states.change_settings(store, settings, progress)


def refresh(store: Store, progress: item_states.Progress | None = None, force: bool = False) -> bool:
    """In `fitted` mode, fit when there is enough history and none yet, or the log has grown by a quarter since the
    last fit (parameters that came with an imported progress file count as fitted on the log there is now); the
    log is read only when its size says it may be time. Returns True if parameters were (re)fitted."""
    if store.read_only or mode(store) != FITTED:
        return False
    rows = fit_history.log_size(store)
    fitted_on, looked_at = _number(store, FITTED_ON_KEY), _number(store, LOOKED_AT_KEY)
    if not force:
        if fitted_on is None and store.setting(schedules.PARAMS_KEY):
            store.set_setting(FITTED_ON_KEY, str(rows))
            return False
        if fitted_on is not None and rows < fitted_on * REFIT_GROWTH:
            return False
        if fitted_on is None and looked_at is not None and rows < looked_at * REFIT_GROWTH:
            return False  # not enough history last time, and not much more since
    h = history(store)
    if not h.eligible:
        store.set_setting(LOOKED_AT_KEY, str(rows))
        return False
    _apply(store, fit(training_items(h)), rows, progress)
    return True


def _number(store: Store, key: str) -> int | None:
    raw = store.setting(key)
    return int(raw) if raw is not None and raw.isdigit() else None


def set_mode(store: Store, value: str, progress: item_states.Progress | None = None) -> str:
    """`config fsrs-params fitted|default`: default drops fitted parameters; fitted fits now if it can."""
    if value not in (FITTED, DEFAULT):
        raise UserError(f"fsrs-params 只能是 fitted 或 default，而不是 {value!r}（must be fitted/default）")
    store.set_setting(MODE_KEY, None if value == FITTED else DEFAULT)
    if value == DEFAULT:
        _apply(store, None, None, progress)
        return "FSRS 默认参数"
    if refresh(store, progress, force=True):
        return "按你的复习记录拟合的参数"
    h = history(store)
    return (f"记录还不够：{h.count}/{MIN_ANSWERS} 次逐项回答、{h.days}/{MIN_DAYS} 个学习日；够了之后自动拟合，"
            "在此之前用 FSRS 默认参数")


@dataclass(frozen=True)
class Evaluation:
    """Log loss and RMSE (bins) of fitted and default parameters on the newest quarter of the answers."""

    train: int
    test: int
    fitted: tuple[float, float]
    default: tuple[float, float]

    def to_json(self) -> dict[str, Any]:
        return {"train_items": self.train, "test_items": self.test,
                "fitted": {"log_loss": round(self.fitted[0], 4), "rmse_bins": round(self.fitted[1], 4)},
                "default": {"log_loss": round(self.default[0], 4), "rmse_bins": round(self.default[1], 4)}}


def evaluate(store: Store) -> Evaluation:
    """Fit on the older answers, score fitted and default parameters on the newest quarter (a time split)."""
    import fsrs_rs_python as rs

    h = history(store)
    if not h.eligible:
        raise UserError(f"记录还不够评估：需要 {MIN_ANSWERS} 次逐项回答、{MIN_DAYS} 个学习日，现有 {h.count} 次、"
                        f"{h.days} 天（not enough history）")
    items = training_items(h)
    cut = int(len(items) * (1 - TEST_SHARE))
    train, test = items[:cut], [i for _, i in items[cut:]]
    if not train or not test:
        raise UserError("记录还不够评估（not enough history to split）")
    params = fit(train)

    def score(p: tuple[float, ...]) -> tuple[float, float]:
        e = rs.FSRS(list(p)).evaluate(test)
        return float(e.log_loss), float(e.rmse_bins)

    return Evaluation(len(train), len(test), score(params), score(fsrs.DEFAULT_PARAMETERS))
