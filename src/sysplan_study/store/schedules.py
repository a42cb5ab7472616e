"""Card schedules from the log: the scheduler settings, one card's state replayed, and every card's rebuilt.

card_state always belongs to the scheduler named in the `scheduler` setting: the setting changes only in the
transaction that replays every card from the log (`rebuild`), and undo and import replay the cards they touch.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import date
from typing import Any, Callable, Iterable, Iterator

from sysplan_study.memory import fsrs
from sysplan_study.memory.replay import FSRS, SCHEDULERS, SM2, CardState, Replayed, Row, SchedulerConfig, replay
from sysplan_study.store.history import Store

SCHEDULER_KEY, RETENTION_KEY, PARAMS_KEY = "scheduler", "desired_retention", "fsrs_params"
CHECKED_KEY = "fsrs_params_checked"  # the parameters' text as py-fsrs accepted it when it was written
SCHEDULING_MODES = ("review", "reset")
_STATE_COLS = "repetitions, ef100, interval, due, stability, difficulty, last_day"
_UPSERT = """INSERT INTO card_state (card_id, repetitions, ef100, interval, due, updated_at, stability, difficulty,
        last_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(card_id) DO UPDATE SET repetitions = excluded.repetitions, ef100 = excluded.ef100,
      interval = excluded.interval, due = excluded.due, updated_at = excluded.updated_at,
      stability = excluded.stability, difficulty = excluded.difficulty, last_day = excluded.last_day"""
Progress = Callable[[int, int], None]  # (cards done, cards in all)


# ---------------------------------------------------------------------------------------------- settings


def parse_retention(raw: str | None) -> float | None:
    """A desired retention as stored, or None if absent or not a number in the allowed range."""
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    if value is None or not math.isfinite(value) or not fsrs.MIN_RETENTION <= value <= fsrs.MAX_RETENTION:
        return None
    return value


def parse_parameters(raw: str | None, checked: str | None = None) -> tuple[float, ...] | None:
    """FSRS parameters stored as a JSON list, or None if absent or not accepted by py-fsrs. `checked`: the text
    py-fsrs accepted when the parameters were written (CHECKED_KEY); the very same text is not checked again."""
    if not raw:
        return None
    try:
        values = json.loads(raw)
        if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                   for v in values):
            return None
        if raw == checked and len(values) == len(fsrs.DEFAULT_PARAMETERS) and all(map(math.isfinite, values)):
            return tuple(float(v) for v in values)
        return fsrs.check_parameters(values)
    except ValueError:
        return None


def dump_parameters(parameters: tuple[float, ...]) -> str:
    """FSRS parameters as stored in the setting table (a JSON list; floats written exactly)."""
    return json.dumps(list(parameters))


def scheduler_json(cfg: SchedulerConfig) -> dict[str, Any]:
    """The `scheduler` object of a progress file: name, desired retention, parameters (null: the defaults)."""
    return {"name": cfg.name, "desired_retention": cfg.desired_retention,
            "parameters": None if cfg.parameters == fsrs.DEFAULT_PARAMETERS else list(cfg.parameters)}


def config_from(settings: dict[str, str]) -> SchedulerConfig:
    """The scheduler configuration from stored settings; a value edited by hand into nonsense counts as unset."""
    name = settings.get(SCHEDULER_KEY)
    return SchedulerConfig(
        name if name in SCHEDULERS else SM2,
        parse_retention(settings.get(RETENTION_KEY)) or fsrs.DEFAULT_RETENTION,
        parse_parameters(settings.get(PARAMS_KEY), settings.get(CHECKED_KEY)) or fsrs.DEFAULT_PARAMETERS,
    )


def read_config(conn: sqlite3.Connection) -> SchedulerConfig:
    """The configuration in force, read on this connection (inside the caller's transaction if it has one)."""
    rows = conn.execute("SELECT key, value FROM setting WHERE key IN (?, ?, ?, ?)",
                        (SCHEDULER_KEY, RETENTION_KEY, PARAMS_KEY, CHECKED_KEY)).fetchall()
    return config_from(dict(rows))


def config(store: Store) -> SchedulerConfig:
    """The scheduler configuration in force."""
    return read_config(store.conn)


# ---------------------------------------------------------------------------------------------- one card


def state_of(row: tuple[Any, ...] | None) -> CardState:
    """A card_state row (repetitions, ef100, interval, due, stability, difficulty, last_day) as a CardState."""
    if row is None or row[3] is None:
        return CardState()
    rep, ef, interval, due, stability, difficulty, last_day = row
    return CardState(int(rep), int(ef), int(interval), date.fromisoformat(due), stability, difficulty,
                     date.fromisoformat(last_day) if last_day else None)


def read_state(conn: sqlite3.Connection, card_id: str) -> tuple[Any, ...] | None:
    """The card's full card_state row, or None for a new card."""
    row = conn.execute(f"SELECT {_STATE_COLS} FROM card_state WHERE card_id = ?", (card_id,)).fetchone()
    return tuple(row) if row else None


def card_state(store: Store, card_id: str) -> CardState:
    """The card's schedule with its FSRS memory (a new CardState for a card never reviewed)."""
    return state_of(read_state(store.conn, card_id))


def _row(mode: str, grade: int, study_day: str, capped_due: str | None, reviewed_at: str) -> Row:
    return Row(mode, grade, date.fromisoformat(study_day), date.fromisoformat(capped_due) if capped_due else None,
               reviewed_at)


def card_rows(conn: sqlite3.Connection, card_id: str) -> list[Row]:
    """The card's scheduling rows in replay order (study day, then log id)."""
    rows = conn.execute(
        "SELECT mode, grade, study_day, capped_due, reviewed_at FROM review_log "
        "WHERE card_id = ? AND mode IN ('review', 'reset') ORDER BY study_day, id",
        (card_id,),
    )
    return [_row(*r) for r in rows]


def _values(card_id: str, done: Replayed) -> tuple[Any, ...] | None:
    """The card_state row a replay gives (None: the card is new)."""
    s = done.state
    if s is None or s.due is None:
        return None
    return (card_id, s.repetitions, s.ef100, s.interval, s.due.isoformat(), done.updated_at, s.stability,
            s.difficulty, s.last_day.isoformat() if s.last_day else None)


def _write(conn: sqlite3.Connection, card_id: str, values: tuple[Any, ...] | None) -> bool:
    """Store a replayed state; True if the row changed."""
    old = conn.execute(f"SELECT card_id, {_STATE_COLS.replace('due,', 'due, updated_at,')} FROM card_state "
                       "WHERE card_id = ?", (card_id,)).fetchone()
    if values is None:
        if old is None:
            return False
        conn.execute("DELETE FROM card_state WHERE card_id = ?", (card_id,))
        return True
    if old is not None and tuple(old) == values:
        return False
    conn.execute(_UPSERT, values)
    return True


def recompute(conn: sqlite3.Connection, card_ids: Iterable[str], cfg: SchedulerConfig | None = None) -> int:
    """Replay these cards' logs into card_state (inside the caller's transaction); returns how many changed."""
    cfg = cfg or read_config(conn)
    return sum(_write(conn, cid, _values(cid, replay(card_rows(conn, cid), cfg))) for cid in card_ids)


# ---------------------------------------------------------------------------------------------- every card


def _grouped(conn: sqlite3.Connection) -> Iterator[tuple[str, list[Row]]]:
    """Every card's scheduling rows, card by card, each in replay order (one pass over the log)."""
    current: str | None = None
    rows: list[Row] = []
    for cid, mode, grade, day, capped, at in conn.execute(
        "SELECT card_id, mode, grade, study_day, capped_due, reviewed_at FROM review_log "
        "WHERE mode IN ('review', 'reset') ORDER BY card_id, study_day, id"
    ):
        if cid != current:
            if current is not None:
                yield current, rows
            current, rows = cid, []
        rows.append(_row(mode, grade, day, capped, at))
    if current is not None:
        yield current, rows


def replay_all(conn: sqlite3.Connection, cfg: SchedulerConfig, progress: Progress | None = None) -> int:
    """Replace every card_state row by the replay of the log (inside the caller's transaction); returns how many
    rows changed. Cards with a state but no scheduling row in the log become new: the log is the truth."""
    total = conn.execute(
        "SELECT count(DISTINCT card_id) FROM review_log WHERE mode IN ('review', 'reset')").fetchone()[0]
    old = {r[0]: tuple(r) for r in conn.execute(
        f"SELECT card_id, {_STATE_COLS.replace('due,', 'due, updated_at,')} FROM card_state")}
    new: list[tuple[Any, ...]] = []
    changed = 0
    for n, (cid, rows) in enumerate(_grouped(conn), 1):
        values = _values(cid, replay(rows, cfg))
        before = old.pop(cid, None)
        if values != before:
            changed += 1
        if values is not None:
            new.append(values)
        if progress is not None and (n % 500 == 0 or n == total):
            progress(n, total)
    changed += len(old)  # states no log row accounts for
    conn.execute("DELETE FROM card_state")
    conn.executemany(_UPSERT, new)
    return changed


def change(store: Store, settings: dict[str, str | None], progress: Progress | None = None,
           on_parameters: Callable[[sqlite3.Connection, SchedulerConfig, Progress | None], Any] | None = None) -> int:
    """Change scheduler settings and, if the schedules they imply change, replay every card under them, all in one
    transaction; returns how many card states changed. The log is not touched, so switching back replays the very
    same states again. (SM-2 schedules do not depend on the FSRS settings: no replay for those under SM-2.)
    `on_parameters` runs in the same transaction when the FSRS parameters change (item memory follows them)."""
    with store._write() as c:
        before = read_config(c)
        if PARAMS_KEY in settings:  # py-fsrs checks them now, once: reads then trust this very text
            value = settings[PARAMS_KEY]
            settings = {**settings, CHECKED_KEY: value if parse_parameters(value) is not None else None}
        for key, value in settings.items():
            if value is None:
                c.execute("DELETE FROM setting WHERE key = ?", (key,))
            else:
                c.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
        after = read_config(c)
        if before.parameters != after.parameters and on_parameters is not None:
            on_parameters(c, after, progress)
        if before == after or before.name == after.name == SM2:
            return 0
        return replay_all(c, after, progress)


__all__ = ["FSRS", "SM2", "SCHEDULER_KEY", "RETENTION_KEY", "PARAMS_KEY", "CHECKED_KEY", "config", "card_state", "change",
           "recompute", "replay_all", "read_config", "state_of"]
