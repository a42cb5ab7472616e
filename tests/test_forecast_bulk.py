"""The forecast's bulk paths against the one-at-a-time code they stand for: planned days on arrays, stop figures,
item counts read off the card index, item memories read as columns, the merging of paths, and the whole forecast
against a plain per-item computation."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sysplan_study.memory import fsrs, plans, projection, replay

START, UNTIL = date(2026, 11, 24), date(2027, 3, 1)


def _states(cfg: replay.SchedulerConfig, n: int, seed: int) -> list[replay.CardState]:
    """Cards as a log leaves them (random grades on random days), and odd ones: overdue, due after the date, due
    on the day of the last review, FSRS without a memory or without a last day."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        state, day = replay.NEW, START - timedelta(days=rng.randint(30, 400))
        for _ in range(rng.randint(1, 9)):
            state = replay.schedule(state, rng.choice((1, 3, 4, 4, 5)), day, cfg)
            day = state.due + timedelta(days=rng.randint(-3, 20))  # type: ignore[operator]
            if day > START:
                break
        out.append(state)
    base = replay.schedule(replay.NEW, 4, START - timedelta(days=3), cfg)
    out += [
        replay.CardState(0, 250, 0, START - timedelta(days=40)),  # rep 0, long overdue
        replay.CardState(1, 130, 1, START), replay.CardState(7, 300, 200, START + timedelta(days=30)),
        replay.CardState(3, 250, 10, UNTIL + timedelta(days=1)),  # due after the date: nothing planned
        replay.CardState(2, 250, 6, START + timedelta(days=2), 3.0, 5.0, None),  # FSRS: no last day
        replay.CardState(2, 250, 6, START + timedelta(days=2), None, None, START),  # FSRS: no memory
        replay.CardState(2, 250, 6, START + timedelta(days=5), 3.0, 5.0, START + timedelta(days=5)),  # same day
        replay.CardState(5, 250, 30, START + timedelta(days=9), 0.001, 10.0, START - timedelta(days=20)),
        replay.CardState(5, 250, 30, START + timedelta(days=1), 4000.0, 1.0, START - timedelta(days=3000)),
        base,
    ]
    return out


def _bulk(states: list[replay.CardState], cfg: replay.SchedulerConfig, most: int = 8) -> list[tuple[date, ...]]:
    nan = float("nan")
    got = plans.planned(
        [s.repetitions for s in states], [s.ef100 for s in states], [s.interval for s in states],
        [s.due.toordinal() for s in states],  # type: ignore[union-attr]
        [nan if s.stability is None else s.stability for s in states],
        [nan if s.difficulty is None else s.difficulty for s in states],
        [s.last_day.toordinal() if s.last_day else -1 for s in states], START.toordinal(), UNTIL.toordinal(), cfg,
        most)
    return [tuple(date.fromordinal(int(x)) for x in row if x >= 0) for row in got]


@pytest.mark.parametrize("cfg", [
    replay.SchedulerConfig(), replay.SchedulerConfig(replay.FSRS),
    replay.SchedulerConfig(replay.FSRS, 0.82, tuple(p * 1.2 if i in (8, 9, 10) else p
                                                   for i, p in enumerate(fsrs.DEFAULT_PARAMETERS))),
], ids=["sm2", "fsrs", "fsrs-own-parameters"])
def test_planned_days_on_arrays_are_replay_planned_days(cfg: replay.SchedulerConfig) -> None:
    states = _states(cfg, 400, 11)
    want = [replay.planned_days(s, START, UNTIL, cfg, 8) for s in states]
    assert _bulk(states, cfg) == want
    assert sum(len(w) for w in want) > 250 and any(len(w) >= 4 for w in want)  # the rows are worth comparing
    assert [p[:3] for p in _bulk(states, cfg, 3)] == [w[:3] for w in want]


