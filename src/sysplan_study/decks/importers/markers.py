"""Finding candidate markers in notes text, and the editorial marks (repairs, doubtful reversals) on its spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sysplan_study.decks.importers.clean import LOST, REPAIR_CLOSE, REPAIR_OPEN
from sysplan_study.decks.importers.garble import Reversal
from sysplan_study.decks.importers.labels import CHAPTER_NUMERALS

FULL_WIDTH = str.maketrans("（）：，．；０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
                    "():,.;0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NUM = CHAPTER_NUMERALS
_MARKER = re.compile(
    r"(?P<item>\(\s*(?P<item_n>\d{1,2}|#)\s*\)\s*[、.,]?)"
    r"|(?P<sub2>(?<![\d(.])(?P<sub2_n>\d{1,2})\)\s*[、.]?)"
    r"|(?P<sec>(?<![\d.])(?P<sec_n>\d{1,2}(?:\.\d{1,2}){1,3})(?![\d.])\s*[、.]?)"
    r"|(?P<sub>(?<![\d.])(?P<sub_n>\d{1,2})\s*、)"
    r"|(?P<line_n>(?:^|(?<=\n))[ \t]*(?P<line_nn>\d{1,2})[.](?!\d)\s*)"
    rf"|(?P<ch>第(?P<ch_a>[{_NUM}]{{1,3}})章\s*|(?P<ch_b>[{_NUM}]{{1,3}})(?:、|\s+|(?=[A-Za-z\u4e00-\u9fff])))"
    r"|(?P<let>(?<![A-Za-z])(?P<let_c>[A-Z])\s*[、.](?![A-Za-z\d]))"
    r"|(?P<circ>[\u2460-\u2473])"
    r"|(?P<nl>\n)"
)
# Rank of item markers: a marker of higher rank than a field's own items closes the field (it is a heading).
RANK = {"sub": 5, "sub2": 4, "line_n": 3, "item": 3, "circ": 2, "let": 1, "line": 0}


@dataclass
class Token:
    kind: str  # item sub2 sec sub line_n ch let circ nl text
    start: int
    end: int
    value: str = ""  # the number, letter or text


@dataclass
class Mark:
    """A correction made while cleaning, at a span of the parsed text (becomes a source_note)."""

    start: int
    end: int
    text: str
    counted: bool = True


def strip_repair_marks(text: str, reversals: list[Reversal]) -> tuple[str, list[Mark]]:
    """Remove the repair marks, returning the plain text and every mark (repairs, doubtful reversals) on it."""
    plain: list[str] = []
    index = [0] * (len(text) + 1)
    marks: list[Mark] = []
    opened = -1
    for i, ch in enumerate(text):
        index[i] = len(plain)
        if ch == REPAIR_OPEN:
            opened = len(plain)
        elif ch == REPAIR_CLOSE:
            note = "原文此处乱码（错位解码），已还原" + ("，□为无法还原的字" if LOST in "".join(plain[opened:]) else "")
            marks.append(Mark(opened, len(plain), note))
        else:
            plain.append(ch)
    index[len(text)] = len(plain)
    for r in reversals:
        if r.doubtful:
            marks.append(Mark(index[r.start], index[r.end], r.describe()))
    return "".join(plain), marks


def tokenize(text: str, norm: str) -> list[Token]:
    """Candidate markers and the text between them (markers are checked against the numbering later)."""
    out: list[Token] = []
    pos = 0
    for m in _MARKER.finditer(norm):
        kind = next(k for k in ("item", "sub2", "sec", "sub", "line_n", "ch", "let", "circ", "nl") if m.group(k))
        value = (m.group("item_n") or m.group("sub2_n") or m.group("sec_n") or m.group("sub_n")
                 or m.group("line_nn") or m.group("ch_a") or m.group("ch_b") or m.group("let_c")
                 or m.group("circ") or "")
        if m.start() > pos:
            out.append(Token("text", pos, m.start(), text[pos:m.start()]))
        out.append(Token(kind, m.start(), m.end(), value))
        pos = m.end()
    if pos < len(text):
        out.append(Token("text", pos, len(text), text[pos:]))
    return out
