"""Anki round trip with the real `anki` package: export --anki --with-progress → Anki → reviews → import-progress."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from helpers import seed
from sysplan_study.decks.model import Library
from sysplan_study.memory import sm2
from sysplan_study.store.connection import open_store


def _has_anki() -> bool:
    try:
        import anki  # noqa: F401
    except Exception:
        return False
    return True


needs_anki = pytest.mark.skipif(not _has_anki(), reason="the anki package cannot be imported here")
TODAY = date(2026, 11, 24)


def scripted_reviews(home: Path, library: Library) -> dict[str, list[int]]:
    """Reviews on three supervise cards at distinct times: card → grades (the third card failed once)."""
    home.mkdir(parents=True, exist_ok=True)
    store = open_store(home / "sysplan.db")
    ids = [c.id for c in library.deck("supervise").cards][:3]
    plan = {ids[0]: [4, 4, 5], ids[1]: [5], ids[2]: [4, 2, 3]}
    start = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
    for n, (cid, grades) in enumerate(plan.items()):
        day = TODAY - timedelta(days=40)
        for k, grade in enumerate(grades):
            before = store.state(cid)
            after = sm2.review(before, grade, day)
            at = start + timedelta(days=(day - (TODAY - timedelta(days=40))).days, minutes=n * 10 + k)
            seed(store, cid, "review", grade, before, after, at, day, duration_ms=3000 + k)
            day = after.due if after.due and after.due < TODAY else TODAY
    store.close()
    return plan


def _package_db(apkg: Path, tmp: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(apkg) as z:
        z.extract("collection.anki2", tmp)
    return sqlite3.connect(tmp / "collection.anki2")


def test_with_progress_package_carries_schedule_and_log(invoke: Any, isolated_home: Path, library: Library,
                                                        tmp_path: Path) -> None:
    """Without Anki itself: the package's cards and revlog hold what sysplan scheduled (read back with SQL)."""
    plan = scripted_reviews(isolated_home, library)
    apkg = tmp_path / "p.apkg"
    result = invoke("export", "--anki", str(apkg), "--with-progress")
    assert result.exit_code == 0, result.output
    assert "3 张带学习进度" in result.stdout
    db = _package_db(apkg, tmp_path)
    store = open_store(isolated_home / "sysplan.db", write=False)
    from sysplan_study.reports.anki import ANKI_CRT_DAY, guid_for

    for cid, grades in plan.items():
        state = store.state(cid)
        row = db.execute("SELECT c.id, c.type, c.queue, c.ivl, c.due, c.factor, c.reps, c.lapses FROM cards c "
                         "JOIN notes n ON n.id = c.nid WHERE n.guid = ?", (guid_for(cid),)).fetchone()
        assert row[1:4] == (2, 2, state.interval)
        assert ANKI_CRT_DAY + timedelta(days=row[4]) == state.due
        assert row[5] == state.ef100 * 10 and row[6] == len(grades)
        eases = [e for (e,) in db.execute("SELECT ease FROM revlog WHERE cid = ? ORDER BY id", (row[0],))]
        assert eases == [1 if g < 3 else g - 1 for g in grades]
    # Cards never reviewed stay new, numbered in deck order.
    new = db.execute("SELECT n.flds FROM cards c JOIN notes n ON n.id = c.nid WHERE c.type = 0 ORDER BY c.due").fetchall()
    order = [f.split("\x1f")[2] for (f,) in new]
    assert order == [c.id for c in library.cards if c.id not in plan]
    assert invoke("export", "--with-progress", "--history", str(tmp_path / "h.csv")).exit_code == 1
    assert not (tmp_path / "h.csv").exists()  # refused before anything was written


def test_export_details_anki_users_notice(invoke: Any, library: Library, tmp_path: Path, monkeypatch: Any) -> None:
    """Subdecks sort in book order, the template names a CJK font and zh-CN, note mod times follow content."""
    import json

    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert invoke("export", "--anki", str(a)).exit_code == 0
    db = _package_db(a, tmp_path / "a")
    names = sorted(d["name"] for d in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).values()
                   if "::" in d["name"])
    assert [n.split("::")[1][3:] for n in names] == [d.title for d in library.decks]
    model = next(iter(json.loads(db.execute("SELECT models FROM col").fetchone()[0]).values()))
    assert 'lang="zh-CN"' in model["tmpls"][0]["qfmt"] and "Noto Sans CJK SC" in model["css"]
    mods = dict(db.execute("SELECT guid, mod FROM notes"))
    # A later export with the same text keeps every stamp; a changed card gets a new one, the rest keep theirs.
    from sysplan_study.reports import anki

    real = anki.datetime
    monkeypatch.setattr(anki, "datetime", type("Later", (), {"now": staticmethod(
        lambda tz=None: real.now(tz) + timedelta(days=3))}))
    assert invoke("export", "--anki", str(b)).exit_code == 0
    assert dict(_package_db(b, tmp_path / "b").execute("SELECT guid, mod FROM notes")) == mods
    user = tmp_path / "decks"
    user.mkdir()
    (user / "mine.yaml").write_text("deck: mine\ntitle: 我的\ncards:\n  - id: a\n    prompt: 问？\n    items: [甲]\n",
                                    encoding="utf-8")
    c = tmp_path / "c.apkg"
    assert invoke("--content-dir", str(user), "export", "--anki", str(c)).exit_code == 0
    (user / "mine.yaml").write_text("deck: mine\ntitle: 我的\ncards:\n  - id: a\n    prompt: 问？\n    items: [乙]\n",
                                    encoding="utf-8")
    monkeypatch.setattr(anki, "datetime", type("Later", (), {"now": staticmethod(
        lambda tz=None: real.now(tz) + timedelta(days=6))}))
    d = tmp_path / "d.apkg"
    assert invoke("--content-dir", str(user), "export", "--anki", str(d)).exit_code == 0
    before = dict(_package_db(c, tmp_path / "c").execute("SELECT guid, mod FROM notes"))
    after = dict(_package_db(d, tmp_path / "d").execute("SELECT guid, mod FROM notes"))
    changed = {g for g in after if after[g] != before[g]}
    assert changed == {anki.guid_for("mine.a")} and after[anki.guid_for("mine.a")] > before[anki.guid_for("mine.a")]


