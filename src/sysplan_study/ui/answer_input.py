"""Reading answers: single key presses on a terminal (ui/keys.py), one line per answer from a pipe."""

from __future__ import annotations

import sys
import unicodedata
from typing import Any, Callable, Protocol

from sysplan_study.errors import UserError
from sysplan_study.study.session import parse_grade
from sysplan_study.ui import render

QUIT, UNDO, HINT, REVEAL = "quit", "undo", "hint", "reveal"
MAX_LINE = 4000  # longer input lines are cut: nothing useful is that long


class Input(Protocol):
    """What the screens need from the keyboard or a pipe."""

    interactive: bool

    def read_reveal(self) -> str: ...
    def read_grade(self, highest: int, default: int | None) -> int | str: ...
    def read_lines(self, on_hint: Callable[[], None]) -> list[str] | str: ...
    def read_choice(self, n: int) -> int | str: ...


def _clean(line: str) -> str:
    line = line[:MAX_LINE].rstrip("\r\n")
    # Control characters become U+FFFD before stripping (strip() eats \x1c-\x1f), so a line of them is invalid
    # input rather than an empty "end" line.
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" and ch != "\t" else ch for ch in line).strip()


def collect_lines(next_line: Callable[[], str | None], on_hint: Callable[[], None]) -> list[str] | str:
    """Typed recall lines until an empty line; `?` asks for a hint, `q` (or end of input) quits."""
    lines: list[str] = []
    while True:
        line = next_line()
        if line is None or line.lower() in ("q", "ｑ"):
            return QUIT
        if line == "":
            return lines
        if line in ("?", "？"):
            on_hint()
            continue
        lines.append(line)


class LineInput:
    """Answers read line by line (stdin not a terminal): how tests and scripts drive the program."""

    interactive = False

    def __init__(self, stream: Any, out: Any):
        self.stream = stream
        self.out = out

    def _line(self) -> str | None:
        line = self.stream.readline()
        if line == "":
            return None
        return _clean(line)

    def read_reveal(self) -> str:
        return REVEAL

    def read_grade(self, highest: int, default: int | None) -> int | str:
        while True:
            line = self._line()
            if line is None:
                return QUIT
            if line == "":
                return default if default is not None else QUIT
            if line.lower() == "u":
                return UNDO
            if line.lower() == "q":
                return QUIT
            try:
                return parse_grade(line, highest)
            except UserError as e:
                self.out.print(render.wrapped(render.text(f"{e}；请重新输入", "yellow")))

    def read_lines(self, on_hint: Callable[[], None]) -> list[str] | str:
        return collect_lines(self._line, on_hint)

    def read_choice(self, n: int) -> int | str:
        while True:
            line = self._line()
            if line is None or line.lower() == "q" or line == "":
                return QUIT
            if line.lower() == "u":
                return UNDO
            text = unicodedata.normalize("NFKC", line)
            if text.isdigit() and 1 <= int(text) <= n:
                return int(text)
            self.out.print(f"[yellow]请输入 1-{n}[/yellow]")


class KeyInput:
    """Single key presses on a terminal: digits (also full-width ０-５ from a Chinese IME) grade without Enter."""

    interactive = True

    def __init__(self, out: Any, read_key: Callable[[], str] | None = None):
        self.out = out
        self.fd = sys.stdin.fileno() if read_key is None else -1
        self._read_key = read_key

    def key(self) -> str:
        """Read one key press (a whole character, so IME full-width digits arrive intact; see ui/keys.py)."""
        if self._read_key is None:
            from sysplan_study.ui.keys import key_reader

            self._read_key = key_reader(self.fd)
        return self._read_key()

    def read_reveal(self) -> str:
        while True:
            k = self.key()
            if k in (" ", "\r", "\n"):
                return REVEAL
            if k.lower() in ("h", "?"):
                return HINT
            if k.lower() == "u":
                return UNDO
            if k.lower() == "q" or k == "\x04":
                return QUIT
            self._status("空格/回车 显示答案 · h 提示 · u 撤销 · q 退出")

    def _status(self, message: str) -> None:
        """A key that does nothing: say what would work instead of staying silent."""
        from rich.text import Text

        self.out.print(Text(message, style="yellow"))

    def read_grade(self, highest: int, default: int | None) -> int | str:
        while True:
            k = self.key()
            if k.isdigit() and int(k) <= highest:
                return int(k)
            if k in ("\r", "\n") and default is not None:
                return default
            if k.lower() == "u":
                return UNDO
            if k.lower() == "q" or k == "\x04":
                return QUIT
            if k.isdigit() and int(k) <= 5:
                self._status(f"用了提示，最高只能评 {highest} 分")
            else:
                self._status(f"请按 0-{highest} 评分" + ("，回车接受建议" if default is not None else "")
                             + " · u 撤销 · q 退出")

    def read_lines(self, on_hint: Callable[[], None]) -> list[str] | str:
        def prompt() -> str | None:
            try:
                return _clean(input("> "))
            except EOFError:
                return None

        return collect_lines(prompt, on_hint)

    def read_choice(self, n: int) -> int | str:
        while True:
            k = self.key()
            if k.isdigit() and 1 <= int(k) <= n:
                return int(k)
            if k.lower() == "u":
                return UNDO
            if k.lower() == "q" or k == "\x04":
                return QUIT
            self._status(f"请按 1-{n} 选择 · u 撤销上一题 · q 退出")


def make_input(out: Any) -> Input:
    """Key presses on a terminal, else line-by-line answers from stdin."""
    return KeyInput(out) if render.is_tty() else LineInput(sys.stdin, out)


