"""Typed list recall: match what the user typed to a card's items, score each item, suggest a grade, hints."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from sysplan_study.decks.model import Card, Item
from sysplan_study.store.history import ItemResult

# A typed line counts as an item when its similarity reaches this (0-100) and no item of another list is closer.
# Chosen from the real decks: every item typed with width/punctuation/synonym variations or a few characters
# missing scores above it; different items of one deck reach up to ~90 against each other ("服务可用性" /
# "服务可靠性"), which no threshold separates, so look-alikes are told apart by the closest-item rule instead
# (tests/test_recall.py checks both over all shipped decks).
MATCH_THRESHOLD = 70
# Short typed lines are compared against the whole item only; longer ones may match a leading/inner part.
PARTIAL_MIN_SHARE = 0.6

# Wording pairs the study notes (and candidates) use interchangeably: both sides fold to the first form, so
# "保证"/"确保" or a seed-garbled "改善" for "改进" is not counted as a miss.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("确保", "保证"), ("相关", "有关"), ("情况", "状况"), ("适当", "合适"), ("利用", "运用"), ("各种", "多种"),
    ("收集", "搜集"), ("保存", "保留"), ("准确", "精确"), ("当前", "目前"), ("参考", "参照"), ("以前", "此前"),
    ("现有", "既有"), ("遵循", "遵照"), ("连续性", "持续性"), ("降低", "减少"), ("避免", "防止"),
    ("结果", "成果"), ("方法", "措施"), ("运营", "运行"), ("具体", "详细"), ("依据", "根据"), ("解决", "处理"),
    ("主动", "积极"), ("改进", "改善"), ("回顾", "回忆"), ("达到", "达成", "抵达"), ("目标", "目的"),
    ("因素", "原因"), ("报告", "汇报"), ("策略", "方略"), ("要求", "规定"), ("说明", "阐明"), ("实施", "实行"),
    ("部署", "布署"), ("发布", "公布"), ("是否", "与否"), ("可能", "也许"), ("充分", "充足"), ("适用", "合用"),
    ("团队", "团体"), ("成员", "组员"), ("用户", "顾客"), ("重复", "反复"), ("演练", "演习"), ("认可", "承认"),
    ("日常", "平常"), ("标准", "原则"), ("主要", "重要"), ("采取", "采用"), ("分配", "分派"), ("预防", "防止"),
)
_FILLERS = re.compile(r"[的地得之及和与并对]")
_NUMBERING = re.compile(r"^\s*(?:[(（]?\s*\d+\s*[)）]?\s*[、.．:：]?|[A-Za-z][.．、)）]|[一二三四五六七八九十]+[、.．])\s*")
SPLIT_RE = re.compile(r"[、，,；;]")


def _fold_synonyms(text: str) -> str:
    for group in SYNONYMS:
        for variant in group[1:]:
            text = text.replace(variant, group[0])
    return text


def normalize(text: str) -> str:
    """Fold width, case, punctuation, spaces, numbering, filler words and listed synonyms for comparison."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NUMBERING.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")
    text = _fold_synonyms(text)
    return _FILLERS.sub("", text)


def similarity(typed: str, expected: str) -> float:
    """0-100 similarity of two normalised strings; a long enough typed line may match part of the item."""
    from rapidfuzz import fuzz

    if not typed or not expected:
        return 0.0
    score = fuzz.ratio(typed, expected)
    shorter, longer = sorted((len(typed), len(expected)))
    if shorter / longer >= PARTIAL_MIN_SHARE:
        score = max(score, fuzz.partial_ratio(typed, expected) * 0.95)
    return float(score)


@dataclass(frozen=True)
class ItemMatch:
    """One expected item and the typed line credited for it (None when missed)."""

    index: int
    item: Item
    typed: str | None
    score: float

    @property
    def recalled(self) -> bool:
        """True when a typed line was credited to this item."""
        return self.typed is not None


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
    def total(self) -> int:
        """How many items were expected."""
        return len(self.matches)

    @property
    def share(self) -> float:
        """Fraction recalled, 0.0-1.0."""
        return self.recalled / self.total if self.total else 0.0

    def item_results(self) -> list[ItemResult]:
        """Per-item rows for the store."""
        return [ItemResult(m.index, m.item.text, m.recalled) for m in self.matches]


def _candidates(lines: Sequence[str], norm_expected: Sequence[str], vocabulary: "Vocabulary | None") -> list[str]:
    """Typed lines → answers: a line is split at 、，； only when it does not match an item whole, since some
    items contain those marks themselves."""
    out: list[str] = []
    for line in lines:
        line = line.strip()
        parts = [p.strip() for p in SPLIT_RE.split(line) if p.strip()]
        if len(parts) > 1:
            whole = normalize(line)
            best = max((similarity(whole, e) for e in norm_expected), default=0.0)
            if vocabulary is not None and best < MATCH_THRESHOLD:
                best = vocabulary.best_other(whole, set())
            if best >= MATCH_THRESHOLD:
                parts = [line]
        out.extend(parts)
    return out


@dataclass(frozen=True)
class Vocabulary:
    """Every item of the loaded decks, normalised once: the competitors a typed line is checked against."""

    normalized: tuple[str, ...] = ()

    @classmethod
    def of(cls, cards: Sequence[Card]) -> "Vocabulary":
        """Collect the top-level items of these cards."""
        return cls(tuple(dict.fromkeys(normalize(i.text) for c in cards for i in c.items)))

    def best_other(self, typed: str, excluded: set[str]) -> float:
        """The best similarity of a typed line to any item not in this list."""
        best = 0.0
        for other in self.normalized:
            if other not in excluded:
                best = max(best, similarity(typed, other))
                if best >= 100:
                    break
        return best


def match(card: Card, typed_lines: Sequence[str], vocabulary: Vocabulary | None = None) -> RecallResult:
    """Credit each typed answer to at most one expected top-level item, best scores first.

    With a vocabulary, a line that is closer to an item of another list (a look-alike list mixed up) is not
    credited even when it resembles an item of this one.
    """
    norm_expected = [normalize(item.text) for item in card.items]
    candidates = _candidates(typed_lines, norm_expected, vocabulary)
    norm_typed = [normalize(t) for t in candidates]
    pairs = []
    for ti, t in enumerate(norm_typed):
        for ei, e in enumerate(norm_expected):
            s = similarity(t, e)
            if s >= MATCH_THRESHOLD:
                pairs.append((s, ti, ei))
    if vocabulary is not None and pairs:
        own = set(norm_expected)
        rival = {ti: vocabulary.best_other(norm_typed[ti], own) for ti in {p[1] for p in pairs}}
        pairs = [p for p in pairs if p[0] >= rival[p[1]]]
    pairs.sort(key=lambda p: (-p[0], p[2], p[1]))
    used: set[int] = set()
    credit: dict[int, tuple[int, float]] = {}
    for s, ti, ei in pairs:
        if ti in used or ei in credit:
            continue
        used.add(ti)
        credit[ei] = (ti, s)
    matches = tuple(
        ItemMatch(ei, item, candidates[credit[ei][0]] if ei in credit else None, credit[ei][1] if ei in credit else 0.0)
        for ei, item in enumerate(card.items)
    )
    extras = tuple(t for i, t in enumerate(candidates) if i not in used and norm_typed[i])
    return RecallResult(matches, extras)


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
