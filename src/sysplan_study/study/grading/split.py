"""Cutting a typed line into answers: at every mark that may separate items, then joining pieces back where an
item itself contains the mark (设计SLA，测量方法和指标), choosing the cut that credits the most items."""

from __future__ import annotations

import re
from typing import Callable

# Marks between items: list punctuation, spaces (not between two English words), arrows, 和/及/与/以及 before
# the last item. An item containing one of them is joined back by the search below.
_SEPARATOR = re.compile(
    r"(?:\s*(?:->|=>|→|⇒|➔|—>|-{1,2}>|[、，,；;。|/／>＞])\s*)+|[\s\u3000]+|以及|[和及与]"
)
MAX_JOIN = 12  # atoms one answer may span (a longer line is first tried whole)
CONJUNCTIONS = ("和", "及", "与", "以及")
SHORT_PIECE = 4  # an unmatched piece this short beside 和 may still be a (wrong) list item of its own: 申请和审批


def atoms(line: str) -> list[tuple[int, int, bool]]:
    """(start, end, cut at a conjunction before it) of the pieces of a line between separating marks."""
    spans: list[tuple[int, int, bool]] = []
    start, conj = 0, False
    for m in _SEPARATOR.finditer(line):
        sep = m.group(0)
        if sep.isspace() and _ascii_letter(line, m.start() - 1) and _ascii_letter(line, m.end()):
            continue  # "Service Level Agreement" is one answer
        is_conj = sep in CONJUNCTIONS
        if is_conj and (m.start() == start or m.end() == len(line)):
            continue
        if m.start() > start:
            spans.append((start, m.start(), conj))
        start, conj = m.end(), is_conj
    if start < len(line):
        spans.append((start, len(line), conj))
    return [s for s in spans if line[s[0]:s[1]].strip()]


def _ascii_letter(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalpha()


def best_cut(line: str, value: Callable[[str], float], credited: Callable[[str], bool]) -> list[str]:
    """The pieces of a line that together score most under `value` (fewer pieces on a tie). A cut at 和/及/与
    beside a longer phrase that is no answer costs more than it gains: it would free a fragment of that phrase."""
    spans = atoms(line)
    if not spans:
        return []
    n = len(spans)
    best: list[tuple[float, list[str]]] = [(0.0, [])] + [(-1e9, [])] * n
    for i in range(1, n + 1):
        for j in range(max(0, i - MAX_JOIN), i):
            piece = line[spans[j][0]:spans[i - 1][1]].strip()
            gain = value(piece)
            at_conj = spans[j][2] or (i < n and spans[i][2])
            if at_conj and not credited(piece) and len(piece) > SHORT_PIECE:
                gain -= 1.5  # 投入足够的资源和时间: the fragment 时间 is not the SLA's 服务时间
            total = best[j][0] + gain - 0.001
            if total > best[i][0]:
                best[i] = (total, best[j][1] + [piece])
    return best[n][1]
