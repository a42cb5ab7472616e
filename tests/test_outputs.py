"""Outputs never destroy data: the database and non-files are refused, `-` is stdout, writes are atomic, CSV is
formula-safe."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.errors import UserError
from sysplan_study.reports.export import csv_cell, csv_text
from sysplan_study.store import outputs

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and symlinks as on POSIX")


def _one_line(result: Any, phrase: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and phrase in result.stderr, result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def db(invoke: Any, isolated_home: Path) -> Path:
    """A database holding one answer, closed (its -wal checkpointed away)."""
    assert invoke("review", "--limit", "1", input="5\n").exit_code == 0
    path = isolated_home / "sysplan.db"
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    return path


def _files(db: Path) -> dict[str, bytes | None]:
    """The database and its companions, byte for byte (None when absent)."""
    out: dict[str, bytes | None] = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{db}{suffix}")
        out[suffix] = p.read_bytes() if p.exists() else None
    return out


# ------------------------------------------------------------------------------ the database is never an output


def test_stats_csv_over_the_database_is_refused(invoke: Any, db: Path) -> None:
    before = _files(db)
    _one_line(invoke("stats", "--format", "csv", "--output", str(db)), "数据库")
    assert _files(db) == before
    assert invoke("stats", "--format", "json").exit_code == 0  # still a working database


def test_database_via_symlink_and_relative_path_is_refused(
    invoke: Any, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(db)
    link = tmp_path / "report.csv"
    link.symlink_to(db)
    _one_line(invoke("stats", "--format", "csv", "--output", str(link)), "数据库")
    _one_line(invoke("export", "--history", str(link)), "数据库")
    apkg, progress = tmp_path / "x.apkg", tmp_path / "p.json"
    apkg.symlink_to(db)
    progress.symlink_to(db)
    _one_line(invoke("export", "--anki", str(apkg)), "数据库")
    _one_line(invoke("export", "--progress", str(progress)), "数据库")
    monkeypatch.chdir(db.parent)
    _one_line(invoke("stats", "--format", "csv", "--output", "sysplan.db"), "数据库")
    _one_line(invoke("stats", "--format", "csv", "--output", "./cache/../sysplan.db"), "数据库")
    assert _files(db) == before and link.is_symlink()


def test_db_option_database_is_refused(invoke: Any, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    assert invoke("--db", str(other), "review", "--limit", "1", input="5\n").exit_code == 0
    before = other.read_bytes()
    _one_line(invoke("--db", str(other), "stats", "--format", "csv", "-o", str(other)), "数据库")
    assert other.read_bytes() == before


def test_wal_and_shm_are_refused_even_when_absent_or_not_sqlite(invoke: Any, db: Path, tmp_path: Path) -> None:
    # Neither starts like SQLite, so only the list of protected names can stop these.
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    assert not wal.exists()
    _one_line(invoke("stats", "--format", "csv", "--output", str(wal)), "数据库")
    assert not wal.exists()
    shm.write_bytes(b"\x00" * 64)
    _one_line(invoke("stats", "--format", "csv", "--output", str(shm)), "数据库")
    assert shm.read_bytes() == b"\x00" * 64
    hard = tmp_path / "hard.csv"  # a hard link: another name, the same inode
    os.link(shm, hard)
    _one_line(invoke("stats", "--format", "csv", "--output", str(hard)), "数据库")
    assert shm.read_bytes() == b"\x00" * 64


def test_protected_names_match_before_they_exist(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    for name in ("s.db", "s.db-wal", "s.db-shm", "s.db-journal"):
        with pytest.raises(UserError, match="数据库"):
            outputs.check_target(tmp_path / name, protected=outputs.database_files(db))
    assert outputs.check_target(tmp_path / "s.db.csv", protected=outputs.database_files(db)) == tmp_path / "s.db.csv"
    assert list(tmp_path.iterdir()) == []


def test_any_sqlite_file_is_refused(invoke: Any, db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "sysplan.db.bak-3"  # not this run's database, but a history all the same
    shutil.copy(db, backup)
    before = backup.read_bytes()
    _one_line(invoke("stats", "--format", "json", "--output", str(backup)), "SQLite")
    assert backup.read_bytes() == before


def test_export_checks_every_target_before_writing_any(invoke: Any, db: Path, tmp_path: Path) -> None:
    link = tmp_path / "x.apkg"
    link.symlink_to(db)
    history, progress = tmp_path / "h.csv", tmp_path / "p.json"
    _one_line(invoke("export", "--history", str(history), "--progress", str(progress), "--anki", str(link)), "数据库")
    assert not history.exists() and not progress.exists()


# ------------------------------------------------------------------------------ only new paths and regular files


@posix_only
def test_fifo_is_refused_without_blocking(invoke: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    _one_line(invoke("stats", "--format", "csv", "--output", str(fifo)), "不是普通文件")
    _one_line(invoke("export", "--history", str(fifo)), "不是普通文件")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@posix_only
def test_sqlite_sniff_never_waits_on_a_fifo(tmp_path: Path) -> None:
    # Should a FIFO replace the target between the checks, looking at its first bytes must not block.
    import threading

    fifo = tmp_path / "late.csv"
    os.mkfifo(fifo)
    seen: list[bool] = []
    reader = threading.Thread(target=lambda: seen.append(outputs._is_sqlite(str(fifo))), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # release the blocked open so the test run can go on
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert seen == [False]


@posix_only
def test_device_is_refused(invoke: Any, tmp_path: Path) -> None:
    # A private copy of /dev/null: the real one must never be at stake in a test.
    dev = tmp_path / "null.csv"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("cannot create a device node here")
    _one_line(invoke("stats", "--format", "csv", "--output", str(dev)), "不是普通文件")
    assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_directory_and_missing_directory_are_refused(invoke: Any, tmp_path: Path) -> None:
    _one_line(invoke("stats", "--format", "csv", "--output", str(tmp_path)), "is a directory")
    _one_line(invoke("export", "--progress", str(tmp_path / "no" / "p.json")), "directory does not exist")


@posix_only
def test_symlink_loop_is_refused(invoke: Any, tmp_path: Path) -> None:
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    _one_line(invoke("stats", "--format", "csv", "--output", str(loop)), "无法使用输出路径")
    assert loop.is_symlink()


@posix_only
def test_symlink_to_a_file_updates_the_file(invoke: Any, db: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert invoke("stats", "--format", "csv", "--output", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8-sig").startswith("id,title")


# ------------------------------------------------------------------------------ `-` is standard output


def test_dash_writes_to_stdout(invoke: Any, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("stats", "--format", "csv", "--output", "-")
    assert result.exit_code == 0 and result.stdout.lstrip("\ufeff").startswith("id,title,cards")
    assert invoke("stats", "--output", "-").exit_code == 0
    history = invoke("export", "--history", "-")
    assert history.exit_code == 0 and history.stdout.lstrip("\ufeff").startswith("card_id,deck")
    assert history.stdout.count("\n") == 2 and "标准输出" in history.stderr
    assert invoke("stats", "--format", "json", "--output", "/dev/stdout").stdout.lstrip().startswith("{")
    _one_line(invoke("export", "--anki", "-"), ".apkg")
    _one_line(invoke("export", "--progress", "-"), ".json")
    assert not (tmp_path / "-").exists() and not (tmp_path / "dev").exists()


def test_check_target_refuses_dash() -> None:
    with pytest.raises(UserError, match="标准输出"):
        outputs.check_target(Path("-"))


# ------------------------------------------------------------------------------ atomic writes


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old report", encoding="utf-8")
    target.chmod(0o640)

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half a rep", encoding="utf-8")
        raise OSError(28, "No space left on device")

    with pytest.raises(UserError, match="No space left"):
        outputs.write_with(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]
    outputs.write_text(target, "new report")
    assert target.read_text(encoding="utf-8") == "new report"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_interrupted_write_leaves_no_temp(tmp_path: Path) -> None:
    def interrupted(tmp: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.write_with(tmp_path / "x.json", interrupted)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ CSV formula injection

FORMULA_TITLE = '=HYPERLINK("x")'


def test_user_deck_title_reaches_stats_csv_inert(invoke: Any, isolated_home: Path, tmp_path: Path) -> None:
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    (decks / "mine.yaml").write_text(
        f"deck: mine\ntitle: '{FORMULA_TITLE}'\ncards:\n  - id: pdca\n    prompt: PDCA？\n    items: [Plan, Do]\n",
        encoding="utf-8",
    )
    for target in ("-", str(tmp_path / "s.csv")):
        result = invoke("stats", "--format", "csv", "--output", target)
        assert result.exit_code == 0, result.output
        text = result.stdout if target == "-" else Path(target).read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        mine = next(r for r in rows if r[0] == "mine")
        assert mine[1] == "'" + FORMULA_TITLE
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"x\")"])
def test_formula_text_gets_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text
    rows = list(csv.reader(io.StringIO(csv_text(["h"], [[text]]), newline="")))
    assert rows == [["h"], ["'" + text]]


@pytest.mark.parametrize("value", [-5, -0.25, 0, 3, 2.5, "plain", "a=b", "中文", "2026-11-24"])
def test_numbers_and_plain_text_are_unchanged(value: Any) -> None:
    # A number is data, not a formula: -5 must stay the number -5 so the spreadsheet can sum it.
    assert csv_cell(value) == value


def test_csv_rows_mix_text_numbers_and_blanks() -> None:
    text = csv_text(["card_id", "deck", "n"], [["-x", "@d", -3], [None, "ok", 1]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'-x", "'@d", "-3"] and rows[2] == ["", "ok", "1"]
