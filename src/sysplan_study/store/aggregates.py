"""Aggregate queries for `stats` (read-only), from the running totals the triggers of migration m007 keep.

Nothing here scans the whole review log: per-card totals come from card_stat, the weakest items from item_stat,
days from day_stat, and the windowed figures (30-day retention, 90-day heatmap of one chapter) from deck_day_stat,
whose rows are keyed by the deck id that starts every card id. A card answered in the window that is no longer in
scope but shares such a prefix ("orphan": removed from its deck, or its deck skipped) is subtracted from its own
log rows, found through card_stat.last_day; a scope whose cards do not start with their deck id falls back to the
log rows of the window.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar
from weakref import WeakKeyDictionary

from sysplan_study.store.history import Store

T = TypeVar("T")
_FACTS: WeakKeyDictionary[Store, tuple[int, dict[Any, Any]]] = WeakKeyDictionary()


@dataclass(frozen=True)
class DeckScope:
    """Cards in scope deck by deck: (deck id, card ids) in library order (were a card id in two decks, the first
    deck would keep it). Loaded a deck at a time, each deck's ids sorted, so the table's B-tree is appended to."""

    decks: Sequence[tuple[str, Sequence[str]]]


Scope = Mapping[str, str] | Iterable[tuple[str, str]] | DeckScope


def _memo(store: Store, key: Any, compute: Callable[[], T]) -> T:
    """A fact about the loaded scope, computed once until anything changes on the connection (a new scope, a
    write): `stats` asks for some of them (is every card prefixed? which decks?) once per window it sums."""
    changes = store.conn.total_changes
    held = _FACTS.get(store)
    if held is None or held[0] != changes:
        held = _FACTS[store] = (changes, {})
    if key not in held[1]:
        held[1][key] = compute()
    value: T = held[1][key]
    return value


def _remember(store: Store, facts: dict[Any, Any]) -> None:
    """Facts about the scope just loaded, for _memo."""
    _FACTS[store] = (store.conn.total_changes, dict(facts))


def _own_prefix(deck: str, ids: Sequence[str]) -> bool:
    """True if every card id starts with the deck id and a dot, the deck id having none (on the joined ids: C
    speed; no id holds a newline, or the count of newlines says so)."""
    if "." in deck:
        return False
    if not ids:
        return True
    head, joined = deck + ".", "\n".join(ids)
    return (joined.startswith(head) and joined.count("\n") == len(ids) - 1
            and joined.count("\n" + head) == len(ids) - 1)


def _load_scope(store: Store, card_decks: Scope) -> None:
    """Fill a temporary card → deck table (the pairs travel as one JSON object, or one JSON array per deck)."""
    c = store.conn
    c.execute("CREATE TEMP TABLE IF NOT EXISTS scope (card_id TEXT PRIMARY KEY, deck TEXT NOT NULL) WITHOUT ROWID")
    c.execute("DELETE FROM temp.scope")
    if isinstance(card_decks, DeckScope):
        before = c.total_changes
        for deck, ids in card_decks.decks:
            c.execute("INSERT OR IGNORE INTO temp.scope (card_id, deck) SELECT value, ? FROM json_each(?)",
                      (deck, json.dumps(sorted(ids))))
        if c.total_changes - before == sum(len(ids) for _, ids in card_decks.decks):  # no card id in two decks:
            _remember(store, {  # what _prefixed and _scope_decks would ask SQLite, known here without a scan
                "prefixed": all(_own_prefix(deck, ids) for deck, ids in card_decks.decks),
                "decks": {deck for deck, ids in card_decks.decks if ids},
            })
        return
    pairs: dict[str, str]
    if isinstance(card_decks, Mapping):
        pairs = card_decks if isinstance(card_decks, dict) else dict(card_decks)
    else:  # were a card id repeated, the first pair wins, as with INSERT OR IGNORE
        pairs = dict(reversed(list(card_decks)))
    c.execute("INSERT OR IGNORE INTO temp.scope (card_id, deck) SELECT key, value FROM json_each(?)",
              (json.dumps(pairs),))


def _prefixed(store: Store) -> bool:
    """True if every card in scope starts with its deck id and a dot, the deck id having none (what deck
    validation guarantees): then the text before a card id's first dot is its deck."""
    return _memo(store, "prefixed", lambda: store.conn.execute(
        "SELECT 1 FROM temp.scope WHERE substr(card_id, 1, length(deck) + 1) IS NOT deck || '.' "
        "OR instr(deck, '.') > 0 LIMIT 1"
    ).fetchone() is None)


def _prefix(card_id: str) -> str:
    """The deck id part of a card id as deck_day_stat keys it (text before the first dot; '' without one)."""
    dot = card_id.find(".")
    return card_id[:dot] if dot >= 0 else ""


def _scope_decks(store: Store) -> set[str]:
    """The ids of the decks in scope."""
    return _memo(store, "decks", lambda: {r[0] for r in store.conn.execute("SELECT DISTINCT deck FROM temp.scope")})


