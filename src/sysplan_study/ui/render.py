"""Rich renderables for cards, answers and tables; shared by the commands and the interactive screens."""

from __future__ import annotations

import os
import sys
from typing import Any, Iterable, Sequence

from sysplan_study.decks.model import Card, Item

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def console(stderr: bool = False) -> Any:
    """A Rich console; honours NO_COLOR and plain output when not a terminal."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False, no_color="NO_COLOR" in os.environ or None)


def item_label(depth: int, index: int) -> str:
    """(1) for top-level items, A. for sub-items, a) below that."""
    if depth == 0:
        return f"({index + 1})"
    if depth == 1:
        return f"{LETTERS[index % 26]}."
    return f"{LETTERS[index % 26].lower()})"


def item_text(item: Item) -> str:
    """An item's text with its cut-off mark."""
    return item.text + ("…（原文截断）" if item.cut_off else "")


def answer_lines(items: Sequence[Item], depth: int = 0) -> list[tuple[int, str, str, str | None]]:
    """Flatten items to (depth, label, text, note) rows in order."""
    rows: list[tuple[int, str, str, str | None]] = []
    for i, item in enumerate(items):
        rows.append((depth, item_label(depth, i), item_text(item), item.note))
        rows.extend(answer_lines(item.children, depth + 1))
    return rows


def answer_table(items: Sequence[Item], marks: Sequence[str] | None = None) -> Any:
    """Numbered items in a grid so wrapped CJK lines stay aligned under their text; optional ✓/✗ column."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    if marks is not None:
        grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column(ratio=1)
    for n, (depth, label, text, note) in enumerate(answer_lines(items)):
        body = Text("  " * depth + (label + " " if depth else "") + text)
        if note:
            body.append(f"  〔注：{note}〕", style="dim")
        cells: list[Any] = [label if depth == 0 else "", body]
        if marks is not None:
            cells.insert(0, marks[n] if n < len(marks) else "")
        grid.add_row(*cells)
    return grid


def prompt_panel(card: Card, subtitle: str | None = None, extra: Any = None) -> Any:
    """The question side of a card."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    body: list[Any] = [Text(card.prompt, style="bold")]
    if extra is not None:
        body.append(extra)
    return Panel(Group(*body), title=card.id, title_align="left", subtitle=subtitle, subtitle_align="right")


def card_panel(card: Card) -> Any:
    """Question and answer of a card, for `show` and the revealed side of a review."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = [Text(card.prompt, style="bold"), Text(""), answer_table(card.items)]
    if card.note:
        parts.append(Text(f"注：{card.note}", style="dim"))
    if card.source:
        parts.append(Text(f"出处：{card.source}", style="dim"))
    return Panel(Group(*parts), title=card.id, title_align="left")


def card_text(card: Card) -> str:
    """Plain-text rendering (no Rich): prompt then numbered items, for pipes and tests."""
    lines = [card.prompt]
    for depth, label, text, note in answer_lines(card.items):
        lines.append("  " * (depth + 1) + f"{label} {text}" + (f"  〔注：{note}〕" if note else ""))
    return "\n".join(lines)


def simple_table(columns: Iterable[str], rows: Iterable[Iterable[Any]], title: str | None = None) -> Any:
    """A plain Rich table (CJK-aware widths) for lists of decks, cards and stats."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAVY)
    for i, col in enumerate(columns):
        # Ids stay whole on one line; long text columns wrap (Rich measures CJK as double width).
        table.add_column(col, no_wrap=(i == 0), overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def is_tty() -> bool:
    """True when both stdin and stdout are terminals (the interactive key-press mode)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
