"""Memory per list item: every answer that tests an item from memory feeds its FSRS state in the answer's transaction;
the stored states are the replay of the log; `weak` and `review --weak`."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.memory import fsrs, items, sm2
from sysplan_study.store import answers, item_states, schedules
from sysplan_study.store.connection import open_store
from sysplan_study.store.history import ItemResult

CH = "operate"
D0 = date(2026, 10, 1)
AT = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)


def day(n: int) -> str:
    return (D0 + timedelta(days=n)).isoformat()


def stored(db: Path) -> dict[tuple[str, int], tuple[float, float, str]]:
    conn = sqlite3.connect(db)
    try:
        return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute("SELECT card_id, item, stability, difficulty, last_day FROM item_state")}
    finally:
        conn.close()


def replayed(db: Path, config: fsrs.Config = fsrs.Config()) -> dict[tuple[str, int], tuple[float, float, str]]:
    """Item memories as the replay of the log gives them, evidence read with plain sqlite3."""
    conn = sqlite3.connect(db)
    evidence: dict[str, list[tuple[int, int, date]]] = defaultdict(list)
    try:
        logs = conn.execute("SELECT id, card_id, study_day, grade, mode, tested FROM review_log "
                            "WHERE mode IN ('review', 'drill', 'quiz', 'mock') ORDER BY study_day, id").fetchall()
        for log_id, cid, study_day, grade, mode, tested in logs:
            when = date.fromisoformat(study_day)
            typed = conn.execute("SELECT item, recalled FROM item_result WHERE log_id = ? ORDER BY item",
                                 (log_id,)).fetchall()
            if typed:
                evidence[cid].extend((i, 4 if r else 0, when) for i, r in typed)
            else:
                evidence[cid].extend((k, grade, when) for k in range(tested or 0))
    finally:
        conn.close()
    out = {}
    for cid, ev in evidence.items():
        for item, m in items.replay(ev, config).items():
            out[(cid, item)] = (m.stability, m.difficulty, m.last_day.isoformat())
    return out


def test_first_answer_of_a_study_day_counts(tmp_path: Path) -> None:
    """A failed self-graded review then a passed drill the same day: only the review's Again counts."""
    store = open_store(tmp_path / "s.db")
    answers.answer_review(store, "x.a", None, 2, lambda b: (sm2.review(b, 2, D0), None), AT, D0, 20, tested=3)
    answers.record(store, "x.a", "drill", 5, AT, D0, tested=3)
    again = fsrs.review(None, None, 0, D0, fsrs.Config())[0]
    got = stored(tmp_path / "s.db")
    assert set(got) == {("x.a", 0), ("x.a", 1), ("x.a", 2)}
    assert all(v == (again.stability, again.difficulty, D0.isoformat()) for v in got.values())
    answers.record(store, "x.a", "quiz", 5, AT, D0 + timedelta(days=2), tested=3)  # a later day counts
    assert stored(tmp_path / "s.db")[("x.a", 0)][2] == day(2)


