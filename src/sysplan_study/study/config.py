"""Every setting in one place: name, stored key, default, allowed values and the environment variable that wins."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

from sysplan_study import clock
from sysplan_study.errors import UserError
from sysplan_study.store.history import Store

TRUE_WORDS = {"1", "true", "yes", "on", "是", "开"}
FALSE_WORDS = {"0", "false", "no", "off", "否", "关"}


@dataclass(frozen=True)
class Setting:
    """One setting: stored in the database's setting table under `stored_as` (the names older versions used)."""

    key: str
    stored_as: str
    default: int | bool
    help: str
    low: int = 0
    high: int = 0
    env: str | None = None

    @property
    def is_bool(self) -> bool:
        """True for on/off settings."""
        return isinstance(self.default, bool)

    def parse(self, raw: str, where: str) -> int | bool:
        """A value typed by the user or stored in the database; one-line UserError naming `where` otherwise."""
        text = raw.strip().lower()
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

    def show(self, value: int | bool) -> str:
        """The value as `config` prints it."""
        return ("on" if value else "off") if self.is_bool else str(value)


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("new-limit", "new_limit", 20, "每个学习日最多学几张新卡（daily new cards）", 0, 9999),
    Setting("rollover-hour", "rollover_hour", clock.DEFAULT_ROLLOVER_HOUR,
            "学习日在几点换日（hour the study day starts, local time）", 0, 23, "SYSPLAN_ROLLOVER_HOUR"),
    Setting("leech-threshold", "leech_threshold", 6, "掌握后又忘记几次算难点（lapses that make a leech）", 1, 999),
    Setting("exam-lead-days", "lead_days", 14, "考试前几天要见过所有卡片（see every card this many days before the exam）",
            0, 3650),
    Setting("cap-intervals", "cap_intervals", False, "把考试之后的到期日拉回考前最后一周（pull due dates before the exam）"),
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


def get(store: Store, key: str) -> int | bool:
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


def put(store: Store, key: str, raw: str) -> int | bool:
    """Validate and store a value; returns it."""
    s = setting(key)
    value = s.parse(raw, key)
    store.set_setting(s.stored_as, ("1" if value else None) if s.is_bool else str(value))
    return value


def unset(store: Store, key: str) -> int | bool:
    """Forget the stored value (back to the default); returns the default."""
    s = setting(key)
    store.set_setting(s.stored_as, None)
    return s.default


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
