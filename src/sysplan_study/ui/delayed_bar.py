"""A progress bar for slow work reported as (done, total): drawn on stderr, only on a terminal, only once the work
has taken longer than a second (a warm start never shows one, and scripts and pipes never get one)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

DELAY_S = 1.0


class DelayedBar:
    """A (done, total) callback: nothing for the first second, then a transient bar that goes when done == total."""

    def __init__(self, label: str, stream: TextIO | None = None, delay: float = DELAY_S):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.started: float | None = None
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.started is None or done == 0:
            self.started = now
        if self._bar is None:
            if done >= total or now - self.started < self.delay or not _is_terminal(self.stream):
                return
            self._start(done, total)
        self._bar.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def _start(self, done: int, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(file=self.stream, stderr=self.stream is sys.stderr)
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console, transient=True)
        self._task = self._bar.add_task(self.label, total=total, completed=done)
        self._bar.start()

    def close(self) -> None:
        """Take the bar off the screen (safe to call more than once, or when none was drawn)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def deck_index_bar() -> DelayedBar:
    """The bar shown while deck files are parsed into the card index."""
    return DelayedBar("正在建立卡片索引（indexing decks）")
