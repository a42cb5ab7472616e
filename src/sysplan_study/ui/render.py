"""Rich renderables for cards, answers and tables; shared by the commands and the interactive screens.

Deck text and anything typed reaches Rich only as `rich.text.Text` (never parsed as markup or emoji codes), and
long text is wrapped by `ui.wrap` (Chinese line breaking, hanging indents), never cut.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Iterable, NamedTuple, Sequence

from sysplan_study.decks.model import Card, Item

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def console(stderr: bool = False) -> Any:
    """A Rich console; honours NO_COLOR and plain output when not a terminal."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False, emoji=False,
                   no_color="NO_COLOR" in os.environ or None)


def text(value: Any, style: str = "") -> Any:
    """Plain text as a Rich Text: brackets, backslashes and :emoji: codes are shown as typed."""
    from rich.text import Text

    return Text(str(value), style=style)


def join(*parts: Any) -> Any:
    """Concatenate strings (plain, unstyled) and (string, style) pairs or Texts into one Text."""
    from rich.text import Text

    out = Text()
    for p in parts:
        if isinstance(p, Text):
            out.append_text(p)
        elif isinstance(p, tuple):
            out.append(str(p[0]), style=p[1])
        else:
            out.append(str(p))
    return out


def wrapped(value: Any, prefix: Any = "", indent: int | None = None, style: str = "") -> Any:
    """Text wrapped to the available width with a first-line prefix and a hanging indent."""
    from sysplan_study.ui.wrap import Wrapped

    return Wrapped(value, prefix, indent, style)


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


def item_body(item: Item, source: bool = False) -> Any:
    """An item's text with its candidate note (and, with `source`, its editorial note) in dim brackets."""
    body = text(item_text(item))
    if item.note:
        body.append(f"  〔注：{item.note}〕", style="dim")
    source_note = getattr(item, "source_note", None)
    if source and source_note:
        body.append(f"  〔整理：{source_note}〕", style="dim")
    return body


class Row(NamedTuple):
    """One line of an answer list: depth (0 = numbered item), label, body Text, optional mark (✓ ✗ ?)."""

    depth: int
    label: str
    body: Any
    mark: Any = None


def item_rows(items: Sequence[Item], depth: int = 0, source: bool = False) -> list[Row]:
    """Items and their sub-items as rows, in order."""
    rows: list[Row] = []
    for i, item in enumerate(items):
        rows.append(Row(depth, item_label(depth, i), item_body(item, source)))
        rows.extend(item_rows(item.children, depth + 1, source))
    return rows


def row_list(rows: Sequence[Row], marked: bool = False, indent: int = 0) -> Any:
    """Rows as wrapped lines: labels right-aligned, sub-items indented, text hanging under its first character."""
    from rich.cells import cell_len
    from rich.console import Group

    width = max((cell_len(r.label) for r in rows if r.depth == 0), default=0)
    lead = " " * indent
    out = []
    for r in rows:
        prefix = text(lead)
        if marked:
            prefix.append_text(r.mark if r.mark is not None else text(" "))
            prefix.append(" ")
        if r.depth == 0:
            prefix.append(r.label.rjust(width) + " ")
        else:
            prefix.append(" " * (width + 1 + 2 * (r.depth - 1)) + r.label + " ")
        out.append(wrapped(r.body, prefix))
    return Group(*out)


def answer_table(items: Sequence[Item], marks: Sequence[str] | None = None) -> Any:
    """Numbered items, wrapped with hanging indents so CJK lines stay under their text; optional ✓/✗ marks."""
    rows = item_rows(items)
    if marks is None:
        return row_list(rows)
    styled = {"✓": "green", "✗": "red"}
    return row_list([r._replace(mark=text(marks[n], styled.get(marks[n], "")) if n < len(marks) else None)
                     for n, r in enumerate(rows)], marked=True)


def _panel(body: list[Any], title: str, subtitle: str | None = None) -> Any:
    from rich.console import Group
    from rich.panel import Panel

    return Panel(Group(*body), title=text(title), title_align="left",
                 subtitle=text(subtitle) if subtitle else None, subtitle_align="right")


