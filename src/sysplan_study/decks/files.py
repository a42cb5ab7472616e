"""Finding and loading deck files: the built-in decks and directories of *.yaml."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

# The YAML loader, validation and Problem are imported where used: a start from the card index reads no deck
# file and needs none of them.
if TYPE_CHECKING:
    from sysplan_study.decks.model import Deck
    from sysplan_study.decks.yaml_lines import Problem


def builtin_content_dir() -> Path:
    """The shipped decks: inside the installed package, or content/ of a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the sysplan_study package
    packaged = here / "content"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "content"


DECK_SUFFIXES = (".yaml", ".yml")
# A deck is text typed by a person; the largest shipped one is well under 1 MiB. Anything past this is a mistake.
MAX_DECK_BYTES = 20 * 1024 * 1024
SKIPPED = "已跳过"  # starts the message of every entry that looks like a deck but is not a file


def entry_problem(path: Path) -> Problem | None:
    """Why a path named like a deck cannot be read as one (directory, FIFO, loop, dangling link), or None.

    Uses stat only: a FIFO is never opened, so nothing here can block.
    """
    try:
        st = os.stat(path)
    except OSError as e:
        return _stat_problem(path, e)
    if stat.S_ISREG(st.st_mode):
        return None
    from sysplan_study.decks.yaml_lines import Problem  # only for an odd entry: the usual start needs no Problem

    if stat.S_ISDIR(st.st_mode):
        return Problem(str(path), 0, f"{SKIPPED}：这是一个目录，不是卡组文件（a directory, not a deck file）")
    return Problem(str(path), 0, f"{SKIPPED}：不是普通文件（FIFO、设备或套接字）（not a regular file）")


def _stat_problem(path: Path, e: OSError) -> Problem:
    """Why an entry that cannot be stat'ed is skipped: a symlink loop, a dangling link, or the OS error."""
    from sysplan_study.decks.yaml_lines import Problem

    shown = str(path)
    if e.errno == errno.ELOOP:
        return Problem(shown, 0, f"{SKIPPED}：符号链接循环（symlink loop）")
    if os.path.islink(path):
        return Problem(shown, 0, f"{SKIPPED}：符号链接指向不存在的文件（dangling symlink）")
    return Problem(shown, 0, f"{SKIPPED}：无法读取（cannot read: {e.strerror or e}）")


def scan_decks(directory: Path) -> tuple[list[Path], list[Problem]]:
    """The *.yaml/*.yml deck files of a directory sorted by name, and a Problem for each such name not a file.

    Hidden names (editor locks such as `.#mine.yaml`, temp files) are not decks and are passed over silently.
    """
    if not directory.is_dir():
        return [], []
    try:
        names = sorted(p for p in directory.iterdir() if p.suffix in DECK_SUFFIXES and not p.name.startswith("."))
    except OSError as e:
        from sysplan_study.decks.yaml_lines import Problem

        return [], [Problem(str(directory), 0, f"无法读取卡组目录（cannot list directory: {e.strerror or e}）")]
    files: list[Path] = []
    problems: list[Problem] = []
    for p in names:
        problem = entry_problem(p)
        if problem is None:
            files.append(p)
        else:
            problems.append(problem)
    return files, problems


def deck_files(directory: Path) -> list[Path]:
    """The *.yaml decks of a directory, sorted by name (entries that are not files left out)."""
    return scan_decks(directory)[0]


def read_deck_bytes(path: Path) -> bytes:
    """A deck file's bytes, never blocking (a FIFO is refused, not read) and never more than MAX_DECK_BYTES."""
    from sysplan_study.decks.yaml_lines import ContentError, Problem

    shown = str(path)
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise ContentError([Problem(shown, 0, f"无法读取卡组（cannot read deck: {e.strerror or e}）")]) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ContentError([Problem(shown, 0, "不是普通文件，未读取（not a regular file）")])
        chunks, size = [], 0
        while size <= MAX_DECK_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_DECK_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise ContentError([Problem(shown, 0, f"无法读取卡组（cannot read deck: {e.strerror or e}）")]) from None
    finally:
        os.close(fd)
    if size > MAX_DECK_BYTES:
        raise ContentError([Problem(shown, 0, f"卡组文件超过 {MAX_DECK_BYTES // (1024 * 1024)} MiB 上限，未读取"
                                              f"（deck file too large）")])
    return b"".join(chunks)


def load_file(path: Path, builtin: bool = False) -> Deck:
    """Read (bounded, never blocking), parse and validate one deck file; raises ContentError."""
    from sysplan_study.decks.validate import build_deck
    from sysplan_study.decks.yaml_lines import ContentError, Problem, parse_yaml

    shown = str(path)
    data = read_deck_bytes(path)
    doc = parse_yaml(data, shown)
    deck, problems = build_deck(doc, shown, builtin)
    if problems or deck is None:
        raise ContentError(problems or [Problem(shown, 1, "invalid deck")])
    return deck
