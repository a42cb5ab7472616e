"""Lists written without separators ("技术指标过程指标服务指标"): split only where the split is evident."""

from __future__ import annotations

import re

# Ends a list item or a title: sentence punctuation the notes put after items.
_PUNCT = re.compile(r"[，,。；;：:、！？!?（）()\s]")


def _occurrences(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def split_by_shared_word(text: str, min_parts: int = 2, max_len: int = 8) -> list[str] | None:
    """Split a run whose parts all end (or all start) with one repeated word: "动作机制持续改进机制" → 2 parts.

    Every part must be short (at most max_len characters) and hold the word once, so ordinary sentences that
    merely repeat a word are left alone.
    """
    if _PUNCT.search(text) or len(text) < 4:
        return None
    best: list[str] | None = None
    for size in (2, 3, 4):
        for word in {text[-size:], text[:size]}:
            suffix = word == text[-size:]
            starts = _occurrences(text, word)
            if len(starts) < min_parts:
                continue
            cuts = [s + size for s in starts] if suffix else starts
            bounds = sorted(set([0, *cuts, len(text)]))
            parts = [text[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
            ok = len(parts) >= min_parts and all(
                len(p) <= max_len and len(p) > size and p.count(word) == 1
                and (p.endswith(word) if suffix else p.startswith(word)) for p in parts
            )
            if ok and (best is None or len(parts) > len(best)):
                best = parts
    return best


def trailing_list(text: str, min_parts: int = 3) -> tuple[str, list[str]] | None:
    """A heading that runs on into a list of look-alike parts: "服务测量技术指标过程指标服务指标" → (服务测量, 3 parts).

    Of the possible cuts, the one giving the most parts of the most even length wins (later cut on a tie).
    """
    best: tuple[tuple[int, int, int], str, list[str]] | None = None
    for start in range(2, len(text) - 3):
        parts = split_by_shared_word(text[start:], min_parts=min_parts, max_len=6)
        if parts:
            lengths = [len(p) for p in parts]
            key = (len(parts), -(max(lengths) - min(lengths)), start)
            if best is None or key > best[0]:
                best = (key, text[:start], parts)
    return (best[1], best[2]) if best else None


def head_and_run(text: str, min_parts: int = 3) -> tuple[str, list[str]] | None:
    """An item that names a group, then lists its parts run together: "人员培训方案设计培训需求分析培训内容设计…".

    The head is at least 4 characters and the rest splits by a shared word into min_parts or more.
    """
    if _PUNCT.search(text):
        return None
    for start in range(4, min(10, len(text) - 5) + 1):
        parts = split_by_shared_word(text[start:], min_parts=min_parts, max_len=8)
        if parts:
            return text[:start], parts
    return None


def head_and_list(text: str) -> tuple[str, list[str]] | None:
    """"信息安全的属性：完整性、可用性、保密性" → head and its parts (three or more short parts)."""
    m = re.match(r"^([^：:，,、]{2,16})[：:](.+)$", text)
    if not m:
        return None
    parts = [p.strip() for p in re.split(r"[、，,]", m.group(2)) if p.strip()]
    if len(parts) >= 3 and all(len(p) <= 8 for p in parts):
        return m.group(1).strip(), parts
    return None


def cut_title(text: str, endings: tuple[str, ...], limit: int = 12) -> tuple[str, str]:
    """A heading that runs on into text: cut after a title word ("客户关系管理|客户关系是…").

    A cut after which the title's subject comes back ("…管理|对第三方关系") wins; else the longest start of at
    most `limit` characters ending in a title word; else the first punctuation.
    """
    cuts = [n for n in range(2, min(limit, len(text) - 1) + 1) if text[:n].endswith(endings)]
    subject = text[:2]
    restated = [n for n in cuts if subject in text[n:n + 4]]
    if restated:
        n = restated[-1]
        return text[:n], text[n:]
    if cuts:
        return text[:cuts[-1]], text[cuts[-1]:]
    m = _PUNCT.search(text)
    if m and m.start() > 1:
        return text[: m.start()], text[m.end():]
    return text, ""

def split_heading(text: str, label: str) -> tuple[str, str]:
    """Heading text running into its first label → (title, label), e.g. "IT服务规划设计规划设计的主要目的"."""
    head = text[: len(text) - len(label)] if label else text
    head = head.rstrip()
    if not label:
        return head, ""
    comma = max(head.rfind(","), head.rfind("，"))
    if comma >= 0 and len(head) - comma <= 12:  # "服务目录的结构和内容,服务目录的设计目的"
        return head[:comma], head[comma + 1:] + label
    m = re.search(r"的(主要|重要|基本|核心)?$", head)
    if m:
        before = head[: m.start()]
        for size in range(min(8, len(before) // 2), 1, -1):
            x = before[-size:]
            if x in before[:-size]:  # "规划设计规划设计的主要目的": the label restates part of the title
                return before[:-size], x + head[m.start():] + label
        return head + label, label  # "过程管理模型的特性": the whole heading is the title
    if not head:
        return "", label
    return head, label
