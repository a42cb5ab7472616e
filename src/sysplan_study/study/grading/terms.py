"""Acronyms and English names, with the terms deck's expansions as the reference.

An acronym (SLA), its Chinese term (服务级别协议) and its right English expansion (Service Level Agreement, a typo
or a missing -al tolerated) all become one symbol, so any of them credits an item that is that term. English that
is not a known expansion stays English: an item whose answer is English (the terms deck) is credited only when the
same English was typed, so a wrong expansion (Service License Agreement) gets nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from sysplan_study.study.grading.text import fold

STOP_WORDS = frozenset({"of", "and", "the", "for", "to", "a", "an", "in", "on"})
WORD_SIMILARITY = 80  # rapidfuzz ratio for one English word to count as the same (Managment/Management)
SYMBOL_BASE = 0xE000  # private-use characters: one per term
_ANY_LATIN = re.compile(r"[a-z]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_RUN = re.compile(r"[a-z][a-z0-9\-]*(?:[ \t]+[a-z][a-z0-9\-]*)*")
_ACRONYM_IN_PARENS = re.compile(r"^\s*([A-Za-z][A-Za-z \-]+?)\s*[(（]\s*([A-Za-z]{2,6})\s*[)）]\s*[,，、]\s*(.+?)\s*$")
_ACRONYM_PROMPT = re.compile(r"^\s*([A-Za-z]{2,6})\s*是什么")
_ENGLISH_COMMA_CHINESE = re.compile(r"^\s*([A-Za-z][A-Za-z \-]+?)\s*[,，]\s*([^A-Za-z]+?)\s*$")


@dataclass(frozen=True)
class Term:
    """One reference term: its id, acronym (if any), English words and Chinese name."""

    id: int
    code: str | None
    english: tuple[str, ...]
    chinese: str

    @property
    def symbol(self) -> str:
        """The private-use character standing for this term in compared text."""
        return chr(SYMBOL_BASE + self.id)


@dataclass(frozen=True)
class Encoded:
    """A folded text with terms replaced: the text compared, the known English expansions it spells out, and
    English word runs that are no known expansion."""

    text: str
    english: frozenset[int] = frozenset()
    stray: tuple[str, ...] = ()

    @property
    def has_english(self) -> bool:
        """True when the text answers in English (an expansion or a run of English words)."""
        return bool(self.english or self.stray)


def _words(english: str) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFKC", english).casefold().replace("-", " ").split())


@dataclass
class Glossary:
    """The terms found in the decks (terms deck shapes: "English（ACR），中文" or "ACR 是什么？" → "English，中文")."""

    terms: list[Term] = field(default_factory=list)

    @classmethod
    def of(cls, cards: Iterable[object]) -> "Glossary":
        """Collect terms from cards shaped like the terms deck's; other cards add nothing."""
        found: dict[tuple[str, ...], tuple[str | None, str]] = {}
        for card in cards:
            items = getattr(card, "items", ())
            if not items:
                continue
            first = items[0].text
            m = _ACRONYM_IN_PARENS.match(first)
            if m:
                found.setdefault(_words(m.group(1)), (m.group(2).casefold(), fold(m.group(3))))
                continue
            m = _ENGLISH_COMMA_CHINESE.match(first)
            if m:
                code = _ACRONYM_PROMPT.match(getattr(card, "prompt", ""))
                found.setdefault(_words(m.group(1)), (code.group(1).casefold() if code else None, fold(m.group(2))))
        glossary = cls()
        for n, (english, (code, chinese)) in enumerate(found.items()):
            glossary.terms.append(Term(n, code, english, chinese))
        return glossary

    def encode(self, folded: str) -> Encoded:
        """Replace acronyms, their Chinese terms and English expansions by term symbols (see the module doc)."""
        english: set[int] = set()
        stray: list[str] = []
        latin = _ANY_LATIN.search(folded) is not None
        text = self._english(folded, english, stray) if latin else folded
        for term in self.terms:
            if term.code is None:
                continue
            if latin and term.code in text:
                text = self._acronym(text, term)
            if term.chinese and term.chinese in text:
                text = text.replace(term.chinese, term.symbol)
        text = self._dedupe(text)
        return Encoded(text, frozenset(english), tuple(stray))

    def _english(self, text: str, english: set[int], stray: list[str]) -> str:
        """Runs of English words: known expansions become their term, other runs of 2+ words are set aside."""
        from rapidfuzz import fuzz

        def replace(m: re.Match[str]) -> str:
            words = m.group(0).replace("-", " ").split()
            out: list[str] = []
            i = 0
            while i < len(words):
                for term in self.terms:
                    n = len(term.english)
                    if n and i + n <= len(words) and all(
                        fuzz.ratio(a, b) >= WORD_SIMILARITY for a, b in zip(words[i:i + n], term.english)
                    ) and (n > 1 or words[i] == term.english[0]):
                        english.add(term.id)
                        out.append(term.symbol if term.code else term.chinese)
                        i += n
                        break
                else:
                    out.append(words[i])
                    i += 1
            left = [w for w in out if w.isascii()]
            if len(left) >= 2:
                stray.extend(w for w in left if w not in STOP_WORDS)
                out = [w for w in out if not w.isascii()]
            return " " + " ".join(out) + " "

        return _LATIN_RUN.sub(replace, text)

    @staticmethod
    def _acronym(text: str, term: Term) -> str:
        """A standalone acronym becomes the term's symbol, with a Chinese gloss right after it absorbed:
        SOP标准操作规范 (close to the term), KPI指标 or SLA协议 (the term's ending)."""
        assert term.code is not None
        from rapidfuzz import fuzz

        pattern = re.compile(rf"(?<![a-z]){re.escape(term.code)}(?![a-z])")
        out, pos = [], 0
        for m in pattern.finditer(text):
            out.append(text[pos:m.start()])
            end = m.end()
            while text[end:end + 1].isspace():
                end += 1
            han = _HAN_RUN.match(text, end)
            run = han.group(0) if han else ""
            n = len(term.chinese)
            if n and len(run) >= n and fuzz.ratio(run[:n], term.chinese) >= 60:
                end += n
            else:
                for k in range(n - 1, 1, -1):
                    if run.startswith(term.chinese[-k:]):
                        end += k
                        break
            out.append(term.symbol)
            pos = end if end > m.end() and text[m.end():end].strip() else m.end()
        out.append(text[pos:])
        return "".join(out)

    def _dedupe(self, text: str) -> str:
        """A term written twice ("SLA，服务级别协议", "Change Management，变更管理") counts once."""
        for term in self.terms:
            for form in (term.symbol, term.chinese):
                if form and form in text and text.count(form) > 1:
                    first = text.index(form) + len(form)
                    text = text[:first] + text[first:].replace(form, "")
        return text


def english_agrees(typed: Encoded, item: Encoded) -> bool:
    """Whether the typed English answers the item's English: the same expansions, and stray words matching
    both ways. Items without English content accept anything here."""
    if not item.has_english:
        return True
    if not item.english <= typed.english:
        return False
    return _cover(item.stray, typed.stray) and _cover(typed.stray, item.stray)


def _cover(needed: Sequence[str], offered: Sequence[str]) -> bool:
    from rapidfuzz import fuzz

    return all(any(fuzz.ratio(w, o) >= WORD_SIMILARITY for o in offered) for w in needed)
