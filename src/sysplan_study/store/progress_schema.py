"""The progress-file schema: every card state and log row checked for type, range and form before any write."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping

from sysplan_study.memory.sm2 import MAX_INTERVAL, MIN_EF100
from sysplan_study.store.history import MODES  # review, drill, quiz and reset (after = null)

# A card id is dotted deck/section/field ids, each a deck id (decks/validate.py ID_RE: [a-z][a-z0-9_]*).
CARD_ID_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
MAX_CARD_ID = 200
# YYYY-MM-DD, and an ISO timestamp with an explicit UTC offset (the app always writes one: see clock.utc_now).
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
MIN_DATE, MAX_DATE = date(1970, 1, 1), date(2200, 12, 31)
# Control characters (category Cc) other than tab and newline, and lone surrogates (SQLite cannot store those).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
FUTURE_SLACK = timedelta(days=1)  # clocks of two machines may disagree; more than a day ahead is a bad file

MAX_EF100 = 1000
MAX_REPETITIONS = 1_000_000
MAX_ITEMS = 1000  # items of one card / per-item results of one answer (decks have at most a few dozen)
MAX_HINTS = 1000
MAX_TEXT = 10_000  # characters of any string (decks refuse item texts over 2,000)
MAX_DURATION_MS = 366 * 86_400_000

STATE_KEYS = ("repetitions", "ef100", "interval", "due")
SCHEDULER_KEYS = ("name", "desired_retention", "parameters")  # the top-level "scheduler" object
CARD_KEYS = ("card_id", *STATE_KEYS, "updated_at")
LOG_REQUIRED = ("card_id", "reviewed_at", "study_day", "grade", "mode", "before", "after")
LOG_OPTIONAL = ("duration_ms", "hints", "recalled", "total", "capped_due", "items", "tested")
ITEM_KEYS = ("item", "text", "recalled")

# (card_id, repetitions, ef100, interval, due, updated_at, parsed updated_at)
CardRow = tuple[str, int, int, int, str, str, datetime]
# The review_log columns in the order progress_file inserts them, then the per-item (item, text, recalled) rows.
LogRow = tuple[tuple[Any, ...], list[tuple[int, str, int]]]


class SchemaError(Exception):
    """A value of the file is wrong: `where` is its JSON path (log[17].after.due), `message` says why."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def got(value: Any) -> str:
    """The type of a bad value, and the value itself when it is a scalar: 实际为字符串 'x'."""
    if isinstance(value, (dict, list)):
        return f"实际为{type_name(value)}"
    return f"实际为{type_name(value)} {shown(value)}"