@pytest.mark.anki
@needs_anki
def test_round_trip_through_real_anki(invoke: Any, isolated_home: Path, library: Library, tmp_path: Path) -> None:
    """Done when: Anki imports the schedule (interval and due date equal sysplan's); reviews made in Anki come
    back through import-progress, nothing lost or doubled, Again/Hard/Good/Easy as 1/3/4/5."""
    from anki.collection import (Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions,
                                 ImportAnkiPackageRequest)
    from anki.decks import DeckId
    from anki.collection import DeckIdLimit

    plan = scripted_reviews(isolated_home, library)
    apkg = tmp_path / "progress.apkg"
    assert invoke("export", "--anki", str(apkg), "--with-progress").exit_code == 0
    col = Collection(str(tmp_path / "phone" / "collection.anki2")) if (tmp_path / "phone").mkdir() is None else None
    assert col is not None
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=True)))
        store = open_store(isolated_home / "sysplan.db", write=False)
        crt_day = datetime.fromtimestamp(col.crt).date()
        by_card: dict[str, Any] = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            by_card[note["CardId"]] = note.cards()[0]
        assert len(by_card) == len(library.cards)
        for cid in plan:
            card, state = by_card[cid], store.state(cid)
            assert card.ivl == state.interval
            assert crt_day + timedelta(days=card.due) == state.due
        assert col.db.scalar("SELECT count() FROM revlog") == sum(len(g) for g in plan.values())
        for cid, grades in plan.items():  # Anki keeps the buttons as written (learning steps not re-read as v1)
            eases = [e for (e,) in col.db.execute("SELECT ease FROM revlog WHERE cid = ? ORDER BY id", by_card[cid].id)]
            assert eases == [1 if g < 3 else g - 1 for g in grades]
        # Study on the phone: answer two reviewed cards and one new card with each button once or so.
        answered = {}
        for cid, ease in ((list(plan)[0], 3), (list(plan)[1], 1), (library.deck("design").cards[0].id, 4)):
            card = col.get_card(by_card[cid].id)
            card.start_timer()
            col.sched.answerCard(card, ease)
            answered[cid] = {1: 1, 2: 3, 3: 4, 4: 5}[ease]
        card = col.get_card(by_card[list(plan)[2]].id)
        card.start_timer()
        col.sched.answerCard(card, 2)
        answered[list(plan)[2]] = 3
        out = tmp_path / "from-phone.apkg"
        did = col.decks.id_for_name("系统规划与管理师")
        col.export_anki_package(out_path=str(out), limit=DeckIdLimit(DeckId(did)), options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False))
    finally:
        col.close()
    before_rows = _log_rows(isolated_home)
    result = invoke("import-progress", str(out))
    assert result.exit_code == 0, result.output
    assert "新增 4 条复习记录" in result.stdout and f"{sum(len(g) for g in plan.values())} 条已有" in result.stdout
    after_rows = _log_rows(isolated_home)
    new = [r for r in after_rows if r not in before_rows]
    assert sorted((r[0], r[1]) for r in new) == sorted(answered.items())
    again = invoke("import-progress", str(out))
    assert again.exit_code == 0 and "新增 0 条" in again.stdout
    assert _log_rows(isolated_home) == after_rows


def _log_rows(home: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(home / "sysplan.db")
    try:
        return db.execute("SELECT card_id, grade, reviewed_at FROM review_log ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("content, needle", [(b"not a zip", "不是有效的 Anki 包"), (b"", "不是有效的 Anki 包")])
def test_import_progress_bad_package_one_line(invoke: Any, tmp_path: Path, content: bytes, needle: str) -> None:
    bad = tmp_path / "bad.colpkg"
    bad.write_bytes(content)
    result = invoke("import-progress", str(bad))
    assert result.exit_code == 1 and needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_reviews_before_a_reset_stay_home(isolated_home: Path, library: Library) -> None:
    """A reset starts a card over: only the reviews after it go to Anki."""
    from sysplan_study.store.anki_progress import anki_schedules

    isolated_home.mkdir(parents=True, exist_ok=True)
    store = open_store(isolated_home / "sysplan.db")
    cid = library.deck("supervise").cards[0].id
    at = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
    first = sm2.review(sm2.new_state(), 4, date(2026, 11, 1))
    seed(store, cid, "review", 4, sm2.new_state(), first, at, date(2026, 11, 1))
    seed(store, cid, "reset", 0, first, None, at + timedelta(days=1), date(2026, 11, 2))
    again = sm2.review(sm2.new_state(), 5, date(2026, 11, 3))
    seed(store, cid, "review", 5, sm2.new_state(), again, at + timedelta(days=2), date(2026, 11, 3))
    (only,) = anki_schedules(store).values()
    store.close()
    assert only.reps == 1 and [r.ease for r in only.reviews] == [4] and only.reviews[0].kind == 0
