"""Every setting in one place: name, stored key, default, allowed values and the environment variable that wins."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

from sysplan_study import clock
from sysplan_study.errors import UserError
from sysplan_study.memory import fsrs, replay
from sysplan_study.store import item_states, schedules
from sysplan_study.store.history import Store
from sysplan_study.store.schedules import Progress

TRUE_WORDS = {"1", "true", "yes", "on", "是", "开"}
FALSE_WORDS = {"0", "false", "no", "off", "否", "关"}


Value = int | bool | float | str


@dataclass(frozen=True)
class Setting:
    """One setting: stored in the database's setting table under `stored_as` (the names older versions used).

    Its value is an integer in [low, high], on/off (a bool default), a number in [low, high] (a float default) or
    one of `choices` (a str default). A setting that `replays` changes card schedules: setting it replays the log.
    """

    key: str
    stored_as: str
    default: Value
    help: str
    low: float = 0
    high: float = 0
    env: str | None = None
    choices: tuple[str, ...] = ()
    replays: bool = False

    @property
    def is_bool(self) -> bool:
        """True for on/off settings."""
        return isinstance(self.default, bool)

    def parse(self, raw: str, where: str) -> Value:
        """A value typed by the user or stored in the database; one-line UserError naming `where` otherwise."""
        text = raw.strip().lower()
        if self.choices:
            if text in self.choices:
                return text
            raise UserError(f"{where}：{self.key} 只能是 {' 或 '.join(self.choices)}，而不是 {raw!r}"
                            f"（must be {'/'.join(self.choices)}）")
        if isinstance(self.default, float):
            return self._number(raw, text, where)
        if self.is_bool:
            if text in TRUE_WORDS:
                return True
            if text in FALSE_WORDS:
                return False
            raise UserError(f"{where}：{self.key} 只能是 on 或 off，而不是 {raw!r}（must be on/off）")
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not self.low <= value <= self.high:
            raise UserError(f"{where}：{self.key} 必须是 {self.low}-{self.high} 的整数，而不是 {raw!r}"
                            f"（must be an integer {self.low}-{self.high}）")
        return value

    def _number(self, raw: str, text: str, where: str) -> float:
        import math

        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not self.low <= value <= self.high:  # also refuses nan and inf
            raise UserError(f"{where}：{self.key} 必须是 {self.low}-{self.high} 之间的数，而不是 {raw!r}"
                            f"（must be a number from {self.low} to {self.high}）")
        return value

    def show(self, value: Value) -> str:
        """The value as `config` prints it."""
        return ("on" if value else "off") if self.is_bool else str(value)

    def stored(self, value: Value) -> str | None:
        """The text kept in the setting table (None: nothing stored, the default applies)."""
        if self.is_bool:
            return "1" if value else None
        return str(value)


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("new-limit", "new_limit", 20, "每个学习日最多学几张新卡（daily new cards）", 0, 9999),
    Setting("rollover-hour", "rollover_hour", clock.DEFAULT_ROLLOVER_HOUR,
            "学习日在几点换日（hour the study day starts, local time）", 0, 23, "SYSPLAN_ROLLOVER_HOUR"),
    Setting("leech-threshold", "leech_threshold", 6, "掌握后又忘记几次算难点（lapses that make a leech）", 1, 999),
    Setting("exam-lead-days", "lead_days", 14, "考试前几天要见过所有卡片（see every card this many days before the exam）",
            0, 3650),
    Setting("cap-intervals", "cap_intervals", False, "把考试之后的到期日拉回考前最后一周（pull due dates before the exam）"),
    Setting("scheduler", schedules.SCHEDULER_KEY, replay.SM2,
            "排程算法 sm2 或 fsrs；切换时按复习记录重算所有卡片，可随时切回（scheduler, replayed from the log）",
            choices=replay.SCHEDULERS, replays=True),
    Setting("desired-retention", schedules.RETENTION_KEY, fsrs.DEFAULT_RETENTION,
            "FSRS 的目标记忆保持率（desired retention for FSRS intervals）", fsrs.MIN_RETENTION, fsrs.MAX_RETENTION,
            replays=True),
    Setting("fsrs-params", "fsrs_params_mode", "fitted",
            "FSRS 参数：fitted 记录够了（400 次逐项回答、14 个学习日）就按你的记录拟合，default 用默认参数"
            "（FSRS parameters）", choices=("fitted", "default"), replays=True),
)}


def setting(key: str) -> Setting:
    """The setting named `key`, or a UserError listing the valid names."""
    if key not in SETTINGS:
        raise UserError(f"没有这个设置：{key}；可用的设置：{'、'.join(SETTINGS)}（unknown setting）")
    return SETTINGS[key]


def source_of(store: Store, key: str) -> str:
    """Where the value in force comes from: env, set or default."""
    s = setting(key)
    if s.env and os.environ.get(s.env):
        return "env"
    return "set" if store.setting(s.stored_as) is not None else "default"


def get(store: Store, key: str) -> Value:
    """The value in force: the environment variable for this run if set, else the stored value, else the default."""
    s = setting(key)
    if s.env and os.environ.get(s.env):
        return s.parse(os.environ[s.env], s.env)
    raw = store.setting(s.stored_as)
    if raw is None:
        return s.default
    try:
        return s.parse(raw, f"数据库中的设置 {key}")
    except UserError:
        return s.default  # a value edited by hand into something invalid: fall back, `config` shows it


def put(store: Store, key: str, raw: str, progress: Progress | None = None) -> Value:
    """Validate and store a value; returns it. A scheduler setting replays every card's log in the same
    transaction (`progress` is told how far it got)."""
    s = setting(key)
    value = s.parse(raw, key)
    _store(store, s, s.stored(value), progress)
    return value


def unset(store: Store, key: str, progress: Progress | None = None) -> Value:
    """Forget the stored value (back to the default); returns the default."""
    s = setting(key)
    _store(store, s, None, progress)
    return s.default


def _store(store: Store, s: Setting, text: str | None, progress: Progress | None) -> None:
    """Write one setting; a scheduler setting goes through the store's replay (one transaction with it)."""
    if s.key == "fsrs-params":
        from sysplan_study.study import fitting

        fitting.set_mode(store, str(text or s.default), progress)
    elif s.replays:
        item_states.change_settings(store, {s.stored_as: text}, progress)
    else:
        store.set_setting(s.stored_as, text)


def listing(store: Store) -> list[dict[str, object]]:
    """Every setting with its value in force, default, source and help, for `sysplan config`."""
    return [
        {"key": s.key, "value": get(store, s.key), "default": s.default, "source": source_of(store, s.key),
         "env": s.env, "help": s.help}
        for s in SETTINGS.values()
    ]


def today(store: Store) -> date:
    """Today's study day with the configured rollover hour (SYSPLAN_TODAY and SYSPLAN_ROLLOVER_HOUR still win)."""
    if os.environ.get("SYSPLAN_TODAY"):
        return clock.today()
    hour = get(store, "rollover-hour")
    assert isinstance(hour, int)
    return clock.study_day(datetime.now(), hour)
