"""Typed list recall: match what the user typed to a card's items, score each item, suggest a grade, hints.

The marking itself (folding, words, sounds, terms, coverages) lives in study/grading/; this module decides which
typed answer goes to which item, keeps a look-alike of another list from being credited, and keeps the result.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Sequence

from sysplan_study.decks.model import Card, Item
from sysplan_study.store.history import ItemResult

# Parallel items of different lists that the notes use for the same thing: typing one credits the other (the
# closer-list rule would otherwise take the exact wording as proof the candidate meant the other list).
EQUIVALENT: tuple[tuple[str, ...], ...] = (
    ("人员互备性", "团队能力的互备性"),
    ("考核遵照SMART原则", "考核指标是否符合SMART原则"),
    ("考核结果落地有效", "考核评价结果应用是否真实落地有效"),
    ("规划与管理师的沟通协调能力", "系统规划管理师的沟通协调能力"),
)
# Quick look-alike test for the quiz's distractors (drills.py): two texts this similar (0-100) count as the same.
MATCH_THRESHOLD = 70
PARTIAL_MIN_SHARE = 0.6  # a text this much shorter may match part of the other
_FILLERS = re.compile(r"[的地得之及和与并对]")
PARTIAL_VALUE = 0.4  # a doubtful key phrase is worth less than a credited item when choosing how to cut a line


@dataclass(frozen=True)
class ItemMatch:
    """One expected item and the typed answer credited for it (None when missed); `partial` marks a doubtful
    match (a key phrase of a long item) that counts as missed unless the user accepts it."""

    index: int
    item: Item
    typed: str | None
    score: float
    partial: bool = False

    @property
    def recalled(self) -> bool:
        """True when a typed answer was credited to this item (a doubtful one only once accepted)."""
        return self.typed is not None and not self.partial

    @property
    def status(self) -> str:
        """"credited", "partial" or "missed"."""
        return "partial" if self.partial else "credited" if self.typed is not None else "missed"


@dataclass(frozen=True)
class RecallResult:
    """Outcome of typing a list from memory."""

    matches: tuple[ItemMatch, ...]
    extras: tuple[str, ...]

    @property
    def recalled(self) -> int:
        """How many expected items were recalled."""
        return sum(1 for m in self.matches if m.recalled)

    @property
    def partials(self) -> int:
        """How many items have only a doubtful (≈) match waiting to be accepted."""
        return sum(1 for m in self.matches if m.partial)

    @property
    def total(self) -> int:
        """How many items were expected."""
        return len(self.matches)

    @property
    def share(self) -> float:
        """Fraction recalled, 0.0-1.0."""
        return self.recalled / self.total if self.total else 0.0

    def accept_partials(self) -> "RecallResult":
        """The same result with every doubtful match credited (the user pressed y)."""
        return RecallResult(tuple(replace(m, partial=False) for m in self.matches), self.extras)

    def item_results(self) -> list[ItemResult]:
        """Per-item rows for the store."""
        return [ItemResult(m.index, m.item.text, m.recalled) for m in self.matches]

    def to_json(self, card_id: str) -> dict[str, Any]:
        """The `sysplan grade` object: items numbered from 1, credited true/false/"partial"."""
        return {
            "card_id": card_id,
            "items": [
                {"item": m.index + 1, "text": m.item.text, "credited": "partial" if m.partial else m.recalled,
                 "line": m.typed}
                for m in self.matches
            ],
            "unmatched": list(self.extras),
            "recalled": self.recalled,
            "total": self.total,
            "suggested_grade": suggest_grade(self.share),
        }


class Vocabulary:
    """Every item of the loaded decks (the competitors a typed answer is checked against) and the terms found in
    them. Nothing is prepared until the first answer is marked, so starting a session stays fast."""

    def __init__(self, cards: Sequence[Card] = ()):
        self._cards = tuple(cards)
        self._glossary: Any = None
        self._prepared: dict[str, Any] = {}
        self._contexts: dict[str, frozenset[str]] = {}
        self._others: tuple[list[str], list[Any]] | None = None
        self._groups: dict[str, tuple[str, ...]] | None = None

    @classmethod
    def of(cls, cards: Sequence[Card]) -> "Vocabulary":
        """A vocabulary of these cards' top-level items."""
        return cls(cards)

    @property
    def glossary(self) -> Any:
        """Acronyms and English names of the terms deck (study/grading/terms.py)."""
        if self._glossary is None:
            from sysplan_study.study.grading.terms import Glossary

            self._glossary = Glossary.of(self._cards)
        return self._glossary

    def prepare(self, text: str) -> Any:
        """The text folded, encoded and cut into sounded words (cached)."""
        got = self._prepared.get(text)
        if got is None:
            from sysplan_study.study.grading.compare import prepare

            got = self._prepared[text] = prepare(text, self.glossary)
        return got

    def context(self, card: Card) -> frozenset[str]:
        """Words of the card's question an answer may leave out."""
        got = self._contexts.get(card.prompt)
        if got is None:
            from sysplan_study.study.grading.compare import context_words

            got = self._contexts[card.prompt] = context_words(card.prompt, self.glossary)
        return got

    def equivalents(self, text: str) -> tuple[str, ...]:
        """Texts of items the notes use for the same thing as this one (EQUIVALENT)."""
        if self._groups is None:
            self._groups = {}
            for group in EQUIVALENT:
                for text_ in group:
                    self._groups[self.prepare(text_).key] = group
        group = self._groups.get(self.prepare(text).key, ())
        return tuple(t for t in group if t != text)

    def _other_items(self) -> tuple[list[str], list[Any]]:
        if self._others is None:
            seen: dict[str, Any] = {}
            for card in self._cards:
                for item in card.items:
                    p = self.prepare(item.text)
                    if p.key:
                        seen.setdefault(p.key, p)
            self._others = (list(seen), list(seen.values()))
        return self._others

    def rival(self, typed: Any, excluded: set[str]) -> Any:
        """The best full-credit verdict of a typed answer against an item of another list (None when none)."""
        from rapidfuzz import fuzz, process

        from sysplan_study.study.grading.compare import FULL, compare

        keys, prepared = self._other_items()
        best = None
        for _, _, i in process.extract(typed.key, keys, scorer=fuzz.ratio, limit=8, score_cutoff=40):
            if keys[i] in excluded:
                continue
            v = compare(typed, prepared[i])
            if v.kind == FULL and (best is None or v.score > best.score):
                best = v
        return best


