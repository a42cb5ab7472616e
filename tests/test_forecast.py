"""`sysplan forecast`: the exam-day recall of studied items, if you stop now and if you keep to the schedule."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.memory import fsrs

CH = "operate"


def run_json(invoke: Any, *args: str, today: str = "2026-11-24") -> dict[str, Any]:
    result = invoke("forecast", "--format", "json", *args, env={"SYSPLAN_TODAY": today})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def study(invoke: Any) -> None:
    for day, grades in (("2026-11-01", "5\n2\n4\n3\n4\n4\n4\n"), ("2026-11-03", "4\n5\n1\n4\n4\n3\n4\n4\n")):
        assert invoke("review", "--chapter", CH, "--limit", "6", input=grades, env={"SYSPLAN_TODAY": day}
                      ).exit_code == 0


def test_json_is_the_documented_interface(invoke: Any, isolated_home: Path, library: Any) -> None:
    study(invoke)
    data = run_json(invoke, "--date", "2026-12-20")
    assert set(data) == {"date", "parameters", "decks", "overall"}
    assert data["date"] == "2026-12-20" and data["parameters"] == "default"
    keys = {"id", "title", "items", "studied", "recall_if_stop", "recall_if_schedule"}
    assert all(set(d) == keys for d in data["decks"]) and set(data["overall"]) == keys - {"id", "title"}
    assert [d["id"] for d in data["decks"]] == [d.id for d in library.decks]
    by_id = {d["id"]: d for d in data["decks"]}
    assert by_id[CH]["studied"] > 0 and 0 < by_id[CH]["recall_if_stop"] < 1
    assert by_id[CH]["items"] == sum(c.count for c in library.deck(CH).cards)
    # Never-studied decks are null, never 0 %; the overall figure is over studied items only.
    assert by_id["design"]["studied"] == 0 and by_id["design"]["recall_if_stop"] is None
    assert by_id["design"]["recall_if_schedule"] is None
    assert data["overall"]["studied"] == by_id[CH]["studied"]
    assert data["overall"]["recall_if_stop"] == by_id[CH]["recall_if_stop"]
    assert data["overall"]["items"] == sum(c.count for c in library.cards)


def test_if_stop_is_the_mean_predicted_recall_of_studied_items(invoke: Any, isolated_home: Path,
                                                                library: Any) -> None:
    """Checked against py-fsrs's own retrievability of each stored item memory."""
    from fsrs import Card, Scheduler, State

    study(invoke)
    target = date(2026, 12, 20)
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    sched = Scheduler()
    recalls = []
    for cid, item, s, d, last in conn.execute("SELECT card_id, item, stability, difficulty, last_day FROM item_state"):
        if item < library.card(cid).count:
            noon = datetime.fromisoformat(last).replace(hour=12, tzinfo=timezone.utc)
            card = Card(card_id=1, state=State.Review, stability=s, difficulty=d, due=noon, last_review=noon)
            recalls.append(sched.get_card_retrievability(card, datetime(2026, 12, 20, 12, tzinfo=timezone.utc)))
    overall = run_json(invoke, "--date", target.isoformat())["overall"]
    assert overall["studied"] == len(recalls)
    assert overall["recall_if_stop"] == pytest.approx(sum(recalls) / len(recalls), abs=1e-4)


