"""Line breaking over terminal cells with Chinese rules (kinsoku): what Rich's own wrapping does not know.

`wrap` returns where each line starts and ends in the original string, so joining the lines gives the text
back unchanged (styled spans survive: callers cut a rich Text at the same offsets). The rules, strongest first:

- a line never starts with a space (spaces hang at the end of the line and do not count towards its width)
  and never breaks inside a grapheme (emoji with modifiers, combining accents);
- kinsoku: no line starts with closing punctuation and no line ends with an opening bracket;
- a run of narrow characters (an ASCII word, a number such as 1.1, an id) is not split, and when it must be,
  it is split after . / - first (design.catalog. | activities);
- a section label such as `【1.1 服务目录的结构和内容】` or a count `(共9项)` is not split.

When no break within the width satisfies every rule, the weakest rules are dropped one at a time (a label
wider than the line, then a word wider than the line, then punctuation).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

CLOSING = frozenset("，。、；：？！）」』】》〕］｝〉〗〙”’…％" + ",.;:?!)]}%")
OPENING = frozenset("（「『【《〔［｛〈〖〘“‘" + "([{")
# Spans never broken unless wider than the line: section labels and item counts.
ATOMS = re.compile(r"【[^【】\n]{1,40}】|[(（]共\s*\d+\s*项[)）]")

FREE, ATOM, WORD, CHAR, KINSOKU = 0, 1, 2, 3, 4  # how strong a rule a break at a boundary breaks (FREE: none)
JOINERS = frozenset("./-")  # inside a word (an id, a path) break after these first
NEVER = 9  # before a space or inside a grapheme


def is_space(ch: str) -> bool:
    """Spaces that may hang at the end of a line (any Unicode whitespace but the line break itself)."""
    return ch.isspace() and ch != "\n"


def visible_end(text: str, start: int, end: int) -> int:
    """End of text[start:end] without its trailing spaces (those hang outside the width)."""
    while end > start and is_space(text[end - 1]):
        end -= 1
    return end


@lru_cache(maxsize=2048)
def _graphemes(text: str) -> tuple[tuple[int, int, int], ...]:
    """(start, end, cells) of each grapheme, as Rich measures it."""
    from rich.cells import split_graphemes

    return tuple(split_graphemes(text)[0])


def _fits(text: str, width: int) -> bool:
    """True if the whole paragraph fits on one line: its cells without the trailing spaces are at most `width`.

    Exactly what the greedy loop decides (it then keeps the whole paragraph as one line): without a zero-width
    joiner or variation selector Rich's cell_len is the sum of the graphemes' cells, and the text without its
    trailing spaces holds every grapheme up to the last one that is not a space (at least what the loop counts).
    """
    if "\u200d" in text or "\ufe0f" in text:
        return False
    if len(text) <= width // 2:  # no character is wider than two cells
        return True
    from rich.cells import cell_len

    return cell_len(text.rstrip()) <= width  # str.rstrip() strips exactly what is_space calls a space here


def _levels(text: str, spans: tuple[tuple[int, int, int], ...]) -> list[int]:
    """For each boundary k (before grapheme k, 0 < k < n), the strongest rule a break there would break."""
    inside = [False] * (len(text) + 1)
    for m in ATOMS.finditer(text):
        # A count (共9项) also stays with what precedes it, so it never sits alone on a line.
        for i in range(m.start() + (text[m.start()] == "【"), m.end()):
            inside[i] = True
    levels = [NEVER] * len(spans)
    for k in range(1, len(spans)):
        a_start, _, a_cells = spans[k - 1]
        b_start, _, b_cells = spans[k]
        a, b = text[a_start], text[b_start]  # the base characters of the two graphemes
        if is_space(b):
            continue  # NEVER: spaces stay at the end of the line
        level = ATOM if inside[b_start] else FREE
        if a_cells == 1 and b_cells == 1 and not is_space(a):
            level = WORD if a in JOINERS else CHAR
        if b in CLOSING or a in OPENING:
            level = KINSOKU
        levels[k] = level
    return levels


def _wrap_paragraph(text: str, base: int, width: int, out: list[tuple[int, int]]) -> None:
    """Greedy: each line ends at the furthest boundary that fits, breaking the weakest rule only when needed."""
    if _fits(text, width):  # most items and headings: one line, no grapheme or rule needed
        out.append((base, base + len(text)))
        return
    spans = _graphemes(text)
    if not spans:
        out.append((base, base))
        return
    levels = _levels(text, spans)
    n = len(spans)
    pos = 0
    while pos < n:
        # limit: the furthest grapheme boundary such that the line without trailing spaces fits.
        first = spans[pos][2]
        used, pending = (0, first) if is_space(text[spans[pos][0]]) else (first, 0)
        limit = pos + 1
        for k in range(pos + 1, n):
            cells = spans[k][2]
            if is_space(text[spans[k][0]]):
                pending += cells
            elif used + pending + cells > width:
                break
            else:
                used, pending = used + pending + cells, 0
            limit = k + 1
        end = limit if limit == n else None
        if end is None:
            for level in (FREE, ATOM, WORD, CHAR, KINSOKU):
                end = next((k for k in range(limit, pos, -1) if levels[k] <= level), None)
                if end is not None:
                    break
        if end is None:  # only when the next grapheme is a space: cannot happen after `limit` absorbs spaces
            end = limit
        if end == n - 1 and levels[end] == FREE and end - 1 > pos + 1 and levels[end - 1] == FREE:
            end -= 1  # no lone last character (机 / 制): take one more down with it
        stop = spans[end][0] if end < n else len(text)
        out.append((base + spans[pos][0], base + stop))
        pos = end


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Break text into lines of at most `width` cells; returns (start, end) offsets of each line in `text`.

    A newline in the text ends a line (it belongs to no line); trailing spaces stay on their line but do not
    count towards the width. Widths below 2 are treated as 2 (one wide character must fit).
    """
    width = max(2, width)
    out: list[tuple[int, int]] = []
    base = 0
    for para in text.split("\n"):
        _wrap_paragraph(para, base, width, out)
        base += len(para) + 1
    return out


