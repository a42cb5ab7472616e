"""The card index (decks/cache.py): a planted or damaged cache never runs code and is rebuilt; unchanged deck
files are neither parsed nor read; search through the index finds exactly what a scan of every card finds."""

from __future__ import annotations

import io
import os
import pickle  # tests only: to plant what an attacker would
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from sysplan_study import __version__
from sysplan_study.decks import cache, cache_codec, cache_parse, cache_schema
from sysplan_study.decks import search as finder
from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
from sysplan_study.decks.library import load_library
from sysplan_study.decks.model import DECK_FORMAT, Library

DECK = """\
deck: mine{n}
title: 我的卡组 {n}
cards:
  - id: pdca
    prompt: PDCA 指什么？
    items: [Plan 计划, Do 实施, Check 检查, Act 改进{n}]
  - id: itsm
    prompt: ＩＴＳＭ 的“服务”是什么？
    items:
      - text: 服务台
        children: [受理, 派单]
      - 服务级别管理
"""


class Planted:
    """Unpickling this creates a directory: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


def _user_decks(home: Path, n: int = 3) -> list[Path]:
    d = home / "decks"
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = d / f"mine{i}.yaml"
        p.write_text(DECK.format(n=i), encoding="utf-8")
        paths.append(p)
    return paths


def _index_is_sound() -> bool:
    conn = cache_schema.open_checked(cache.cache_file())
    if conn is None:
        return False
    conn.close()
    return True


def _run_everything(invoke: Any) -> list[str]:
    outputs = []
    for args in (("decks", "--format", "json"), ("search", "服务"), ("search", "服务级别管理", "--format", "ids"),
                 ("cards", "--chapter", "mine1"), ("show", "mine2.itsm"), ("stats", "--format", "json")):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.stdout)
    return outputs


# ---------------------------------------------------------------------------------------------- planted caches


def test_a_planted_pickle_in_every_cache_path_never_runs(invoke: Any, isolated_home: Path) -> None:
    _user_decks(isolated_home)
    clean = _run_everything(invoke)
    marker = isolated_home.parent / "code-ran"
    bomb = pickle.dumps(Planted(marker))
    old = cache.cache_file().parent / f"decks-{__version__}-f{DECK_FORMAT}"  # where the pickle cache lived
    old.mkdir(parents=True, exist_ok=True)
    for target in (old / "index.pickle", old / f"{'0' * 64}.pickle", cache.cache_file(),
                   Path(f"{cache.cache_file()}-journal")):
        target.write_bytes(bomb)
    assert _run_everything(invoke) == clean
    assert not marker.exists()
    assert _index_is_sound()
    # Then with a sound index beside a planted journal.
    Path(f"{cache.cache_file()}-journal").write_bytes(bomb)
    assert _run_everything(invoke) == clean
    assert not marker.exists()


def test_a_planted_index_with_a_trigger_is_rebuilt(invoke: Any, isolated_home: Path) -> None:
    _user_decks(isolated_home)
    clean = _run_everything(invoke)
    path = cache.cache_file()
    path.unlink()
    conn = sqlite3.connect(path)  # this version's schema and version row, plus a trigger of the attacker's
    for statement in cache_schema.expected()[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('version', ?)", (cache_schema.fingerprint(),))
    conn.execute("CREATE TABLE pwned (x)")
    conn.execute("CREATE TRIGGER pwn AFTER INSERT ON card BEGIN INSERT INTO pwned VALUES (new.data); END")
    conn.commit()
    conn.close()
    assert _run_everything(invoke) == clean
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert "pwn" not in names and "pwned" not in names


@pytest.mark.parametrize("data", [pickle.dumps(Planted(Path("/nonexistent/x"))), "not json", '["x", 1]',
                                  '{"__class__": "os.system"}', '[' * 5000 + ']' * 5000],
                         ids=["pickle", "text", "short", "object", "deep"])
def test_planted_card_rows_are_never_decoded_into_objects(
    invoke: Any, isolated_home: Path, data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _user_decks(isolated_home)
    clean = _run_everything(invoke)
    conn = sqlite3.connect(cache.cache_file())
    with conn:
        conn.execute("UPDATE card SET data = ? WHERE file_id = (SELECT id FROM deck_file WHERE deck_id = 'mine1')",
                     (data,))
    conn.close()
    parsed: list[str] = []
    real = cache_parse.payload
    monkeypatch.setattr(cache_parse, "payload", lambda shown, *a: parsed.append(shown) or real(shown, *a))
    assert _run_everything(invoke) == clean  # the damaged deck is parsed from its file instead...
    assert _run_everything(invoke) == clean
    assert [Path(p).name for p in parsed] == ["mine1.yaml"]  # ...and stored again, once


def test_a_deck_re_indexed_by_another_process_meanwhile(isolated_home: Path) -> None:
    """Another terminal stores an edited deck while this one runs: cards come from the file, and a card the
    edit removed is one line of error, not a traceback."""
    from sysplan_study.errors import UserError

    paths = _user_decks(isolated_home)
    load_library()
    lib = load_library()
    paths[0].write_text(DECK.format(n=0).replace("id: itsm", "id: itsm_new"), encoding="utf-8")
    load_library()  # the other process: drops the old rows of mine0.yaml and stores the new ones
    assert lib.card("mine0.pdca").prompt.startswith("PDCA")
    with pytest.raises(UserError, match="mine0.itsm"):
        lib.card("mine0.itsm")
    assert {h.card.id for h in finder.search(lib, "服务台")} >= {"mine0.itsm_new", "mine1.itsm"}


def test_damaged_pages_behind_a_sound_schema_are_repaired(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _user_decks(isolated_home)
    load_library()
    conn = sqlite3.connect(cache.cache_file())
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'deck_file'").fetchone()
    (page,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(cache.cache_file().read_bytes())
    data[(root - 1) * page:root * page] = b"\xff" * page  # the deck listing's page turned to noise
    cache.cache_file().write_bytes(bytes(data))
    assert cache_schema.open_checked(cache.cache_file()) is not None  # the schema and version row still read fine
    parsed: list[str] = []
    real = cache_parse.payload
    monkeypatch.setattr(cache_parse, "payload", lambda shown, *a: parsed.append(shown) or real(shown, *a))
    assert load_library().card("mine1.pdca").items[-1].text == "Act 改进1"
    assert parsed  # parsed again, and stored in a new index...
    parsed.clear()
    assert load_library().card("mine2.itsm").items[0].children[0].text == "受理"
    assert parsed == []  # ...which the next run uses


def test_a_cache_file_that_is_not_a_database_is_replaced(isolated_home: Path) -> None:
    cache.cache_file().parent.mkdir(parents=True)
    cache.cache_file().write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    lib = load_library()
    assert lib.card_ids and _index_is_sound()


# ---------------------------------------------------------------------------------------------- what is parsed and read


def test_only_changed_deck_files_are_parsed(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _user_decks(isolated_home)
    parsed: list[str] = []
    real = cache_parse.payload
    monkeypatch.setattr(cache_parse, "payload", lambda shown, *a: parsed.append(Path(shown).name) or real(shown, *a))
    first = load_library()
    assert len(parsed) == len(deck_files(builtin_content_dir())) + 3
    parsed.clear()
    paths[1].write_text(DECK.format(n=1).replace("Act 改进1", "Act 改进（新）"), encoding="utf-8")
    second = load_library()
    assert parsed == ["mine1.yaml"]
    assert second.card("mine1.pdca").items[-1].text == "Act 改进（新）"
    assert second.card_ids == first.card_ids
    parsed.clear()
    load_library()
    assert parsed == []


def test_unchanged_files_are_not_even_read_and_a_same_size_same_mtime_edit_is_seen(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust stat at once (normally two seconds after the last change)
    paths = _user_decks(isolated_home)
    load_library()
    reads: list[str] = []
    real = cache.read_deck_bytes
    monkeypatch.setattr(cache, "read_deck_bytes", lambda p: reads.append(p.name) or real(p))
    assert load_library().card("mine0.pdca").items[-1].text == "Act 改进0"
    if not cache.TRUST_STAT:
        return
    assert reads == []
    time.sleep(0.05)  # a later ctime tick
    st = paths[0].stat()
    paths[0].write_text(DECK.format(n=0).replace("Act 改进0", "Act 改进X"), encoding="utf-8")
    os.utime(paths[0], ns=(st.st_atime_ns, st.st_mtime_ns))
    assert paths[0].stat().st_size == st.st_size and paths[0].stat().st_mtime_ns == st.st_mtime_ns
    assert load_library().card("mine0.pdca").items[-1].text == "Act 改进X"
    assert reads == ["mine0.yaml"]


def test_parsing_in_worker_processes_gives_the_same_decks(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _user_decks(isolated_home, 4)
    serial = load_library()
    cards = [c for d in serial.decks for c in d.cards]
    cache.cache_file().unlink()
    monkeypatch.setattr(cache_parse, "PARALLEL_MIN_BYTES", 0)
    calls: list[int] = []
    real = cache_parse._parallel
    monkeypatch.setattr(cache_parse, "_parallel", lambda *a: calls.append(1) or real(*a))
    progress: list[tuple[int, int]] = []
    parallel = load_library(progress=lambda done, total: progress.append((done, total)))
    assert calls and [c for d in parallel.decks for c in d.cards] == cards
    total = len(serial.decks)
    assert progress[0] == (0, total) and progress[-1] == (total, total) and len(progress) >= total
    progress.clear()
    load_library(progress=lambda done, total: progress.append((done, total)))
    assert progress == []  # nothing to parse, nothing reported


# ---------------------------------------------------------------------------------------------- what the index serves


def test_indexed_decks_are_the_parsed_decks(isolated_home: Path) -> None:
    _user_decks(isolated_home)
    load_library()
    lib = load_library()  # from the index
    assert all(isinstance(d, cache.IndexedDeck) for d in lib.decks)
    for d in lib.decks:
        parsed = load_file(Path(d.path), d.builtin)
        assert d.card(d.card_ids[-1]) == parsed.cards[-1]  # one card, decoded alone
        assert d.cards == parsed.cards
        assert d.full == parsed and d.full.notes == parsed.notes and d.sections == parsed.sections


QUERIES = ["服务", "服", "务", "ITSS", "itss", "ｉｔｓｓ", "服务目录", "design.catalog", "（共", '"', 'a"b', "的",
           "不存在的内容", "SLA", "关键成功因素", "受理", "Act 改进1", "act", "ＩＴＳＭ", "itsm", "？", "pdca"]


@pytest.mark.parametrize("fts", [True, False])
def test_search_through_the_index_finds_what_a_full_scan_finds(
    isolated_home: Path, fts: bool
) -> None:
    _user_decks(isolated_home)
    load_library()
    indexed = load_library()
    if not fts:  # as SQLite without FTS5 gives it: every needle scans the folded text
        indexed.decks[0].index.fts = False  # type: ignore[attr-defined]
    scanned = Library.of(d.full for d in load_library().decks)  # plain decks: every card checked

    def shape(hits: list[finder.Hit]) -> list[Any]:
        return [(h.card, h.in_id, h.in_prompt, [(i.path, i.item) for i in h.items]) for h in hits]

    found = 0
    for q in QUERIES:
        hits = finder.search(indexed, q)
        assert shape(hits) == shape(finder.search(scanned, q)), q
        found += len(hits)
    assert found > 100


def test_search_reads_only_the_cards_it_may_match(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _user_decks(isolated_home)
    load_library()
    lib = load_library()
    decoded: list[str] = []
    real = cache_codec.decode_card
    monkeypatch.setattr(cache_codec, "decode_card", lambda data, path: decoded.append(data) or real(data, path))
    hits = finder.search(lib, "服务级别管理")
    assert {h.card.id for h in hits} >= {"mine0.itsm", "mine1.itsm", "mine2.itsm"}
    assert len(decoded) < len(lib.card_ids) / 10


# ---------------------------------------------------------------------------------------------- progress bar


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_after_the_delay() -> None:
    from sysplan_study.ui.delayed_bar import DelayedBar

    for stream, delay, drawn in ((_Tty(), 0.0, True), (io.StringIO(), 0.0, False), (_Tty(), 60.0, False)):
        bar = DelayedBar("建立索引", stream, delay)
        for done in range(6):
            bar(done, 5)
        bar.close()
        assert bool(stream.getvalue()) is drawn, (delay, type(stream))


def test_nothing_in_the_package_imports_pickle() -> None:
    """No module of the package can unpickle (or unmarshal) anything: caches and files are data, never code."""
    import ast

    root = Path(cache.__file__).resolve().parent.parent
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("pickle", "marshal", "shelve", "dill")]
    assert found == []