_DEFAULT: Vocabulary | None = None


def _vocabulary(vocabulary: Vocabulary | None) -> Vocabulary:
    global _DEFAULT
    if vocabulary is not None:
        return vocabulary
    if _DEFAULT is None:
        _DEFAULT = Vocabulary()
    return _DEFAULT


def match(card: Card, typed_lines: Sequence[str], vocabulary: Vocabulary | None = None) -> RecallResult:
    """Credit each typed answer to at most one expected top-level item, full matches first, best scores first.

    A line may hold several answers (split where that credits more items). With a vocabulary, an answer that is
    another list's item more closely than this one's is not credited, and acronyms/English names are known.
    """
    from sysplan_study.study.grading import compare as cmp
    from sysplan_study.study.grading.split import best_cut

    vocab = _vocabulary(vocabulary)
    items = [vocab.prepare(i.text) for i in card.items]
    alike = [[vocab.prepare(t) for t in vocab.equivalents(i.text)] for i in card.items]
    context = vocab.context(card)
    rank = {cmp.FULL: 2, cmp.PARTIAL: 1, cmp.NONE: 0}
    cache: dict[str, list[Any]] = {}

    def verdicts(piece: str) -> list[Any]:
        if piece not in cache:
            typed = vocab.prepare(piece)
            out = []
            for item, others in zip(items, alike):
                v = max((cmp.compare(typed, e, context) for e in (item, *others)),
                        key=lambda v: (rank[v.kind], v.score))
                out.append(v)
            if not any(v.kind == cmp.FULL for v in out) and sum(v.kind == cmp.PARTIAL for v in out) > 1:
                out = [cmp.NO_MATCH if v.kind == cmp.PARTIAL else v for v in out]  # a phrase of several items
            cache[piece] = out
        return cache[piece]

    def value(piece: str) -> float:
        best = max(verdicts(piece), key=lambda v: (rank[v.kind], v.score), default=cmp.NO_MATCH)
        return 1 + best.score / 10000 if best.kind == cmp.FULL else PARTIAL_VALUE if best.kind == cmp.PARTIAL else 0.0

    def credited(piece: str) -> bool:
        return any(v.kind == cmp.FULL for v in verdicts(piece))

    own = {p.key for p in items}

    def cut(line: str) -> list[str]:
        whole = verdicts(line)
        if any(v.kind == cmp.FULL and v.plain_cover >= 0.9 for v in whole):
            return [line]  # the line is one item
        if vocabulary is not None and line:
            rival = vocab.rival(vocab.prepare(line), own)
            if rival is not None and rival.exact:
                return [line]  # the line is another list's item: its fragments prove nothing
        return best_cut(line, value, credited)

    pieces = [p for line in typed_lines if line.strip() for p in cut(line.strip())]
    pairs = []
    for ti, piece in enumerate(pieces):
        for ei, v in enumerate(verdicts(piece)):
            if v.kind == cmp.NONE:
                continue
            if vocabulary is not None:
                excluded = own | {e.key for e in alike[ei]}
                rival = vocab.rival(vocab.prepare(piece), excluded)
                if rival is not None and (
                    (rival.exact and not v.exact and v.context_dropped)
                    or (rival.typed_cover >= v.typed_cover and (v.kind == cmp.PARTIAL or rival.score > v.score))
                ):
                    continue  # what was typed is another list's item, or that item explains it at least as well
            pairs.append((rank[v.kind], v.score, ti, ei, v))
    pairs.sort(key=lambda p: (-p[0], -p[1], p[3], p[2]))
    used: set[int] = set()
    credit: dict[int, tuple[int, Any]] = {}
    for _, _, ti, ei, v in pairs:
        if ti in used or ei in credit:
            continue
        used.add(ti)
        credit[ei] = (ti, v)
    matches = tuple(
        ItemMatch(ei, item, pieces[credit[ei][0]], round(credit[ei][1].score, 1), credit[ei][1].kind == cmp.PARTIAL)
        if ei in credit else ItemMatch(ei, item, None, 0.0)
        for ei, item in enumerate(card.items)
    )
    extras = tuple(p for i, p in enumerate(pieces) if i not in used and strip_marks(p))
    return RecallResult(matches, extras)


