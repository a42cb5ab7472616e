"""Item memory in the database: updated inside each answer's transaction, replayed from the log when that is needed.

An answer's evidence about items is its item_result rows (typed: ✓ Good, ✗ Again) or, for a self-graded answer,
its `tested` count (items 0..n-1 all get the card's grade). Modes review, drill, quiz and mock can carry evidence;
resets and choice questions carry none. A reset does not touch item memory: what was recalled stays evidence.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from sysplan_study.memory import fsrs
from sysplan_study.memory.items import ItemMemory, answer, replay, typed_grade
from sysplan_study.store import schedules
from sysplan_study.store.history import ItemResult, Store

EVIDENCE_MODES = ("review", "drill", "quiz", "mock")
BUILT_KEY, BUILT = "item_states", "1"  # setting: item states were built from the whole log (after an upgrade)
_IN_MODES = "('review', 'drill', 'quiz', 'mock')"
_UPSERT = """INSERT INTO item_state (card_id, item, stability, difficulty, last_day) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(card_id, item) DO UPDATE SET stability = excluded.stability, difficulty = excluded.difficulty,
      last_day = excluded.last_day"""
Progress = schedules.Progress


def item_config(conn: sqlite3.Connection) -> fsrs.Config:
    """The FSRS model item memory uses: the parameters in force (the desired retention plays no part in memory)."""
    return fsrs.Config(parameters=schedules.read_config(conn).parameters)


def evidence_of(items: Sequence[ItemResult] | None, tested: int | None, grade: int) -> list[tuple[int, int]]:
    """(item, grade) pairs one answer gives: its typed results, else every tested item with the card's grade."""
    if items:
        return [(i.item, typed_grade(i.recalled)) for i in items]
    return [(k, grade) for k in range(tested or 0)]


def _memory(row: tuple[Any, ...]) -> ItemMemory:
    return ItemMemory(row[0], row[1], date.fromisoformat(row[2]))


def apply(c: sqlite3.Connection, card_id: str, day: date, evidence: Iterable[tuple[int, int]],
          config: fsrs.Config | None = None) -> int:
    """Update the card's item memories with one answer's evidence (inside the answer's transaction); returns how
    many items it counted for (an item already answered this study day does not count again)."""
    pairs = list(evidence)
    if not pairs:
        return 0
    config = config or item_config(c)
    current = {r[0]: _memory(r[1:]) for r in c.execute(
        "SELECT item, stability, difficulty, last_day FROM item_state WHERE card_id = ?", (card_id,))}
    counted = 0
    for item, grade in pairs:
        after = answer(current.get(item), grade, day, config)
        if after is None:
            continue
        current[item] = after
        c.execute(_UPSERT, (card_id, item, after.stability, after.difficulty, after.last_day.isoformat()))
        counted += 1
    return counted


# ---------------------------------------------------------------------------------------------- replay

_EVIDENCE_SQL = f"""SELECT l.card_id, l.study_day, l.grade, l.tested, i.item, i.recalled
    FROM review_log l LEFT JOIN item_result i ON i.log_id = l.id
    WHERE l.mode IN {_IN_MODES} AND (l.tested > 0 OR i.item IS NOT NULL)"""


def _evidence(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[str, list[tuple[int, int, date]]]]:
    """Group (card, day, grade, tested, item, recalled) rows, ordered by card, into each card's evidence."""
    current: str | None = None
    out: list[tuple[int, int, date]] = []
    for cid, day, grade, tested, item, recalled in rows:
        if cid != current:
            if current is not None:
                yield current, out
            current, out = cid, []
        when = date.fromisoformat(day)
        if item is not None:
            out.append((item, typed_grade(bool(recalled)), when))
        else:
            out.extend((k, grade, when) for k in range(tested))
    if current is not None:
        yield current, out


def _rows_of(memories: Mapping[int, ItemMemory], card_id: str) -> list[tuple[Any, ...]]:
    return [(card_id, item, m.stability, m.difficulty, m.last_day.isoformat()) for item, m in sorted(memories.items())]


def recompute(c: sqlite3.Connection, card_ids: Iterable[str], config: fsrs.Config | None = None) -> None:
    """Replay these cards' item memories from their logs (inside the caller's transaction)."""
    config = config or item_config(c)
    for cid in card_ids:
        rows = c.execute(_EVIDENCE_SQL + " AND l.card_id = ? ORDER BY l.study_day, l.id, i.item", (cid,))
        c.execute("DELETE FROM item_state WHERE card_id = ?", (cid,))
        for _, evidence in _evidence(rows):
            c.executemany(_UPSERT, _rows_of(replay(evidence, config), cid))


