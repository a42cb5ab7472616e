"""Several terminals on the same cards: each answer applies to the card's current state, limits hold, undo is local."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.decks.model import Library
from sysplan_study.errors import UserError
from sysplan_study.store import answers
from sysplan_study.store.connection import open_store
from sysplan_study.study.session import ReviewSession

DAY = date(2026, 11, 24)
CH = "design"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "SYSPLAN_STUDY_HOME": str(home), "SYSPLAN_TODAY": DAY.isoformat()}


@pytest.mark.parametrize("n", [2, 4, 8])
def test_concurrent_reviews_schedule_each_card_once(isolated_home: Path, library: Library, n: int) -> None:
    """n processes review one chapter with the default new-card limit, all grades 5 (issue: "Done when")."""
    isolated_home.mkdir(parents=True, exist_ok=True)
    assert len(library.deck(CH).card_ids) > 20  # more new cards than the default daily limit
    procs = [
        subprocess.Popen([sys.executable, "-m", "sysplan_study", "review", "--chapter", CH],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=_env(isolated_home))
        for _ in range(n)
    ]
    results = [p.communicate("5\n" * 40, timeout=300) for p in procs]
    given = 0
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert err == "" and "Traceback" not in out
        m = re.search(r"复习 (\d+) 张，重练 (\d+) 次", out)
        if m is None:  # everything was done by the other windows before this one showed a card
            assert "今天没有到期或新的卡片" in out, out
            continue
        given += int(m.group(1)) + int(m.group(2))
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    rows = conn.execute("SELECT card_id, mode, due_after FROM review_log").fetchall()
    assert len(rows) == given  # every answer given is in the log: none lost
    reviews = [r for r in rows if r[1] == "review"]
    scheduled = [r[0] for r in reviews]
    assert len(scheduled) == len(set(scheduled)) == 20  # each card scheduled exactly once, the limit reached
    assert {r[2] for r in reviews} == {"2026-11-25"}  # all due tomorrow
    states = dict(conn.execute("SELECT card_id, due FROM card_state").fetchall())
    assert set(states) == set(scheduled) and set(states.values()) == {"2026-11-25"}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _session(path: Path, library: Library, new_limit: int = 20) -> ReviewSession:
    clock = lambda: datetime(2026, 11, 24, 10, tzinfo=timezone.utc)  # noqa: E731
    return ReviewSession.start(open_store(path), library.card_ids_in(CH), library.card, DAY, new_limit,
                               clock=clock)


def test_card_answered_elsewhere_is_logged_as_drill(tmp_path: Path, library: Library) -> None:
    db = tmp_path / "s.db"
    a, b = _session(db, library), _session(db, library)
    card = a.current()
    assert card is not None and b.current().card_id == card.card_id  # both show the same new card
    b.answer(5)
    done = a.answer(5)
    assert done.logged_as == "drill" and a.notices == [answers_elsewhere()]
    rows = a.store.conn.execute("SELECT mode FROM review_log WHERE card_id = ?", (card.card_id,)).fetchall()
    assert rows == [("review",), ("drill",)]
    assert a.store.state(card.card_id).interval == 1  # scheduled once: due tomorrow, not in 6 days


def answers_elsewhere() -> str:
    from sysplan_study.study.session import ELSEWHERE_NOTICE

    return ELSEWHERE_NOTICE


def test_newer_state_is_never_overwritten(tmp_path: Path, library: Library) -> None:
    """A session holding an old view of a due card cannot put it back to an older schedule."""
    db = tmp_path / "s.db"
    first = _session(db, library)
    cid = first.current().card_id
    first.answer(5)
    store = first.store
    store.conn.execute("UPDATE card_state SET due = ? WHERE card_id = ?", ("2026-11-24", cid))  # due again
    a, b = _session(db, library), _session(db, library)
    assert a.current().card_id == cid and b.current().card_id == cid
    b.answer(5)  # rep 2, 6 days
    a.answer(5)  # based on the old view: must not write rep 2 / 6 days again over b's state
    assert store.state(cid).repetitions == 2 and store.state(cid).interval == 6
    modes = [r[0] for r in store.conn.execute("SELECT mode FROM review_log WHERE card_id = ? ORDER BY id", (cid,))]
    assert modes == ["review", "review", "drill"]


def test_card_done_elsewhere_is_skipped_before_it_is_shown(tmp_path: Path, library: Library) -> None:
    db = tmp_path / "s.db"
    c = _session(db, library)  # planned, nothing shown yet
    d = _session(db, library)
    first = d.current().card_id
    d.answer(5)
    assert c.queue[0].card_id == first
    shown = c.current()
    assert shown is not None and shown.card_id != first
    assert c.notices and "跳过" in c.notices[0]


def test_new_card_limit_holds_across_sessions(tmp_path: Path, library: Library) -> None:
    db = tmp_path / "s.db"
    ids = library.card_ids_in(CH)
    a = ReviewSession.start(open_store(db), ids[0:3], library.card, DAY, 3)
    b = ReviewSession.start(open_store(db), ids[3:6], library.card, DAY, 3)
    assert a.left == 3 and b.left == 3  # each planned the whole allowance
    a.answer(5)
    a.answer(5)
    b.answer(5)  # the third new card of the day, in another window
    assert a.current() is None  # a's last new card is skipped: the day's limit is reached
    assert len(a.notices) == 1 and "上限" in a.notices[0]
    assert b.current() is None
    assert answers.new_introduced_on(a.store, DAY) == 3


def test_limit_decided_inside_the_transaction(tmp_path: Path, library: Library) -> None:
    """Two sessions both showing their last allowed new card: only one of them may introduce it."""
    db = tmp_path / "s.db"
    ids = library.card_ids_in(CH)
    a = ReviewSession.start(open_store(db), [ids[0]], library.card, DAY, 1)
    b = ReviewSession.start(open_store(db), [ids[1]], library.card, DAY, 1)
    assert a.current() is not None and b.current() is not None  # both shown while nothing was introduced
    a.answer(5)
    done = b.answer(5)
    assert done.logged_as == "drill"
    assert answers.new_introduced_on(a.store, DAY) == 1
    assert b.store.state_row(ids[1]) is None


def test_session_undo_takes_its_own_answer_by_log_id(tmp_path: Path, library: Library) -> None:
    db = tmp_path / "s.db"
    ids = library.card_ids_in(CH)
    a = ReviewSession.start(open_store(db), [ids[0]], library.card, DAY, 20)
    b = ReviewSession.start(open_store(db), [ids[1]], library.card, DAY, 20)
    a.answer(5)
    b.answer(5)  # the newest row in the log is b's
    undone = a.undo()
    assert undone is not None and undone.planned.card_id == ids[0]
    assert a.store.state_row(ids[0]) is None and a.store.state_row(ids[1]) is not None
    assert [r[0] for r in a.store.conn.execute("SELECT card_id FROM review_log")] == [ids[1]]
    assert a.current().card_id == ids[0]  # shown again, the session goes on


def test_session_undo_refused_when_the_card_changed_since(tmp_path: Path, library: Library) -> None:
    db = tmp_path / "s.db"
    a = _session(db, library)
    cid = a.current().card_id
    a.answer(5)
    a.store.conn.execute("UPDATE card_state SET interval = 9, due = '2026-12-03' WHERE card_id = ?", (cid,))
    with pytest.raises(UserError, match="已被其他窗口或导入改动"):
        a.undo()
    assert len(a.history) == 1 and a.store.state_row(cid)[2] == 9  # nothing removed, the session goes on
    assert a.current() is not None


def test_undo_key_refused_keeps_the_review_running(invoke: Any, isolated_home: Path, library: Library,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the screen: a refused `u` prints one line and the next grade is still taken."""
    real = answers.undo

    def changed_then_undo(store: Any, log_id: int) -> Any:
        store.conn.execute("UPDATE card_state SET interval = 9")
        return real(store, log_id)

    monkeypatch.setattr(answers, "undo", changed_then_undo)
    result = invoke("review", "--chapter", CH, "--limit", "2", input="5\nu\n4\n")
    assert result.exit_code == 0, result.output
    assert "无法撤销" in result.stdout
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT grade FROM review_log ORDER BY id").fetchall() == [(5,), (4,)]