def strip_marks(text: str) -> str:
    """The text without punctuation, symbols and spaces."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


def normalize(text: str) -> str:
    """Width, case, numbering, garbled wording, synonyms, particles and punctuation folded: for quick look-alike
    checks (drills) and display (a credited answer whose normal form differs from the item's is shown beside it)."""
    from sysplan_study.study.grading.text import fold

    return _FILLERS.sub("", strip_marks(fold(text)))


def similarity(typed: str, expected: str) -> float:
    """0-100 similarity of two normalised strings (quick look-alike test used by the quiz's drills; marking uses
    study/grading/compare.py)."""
    from rapidfuzz import fuzz

    if not typed or not expected:
        return 0.0
    score = fuzz.ratio(typed, expected)
    shorter, longer = sorted((len(typed), len(expected)))
    if shorter / longer >= PARTIAL_MIN_SHARE:
        score = max(score, fuzz.partial_ratio(typed, expected) * 0.95)
    return float(score)


def suggest_grade(share: float, highest: int = 5) -> int:
    """Grade from the share recalled: all → 5, ≥80% → 4, ≥60% → 3, ≥40% → 2, >0 → 1, none → 0; capped."""
    if share >= 1.0:
        grade = 5
    elif share >= 0.8:
        grade = 4
    elif share >= 0.6:
        grade = 3
    elif share >= 0.4:
        grade = 2
    elif share > 0:
        grade = 1
    else:
        grade = 0
    return min(grade, highest)


def first_chars(item: Item, n: int = 1) -> str:
    """The first n meaningful characters of an item (skipping punctuation)."""
    chars = [ch for ch in item.text if unicodedata.category(ch)[0] not in "PZ"]
    return "".join(chars[:n])


def hint(card: Card, level: int) -> str:
    """Hint number `level` (1-based): the first characters of every item, then one more full item per level.

    The prompt already says how many items there are (共N项), so no hint spends a grade point on repeating that.
    """
    if level <= 0:
        return ""
    if level == 1:
        return "首字：" + "·".join(first_chars(i) for i in card.items)
    index = level - 2
    if index >= card.count:
        return "没有更多提示了"
    return f"第{index + 1}项：{card.items[index].text}"


def max_hints(card: Card) -> int:
    """How many hints a card offers: first characters, then every item."""
    return 1 + card.count