def test_keeping_to_the_schedule_helps_and_equals_stop_without_reviews(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    far = run_json(invoke, "--date", "2027-01-31")["overall"]
    assert far["recall_if_schedule"] > far["recall_if_stop"] + 0.05
    # Tomorrow with nothing due before it: no planned review, the two figures agree.
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    first_due = conn.execute("SELECT min(due) FROM card_state").fetchone()[0]
    near = run_json(invoke, "--date", first_due, today=first_due)["overall"]
    assert near["recall_if_schedule"] == near["recall_if_stop"]


def test_date_defaults_to_the_exam_and_is_checked(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    none = invoke("forecast")
    assert none.exit_code == 1 and none.stderr.count("\n") == 1 and "exam set" in none.stderr
    assert invoke("exam", "set", "2027-05-22").exit_code == 0
    assert run_json(invoke)["date"] == "2027-05-22"
    past = invoke("forecast", "--date", "2026-01-01")
    assert past.exit_code == 1 and "已经过去" in past.stderr and past.stderr.count("\n") == 1
    bad = invoke("forecast", "--date", "明天")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
    table = invoke("forecast", "--chapter", CH)
    assert table.exit_code == 0 and "█" in table.stdout and "按计划复习" in table.stdout
    assert f"{CH} " in table.stdout and "design" not in table.stdout


def test_an_imported_history_gives_the_same_forecast(invoke: Any, isolated_home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    study(invoke)
    assert invoke("config", "scheduler", "fsrs").exit_code == 0
    typed = "\n".join(["预防性活动", "被动性活动"]) + "\n\n\n"
    assert invoke("review", "--chapter", CH, "--typed", "--limit", "2", input=typed * 2,
                  env={"SYSPLAN_TODAY": "2026-11-10"}).exit_code == 0
    here = run_json(invoke, "--date", "2027-01-15")
    path = tmp_path / "p.json"
    assert invoke("export", "--progress", str(path)).exit_code == 0
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(tmp_path / "elsewhere"))
    assert invoke("import-progress", str(path)).exit_code == 0
    assert run_json(invoke, "--date", "2027-01-15") == here


def test_recall_function_is_py_fsrs_retrievability() -> None:
    from sysplan_study.memory.items import ItemMemory, recall

    cfg = fsrs.Config()
    f = fsrs.recall_function(cfg)
    for s, days in ((0.2, 0), (0.2, 3), (2.3, 1), (15.7, 40), (300.0, 10)):
        m = ItemMemory(s, 5.0, date(2026, 1, 1))
        assert f(s, days) == pytest.approx(recall(m, date(2026, 1, 1) + timedelta(days=days), cfg), abs=1e-12)


def _exact(memory: Any, plan: tuple[date, ...], day: date, cfg: fsrs.Config) -> float:
    """The full expectation over every pass/fail path (2^k), with py-fsrs."""
    from sysplan_study.memory import items

    if not plan:
        return items.recall(memory, day, cfg)
    when, rest = plan[0], plan[1:]
    p = items.recall(memory, when, cfg)
    passed = items.answer(memory, items.RECALLED, when, cfg)
    failed = items.answer(memory, items.MISSED, when, cfg)
    return p * _exact(passed, rest, day, cfg) + (1 - p) * _exact(failed, rest, day, cfg)


def test_projection_is_the_expectation_over_every_path() -> None:
    import random

    from sysplan_study.memory import projection
    from sysplan_study.memory.items import ItemMemory

    cfg = fsrs.Config()
    rng = random.Random(3)
    start, day = date(2026, 3, 1), date(2026, 5, 1)
    memories, plans = [], []
    for _ in range(200):
        memories.append(ItemMemory(rng.choice((0.3, 1.5, 4.0, 12.0, 40.0)), rng.uniform(2, 9), start))
        k = rng.randint(0, 4)
        plans.append(tuple(sorted(start + timedelta(days=d) for d in rng.sample(range(1, 60), k))))
    got = projection.expected_recall(memories, plans, day, cfg)
    errors = []
    for m, plan, g in zip(memories, plans, got):
        exact = _exact(m, plan, day, cfg)
        if len(plan) <= 1:
            assert g == pytest.approx(exact, abs=2e-5)  # fsrs-rs computes in float32
        errors.append(abs(g - exact))
    assert sum(errors) / len(errors) < 0.002 and max(errors) < 0.01


def test_planned_days_follow_the_scheduler_in_force() -> None:
    from sysplan_study.memory import replay, sm2

    state = replay.schedule(replay.NEW, 4, date(2026, 1, 1), replay.SchedulerConfig())
    days = replay.planned_days(state, date(2026, 1, 1), date(2026, 3, 1), replay.SchedulerConfig(), 8)
    expected, s = [], sm2.State(state.repetitions, state.ef100, state.interval, state.due)
    while s.due < date(2026, 3, 1):
        expected.append(s.due)
        s = sm2.review(s, 4, s.due)
    assert days == tuple(expected) and len(days) >= 3
    f = replay.SchedulerConfig(replay.FSRS)
    state = replay.schedule(replay.NEW, 4, date(2026, 1, 1), f)
    days = replay.planned_days(state, date(2026, 1, 20), date(2026, 6, 1), f, 8)
    assert days[0] == max(state.due, date(2026, 1, 20))  # overdue: reviewed on the first day
    assert all(b > a for a, b in zip(days, days[1:]))


def test_array_step_is_py_fsrs_review_for_good_and_again() -> None:
    import random

    from sysplan_study.memory import projection

    params = tuple(p * 1.15 if i in (8, 11, 14) else p for i, p in enumerate(fsrs.DEFAULT_PARAMETERS))
    for cfg in (fsrs.Config(), fsrs.Config(parameters=params)):
        step = projection.Step(cfg)
        rng = random.Random(5)
        for _ in range(300):
            s, d, gap = rng.uniform(0.05, 400), rng.uniform(1, 10), rng.randint(1, 400)
            last = date(2026, 1, 1)
            r = step.recall(s, gap)
            for grade, fn in ((4, step.good), (1, step.again)):
                want, _ = fsrs.review(fsrs.Memory(s, d), last, grade, last + timedelta(days=gap), cfg)
                got_s, got_d = fn(s, d, r)
                assert float(got_s) == pytest.approx(want.stability, rel=1e-12)
                assert float(got_d) == pytest.approx(want.difficulty, rel=1e-12)


def test_exam_shows_the_overall_figure(invoke: Any, isolated_home: Path) -> None:
    study(invoke)
    assert invoke("exam", "set", "2027-01-10").exit_code == 0
    shown = json.loads(invoke("exam", "--format", "json").stdout)["forecast"]
    full = run_json(invoke)["overall"]
    assert shown == {k: full[k] for k in ("items", "studied", "recall_if_stop")}
    assert "考试日预计回忆率" in invoke("exam").stdout