def _orphans(store: Store, since: str) -> list[tuple[str, str]]:
    """(card id, deck prefix) of cards answered on or after `since` that are not in scope but whose prefix is the
    id of a deck in scope: deck_day_stat counts them under that deck, so they must be taken out again."""
    decks = _scope_decks(store)
    rows = store.conn.execute(
        "SELECT card_id FROM card_stat WHERE last_day >= ? AND card_id NOT IN (SELECT card_id FROM temp.scope)",
        (since,),
    )
    return [(cid, p) for (cid,) in rows if (p := _prefix(cid)) in decks]


def deck_aggregates(store: Store, card_decks: Scope, today: date, since: date) -> dict[str, dict[str, Any]]:
    """Per deck (cards given as card → deck, pairs, or deck by deck): card counts by maturity, due, average EF,
    review/lapse counts and recent pass counts."""
    _load_scope(store, card_decks)
    out: dict[str, dict[str, Any]] = {}
    rows = store.conn.execute(
        """SELECT d.deck, count(*), sum(s.card_id IS NULL), sum(s.interval < 7), sum(s.interval BETWEEN 7 AND 20),
                  sum(s.interval >= 21), sum(s.due <= ? AND p.card_id IS NULL), avg(s.ef100), count(p.card_id),
                  sum(c.reviews), sum(c.lapses)
           FROM temp.scope d LEFT JOIN card_state s ON s.card_id = d.card_id
           LEFT JOIN suspended p ON p.card_id = d.card_id LEFT JOIN card_stat c ON c.card_id = d.card_id
           GROUP BY d.deck""",
        (today.isoformat(),),
    )
    for deck, cards, new, learning, young, mature, due, ef, suspended, reviews, lapses in rows:
        out[deck] = {
            "cards": cards, "new": new or 0, "learning": learning or 0, "young": young or 0,
            "mature": mature or 0, "due": due or 0, "ef100_avg": ef, "suspended": suspended or 0,
            "reviews": reviews or 0, "lapses": lapses or 0, "recent": 0, "recent_passed": 0,
        }
    for deck, (recent, passed) in _recent(store, since.isoformat()).items():
        if deck in out:
            out[deck].update(recent=recent, recent_passed=passed)
    return out


def scope_deck_days(store: Store, first: str, last: str | None = None) -> dict[tuple[str, str], list[int]]:
    """(deck, study day) → [answers, scheduled reviews, reviews passed] of the cards in scope, for study days from
    `first` to `last` (no upper bound without one): from the per-deck daily totals, minus the orphans' own rows,
    or from the log rows of those days when card ids do not start with their deck."""
    upper, params = ("AND study_day <= ?", (first, last)) if last is not None else ("", (first,))
    out: dict[tuple[str, str], list[int]] = {}
    if not _prefixed(store):
        rows = store.conn.execute(
            f"""SELECT d.deck, l.study_day, count(*), sum(l.mode = 'review'), sum(l.mode = 'review' AND l.grade >= 3)
                FROM review_log l JOIN temp.scope d ON d.card_id = l.card_id
                WHERE l.study_day >= ? {upper.replace('study_day', 'l.study_day')} GROUP BY 1, 2""",
            params,
        )
        return {(deck, day): [n, r, p] for deck, day, n, r, p in rows}
    rows = store.conn.execute(
        f"""SELECT deck, study_day, answers, reviews, passes FROM deck_day_stat
            WHERE study_day >= ? {upper} AND deck IN (SELECT value FROM json_each(?))""",
        (*params, json.dumps(sorted(_scope_decks(store)))),
    )
    for deck, day, n, r, p in rows:
        out[(deck, day)] = [n, r, p]
    for cid, deck in _orphans(store, first):
        for day, n, r, p in store.conn.execute(
            f"""SELECT study_day, count(*), sum(mode = 'review'), sum(mode = 'review' AND grade >= 3) FROM review_log
                WHERE card_id = ? AND study_day >= ? {upper} GROUP BY study_day""",
            (cid, *params),
        ):
            totals = out.get((deck, day))
            if totals is not None:
                totals[0] -= n
                totals[1] -= r
                totals[2] -= p
    return out


def _recent(store: Store, since: str) -> dict[str, tuple[int, int]]:
    """Per deck in scope: scheduled reviews on or after `since` and how many of them passed (grade ≥ 3)."""
    totals: dict[str, list[int]] = {}
    for (deck, _), (_, reviews, passed) in scope_deck_days(store, since).items():
        t = totals.setdefault(deck, [0, 0])
        t[0] += reviews
        t[1] += passed
    return {deck: (n, p) for deck, (n, p) in totals.items()}


