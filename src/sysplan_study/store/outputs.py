"""Writing output files safely: atomic replace, clear errors, never over the database or a non-file."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Callable, Iterable

from sysplan_study.errors import UserError

STDOUT = "-"
# Beside a database SQLite keeps these; overwriting any of them loses or corrupts the history.
DB_SUFFIXES = ("", "-wal", "-shm", "-journal")
# First bytes of an SQLite database and of its write-ahead log (both byte orders): such files are never outputs.
_SQLITE_MAGIC = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def is_stdout(path: Path | str | None) -> bool:
    """True for `-` and `/dev/stdout`: write to standard output (never replace whatever stdout points at)."""
    # /dev/stdout resolves to a pipe or tty (refused as not a file) or to the redirect target, which an atomic
    # rename would replace (losing `>>` appends); writing to the stream itself is what the user means.
    return path is not None and str(path) in (STDOUT, "/dev/stdout")


def database_files(db: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it (as given and with symlinks resolved)."""
    bases = {str(db), os.path.realpath(db)}
    return [Path(base + suffix) for base in sorted(bases) for suffix in DB_SUFFIXES]


def _same(a: str, b: Path) -> bool:
    """Same file: equal resolved paths, or (both existing) the same inode."""
    if a == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_sqlite(path: str) -> bool:
    """True if a regular file starts like an SQLite database or WAL (unreadable files count as not)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # never waits, even on a FIFO
        try:
            head = os.read(fd, 16)
        finally:
            os.close(fd)
    except OSError:
        return False
    return any(head.startswith(magic) for magic in _SQLITE_MAGIC)


def check_target(path: Path, protected: Iterable[Path] = ()) -> Path:
    """Refuse before any work a path that is not a new or regular file, the database or any SQLite file.

    Returns the path with symlinks resolved: the file actually replaced, so a symlink keeps pointing at it.
    """
    if is_stdout(path):
        raise UserError("这里不能用 - 写到标准输出，请给出文件名（'-' is not supported here; give a file name）")
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        parent = os.path.dirname(real)
        if not os.path.isdir(parent):
            raise UserError(f"输出目录不存在（directory does not exist）: {Path(path).parent}") from None
        st = None
    except OSError as e:  # a symlink loop, a path through a file, no permission
        raise UserError(f"无法使用输出路径 {path}：{e.strerror or e}（cannot use output path）") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UserError(f"输出路径是一个目录（output path is a directory）: {path}")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UserError(f"输出路径不是普通文件（设备、FIFO 或套接字），请换一个文件名，或用 - 写到标准输出"
                        f"（not a regular file）: {path}")
    for p in protected:
        if _same(real, p):
            raise UserError(f"不能把输出写到数据库文件上（refusing to overwrite the database）: {path}")
    if st is not None and _is_sqlite(real):
        raise UserError(f"不能覆盖 SQLite 数据库文件（refusing to overwrite an SQLite database）: {path}")
    return Path(real)


def write_with(path: Path, write: Callable[[Path], None], protected: Iterable[Path] = ()) -> None:
    """Check the target, let `write` fill a new temp file beside it, then rename it over the target.

    A failed or interrupted write leaves the target as it was (no half file); the temp file is removed.
    """
    target = check_target(path, protected)
    try:
        old_mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        old_mode = 0o666  # a new file: the umask applies as usual
    for _ in range(10):
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, old_mode)
            break
        except FileExistsError:
            continue
        except OSError as e:
            raise UserError(f"无法写入 {path}：{e.strerror or e}（cannot write）") from None
    else:
        raise UserError(f"无法写入 {path}：临时文件名都已被占用（cannot create a temp file）")
    os.close(fd)
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)  # the data reaches the disk before the rename makes it the target
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UserError(f"无法写入 {path}：{e.strerror or e}（cannot write）") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, bom: bool = False, protected: Iterable[Path] = ()) -> None:
    """Write a whole text file atomically (temp file + rename); clear errors for unwritable paths."""

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            f.write(text)

    write_with(path, fill, protected)