def type_name(value: Any) -> str:
    """The JSON name of a parsed value's type, in Chinese."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, dict):
        return "对象"
    if isinstance(value, list):
        return "数组"
    return "小数"  # ijson gives Decimal for 1.5, 1e30 and the like


def shown(value: Any) -> str:
    """A short, one-line, escaped rendering of a bad value for the message."""
    text = repr(value) if isinstance(value, str) else str(value)  # repr escapes control and format characters
    return text if len(text) <= 40 else text[:37] + "..."


class Checker:
    """Validates rows against the schema; knows each deck card's item count and what 'now' is."""

    def __init__(self, item_counts: Mapping[str, int] | None, now: datetime):
        self.item_counts = item_counts or {}
        self.latest = now + FUTURE_SLACK
        # The file's scheduler settings as setting-table rows (key → text, None: the default), once read.
        self.settings: dict[str, str | None] | None = None

    # ------------------------------------------------------------------ scalars

    def integer(self, where: str, value: Any, low: int, high: int) -> int:
        """A JSON integer in [low, high]: not a bool, not 4.0 or 1e30, not "5"."""
        if type(value) is not int:  # bool is an int subclass: refused here too
            raise SchemaError(where, f"应为整数，{got(value)}")
        if not low <= value <= high:
            raise SchemaError(where, f"超出范围 {low}–{high}: {shown(value)}")
        return value

    def opt_integer(self, where: str, value: Any, low: int, high: int) -> int | None:
        """null, or an integer in [low, high]."""
        return None if value is None else self.integer(where, value, low, high)

    def string(self, where: str, value: Any) -> str:
        """A JSON string."""
        if not isinstance(value, str):
            raise SchemaError(where, f"应为字符串，{got(value)}")
        return value

    def day(self, where: str, value: Any) -> str:
        """A real YYYY-MM-DD date between 1970-01-01 and 2200-12-31; returned as written."""
        text = self.string(where, value)
        try:
            if not DATE_RE.fullmatch(text):
                raise ValueError
            parsed = date.fromisoformat(text)
        except ValueError:
            raise SchemaError(where, f"不是有效日期（应为 YYYY-MM-DD）: {shown(text)}") from None
        if not MIN_DATE <= parsed <= MAX_DATE:
            raise SchemaError(where, f"日期超出 1970-01-01–2200-12-31: {text}")
        return text

    def opt_day(self, where: str, value: Any) -> str | None:
        """null, or a date as `day` accepts it."""
        return None if value is None else self.day(where, value)

    def timestamp(self, where: str, value: Any) -> tuple[str, datetime]:
        """An ISO timestamp with a UTC offset, 1970 or later and no later than now + 1 day."""
        text = self.string(where, value)
        try:
            if not TIMESTAMP_RE.fullmatch(text):
                raise ValueError
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if not MIN_DATE <= parsed.date() <= MAX_DATE:
                raise ValueError
        except ValueError:
            raise SchemaError(where, f"不是有效时间（应为带时区的 ISO 时间，如 2026-11-24T08:00:00+00:00）: {shown(text)}") from None
        if parsed > self.latest:
            raise SchemaError(where, f"时间晚于现在一天以上: {text}")
        return text, parsed

    def card_id(self, where: str, value: Any) -> str:
        """Dotted lowercase ids, as the decks build them (deck.section.field)."""
        text = self.string(where, value)
        if len(text) > MAX_CARD_ID or not CARD_ID_RE.fullmatch(text):
            raise SchemaError(where, f"不是有效的卡片 id（小写字母、数字、下划线，以 . 分段）: {shown(text)}")
        return text

    def text(self, where: str, value: Any) -> str:
        """Item text: no control characters but tab and newline, no lone surrogates."""
        text = self.string(where, value)  # its length is bounded by the reader (progress_stream.MAX_TEXT)
        if _CONTROL.search(text):
            raise SchemaError(where, f"文本含控制字符: {shown(text)}")
        return text

    # ------------------------------------------------------------------ objects

    def keys(self, where: str, obj: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        """An object with exactly the known keys: a missing key or an unknown one is refused."""
        if not isinstance(obj, dict):
            raise SchemaError(where, f"应为对象，{got(obj)}")
        need, allowed = _key_sets(required, optional)
        if not obj.keys() >= need:
            missing = next(k for k in required if k not in obj)
            raise SchemaError(where, f"缺少键 {missing!r}")
        if len(obj) > len(required) and obj.keys() - allowed:
            unknown = next(k for k in obj if k not in required and k not in optional)
            raise SchemaError(where, f"未知的键 {shown(unknown)}")
        return obj

    def state(self, where: str, obj: Any) -> tuple[Any, Any, Any, Any]:
        """A schedule object (or null for a new card) as (repetitions, ef100, interval, due)."""
        if obj is None:
            return (None, None, None, None)
        s = self.keys(where, obj, STATE_KEYS)
        return (
            self.integer(f"{where}.repetitions", s["repetitions"], 0, MAX_REPETITIONS),
            self.integer(f"{where}.ef100", s["ef100"], MIN_EF100, MAX_EF100),
            self.integer(f"{where}.interval", s["interval"], 0, MAX_INTERVAL),
            self.day(f"{where}.due", s["due"]),
        )

    def number(self, where: str, value: Any, low: float, high: float) -> float:
        """A JSON number (integer or decimal, not a bool or a string) in [low, high], as a float."""
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
            raise SchemaError(where, f"应为数，{got(value)}")
        number = float(value)
        if not low <= number <= high:  # also refuses nan and inf
            raise SchemaError(where, f"超出范围 {low}–{high}: {shown(value)}")
        return number

    def scheduler(self, where: str, obj: Any) -> dict[str, str | None]:
        """The top-level `scheduler` object: name sm2 or fsrs, the desired retention and FSRS parameters (null:
        the defaults). Kept on the checker as the setting rows the import writes."""
        from sysplan_study.memory import fsrs
        from sysplan_study.memory.replay import SCHEDULERS, SM2
        from sysplan_study.store import schedules

        s = self.keys(where, obj, SCHEDULER_KEYS)
        name = s["name"]
        if name not in SCHEDULERS:
            raise SchemaError(f"{where}.name", f"未知的排程算法 {shown(name)}（可用: {', '.join(SCHEDULERS)}）")
        retention = self.number(f"{where}.desired_retention", s["desired_retention"], fsrs.MIN_RETENTION,
                                fsrs.MAX_RETENTION)
        raw = s["parameters"]
        parameters = None
        if raw is not None:
            if not isinstance(raw, list):
                raise SchemaError(f"{where}.parameters", f"应为数组或 null，{got(raw)}")
            values = [self.number(f"{where}.parameters[{i}]", v, -1e9, 1e9) for i, v in enumerate(raw)]
            try:
                parameters = fsrs.check_parameters(values)
            except ValueError as e:
                first = str(e).splitlines()[-1][:80]
                raise SchemaError(f"{where}.parameters", f"FSRS 参数无效（{first}）") from None
        self.settings = {
            schedules.SCHEDULER_KEY: None if name == SM2 else name,
            schedules.RETENTION_KEY: None if retention == fsrs.DEFAULT_RETENTION else repr(retention),
            schedules.PARAMS_KEY: None if parameters is None else schedules.dump_parameters(parameters),
        }
        return self.settings

    def card(self, where: str, obj: Any) -> CardRow:
        """One entry of `cards`."""
        s = self.keys(where, obj, CARD_KEYS)
        card_id = self.card_id(f"{where}.card_id", s["card_id"])
        rep, ef, interval, due = self.state(where, {k: s[k] for k in STATE_KEYS})
        updated, parsed = self.timestamp(f"{where}.updated_at", s["updated_at"])
        return (card_id, rep, ef, interval, due, updated, parsed)

    def suspended(self, where: str, obj: Any) -> tuple[str, str]:
        """One entry of `suspended`: a suspended card and since when."""
        s = self.keys(where, obj, ("card_id", "since"))
        return self.card_id(f"{where}.card_id", s["card_id"]), self.timestamp(f"{where}.since", s["since"])[0]

    def log(self, where: str, obj: Any) -> LogRow:
        """One entry of `log`: the review_log columns and its per-item results."""
        e = self.keys(where, obj, LOG_REQUIRED, LOG_OPTIONAL)
        card_id = self.card_id(f"{where}.card_id", e["card_id"])
        reviewed_at, _ = self.timestamp(f"{where}.reviewed_at", e["reviewed_at"])
        study_day = self.day(f"{where}.study_day", e["study_day"])
        grade = self.integer(f"{where}.grade", e["grade"], 0, 5)
        mode = e["mode"]
        if mode not in MODES:
            raise SchemaError(f"{where}.mode", f"未知的模式 {shown(mode)}（可用: {', '.join(MODES)}）")
        before = self.state(f"{where}.before", e["before"])
        after = self.state(f"{where}.after", e["after"])
        if mode == "review" and e["after"] is None:
            raise SchemaError(f"{where}.after", "review 记录必须有复习后的日程")
        if mode == "reset" and e["after"] is not None:
            raise SchemaError(f"{where}.after", "reset 记录的 after 应为 null")
        duration = self.opt_integer(f"{where}.duration_ms", e.get("duration_ms"), 0, MAX_DURATION_MS)
        hints = self.integer(f"{where}.hints", e.get("hints", 0), 0, MAX_HINTS)
        total = self.opt_integer(f"{where}.total", e.get("total"), 0, MAX_ITEMS)
        if (e.get("recalled") is None) != (total is None):
            raise SchemaError(f"{where}.recalled", "recalled 与 total 应同为 null 或同为整数")
        recalled = self.opt_integer(f"{where}.recalled", e.get("recalled"), 0, total or 0)
        capped = self.opt_day(f"{where}.capped_due", e.get("capped_due"))
        items = self.items(f"{where}.items", card_id, e.get("items", []))
        count = self.item_counts.get(card_id)
        tested = self.opt_integer(f"{where}.tested", e.get("tested"), 1, count if count is not None else MAX_ITEMS)
        if tested is not None and (items or mode == "reset"):
            raise SchemaError(f"{where}.tested", "只有自评的回答才有 tested（逐项默写的回答以 items 为准）")
        cols = (card_id, reviewed_at, study_day, grade, mode, *before, *after, duration, hints, recalled, total, capped,
                tested)
        return cols, items

    def items(self, where: str, card_id: str, raw: Any) -> list[tuple[int, str, int]]:
        """Per-item results; `item` is the 0-based index into the card's items (study/recall.py ItemMatch.index)."""
        if not isinstance(raw, list):
            raise SchemaError(where, f"应为数组，{got(raw)}")
        count = self.item_counts.get(card_id)
        high = count - 1 if count is not None else MAX_ITEMS - 1
        seen: set[int] = set()
        out = []
        for i, obj in enumerate(raw):
            at = f"{where}[{i}]"
            it = self.keys(at, obj, ITEM_KEYS)
            index = it["item"]
            if count is not None and type(index) is int and not 0 <= index < count:
                raise SchemaError(f"{at}.item", f"超出卡片 {card_id} 的条目范围 0–{high}（共 {count} 项）: {index}")
            index = self.integer(f"{at}.item", index, 0, high)
            if index in seen:
                raise SchemaError(f"{at}.item", f"条目序号重复: {index}")
            seen.add(index)
            text = self.text(f"{at}.text", it["text"])
            if not isinstance(it["recalled"], bool):
                raise SchemaError(f"{at}.recalled", f"应为布尔值，{got(it['recalled'])}")
            out.append((index, text, int(it["recalled"])))
        return out


@functools.lru_cache(maxsize=None)
def _key_sets(required: tuple[str, ...], optional: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The required and the allowed keys as sets, built once per schema object."""
    return frozenset(required), frozenset(required + optional)


def utc(parsed: datetime) -> datetime:
    """An aware datetime; a naive one (never written by the app) is taken as UTC."""
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
