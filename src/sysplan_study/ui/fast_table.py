"""`render.simple_table` (no title) drawn without Rich's table machinery when every cell is one line.

Rich lays a table out cell by cell (a Padding, a measurement and a render_lines per cell, a Text wrapped,
justified and joined for each value): ~15 ms for the 47 decks of a large home, the most of `sysplan decks`
once the decks are loaded. When the table fits the width and every value is one line of printable text, its
lines are simply the values padded to the column widths: `FastTable` yields those (the header's cells styled
as Rich styles them). Anything else (too narrow, a value with spaces or control characters, a legacy Windows
or ASCII-only console) is rendered by Rich as before, with `OneLine` cells, which skip Text's wrapping when a
value is one word that fits. tests/test_fast_table.py checks every path against simple_table's output, byte for
byte, in colour and plain, at many widths.
"""

from __future__ import annotations

from typing import Any, Iterable

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text


class OneLine(Text):
    """A plain Text cell: rendered directly when it is one word that fits, else exactly as Text renders it."""

    def __rich_console__(self, console: Any, options: Any) -> Any:
        plain = self.plain
        width = options.max_width
        justify = options.justify
        if (self._spans or self.style or self.justify or self.overflow or self.no_wrap is not None
                or self.end != "\n" or options.no_wrap or options.overflow not in (None, "fold")
                or justify not in ("left", "right") or not plain or any(ch.isspace() for ch in plain)
                or not plain.isprintable() or cell_len(plain) > width or len(plain) > width):
            yield from super().__rich_console__(console, options)
            return
        # What Text.wrap gives for one word that fits: no break; "left" pads the line on the right to the
        # width, "right" on the left; joined and rendered without spans: the line, then the end.
        pad = " " * (width - cell_len(plain))
        yield Segment(plain + pad if justify == "left" else pad + plain)
        yield Segment("\n")


def plain_table(columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> Any:
    """render.simple_table(columns, rows) (no title), its cells but the last as OneLine."""
    from rich import box
    from rich.table import Table

    from sysplan_study.ui.render import wrapped

    cols = list(columns)
    rows = [list(r) for r in rows]
    table = Table(title=None, box=box.SIMPLE_HEAVY)
    for i, col in enumerate(cols):
        numeric = bool(rows) and all(isinstance(r[i], int) for r in rows)
        table.add_column(Text(str(col)), overflow="fold", ratio=1 if i == len(cols) - 1 else None,
                         justify="right" if numeric else "left")
    for row in rows:
        cells = ["" if v is None else v for v in row]
        table.add_row(*(c if hasattr(c, "__rich_console__") else OneLine(str(c)) for c in cells[:-1]),
                      wrapped(cells[-1]) if not hasattr(cells[-1], "__rich_console__") else cells[-1])
    return table


def _word(value: str) -> bool:
    """A value FastTable draws as is: printable, no whitespace, no zero-width joiner or variation selector."""
    return value.isprintable() and not any(ch.isspace() for ch in value) and "\u200d" not in value \
        and "\ufe0f" not in value


def _title(value: str) -> bool:
    """A last-column value FastTable draws as is: printable one-line text (plain spaces allowed)."""
    return value.isprintable() and "\u200d" not in value and "\ufe0f" not in value


class FastTable:
    """render.simple_table(columns, rows) with no title, drawn line by line when every cell is one line."""

    def __init__(self, columns: Iterable[str], rows: Iterable[Iterable[Any]]):
        self.columns = [str(c) for c in columns]
        self.rows = [list(r) for r in rows]

    def __rich_console__(self, console: Any, options: Any) -> Any:
        lines = self._lines(console, options)
        if lines is None:
            yield plain_table(self.columns, self.rows)
        else:
            yield from lines

    def _lines(self, console: Any, options: Any) -> list[Any] | None:
        """The table's segments as Rich would render them, or None when Rich has to lay the table out."""
        from rich import box
        from rich.style import Style

        if options.legacy_windows or options.ascii_only:
            return None  # Rich substitutes another box there
        n = len(self.columns)
        numeric = [bool(self.rows) and all(isinstance(r[i], int) for r in self.rows) for i in range(n)]
        values: list[list[str]] = []
        for row in self.rows:
            cells = ["" if v is None else v for v in row]
            if any(hasattr(c, "__rich_console__") for c in cells):
                return None
            values.append([str(c) for c in cells])
        if not all(_word(v) for v in self.columns) or not all(_word(v) for r in values for v in r[:-1]) \
                or not all(_title(r[-1]) for r in values):
            return None
        # Column widths as Rich measures them (the longest value, the title with its trailing spaces) plus one
        # space of padding each side; the table must fit beside its two edges and n - 1 dividers.
        widths = [2 + max(cell_len(v) for v in (self.columns[i], *(r[i] for r in values))) for i in range(n)]
        if sum(widths) > options.max_width - (n + 1):
            return None
        frame = box.SIMPLE_HEAVY
        null = Style.null()
        header = console.get_style("table.header") + console.get_style("")
        out = [Segment(frame.get_top(widths), null), Segment.line()]

        def fill(value: str, i: int, body: bool) -> str:
            """A value padded to its column: numbers to the right, but the last column's body cells are wrapped
            text, padded on the right whatever the column (its trailing spaces are then padding too)."""
            pad = " " * (widths[i] - 2 - cell_len(value))
            return pad + value if numeric[i] and not (body and i == n - 1) else value + pad

        rows = [self.columns, *values]
        for index, row in enumerate(rows):
            first, last = index == 0, index == len(rows) - 1
            left, right, divider = ((frame.head_left, frame.head_right, frame.head_vertical) if first else
                                    (frame.foot_left, frame.foot_right, frame.foot_vertical) if last else
                                    (frame.mid_left, frame.mid_right, frame.mid_vertical))
            if first:  # the header: each cell's padding and text in the header style, as Rich emits them
                out.append(Segment(left, null))
                for i, value in enumerate(row):
                    if i:
                        out.append(Segment(divider, null))
                    out += [Segment(" ", header), Segment(fill(value, i, False), header), Segment(" ", header)]
                out += [Segment(right, null), Segment.line()]
                out += [Segment(frame.get_row(widths, "head", edge=True), null), Segment.line()]
            else:  # body cells are unstyled: one plain segment per line
                text = divider.join(f" {fill(v, i, True)} " for i, v in enumerate(row))
                out += [Segment(f"{left}{text}{right}"), Segment.line()]
        out += [Segment(frame.get_bottom(widths), null), Segment.line()]
        return out
