"""Reading single key presses: termios on Linux/macOS, msvcrt on Windows (Windows Terminal, PowerShell, cmd).

Both give a whole character, so full-width digits typed with a Chinese input method (０-５) arrive intact and are
normalised (NFKC) to ASCII digits; Ctrl-C raises KeyboardInterrupt, Ctrl-D/Ctrl-Z/end of input give "\\x04".
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any, Callable

END = "\x04"  # what the readers return for end of input (Ctrl-D on POSIX, Ctrl-Z on Windows)
WINDOWS_PREFIXES = ("\x00", "\xe0")  # msvcrt: arrows and function keys come as a prefix plus a scan code


def normalise(text: str) -> str:
    """The first character of what was read, NFKC-normalised (full-width ５ → 5)."""
    return unicodedata.normalize("NFKC", text[:1]) if text else ""


def posix_reader(fd: int, termios: Any, tty: Any) -> Callable[[], str]:
    """Read one key in cbreak mode, restoring the terminal afterwards."""

    def read() -> str:
        old = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # TCSAFLUSH (the default) would drop keys typed ahead
            data = os.read(fd, 1)  # one key at a time: keys typed ahead stay queued for the next read
            if data and data[0] >= 0xC0:  # the lead byte of a multi-byte UTF-8 character (a full-width ５)
                want = 2 if data[0] < 0xE0 else 3 if data[0] < 0xF0 else 4
                while len(data) < want and (more := os.read(fd, want - len(data))):
                    data += more
            elif data == b"\x1b":
                _drain(fd)  # an escape sequence (arrow keys): not an answer
                data = b"\x1b"
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
        if not data:
            return END
        if data == b"\x1b":
            return ""
        return normalise(data.decode("utf-8", errors="ignore"))

    return read


def _drain(fd: int) -> None:
    """Discard the rest of an escape sequence (ESC [ … final byte, or ESC O x), and nothing after it."""
    import select

    def ready() -> bool:
        return bool(select.select([fd], [], [], 0.01)[0])

    if not ready():
        return
    intro = os.read(fd, 1)
    if intro not in (b"[", b"O"):
        return
    while ready():
        byte = os.read(fd, 1)
        if not byte or (intro == b"O") or 0x40 <= byte[0] <= 0x7E:
            return


def windows_reader(msvcrt: Any) -> Callable[[], str]:
    """Read one key with msvcrt.getwch (a Unicode character, no echo); special keys are skipped."""

    def read() -> str:
        while True:
            ch = msvcrt.getwch()
            if ch in WINDOWS_PREFIXES:
                msvcrt.getwch()  # the scan code of an arrow or function key: not an answer
                continue
            if ch == "\x03":
                raise KeyboardInterrupt
            if ch == "\x1a":
                return END
            return normalise(ch)

    return read


def key_reader(fd: int) -> Callable[[], str]:
    """The reader for this platform: termios where it exists, else msvcrt (Windows)."""
    try:
        import termios
        import tty
    except ImportError:
        import msvcrt

        return windows_reader(msvcrt)
    return posix_reader(fd, termios, tty)