def answers_by_day(store: Store, since: date, until: date, scoped: bool) -> dict[str, int]:
    """Answers (all modes) per study day in [since, until], optionally only for cards in scope."""
    first, last = since.isoformat(), until.isoformat()
    if not scoped:
        rows = store.conn.execute(
            "SELECT study_day, answers FROM day_stat WHERE study_day BETWEEN ? AND ?", (first, last)
        )
        return {day: n for day, n in rows if n}
    counts: dict[str, int] = defaultdict(int)
    for (_, day), (n, _, _) in scope_deck_days(store, first, last).items():
        counts[day] += n
    return {day: n for day, n in sorted(counts.items()) if n}


def weekly_retention(store: Store, since: date, until: date) -> dict[str, dict[int, tuple[int, int]]]:
    """Per deck in scope, per week index from `since` (0-based, 7 days each): (scheduled reviews, passed), weeks
    without reviews left out."""
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for (deck, day), (_, reviews, passed) in scope_deck_days(store, since.isoformat(), until.isoformat()).items():
        if not reviews:
            continue
        try:
            week = (date.fromisoformat(day) - since).days // 7
        except ValueError:
            continue  # not a date: no week to put it in
        n, p = out.setdefault(deck, {}).get(week, (0, 0))
        out[deck][week] = (n + reviews, p + passed)
    return out


def study_days(store: Store, until: date) -> list[str]:
    """Distinct study days with at least one answer, newest first."""
    rows = store.conn.execute(
        "SELECT study_day FROM day_stat WHERE study_day <= ? AND answers > 0 ORDER BY study_day DESC",
        (until.isoformat(),),
    )
    return [r[0] for r in rows]


def due_by_day(store: Store, until: date) -> dict[str, int]:
    """Scheduled cards in scope per due date up to `until` (overdue dates included); asked twice with the same
    `until` (the stats screen's 14 days read within the report's 30), SQLite is asked once."""
    return dict(_memo(store, ("due", until), lambda: store.conn.execute(
        "SELECT s.due, count(*) FROM card_state s JOIN temp.scope d ON d.card_id = s.card_id "
        "WHERE s.due <= ? GROUP BY s.due",
        (until.isoformat(),),
    ).fetchall()))


def weakest_items(store: Store, limit: int) -> list[tuple[str, int, str, int, int]]:
    """(card id, item index, item text, times missed, attempts) of in-scope items missed most in typed recall."""
    # item_stat is walked in the order asked for (a partial index of the missed items), stopping at `limit` in scope.
    rows = store.conn.execute(
        """SELECT i.card_id, i.item, i.item_text, i.missed, i.attempts
           FROM item_stat i INDEXED BY idx_item_stat_missed CROSS JOIN temp.scope d ON d.card_id = i.card_id
           WHERE i.missed > 0 ORDER BY i.missed DESC, i.attempts DESC, i.card_id, i.item LIMIT ?""",
        (limit,),
    )
    return [tuple(r) for r in rows]


def leeches(store: Store, threshold: int, limit: int | None = None) -> tuple[list[tuple[str, int]], int]:
    """(card id, lapses) of the cards failed at least `threshold` times after having been passed, most lapses then
    card id first (only the first `limit` without None), and how many such cards there are in all."""
    # Both off the partial index on card_stat.lapses (kept by triggers): no log scan, a 50-row sort at most.
    where = "FROM card_stat WHERE lapses > 0 AND lapses >= ?"
    rows = store.conn.execute(
        f"SELECT card_id, lapses {where} ORDER BY lapses DESC, card_id" + (" LIMIT ?" if limit is not None else ""),
        (threshold,) if limit is None else (threshold, limit),
    ).fetchall()
    if limit is None or len(rows) < limit:
        return [(r[0], r[1]) for r in rows], len(rows)
    (total,) = store.conn.execute(f"SELECT count(*) {where}", (threshold,)).fetchone()
    return [(r[0], r[1]) for r in rows], total


def missed_items_of(store: Store, card_ids: Iterable[str], limit: int) -> dict[str, list[dict[str, Any]]]:
    """For each of these cards: its items missed most (at most `limit`, as store.cards.missed_items orders them),
    as the objects `stats` publishes: {"item": 1-based, "text", "missed"}; cards without a missed item left out.

    One statement returning one JSON text: each card's items come off an index in order (no sort), and the
    objects are built while decoding (tens of thousands of them for `cards --leeches` at 20,000 cards) instead of
    row by row.
    """
    (text,) = store.conn.execute(
        """SELECT json_group_object(c.value, (
                  SELECT json_group_array(json_object('item', item + 1, 'text', item_text, 'missed', missed)) FROM (
                      SELECT item, item_text, missed FROM item_stat INDEXED BY idx_item_stat_card
                      WHERE card_id = c.value AND missed > 0 ORDER BY missed DESC, item LIMIT ?)))
           FROM json_each(?) c""",
        (limit, json.dumps(list(card_ids))),
    ).fetchone()
    return {cid: items for cid, items in json.loads(text).items() if items} if text else {}