def wrap_lines(text: str, width: int) -> list[str]:
    """The lines themselves (trailing spaces kept), for tests and plain output."""
    return [text[s:e] for s, e in wrap(text, width)]


class Wrapped:
    """A Rich renderable: styled text wrapped by `wrap` to the width it is given, with a first-line prefix
    (e.g. an item label) and a hanging indent under the text for the following lines."""

    def __init__(self, text: Any, prefix: Any = "", indent: int | None = None, style: str = "", *,
                 copy: bool = True):
        """`copy=False`: the caller hands a Text over (made for this, not changed afterwards), saving a copy."""
        from rich.text import Text

        if isinstance(text, Text):
            self.text = text.copy() if copy or "\t" in text.plain else text
        else:
            self.text = Text(str(text), style=style)
        if "\t" in self.text.plain:
            self.text.plain = self.text.plain.replace("\t", " ")  # a tab measures 0 cells but moves the cursor
        self.prefix = prefix if isinstance(prefix, Text) else Text(str(prefix))
        from rich.cells import cell_len

        self.indent = cell_len(self.prefix.plain) if indent is None else indent

    def lines(self, width: int) -> list[Any]:
        """The wrapped lines as Text (prefix or indent included)."""
        from rich.text import Text

        plain = self.text.plain
        avail = max(2, width - self.indent)
        out = []
        whole = all(0 <= s.start < s.end <= len(plain) for s in self.text.spans)
        for n, (start, end) in enumerate(wrap(plain, avail)):
            stop = visible_end(plain, start, end)
            # The whole text on one line is the text itself: slicing it would copy it span by span, unchanged
            # (slicing drops empty spans only, hence `whole`).
            line = self.text if whole and start == 0 and stop == len(plain) else self.text[start:stop]
            head = Text()  # unstyled: append_text turns each part's own style into a span, which render() keeps
            head.append_text(self.prefix if n == 0 else Text(" " * self.indent))
            head.append_text(line)
            out.append(head)
        return out

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        for line in self.lines(options.max_width):
            yield from line.render(console)
            yield Segment.line()

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        plain = self.text.plain
        longest = max((cell_len(p) for p in plain.split("\n")), default=0)
        words = [cell_len(w) for w in re.split(r"\s+", plain) if w and all(cell_len(c) == 1 for c in w)]
        shortest = min(max([2, *words]), 16)
        return Measurement(self.indent + shortest, self.indent + longest)