def test_stop_figures_are_recall_function_bit_for_bit() -> None:
    rng = random.Random(2)
    for cfg in (fsrs.Config(), fsrs.Config(parameters=fsrs.DEFAULT_PARAMETERS[:20] + (0.35,))):
        s = [rng.choice((0.001, 1.0, 36500.0)) if i % 50 == 0 else 10 ** rng.uniform(-3, 4) for i in range(5000)]
        days = [rng.randint(-5, 3000) for _ in s]  # a negative gap (clock moved back) counts as none
        recall = fsrs.recall_function(cfg)
        assert projection.recall_if_stop(np.array(s), np.array(days), cfg) == [recall(x, t) for x, t in zip(s, days)]


# ---------------------------------------------------------------------------------------------- merging paths


def test_merging_keeps_the_likeliest_and_folds_the_rest_into_the_nearest_in_stability() -> None:
    np_ = np
    k = projection.MAX_STATES
    likely = [2.0 ** i for i in range(k)]  # 1 .. 128 days, each in its own bucket
    unlikely = [s * 1.3 for s in likely]  # each nearest to one likely memory (log scale), never merged with it
    s = np.array([likely + unlikely])
    d = np.full_like(s, 5.0)
    p = np.array([[0.1] * k + [0.001 * (i + 1) for i in range(k)]])
    ms, md, mp = projection._merge(np_, s, d, p)
    assert ms.shape == (1, k) and mp.sum() == pytest.approx(p.sum(), abs=1e-15)  # nothing lost
    # Each kept memory takes in its unlikely neighbour and moves to their probability-weighted mean (log S).
    want = sorted((x * 1.3 ** (0.001 * (i + 1) / (0.1 + 0.001 * (i + 1))), 0.1 + 0.001 * (i + 1))
                  for i, x in enumerate(likely))
    got = sorted(zip(ms[0].tolist(), mp[0].tolist()))
    assert [g[0] for g in got] == pytest.approx([w[0] for w in want], rel=1e-12)
    assert [g[1] for g in got] == pytest.approx([w[1] for w in want], rel=1e-12)
    assert (md == 5.0).all()


def test_alike_memories_merge_and_an_empty_column_never_stands_for_one() -> None:
    s = np.array([[4.001, 4.0, 4.02, 9.0] + [1.0] * 12])
    d = np.array([[6.0, 6.0, 6.01, 2.0] + [5.0] * 12])
    p = np.array([[0.0, 0.3, 0.2, 0.5] + [0.0] * 12])  # column 0: no memory, yet keyed like columns 1 and 2
    ms, md, mp = projection._merge(np, s, d, p)
    got = {(round(x, 3), y): q for x, y, q in zip(ms[0].tolist(), md[0].tolist(), mp[0].tolist()) if q}
    assert got == {(4.0, 6.0): 0.5, (9.0, 2.0): 0.5}  # columns 1 and 2 as one, column 1 standing for both


def test_projection_with_many_reviews_stays_near_every_path() -> None:
    """Up to 8 planned reviews (paths are merged and folded past MAX_STATES) against all 2^k paths on arrays."""
    rng = np.random.default_rng(4)
    n, cfg = 3000, fsrs.Config(parameters=tuple(p * 1.1 if i == 8 else p for i, p in
                                                enumerate(fsrs.DEFAULT_PARAMETERS)))
    s, d = np.exp(rng.uniform(np.log(0.3), np.log(200), n)), rng.uniform(1, 10, n)
    last = rng.integers(739000, 739030, n)
    planned = 739030 + np.cumsum(rng.integers(1, 20, (n, 8)), axis=1)
    planned[np.arange(8)[None, :] >= rng.integers(0, 9, n)[:, None]] = -1
    got = projection.project(s, d, last, planned, 739200, cfg)
    exact = _every_path(s, d, last, planned, 739200, cfg)
    # Measured: 0.003 points too pessimistic on average, 0.08 at worst. Folding the unlikely paths into the nearest
    # kept memory without moving it gave +0.19 on average and 3.6 at worst (an item failed again and again); into the
    # weakest memory -0.96 on average; dropping them -2.7.
    errors = got - exact
    assert abs(errors.mean()) < 0.0002 and np.abs(errors).mean() < 0.0002 and np.abs(errors).max() < 0.002