def test_sysplan_undo_only_when_state_is_what_the_answer_left(invoke: Any, isolated_home: Path) -> None:
    assert invoke("review", "--chapter", CH, "--limit", "1", input="5\n").exit_code == 0
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    conn.execute("UPDATE card_state SET interval = 9")
    conn.commit()
    result = invoke("undo")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "未撤销" in result.stderr
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    conn.execute("UPDATE card_state SET interval = 1")
    conn.commit()
    assert invoke("undo").exit_code == 0
    assert conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM card_state").fetchone()[0] == 0


def test_sysplan_undo_skips_imported_rows(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    at = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    from sysplan_study.memory import sm2

    answers.answer_review(store, "x.a", None, 5, lambda b: (sm2.review(b, 5, DAY), None), at, DAY, 20)
    store.conn.execute(
        "INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode, origin) "
        "VALUES ('x.b', '2026-11-24T10:00:00+00:00', '2026-11-24', 4, 'quiz', 'import')"
    )
    undone = answers.undo_last_local(store)
    assert undone is not None and undone.card_id == "x.a"
    assert store.conn.execute("SELECT card_id, origin FROM review_log").fetchall() == [("x.b", "import")]
    assert answers.undo_last_local(store) is None


def test_failed_write_keeps_the_answer_for_a_retry(invoke: Any, isolated_home: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Disk full on the first try: the screen says so, Enter retries the same grade, nothing is lost."""
    real = answers.answer_review
    calls = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise UserError("数据库写入失败（database or disk is full）")
        return real(*args, **kwargs)

    monkeypatch.setattr(answers, "answer_review", flaky)
    result = invoke("review", "--chapter", CH, "--limit", "1", input="5\n\n")
    assert result.exit_code == 0, result.output
    assert "保存失败" in result.stdout and "disk is full" in result.stdout
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT grade, mode FROM review_log").fetchall() == [(5, "review")]
