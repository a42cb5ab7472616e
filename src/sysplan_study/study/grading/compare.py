"""One typed answer against one item: full credit, a doubtful key phrase (≈), or nothing, with the reason's figures.

Both texts are folded (text.py), their terms encoded (terms.py), cut into words (jieba) and compared by sound
(pinyin), so particles, synonyms, IME homophones and word order do not matter. Two coverages decide:
- typed coverage: how much of what was typed is in the item (a made-up item has a word the item lacks);
- item coverage: how much of the item was typed (a key phrase covers only part of a long item).
Words of the question itself (context: 工具 in 工具管理's "工具的淘汰") may be left out; a few generic words
(管理, 要素, 条款, 服务…) may be added or left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Collection

from sysplan_study.study.grading import lexicon
from sysplan_study.study.grading.terms import Encoded, Glossary, english_agrees
from sysplan_study.study.grading.text import GARBLED, SYNONYMS, fold, strip_marks

FULL, PARTIAL, NONE = "full", "partial", "none"
TYPED_FULL = 0.8  # share of the typed content found in the item for full credit (a made-up item scores ~0.67)
ITEM_FULL = 0.75  # share of the item's content typed for full credit
SHORTENED = 0.6  # … or less of a short item when everything typed is in it (响应呼叫 for 响应呼叫请求)
TYPED_PARTIAL = 0.9  # a key phrase: nearly all of it in the item …
MIN_PHRASE, MIN_LONG_ITEM = 4, 8  # … of at least 4 characters in a row, from an item of 8 characters of content
GENERIC = frozenset({"管理", "要素", "条款", "服务", "it", "工作", "方面", "进行", "相关", "情况"})
FILLERS = frozenset("的地得之及和与并对了等")


@dataclass(frozen=True)
class Prepared:
    """A text ready to compare: its encoding, its content words, their characters and sounds (one per character),
    and where a sound alone may match (a character jieba left on its own, as in an IME slip 处里, or one outside
    GB2312, as in the source's traditional 服務)."""

    encoded: Encoded
    words: tuple[str, ...]
    chars: str
    key: str  # the sounds: equal keys sound the same
    loose: tuple[bool, ...]
    symbols: frozenset[str] = frozenset()  # the sounds as a set, to skip hopeless comparisons quickly


@dataclass(frozen=True)
class Verdict:
    """How a typed answer matches one item."""

    kind: str
    score: float = 0.0  # 0-100: harmonic mean of the two coverages
    typed_cover: float = 0.0
    item_cover: float = 0.0
    exact: bool = False  # the same text once folded (not merely the same content words)
    plain_cover: float = 0.0  # share of everything typed (generic and question words too) found in the item
    context_dropped: bool = False  # credited only because the question's own words may be left out


NO_MATCH = Verdict(NONE)


def prepare(text: str, glossary: Glossary) -> Prepared:
    """Fold, encode terms, cut into words without particles, and sound each character."""
    encoded = glossary.encode(fold(text))
    words: list[str] = []
    for w in lexicon.words(strip_marks(encoded.text)):
        if w in FILLERS:
            continue
        if len(w) >= 4 and w[-2:] in GENERIC:  # 配置管理 is 配置 + 管理: the generic part may be left out
            words.extend((w[:-2], w[-2:]))
        else:
            words.append(w)
    words = _fold_homophones(words)
    chars = "".join(words)
    loose = tuple(len(w) == 1 or not _common(ch) for w in words for ch in w)
    key = lexicon.sound(chars)
    return Prepared(encoded, tuple(words), chars, key, loose, frozenset(key))


@lru_cache(maxsize=8192)
def _common(ch: str) -> bool:
    """A character a simplified-Chinese IME offers (GB2312), or not an ideograph at all."""
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return not ("\u3400" <= ch <= "\u9fff" or ch >= "\U00020000" or "\uf900" <= ch <= "\ufaff")


@lru_cache(maxsize=1)
def _variants_by_sound() -> dict[str, str]:
    """Sound of every synonym/garbled form (2-4 characters) → the form it folds to."""
    out: dict[str, str] = {}
    for v, c in GARBLED:
        out.setdefault(lexicon.sound(v), c)
    for group in SYNONYMS:
        for form in group:
            out.setdefault(lexicon.sound(form), group[0])
    return {k: v for k, v in out.items() if 2 <= len(k) <= 4}


def _fold_homophones(words: list[str]) -> list[str]:
    """A run of single characters jieba could not make a word of that sounds like a known form (争议处里: 处+里
    sounds like 处理) becomes that form's folded word."""
    table = _variants_by_sound()
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in (4, 3, 2):
            run = words[i:i + n]
            if len(run) == n and all(len(w) == 1 for w in run):
                hit = table.get(lexicon.sound("".join(run)))
                if hit is not None:
                    out.append(hit)
                    i += n
                    break
        else:
            out.append(words[i])
            i += 1
    return out


def context_words(prompt: str, glossary: Glossary) -> frozenset[str]:
    """Words of the question (2+ characters) an answer may leave out."""
    return frozenset(w for w in prepare(prompt, glossary).words if len(w) >= 2)


def compare(typed: Prepared, item: Prepared, context: Collection[str] = ()) -> Verdict:
    """Full, partial (a key phrase of a long item) or no match of one typed answer with one item."""
    if not english_agrees(typed.encoded, item.encoded):
        return NO_MATCH
    tp, ep = typed.key, item.key
    if not tp or not ep or len(typed.symbols & item.symbols) < min(2, len(typed.symbols), len(item.symbols)):
        return NO_MATCH
    t_hit, e_hit = _aligned(typed, item)
    if len(tp) == len(ep) and all(t_hit) and all(e_hit):
        return Verdict(FULL, 100.0, 1.0, 1.0, exact=True, plain_cover=1.0)
    _words_found(typed, item, t_hit, e_hit)
    _words_found(item, typed, e_hit, t_hit)
    # Generic words may be added (事件管理 for 事件) or left out (改进流程), not both at once (提高IT服务 is not
    # 提高服务管理). Only content counts: the question's own words may be left out, and when typed they prove
    # nothing (制定培训计划 shares only the question's 培训计划 with 执行人员培训计划).
    added = _uncovered(typed, t_hit, GENERIC)
    dropped = _uncovered(item, e_hit, GENERIC)
    generic_t = GENERIC if not dropped else frozenset()
    generic_e = GENERIC if not added else frozenset()
    t_got, t_need = _content(typed, t_hit, generic_t | (frozenset(context) & frozenset(item.words)))
    e_got, e_need = _content(item, e_hit, generic_e | frozenset(context))
    strict = not t_need or not e_need  # an answer or item made only of such words: everything counts
    if strict:
        t_got, t_need = sum(t_hit), len(tp)
        e_got, e_need = sum(e_hit), len(ep)
    tc, ec = min(t_got / t_need, 1.0), min(e_got / e_need, 1.0)
    score = 200 * tc * ec / (tc + ec) if tc and ec else 0.0
    plain = sum(t_hit) / len(tp)
    dropped_context = _uncovered(item, e_hit, frozenset(context))
    if (tc >= TYPED_FULL and ec >= ITEM_FULL) or (tc >= 0.95 and ec >= SHORTENED and not strict) or (
        tc >= 0.75 and ec >= 0.95
    ):
        return Verdict(FULL, score, tc, ec, plain_cover=plain, context_dropped=dropped_context)
    if (not strict and tc >= TYPED_PARTIAL and t_need >= 2 and len(tp) >= MIN_PHRASE and e_need >= MIN_LONG_ITEM
            and _longest_run(t_hit) >= MIN_PHRASE):
        return Verdict(PARTIAL, score, tc, ec, plain_cover=plain, context_dropped=dropped_context)
    return Verdict(NONE, score, tc, ec, plain_cover=plain)


def _aligned(a: Prepared, b: Prepared) -> tuple[list[bool], list[bool]]:
    """Positions of a and b on their longest common subsequence by sound (the in-order overlap), in runs of 2 or
    more (one character in common is chance: 营销/运营). Where the characters differ, the sound alone counts only
    at a loose position (事件 is not 时间, but 处里 is 处理)."""
    from rapidfuzz.distance import LCSseq

    a_hit, b_hit = [False] * len(a.key), [False] * len(b.key)
    for tag, a0, a1, b0, b1 in LCSseq.opcodes(a.key, b.key):
        if tag != "equal" or (a1 - a0 < 2 and len(a.key) > 1 and len(b.key) > 1):
            continue
        for i, j in zip(range(a0, a1), range(b0, b1)):
            if a.chars[i] == b.chars[j] or a.loose[i] or b.loose[j]:
                a_hit[i] = b_hit[j] = True
    return a_hit, b_hit


def _longest_run(hit: list[bool]) -> int:
    """The longest stretch covered (a key phrase is a clause of the item, not scattered words)."""
    best = run = 0
    for h in hit:
        run = run + 1 if h else 0
        best = max(best, run)
    return best


def _words_found(side: Prepared, other: Prepared, own_hit: list[bool], other_hit: list[bool]) -> None:
    """Words (2+ characters) of one side found elsewhere in the other, whatever the order: covered on both. Each
    place of the other side covers one word only (a word typed twice is not found twice). A word with a loose
    character (服務) may be found by sound."""
    pos = 0
    for word in side.words:
        n = len(word)
        if n >= 2 and not all(own_hit[pos:pos + n]):
            text, target = (other.key, side.key[pos:pos + n]) if any(side.loose[pos:pos + n]) else (other.chars, word)
            at = text.find(target)
            while at >= 0 and any(other_hit[at:at + n]):
                at = text.find(target, at + 1)
            if at >= 0:
                own_hit[pos:pos + n] = [True] * n
                other_hit[at:at + n] = [True] * n
        pos += n


def _uncovered(side: Prepared, hit: list[bool], words: Collection[str]) -> bool:
    """Whether some of these words of one side are not covered by the other side."""
    pos = 0
    for word in side.words:
        if word in words and not all(hit[pos:pos + len(word)]):
            return True
        pos += len(word)
    return False


def _content(side: Prepared, hit: list[bool], loose: Collection[str]) -> tuple[int, int]:
    """(covered, total) positions of the content words: all but the loose words (generic or the question's)."""
    got = need = pos = 0
    for word in side.words:
        if word not in loose:
            need += len(word)
            got += sum(hit[pos:pos + len(word)])
        pos += len(word)
    return got, need
