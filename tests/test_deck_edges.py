"""One broken user deck never blocks the others; `check` reports non-files, never hangs, never reads without bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.decks import files as deckfiles
from sysplan_study.decks import library as decklib
from sysplan_study.decks.yaml_lines import ContentError

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks as on POSIX")

GOOD = """\
deck: mine
title: 我的卡片
cards:
  - id: pdca
    prompt: PDCA 指什么？
    items: [Plan 计划, Do 实施, Check 检查, Act 改进]
"""
BROKEN = "deck: bad\ntitle: [x\n"  # YAML error on line 3


def _decks_dir(home: Path) -> Path:
    d = home / "decks"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _warnings(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if "警告" in line]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process, so a hang is a timeout failure, not a stuck test run."""
    env = {**os.environ, "SYSPLAN_STUDY_HOME": str(home), "SYSPLAN_TODAY": "2026-11-24"}
    return subprocess.run([sys.executable, "-m", "sysplan_study", *args], capture_output=True, text=True, check=False,
                          timeout=60, env=env)


# ------------------------------------------------------------------------------ broken user decks are skipped


def test_broken_user_deck_is_skipped_once_and_the_rest_works(invoke: Any, isolated_home: Path) -> None:
    d = _decks_dir(isolated_home)
    (d / "a-bad.yaml").write_text(BROKEN, encoding="utf-8")
    (d / "mine.yaml").write_text(GOOD, encoding="utf-8")
    decks = invoke("decks", "--format", "json")
    assert decks.exit_code == 0, decks.output
    assert [r["id"] for r in json.loads(decks.stdout)][-1] == "mine"
    [warning] = _warnings(decks)
    assert f"{d / 'a-bad.yaml'}:3:" in warning and "已跳过该卡组" in warning
    review = invoke("review", "--chapter", "mine", input="5\n")
    assert review.exit_code == 0, review.output
    assert len(_warnings(review)) == 1  # once per run, however often the decks are consulted
    for args in (("cards", "--chapter", "mine"), ("stats", "--format", "json"), ("search", "PDCA"),
                 ("show", "mine.pdca"), ("export", "--history", "-")):
        result = invoke(*args)
        assert result.exit_code == 0 and len(_warnings(result)) == 1, (args, result.output)
    check = invoke("check")
    assert check.exit_code == 1 and "a-bad.yaml:3:" in check.stdout and "警告" not in check.stderr


def test_many_problems_in_one_deck_are_one_warning(invoke: Any, isolated_home: Path) -> None:
    text = GOOD.replace("    prompt: PDCA 指什么？\n", "").replace("title: 我的卡片\n", "")
    (_decks_dir(isolated_home) / "mine.yaml").write_text(text, encoding="utf-8")
    result = invoke("decks")
    assert result.exit_code == 0
    [warning] = _warnings(result)
    assert "mine.yaml:" in warning and "另有" in warning and "sysplan check" in warning


def test_deck_id_taken_by_a_builtin_deck_skips_the_user_deck(invoke: Any, isolated_home: Path) -> None:
    (_decks_dir(isolated_home) / "clash.yaml").write_text(GOOD.replace("deck: mine", "deck: design"),
                                                          encoding="utf-8")
    builtin = [c["id"] for c in json.loads(invoke("cards", "--chapter", "design", "--format", "json").stdout)]
    assert "design.pdca" not in builtin and "design.catalog.activities" in builtin
    [warning] = _warnings(invoke("decks"))
    assert "clash.yaml:1:" in warning and "'design'" in warning and "已跳过该卡组" in warning
    assert invoke("check").exit_code == 1


def test_deck_id_clash_between_user_decks_skips_the_later(invoke: Any, isolated_home: Path) -> None:
    d = _decks_dir(isolated_home)
    (d / "a.yaml").write_text(GOOD, encoding="utf-8")
    (d / "b.yaml").write_text(GOOD.replace("title: 我的卡片", "title: 第二份"), encoding="utf-8")  # same deck id
    (d / "c.yaml").write_text(GOOD.replace("deck: mine", "deck: other"), encoding="utf-8")  # its own ids
    rows = json.loads(invoke("decks", "--format", "json").stdout)
    assert [(r["id"], r["title"]) for r in rows if r["kind"] == "user"] == [("mine", "我的卡片"), ("other", "我的卡片")]
    result = invoke("decks")
    [warning] = _warnings(result)
    assert "b.yaml:1:" in warning and "已跳过该卡组" in warning
    check = invoke("check")
    assert check.exit_code == 1 and "b.yaml" in check.stdout


def test_card_id_clash_names_the_card_line(tmp_path: Path) -> None:
    # Card ids start with their deck id, so only a hand-made deck can clash on a card alone; the check still holds.
    from sysplan_study.decks.model import DeckRef

    path = tmp_path / "mine.yaml"
    path.write_text(GOOD, encoding="utf-8")
    deck = deckfiles.load_file(path)
    other = DeckRef("other", "t", "user", str(path), tuple(c.id for c in deck.cards), full=deck)
    [problem] = decklib._clash(other, {"mine": "a.yaml"}, {"mine.pdca": "a.yaml"})
    assert problem.line == 4 and "'mine.pdca'" in problem.message and "a.yaml" in problem.message
    assert decklib._clash(other, {}, {}) == []


