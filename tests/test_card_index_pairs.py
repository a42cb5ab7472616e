"""Two-character searches go through the trigram index (terms starting with the pair) and find exactly what a
scan of the folded text finds, a pair ending a card's text included; a pair too common falls back to the scan."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.decks import cache
from sysplan_study.decks import search as finder
from sysplan_study.decks.library import load_library
from sysplan_study.decks.model import Library


def _scan(index: Any, needle: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for file_id, seq in index.conn.execute("SELECT file_id, seq FROM fold WHERE instr(text, ?) > 0", (needle,)):
        out.setdefault(file_id, []).append(seq)
    return {f: sorted(s) for f, s in out.items()}


def _pairs(lib: Any) -> set[str]:
    """Pairs from everywhere in the shipped decks: each card's last two folded characters (what ends its search
    text), the first two of every item, and random ones."""
    rng = random.Random(14)
    index = lib.decks[0].index
    pairs: set[str] = set()
    for (text,) in index.conn.execute("SELECT text FROM fold"):
        body = text.rstrip("\n")
        pairs.add(body[-2:])
        pairs.update(line[:2] for line in body.split("\n"))
        i = rng.randrange(max(1, len(body) - 1))
        pairs.add(body[i:i + 2])
    return {p for p in pairs if len(p) == 2 and "\n" not in p}


def test_pairs_from_the_trigram_index_are_what_a_scan_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    load_library()
    lib = load_library()
    index = lib.decks[0].index
    files = [d.file_id for d in lib.decks]
    used: list[str] = []
    real = cache.DeckIndex._starting_trigrams

    def spy(self: Any, needle: str) -> Any:
        rows = real(self, needle)
        if rows is not None:
            used.append(needle)
        return rows

    monkeypatch.setattr(cache.DeckIndex, "_starting_trigrams", spy)
    pairs = _pairs(lib)
    assert len(pairs) > 300
    for pair in pairs:
        assert index.candidates(files, pair) == _scan(index, pair), pair
    assert len(used) > len(pairs) * 0.9  # the index answered, not the scan


def test_a_pair_too_common_is_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    load_library()
    lib = load_library()
    index = lib.decks[0].index
    files = [d.file_id for d in lib.decks]
    monkeypatch.setattr(cache, "PREFIX_MAX", 3)
    assert index._starting_trigrams("服务") is None
    assert index.candidates(files, "服务") == _scan(index, "服务") != {}


def test_two_character_searches_match_a_plain_scan_of_every_card(isolated_home: Path) -> None:
    load_library()
    indexed = load_library()
    scanned = Library.of(d.full for d in load_library().decks)
    for q in ("服务", "目录", "ＳＬ", "sl", "）", "项）", "管理", "流程"):
        hits = finder.search(indexed, q)
        assert [(h.card.id, h.in_id, h.in_prompt, h.items) for h in hits] == \
            [(h.card.id, h.in_id, h.in_prompt, h.items) for h in finder.search(scanned, q)], q


@pytest.mark.parametrize("query", ["\udcff\udcfe", "a\udcff", "服\udcff"])
def test_a_query_that_is_not_utf8_is_one_line_not_a_traceback(invoke: Any, query: str) -> None:
    result = invoke("search", query)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "UTF-8" in result.stderr