def prompt_panel(card: Card, subtitle: str | None = None, extra: Any = None) -> Any:
    """The question side of a card."""
    body: list[Any] = [wrapped(card.prompt, style="bold")]
    if extra is not None:
        body.append(extra)
    return _panel(body, card.id, subtitle)


def notes_of(card: Card, source: bool = False, indent: int = 0) -> list[Any]:
    """The card's candidate note, its citation and (with `source`) its editorial note, as wrapped dim lines."""
    lead = " " * indent
    out = []
    if card.note:
        out.append(wrapped(text(card.note, "dim"), text(lead + "注：", "dim")))
    source_note = getattr(card, "source_note", None)
    if source and source_note:
        out.append(wrapped(text(source_note, "dim"), text(lead + "整理：", "dim")))
    if card.source:
        out.append(wrapped(text(card.source, "dim"), text(lead + "出处：", "dim")))
    return out


def answer_block(card: Card) -> Any:
    """The revealed answer in a review or quiz: numbered items, then the card's note for candidates."""
    from rich.console import Group

    return Group(answer_table(card.items), *notes_of(card))


def card_panel(card: Card) -> Any:
    """Question and answer of a card, for `show` and the revealed side of a review."""
    parts: list[Any] = [wrapped(card.prompt, style="bold"), text(""), answer_table(card.items), *notes_of(card)]
    return _panel(parts, card.id)


def hint_line(level: int, hint: str, tail: str = "") -> Any:
    """"提示 2：首字：…" in cyan, then a plain tail; wrapped under the hint text."""
    head = f"提示 {level}："
    return wrapped(join((hint, "cyan"), tail), prefix=text(head, "cyan"))


def choice_panel(prompt: str, choices: Sequence[str], title: str, notes: Sequence[str] = ()) -> Any:
    """A multiple-choice question: the prompt, numbered choices wrapped under their text, then candidate notes."""
    body: list[Any] = [wrapped(prompt, style="bold")]
    body += [wrapped(choice, prefix=f"  {i}. ") for i, choice in enumerate(choices, 1)]
    body += [wrapped(note, prefix="  注：", style="dim") for note in notes]
    return _panel(body, title)


def card_text(card: Card) -> str:
    """Plain-text rendering (no Rich): prompt then numbered items, for pipes and tests."""
    lines = [card.prompt]
    for depth, label, body, note in answer_lines(card.items):
        lines.append("  " * (depth + 1) + f"{label} {body}" + (f"  〔注：{note}〕" if note else ""))
    return "\n".join(lines)


def simple_table(columns: Iterable[str], rows: Iterable[Iterable[Any]], title: str | None = None) -> Any:
    """A plain Rich table (CJK-aware widths); every cell is plain text and the last column wraps (put long
    text there, so its wrapped lines follow each other)."""
    from rich import box
    from rich.table import Table

    cols = list(columns)
    rows = [list(r) for r in rows]
    table = Table(title=text(title) if title else None, box=box.SIMPLE_HEAVY)
    for i, col in enumerate(cols):
        numeric = bool(rows) and all(isinstance(r[i], int) for r in rows)
        table.add_column(text(col), overflow="fold", ratio=1 if i == len(cols) - 1 else None,
                         justify="right" if numeric else "left")
    for row in rows:
        cells = ["" if v is None else v for v in row]
        table.add_row(*(c if hasattr(c, "__rich_console__") else text(c) for c in cells[:-1]),
                      wrapped(cells[-1]) if not hasattr(cells[-1], "__rich_console__") else cells[-1])
    return table


def print_paged(out: Any, renderable: Any) -> None:
    """Print, through the pager ($PAGER, else less -R) when stdout is a terminal and it is longer than the
    screen; plain printing otherwise (pipes, files, short output)."""
    if out.is_terminal and not out.is_dumb_terminal:
        lines = out.render_lines(renderable, out.options, pad=False)
        if len(lines) >= out.height:
            if not os.environ.get("PAGER") and not os.environ.get("MANPAGER"):
                os.environ.setdefault("LESS", "-R")  # less shows colours only with -R
            styles = sys.platform != "win32" and "R" in os.environ.get("LESS", "R").upper()
            with out.pager(styles=styles):
                out.print(renderable)
            return
    out.print(renderable)


def is_tty() -> bool:
    """True when both stdin and stdout are terminals (the interactive key-press mode)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