def test_typed_items_good_or_again_self_graded_the_card_grade(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    answers.record(store, "x.a", "quiz", 3, AT, D0,
                   items=[ItemResult(0, "甲", True), ItemResult(1, "乙", False), ItemResult(3, "丁", True)])
    answers.record(store, "x.b", "quiz", 3, AT, D0, tested=2)  # self-graded Hard for both items
    got = stored(tmp_path / "s.db")
    good, again, hard = (fsrs.review(None, None, g, D0, fsrs.Config())[0] for g in (4, 0, 3))
    assert got[("x.a", 0)][:2] == got[("x.a", 3)][:2] == (good.stability, good.difficulty)
    assert got[("x.a", 1)][:2] == (again.stability, again.difficulty)
    assert ("x.a", 2) not in got  # not asked: no evidence
    assert got[("x.b", 0)][:2] == got[("x.b", 1)][:2] == (hard.stability, hard.difficulty)


def test_a_doubtful_mark_not_accepted_is_again(library: Any) -> None:
    from sysplan_study.study import recall

    card = library.deck(CH).cards[0]
    result = recall.RecallResult(tuple(recall.ItemMatch(i, it, "x", 0.5, partial=True)
                                       for i, it in enumerate(card.items)), ())
    assert item_states.evidence_of(result.item_results(), None, 5) == [(i, 0) for i in range(card.count)]
    accepted = result.accept_partials()
    assert item_states.evidence_of(accepted.item_results(), None, 5) == [(i, 4) for i in range(card.count)]


def test_choice_questions_and_resets_feed_no_item(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    answers.record(store, "x.a", "quiz", 5, AT, D0)  # a choice question: no items, nothing tested
    answers.record(store, "x.a", "reset", 0, AT, D0)
    assert stored(tmp_path / "s.db") == {}


def quiz(home: Path, n: int, card: Any, typed: bool) -> None:
    """A recall quiz answer through QuizSession (self-graded or typed) and a choice answer."""
    from sysplan_study.study import drills
    from sysplan_study.study.quiz import QuizSession

    store = open_store(home / "sysplan.db")
    session = QuizSession(store, D0 + timedelta(days=n), [], clock=lambda: AT + timedelta(days=n))
    q = drills.Question(drills.RECALL, card, card.prompt)
    results = [ItemResult(i, it.text, i % 2 == 0) for i, it in enumerate(card.items)] if typed else None
    session.answer_recall(q, 4 if typed else 3, items=results)
    store.close()


def test_item_state_is_the_replay_of_the_log(invoke: Any, isolated_home: Path, library: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed and self-graded reviews, drills, quiz recall, weak drills, undo and an import: stored == replayed."""
    cards = library.deck(CH).cards
    grades = "5\n2\n4\n3\n4\n4\n5\n1\n4\n4\n" * 6
    for n in range(0, 12, 2):
        assert invoke("review", "--chapter", CH, "--limit", "5", input=grades, env={"SYSPLAN_TODAY": day(n)}
                      ).exit_code == 0
        typed = "\n".join(it.text for it in cards[n % 5].items[:2]) + "\n\n\n"
        assert invoke("review", "--chapter", CH, "--limit", "1", "--typed", input=typed * 3,
                      env={"SYSPLAN_TODAY": day(n + 1)}).exit_code == 0
        quiz(isolated_home, n + 1, cards[(n + 3) % len(cards)], typed=n % 4 == 0)
    assert invoke("undo", env={"SYSPLAN_TODAY": day(12)}).exit_code == 0
    weak = invoke("review", "--weak", "--limit", "4", input="甲\n\n\n" * 8, env={"SYSPLAN_TODAY": day(13)})
    assert weak.exit_code == 0, weak.output
    other = tmp_path / "other"
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(other))
    for n in (3, 5):
        assert invoke("review", "--chapter", CH, "--limit", "3", input=grades, env={"SYSPLAN_TODAY": day(n)}
                      ).exit_code == 0
    path = tmp_path / "o.json"
    assert invoke("export", "--progress", str(path)).exit_code == 0
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(isolated_home))
    assert invoke("import-progress", str(path), env={"SYSPLAN_TODAY": day(14)}).exit_code == 0
    db = isolated_home / "sysplan.db"
    got = stored(db)
    assert len(got) > 20 and got == replayed(db)
    conn = sqlite3.connect(db)
    modes = {r[0] for r in conn.execute("SELECT DISTINCT mode FROM review_log l JOIN item_result i ON i.log_id = l.id")}
    assert {"review", "drill", "quiz"} <= modes


def test_fitted_parameters_replay_every_item(invoke: Any, isolated_home: Path) -> None:
    assert invoke("review", "--chapter", CH, "--limit", "4", input="5\n3\n4\n2\n4\n").exit_code == 0
    db = isolated_home / "sysplan.db"
    before = stored(db)
    params = tuple(p * 1.2 if i < 4 else p for i, p in enumerate(fsrs.DEFAULT_PARAMETERS))
    store = open_store(db)
    item_states.change_settings(store, {schedules.PARAMS_KEY: json.dumps(list(params))})
    after = stored(db)
    assert after != before and after == replayed(db, fsrs.Config(parameters=params))


def test_an_upgraded_home_builds_item_memory_once(invoke: Any, isolated_home: Path, library: Any) -> None:
    """A home from before item memory: its self-graded reviews count for every item once the decks are at hand."""
    assert invoke("review", "--chapter", CH, "--limit", "3", input="5\n4\n3\n").exit_code == 0
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    conn.execute("UPDATE review_log SET tested = NULL")
    conn.execute("DELETE FROM item_state")
    conn.execute("DELETE FROM setting WHERE key = 'item_states'")
    conn.commit()
    result = invoke("weak", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["items"]) > 3 and stored(db) == replayed(db)
    tested = [r[0] for r in conn.execute("SELECT tested FROM review_log WHERE mode = 'review'")]
    assert tested == [library.card(c).count for (c,) in conn.execute(
        "SELECT card_id FROM review_log WHERE mode = 'review' ORDER BY id")]


def test_weak_lists_the_lowest_predicted_recall_first(invoke: Any, isolated_home: Path) -> None:
    assert "还没有逐项的记忆记录" in invoke("weak").stdout
    assert invoke("review", "--chapter", CH, "--limit", "3", input="5\n1\n4\n4\n").exit_code == 0
    result = invoke("weak", "--format", "json", "--limit", "50", env={"SYSPLAN_TODAY": "2026-12-05"})
    data = json.loads(result.stdout)
    recalls = [i["recall"] for i in data["items"]]
    assert recalls == sorted(recalls) and 0 < recalls[0] < recalls[-1] < 1
    assert data["items"][0]["item"] == 1 and data["date"] == "2026-12-05"
    table = invoke("weak", "--chapter", CH, "--limit", "2", env={"SYSPLAN_TODAY": "2026-12-05"})
    assert table.exit_code == 0 and "最可能忘记的 2 项" in table.stdout and "%" in table.stdout
    bad = invoke("weak", "--limit", "0")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
    assert invoke("weak", "--chapter", "nope").exit_code == 1


def test_review_weak_drills_just_those_items_without_scheduling(invoke: Any, isolated_home: Path,
                                                                library: Any) -> None:
    assert invoke("review", "--chapter", CH, "--limit", "3", input="5\n4\n5\n",
                  env={"SYSPLAN_TODAY": day(0)}).exit_code == 0
    db = isolated_home / "sysplan.db"
    conn = sqlite3.connect(db)
    card = next(c for c in library.deck(CH).cards if c.count >= 3)
    store = open_store(db)  # a typed quiz answer the day after: only the card's third item missed
    answers.record(store, card.id, "quiz", 4, AT, D0 + timedelta(days=1),
                   items=[ItemResult(i, it.text, i != 2) for i, it in enumerate(card.items)])
    schedule = conn.execute("SELECT * FROM card_state ORDER BY card_id").fetchall()
    weak = json.loads(invoke("weak", "--format", "json", "--limit", "1", env={"SYSPLAN_TODAY": day(5)}).stdout)
    first = weak["items"][0]
    assert (first["card_id"], first["item"]) == (card.id, 3)
    result = invoke("review", "--weak", "--limit", "1", input=first["text"] + "\n\n5\n",
                    env={"SYSPLAN_TODAY": day(5)})
    assert result.exit_code == 0, result.output
    assert "补出空着的 1 项" in result.stdout
    rows = conn.execute("SELECT l.mode, i.item, i.recalled FROM review_log l JOIN item_result i ON i.log_id = l.id "
                        "WHERE l.study_day = ?", (day(5),)).fetchall()
    assert rows == [("drill", first["item"] - 1, 1)]  # logged under the card's own item index
    assert conn.execute("SELECT * FROM card_state ORDER BY card_id").fetchall() == schedule
    assert stored(db)[(card.id, first["item"] - 1)][2] == day(5) and stored(db) == replayed(db)
