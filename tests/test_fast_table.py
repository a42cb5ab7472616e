"""The fast paths of the screens draw exactly what Rich draws: FastTable/OneLine against render.simple_table, and
ui.wrap's one-line shortcuts against the full line breaking, byte for byte, in colour and plain."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from rich.console import Console
from rich.text import Span, Text

from sysplan_study.ui import wrap as wrapping
from sysplan_study.ui.fast_table import FastTable, plain_table
from sysplan_study.ui.render import simple_table

COLUMNS = ["id", "类型", "卡片", "新", "到期", "标题"]
ALPHABET = list("abcdefgxyz_-.0123") + list("服务目录章节术语自建（）")
ODD = [" ", "é", "e\u0301", "\t", "👍", "[b]", "[/]", "\u200b", "\u3000", "\x1b", "\u200d", "\ufe0f", "\n"]
CONSOLES: list[dict[str, Any]] = [
    {}, {"force_terminal": True, "color_system": "truecolor"},
    {"force_terminal": True, "color_system": "standard", "no_color": True},
]


def _render(renderable: Any, width: int, **kw: Any) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, emoji=False, soft_wrap=False, **kw)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _word(rng: random.Random, n: int, odd: bool) -> str:
    return "".join(rng.choice(ALPHABET + ODD if odd else ALPHABET) for _ in range(n))


def _rows(rng: random.Random) -> list[list[Any]]:
    odd = rng.random() < 0.3
    return [[_word(rng, rng.randint(0, 14), odd), rng.choice(["章节", "术语", "自建", "user x", None]),
             rng.randint(0, 99_999), rng.randint(0, 500), rng.choice([0, 7, "x"]) if rng.random() < 0.05 else 3,
             rng.choice([_word(rng, rng.randint(0, 40), odd), "  a b  ", 5, None])]
            for _ in range(rng.randint(0, 6))]


def test_fast_table_is_simple_table_byte_for_byte() -> None:
    rng = random.Random(14)
    drawn_fast = 0
    for _ in range(150):
        rows = _rows(rng)
        columns = COLUMNS if rng.random() < 0.9 else ["i d", "x", "y", "z", "w", "v"]
        for width in (rng.randint(5, 150), 60, 80):
            for kw in CONSOLES:
                expected = _render(simple_table(columns, rows), width, **kw)
                assert _render(plain_table(columns, rows), width, **kw) == expected, (rows, width, kw)
                assert _render(FastTable(columns, rows), width, **kw) == expected, (rows, width, kw)
                console = Console(file=io.StringIO(), width=width, **kw)
                drawn_fast += FastTable(columns, rows)._lines(console, console.options) is not None
    assert drawn_fast > 200  # the fast path itself was compared, not only the fallback


def test_fast_table_leaves_odd_consoles_to_rich() -> None:
    rows = [["design", "章节", 32, 4, 13, "IT服务规划设计"]]
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="replace")
    for console in (Console(file=ascii_out, width=80), Console(file=io.StringIO(), width=80, legacy_windows=True)):
        assert FastTable(COLUMNS, rows)._lines(console, console.options) is None
    themed = {"force_terminal": True, "color_system": "truecolor"}
    from rich.theme import Theme

    for kw in ({"theme": Theme({"table.header": "italic red"}), **themed}, {"width": 200}):
        width = kw.pop("width", 80)
        assert _render(FastTable(COLUMNS, rows), width, **kw) == _render(simple_table(COLUMNS, rows), width, **kw)


def test_one_line_cells_render_as_text() -> None:
    from sysplan_study.ui.fast_table import OneLine

    rng = random.Random(3)
    for _ in range(400):
        value = _word(rng, rng.randint(0, 12), rng.random() < 0.4)
        width, justify = rng.randint(1, 16), rng.choice(["left", "right", "center", None])
        for kw in CONSOLES:
            console = Console(file=io.StringIO(), width=40, **kw)
            options = console.options.update(width=width, justify=justify, overflow="fold")
            fast = list(console.render(OneLine(value), options))
            assert fast == list(console.render(Text(value), options)), (value, width, justify)


@pytest.mark.parametrize("seed", [1, 2])
def test_wrap_shortcut_breaks_lines_as_the_full_algorithm(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    texts = ["", " ", "  a", "a  ", "ab \u0301", "👨\u200d👩\u200d👧 家庭", "❤\ufe0f心", "（共9项）", "x\x1c",
             "【1.1 服务目录的结构和内容】服务目录", "full\u3000width\u3000", "design.catalog.activities"]
    texts += [_word(rng, rng.randint(0, 40), True) for _ in range(1500)]
    widths = (2, 3, 5, 8, 13, 20, 37, 76, 200)
    fast = [wrapping.wrap(t, w) for t in texts for w in widths]
    monkeypatch.setattr(wrapping, "_fits", lambda text, width: False)
    assert fast == [wrapping.wrap(t, w) for t in texts for w in widths]


def test_wrapped_lines_are_the_texts_slices() -> None:
    """A line that is the whole text is the text itself; every other line its slice, spans and all."""
    rng = random.Random(7)
    for _ in range(300):
        plain = _word(rng, rng.randint(0, 30), rng.random() < 0.3).replace("\n", " ")
        text = Text(plain, style=rng.choice(["", "bold"]))
        for _ in range(rng.randint(0, 3)):
            a = rng.randint(0, len(plain))
            text.stylize(rng.choice(["reverse", "dim"]), a, rng.randint(a, len(plain)))
        if plain and rng.random() < 0.2:
            text.spans.append(Span(1, 1, "red"))  # an empty span, which slicing drops
        width = rng.randint(2, 40)
        w = wrapping.Wrapped(text, prefix=rng.choice(["", "  (1) "]))
        console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="truecolor")
        expected = []
        for n, (start, end) in enumerate(wrapping.wrap(w.text.plain, max(2, width - w.indent))):
            head = Text()
            head.append_text(w.prefix if n == 0 else Text(" " * w.indent))
            head.append_text(w.text[start:wrapping.visible_end(w.text.plain, start, end)])
            expected.append(list(head.render(console)))
        assert [list(line.render(console)) for line in w.lines(width)] == expected