def _every_path(s: Any, d: Any, last: Any, planned: Any, day: int, cfg: fsrs.Config) -> Any:
    """The full expectation over every pass/fail path, on arrays (Step is checked against py-fsrs elsewhere)."""
    step = projection.Step(cfg)
    out = np.zeros(len(s))
    for i in range(len(s)):
        si, di, pi, li = np.array([s[i]]), np.array([d[i]]), np.array([1.0]), last[i]
        for when in planned[i]:
            if when < 0:
                break
            r = step.recall(si, float(when - li))
            sg, dg = step.good(si, di, r)
            sa, da = step.again(si, di, r)
            si, di, pi, li = np.r_[sg, sa], np.r_[dg, da], np.r_[pi * r, pi * (1 - r)], when
        out[i] = (pi * step.recall(si, float(day - li))).sum()
    return out


# ---------------------------------------------------------------------------------------------- reading in bulk


DECK = """\
deck: mine{n}
title: 我的卡组 {n}
cards:
  - id: pdca
    prompt: PDCA 指什么？
    items: [Plan 计划, Do 实施, Check 检查, Act 改进]
  - id: itsm
    prompt: ITSM 的“服务”是什么？
    items:
      - text: 服务台
        children: [受理, 派单]
      - 服务级别管理
"""


def _user_decks(home: Path, n: int = 3) -> None:
    (home / "decks").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (home / "decks" / f"mine{i}.yaml").write_text(DECK.format(n=i), encoding="utf-8")


@pytest.mark.parametrize("damage", [None, "not numbers", "4", "0,0", "2,-1", "4,²", "", "4,2,1"])
def test_item_counts_are_read_off_the_index_without_decoding_cards(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, damage: str | None
) -> None:
    from sysplan_study.decks import cache, cache_codec
    from sysplan_study.decks.counts import item_counts
    from sysplan_study.decks.library import load_library
    from sysplan_study.decks.model import DeckRef

    _user_decks(isolated_home)
    load_library()  # fills the index
    want = [tuple(c.count for c in d.cards) for d in load_library().decks]
    assert any(w[-2:] == (4, 2) for w in want)
    if damage is not None:  # a damaged row: that deck counts its cards (from its file), the others still do not
        conn = sqlite3.connect(cache.cache_file())
        with conn:
            assert conn.execute("SELECT item_counts FROM deck_file WHERE deck_id = 'mine1'").fetchone() == ("4,2",)
            conn.execute("UPDATE deck_file SET item_counts = ? WHERE deck_id = 'mine1'", (damage,))
        conn.close()
    lib = load_library()
    decoded: list[str] = []
    real = cache_codec.decode_card
    monkeypatch.setattr(cache_codec, "decode_card", lambda text, path: decoded.append(path) or real(text, path))
    assert item_counts(lib.decks) == want
    assert {Path(p).name for p in decoded} == (set() if damage is None else {"mine1.yaml"})
    assert item_counts([DeckRef.of(d.full) for d in lib.decks[-2:]]) == want[-2:]  # decks not from the index