def test_broken_builtin_deck_is_still_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A broken shipped deck is a damaged installation: say so and stop rather than hide a chapter.
    shipped = tmp_path / "content"
    shipped.mkdir()
    (shipped / "01-x.yaml").write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(decklib, "builtin_content_dir", lambda: shipped)
    monkeypatch.setenv("SYSPLAN_NO_CACHE", "1")
    with pytest.raises(ContentError, match="01-x.yaml:3"):
        decklib.load_library()


def test_load_library_returns_warnings_and_prints_nothing(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_decks_dir(isolated_home) / "bad.yaml").write_text(BROKEN, encoding="utf-8")
    lib = decklib.load_library()
    assert len(lib.warnings) == 1 and "bad.yaml:3" in lib.warnings[0]
    assert capsys.readouterr() == ("", "")


# ------------------------------------------------------------------------------ entries that are not files


@posix_only
def test_non_files_are_reported_by_check_and_skipped_elsewhere(isolated_home: Path) -> None:
    d = _decks_dir(isolated_home)
    (d / "mine.yaml").write_text(GOOD, encoding="utf-8")
    (d / "folder.yaml").mkdir()
    os.mkfifo(d / "pipe.yaml")
    (d / "loop.yaml").symlink_to(d / "loop.yaml")
    (d / "gone.yaml").symlink_to(d / "nowhere.yaml")
    (d / ".#mine.yaml").symlink_to("user@host.123")  # an editor's lock file: not a deck, not worth a word
    check = _run(isolated_home, "check")
    assert check.returncode == 1, check.stderr
    lines = check.stdout.splitlines()
    for name, phrase in (("folder.yaml", "目录"), ("pipe.yaml", "不是普通文件"), ("loop.yaml", "符号链接循环"),
                         ("gone.yaml", "不存在")):
        assert any(str(d / name) in line and phrase in line for line in lines), (name, lines)
    assert ".#mine" not in check.stdout and "Traceback" not in check.stderr
    decks = _run(isolated_home, "decks", "--format", "json")
    assert decks.returncode == 0, decks.stderr
    assert json.loads(decks.stdout)[-1]["id"] == "mine"
    assert len([line for line in decks.stderr.splitlines() if "已跳过" in line]) == 4
    assert ".#mine" not in decks.stderr


@posix_only
def test_check_of_an_explicit_fifo_does_not_hang(isolated_home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = _run(isolated_home, "check", str(fifo))
    assert result.returncode == 1 and f"{fifo}:0: 已跳过" in result.stdout and "不是普通文件" in result.stdout
    gone = tmp_path / "gone.yaml"
    gone.symlink_to(tmp_path / "nowhere.yaml")
    result = _run(isolated_home, "check", str(gone))
    assert result.returncode == 1 and "不存在" in result.stdout
    missing = _run(isolated_home, "check", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 1 and "no such file" in missing.stderr


@posix_only
def test_reading_a_fifo_deck_never_blocks(tmp_path: Path) -> None:
    # load_file is the last line of defence (a FIFO may appear after the directory was listed).
    fifo = tmp_path / "late.yaml"
    os.mkfifo(fifo)
    code = "import sys; from pathlib import Path; from sysplan_study.decks.files import load_file\n" \
           "try:\n    load_file(Path(sys.argv[1]))\nexcept Exception as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, check=False,
                         timeout=60)
    assert "不是普通文件" in out.stdout, out.stdout + out.stderr


def test_oversized_deck_is_refused_without_reading_it_all(
    invoke: Any, isolated_home: Path, tmp_path: Path
) -> None:
    big = _decks_dir(isolated_home) / "big.yaml"
    with big.open("wb") as f:
        f.write(b"deck: big\ntitle: t\ncards: []\n# ")
        f.truncate(deckfiles.MAX_DECK_BYTES + 1)
    check = invoke("check", str(big))
    assert check.exit_code == 1 and f"{big}:0:" in check.stdout and "20 MiB" in check.stdout
    decks = invoke("decks")
    assert decks.exit_code == 0 and "big.yaml" in decks.stderr and "20 MiB" in decks.stderr
    exact = tmp_path / "exact.yaml"  # exactly the limit is still read
    with exact.open("wb") as f:
        f.write(GOOD.encode())
        f.write(b"#" * (deckfiles.MAX_DECK_BYTES - len(GOOD.encode())))
    assert len(deckfiles.read_deck_bytes(exact)) == deckfiles.MAX_DECK_BYTES


def test_read_deck_bytes_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deckfiles, "MAX_DECK_BYTES", 100)
    path = tmp_path / "d.yaml"
    path.write_bytes(b"x" * 101)
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(deckfiles.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(ContentError, match="MiB"):
        deckfiles.read_deck_bytes(path)
    assert sum(reads) <= 101


def test_deck_cache_reads_through_the_bounded_reader(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sysplan_study.decks import cache as deckcache

    monkeypatch.setattr(deckfiles, "MAX_DECK_BYTES", 100)
    path = tmp_path / "d.yaml"
    path.write_bytes(b"# " + b"x" * 200)

    def unbounded(self: Path) -> bytes:
        raise AssertionError(f"read without bound: {self}")

    monkeypatch.setattr(Path, "read_bytes", unbounded)
    with pytest.raises(ContentError, match="MiB"):
        deckcache.load_ref(path, False)