def replay_all(c: sqlite3.Connection, config: fsrs.Config | None = None, progress: Progress | None = None) -> int:
    """Replace every item memory by the replay of the whole log (inside the caller's transaction); returns how
    many items have a memory."""
    config = config or item_config(c)
    total = c.execute(f"SELECT count(DISTINCT card_id) FROM review_log WHERE mode IN {_IN_MODES}").fetchone()[0]
    c.execute("DELETE FROM item_state")
    n_items = 0
    rows = c.execute(_EVIDENCE_SQL + " ORDER BY l.card_id, l.study_day, l.id, i.item")
    for n, (cid, evidence) in enumerate(_evidence(rows), 1):
        values = _rows_of(replay(evidence, config), cid)
        c.executemany(_UPSERT, values)
        n_items += len(values)
        if progress is not None and (n % 500 == 0):
            progress(n, total)
    if progress is not None:
        progress(total, total)
    return n_items


def change_settings(store: Store, settings: dict[str, str | None], progress: Progress | None = None) -> int:
    """schedules.change, with every item memory replayed too when the FSRS parameters change (one transaction)."""
    return schedules.change(store, settings, progress,
                            lambda c, cfg, p: replay_all(c, fsrs.Config(parameters=cfg.parameters), p))


def backfill_tested(c: sqlite3.Connection, item_counts: Mapping[str, int]) -> int:
    """Answers from before item memory (no `tested`, no typed results): a review or drill tested every item of its
    card, as the decks count them now. Returns how many log rows were completed."""
    c.execute("DROP TABLE IF EXISTS temp.item_counts")
    c.execute("CREATE TEMP TABLE item_counts (card_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    try:
        c.executemany("INSERT INTO temp.item_counts VALUES (?, ?)", list(item_counts.items()))
        return c.execute(
            "UPDATE review_log SET tested = (SELECT n FROM temp.item_counts t WHERE t.card_id = review_log.card_id) "
            "WHERE tested IS NULL AND total IS NULL AND mode IN ('review', 'drill') "
            "AND card_id IN (SELECT card_id FROM temp.item_counts)"
        ).rowcount
    finally:
        c.execute("DROP TABLE IF EXISTS temp.item_counts")


def is_built(store: Store) -> bool:
    """True once item memories were built from the whole log (always, for a home started with item memory)."""
    return store.setting(BUILT_KEY) == BUILT


def ensure_built(store: Store, item_counts: Callable[[], Mapping[str, int]], progress: Progress | None = None) -> bool:
    """After an upgrade: complete the older answers (`item_counts` gives each deck card's item count; called only
    then) and build every item memory from the log, once, in one transaction. Returns True if it ran."""
    if store.read_only or is_built(store):
        return False
    counts = item_counts()
    with store._write() as c:
        if c.execute("SELECT value FROM setting WHERE key = ?", (BUILT_KEY,)).fetchone():
            return False  # built by another window meanwhile
        backfill_tested(c, counts)
        replay_all(c, item_config(c), progress)
        c.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                  "excluded.value", (BUILT_KEY, BUILT))
    return True


# ---------------------------------------------------------------------------------------------- reading


def memories(store: Store, card_ids: Iterable[str] | None = None) -> dict[str, dict[int, ItemMemory]]:
    """Item memories by card and item index (of these cards, or of all)."""
    out: dict[str, dict[int, ItemMemory]] = {}
    if card_ids is None:
        rows: Iterable[tuple[Any, ...]] = store.conn.execute(
            "SELECT card_id, item, stability, difficulty, last_day FROM item_state")
    else:
        ids = list(card_ids)
        rows = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows.extend(store.conn.execute(
                "SELECT card_id, item, stability, difficulty, last_day FROM item_state "
                f"WHERE card_id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    for cid, item, s, d, last in rows:
        out.setdefault(cid, {})[item] = ItemMemory(s, d, date.fromisoformat(last))
    return out


def recall_total(store: Store, item_counts: Mapping[str, int], day: date, decay: float, factor: float
                 ) -> tuple[int, float]:
    """(item memories, sum of their predicted recall on `day`) over the items of these cards (card id → its
    current number of items): one SQL aggregate, FSRS's curve (1 + factor·days/stability)^decay per row, so the
    exam-day figure costs no Python loop over 10⁵ memories. Memories of other cards, and of item indexes the card
    no longer has, are left out."""
    import json

    _ensure_pow(store.conn)
    studied, total = store.conn.execute(
        """SELECT count(*), sum(pow(1 + ? * max(0, ? - i.day_number) / i.stability, ?))
           FROM json_each(?) c CROSS JOIN item_state i ON i.card_id = c.key AND i.item < c.value""",
        (factor, day_number(day), decay, json.dumps(item_counts)),
    ).fetchone()
    return studied, total or 0.0


def day_number(day: date) -> int:
    """A date as item_state.day_number holds it (the whole part of its julianday): days apart subtract."""
    return day.toordinal() + JULIAN_OFFSET


JULIAN_OFFSET = 1721424  # julianday('0001-01-01') - 1, rounded down: day_number = date.toordinal() + this


def _ensure_pow(conn: sqlite3.Connection) -> None:
    """SQLite's pow() (a build without its math functions gets Python's, the same C pow, for this connection)."""
    try:
        conn.execute("SELECT pow(2, 3)").fetchone()
    except sqlite3.OperationalError:
        import math

        conn.create_function("pow", 2, math.pow, deterministic=True)