def test_item_memories_come_in_card_and_item_order(isolated_home: Path) -> None:
    from sysplan_study.store import columns
    from sysplan_study.store.connection import open_store

    store = open_store(isolated_home / "sysplan.db", create_dirs=True)
    rows = [(cid, item, 1.5 + item, 5.0, f"2026-10-{10 + item:02d}") for cid in ("b", "a", "c") for item in (2, 0, 1)]
    with store.conn:
        store.conn.executemany("INSERT INTO item_state (card_id, item, stability, difficulty, last_day) "
                               "VALUES (?, ?, ?, ?, ?)", rows)
    want = ([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2], [1.5, 2.5, 3.5] * 2,
            [date(2026, 10, 10 + i).toordinal() for i in range(3)] * 2)

    def check(got: columns.ItemColumns) -> None:
        assert (got.card.tolist(), got.item.tolist(), got.stability.tolist(), got.last_day.tolist()) == want

    check(columns.item_memories(store, ["c", "a", "missing"]))

    class Shuffled:  # a store whose rows come in any order: the columns are still sorted
        def __init__(self, conn: sqlite3.Connection):
            self.conn = self
            self.real = conn

        def execute(self, sql: str, args: Any = ()) -> list[Any]:
            found = self.real.execute(sql, args).fetchall()
            random.Random(1).shuffle(found)
            return found

    check(columns.item_memories(Shuffled(store.conn), ["c", "a", "missing"]))  # type: ignore[arg-type]
    store.close()


# ---------------------------------------------------------------------------------------------- the whole forecast


def test_forecast_is_the_plain_per_item_computation(invoke: Any, isolated_home: Path) -> None:
    """Every deck's figures against one memory, one card state and one planned_days call at a time: the stop figure
    bit for bit (same items, same order), the schedule figure within 0.002 of every path's expectation."""
    from sysplan_study.decks.library import load_library
    from sysplan_study.store import item_states, schedules
    from sysplan_study.store.connection import open_store
    from sysplan_study.study import forecast

    _user_decks(isolated_home, 2)
    for day, grades in (("2026-11-01", "5\n2\n4\n3\n4\n4\n4\n4\n"), ("2026-11-03", "4\n5\n1\n4\n4\n3\n4\n4\n")):
        for chapter in ("operate", "mine0"):
            assert invoke("review", "--chapter", chapter, "--limit", "6", input=grades,
                          env={"SYSPLAN_TODAY": day}).exit_code == 0
    assert invoke("suspend", "mine0.itsm").exit_code == 0
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    with conn:  # memories of an item the card no longer has and of a card no deck has: left out
        conn.executemany("INSERT INTO item_state (card_id, item, stability, difficulty, last_day) VALUES (?, ?, ?, ?, ?)",
                         [("mine0.pdca", 4, 0.5, 9.0, "2026-11-03"), ("gone.card", 0, 0.5, 9.0, "2026-11-03")])
    conn.close()
    today, target = date(2026, 11, 24), date(2027, 2, 10)
    for scheduler in ("sm2", "fsrs"):
        assert invoke("config", "scheduler", scheduler).exit_code == 0
        store, lib = open_store(isolated_home / "sysplan.db"), load_library()
        cfg, config = schedules.config(store), item_states.item_config(store.conn)
        memories, recall = item_states.memories(store), fsrs.recall_function(config)
        got = {f.id: f for f in forecast.forecast(store, lib, target, today).decks}
        studied_decks = 0
        for deck in lib.decks:
            stop, kept = [], []
            for card in deck.cards:
                state = schedules.card_state(store, card.id)
                plan = () if card.id == "mine0.itsm" else replay.planned_days(state, today, target, cfg, 8)
                for index, m in memories.get(card.id, {}).items():
                    if index < card.count:
                        stop.append(recall(m.stability, (target - m.last_day).days))
                        kept.append(_every_path(np.array([m.stability]), np.array([m.difficulty]),
                                                np.array([m.last_day.toordinal()]),
                                                np.array([[d.toordinal() for d in plan if d > m.last_day] or [-1]]),
                                                target.toordinal(), config)[0])
            f = got[deck.id]
            assert (f.items, f.studied) == (sum(c.count for c in deck.cards), len(stop))
            if stop:
                studied_decks += 1
                assert f.recall_if_stop == sum(stop) / len(stop)
                assert f.recall_if_schedule == pytest.approx(sum(kept) / len(kept), abs=0.002)
                assert f.recall_if_schedule > f.recall_if_stop
            else:
                assert f.recall_if_stop is None and f.recall_if_schedule is None
        assert studied_decks == 2
        store.close()
