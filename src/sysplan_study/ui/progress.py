"""Progress bars for slow work reported as (done, total), drawn by ui.delayed_bar (on a terminal, after a second)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sysplan_study.ui.delayed_bar import DelayedBar


@contextmanager
def replay_bar(label: str = "按复习记录重算日程（replaying the review log）") -> Iterator[DelayedBar]:
    """A (done, total) callback for replaying the review log, its bar taken off the screen however the work ends."""
    bar = DelayedBar(label)
    try:
        yield bar
    finally:
        bar.close()
