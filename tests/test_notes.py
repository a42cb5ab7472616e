"""Notes for candidates (`note`) kept apart from editorial notes (`source_note`), and the wording of list prompts."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
from sysplan_study.decks.model import Deck, Item, Library, Section, count_tail
from sysplan_study.decks.validate import MAX_TEXT, default_question
from sysplan_study.decks.yaml_lines import ContentError

# The editor's vocabulary: how the source was split, labelled or corrected. A candidate's note names the source 笔记.
EDITORIAL = ["原文", "整理", "连写", "切分", "按词", "拆分", "拆为", "补加", "录入", "乱码", "还原", "改为", "均改",
             "校正", "无分隔", "无标签", "补全"]
NOTE_LINE = re.compile(r"^\s*(note|source_note):\s*(.*?)\s*$")


def _editorial(text: str) -> list[str]:
    return [w for w in EDITORIAL if w in text]


def _items(items: tuple[Item, ...]) -> Iterator[Item]:
    for top in items:
        yield from top.walk()


def _sections(sections: tuple[Section, ...]) -> Iterator[Section]:
    for s in sections:
        yield s
        yield from _sections(s.sections)


def _all_notes(deck: Deck) -> Iterator[tuple[str, str, str]]:
    """(where, kind, text) for every note of a deck, read from the model itself (not from Deck.notes)."""
    holders: list[tuple[str, Any]] = [(deck.id, deck)]
    holders += [(s.id, s) for s in _sections(deck.sections)]
    for card in deck.cards:
        holders.append((card.id, card))
        holders += [(f"{card.id} {i.text}", i) for i in _items(card.items)]
    for where, obj in holders:
        for kind in ("note", "source_note"):
            if getattr(obj, kind):
                yield where, kind, getattr(obj, kind)


@pytest.fixture(scope="module")
def shipped() -> list[Deck]:
    return [load_file(p, builtin=True) for p in deck_files(builtin_content_dir())]


# ------------------------------------------------------------------------------ the shipped notes, classified


def test_no_candidate_note_in_the_yaml_is_editorial() -> None:
    bad = []
    for path in deck_files(builtin_content_dir()):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = NOTE_LINE.match(line)
            if m and m.group(1) == "note" and _editorial(m.group(2)):
                bad.append(f"{path.name}:{n}: {m.group(2)} {_editorial(m.group(2))}")
    assert bad == []


def test_every_note_is_classified(shipped: list[Deck]) -> None:
    """Candidate notes use no editorial word; every source_note uses one (so it is not a candidate note misfiled)."""
    notes = [n for d in shipped for n in _all_notes(d)]
    assert len([n for n in notes if n[1] == "note"]) >= 40 and len([n for n in notes if n[1] == "source_note"]) >= 30
    assert [n for n in notes if n[1] == "note" and _editorial(n[2])] == []
    assert [n for n in notes if n[1] == "source_note" and not _editorial(n[2])] == []


def test_split_notes_keep_both_halves(library: Library) -> None:
    item = library.card("operate.people.csf").items[4]
    assert item.text == "考核评价结果应用是否真实落地有效"
    assert "存疑" in (item.note or "") and item.source_note == "原文“有交锋”，不成义，改为“有效”"
    framework = library.card("design.sla.framework")
    assert "表头" in (framework.note or "") and "按词切分" in (framework.source_note or "")
    assert library.card("design.solution.people.activities").source_note == "各子项原文连写无分隔，按词切分"
    assert library.card("design.solution.people.activities").note is None


def test_deck_notes_index_points_at_the_keys(shipped: list[Deck]) -> None:
    for deck in shipped:
        lines = Path(deck.path).read_text(encoding="utf-8").splitlines()
        assert sorted((n.kind, n.text) for n in deck.notes) == sorted((k, t) for _, k, t in _all_notes(deck))
        for n in deck.notes:
            assert NOTE_LINE.match(lines[n.line - 1]).groups() == (n.kind, n.text)  # type: ignore[union-attr]
    design = next(d for d in shipped if d.id == "design")
    first = design.source_notes()[0]
    assert str(first) == f"{design.path}:37: design.catalog.purpose: 整理：{first.text}"
    deploy = next(d for d in shipped if d.id == "deploy")
    assert any(n.owner == "deploy.elements.technology (2) A" for n in deploy.source_notes())
    assert all(n.kind == "source_note" for n in deploy.source_notes())


def test_section_notes(library: Library) -> None:
    quality = next(s for s in library.deck("supervise").sections if s.id == "supervise.quality")
    improve = next(s for s in quality.sections if s.id == "supervise.quality.improve")
    assert improve.note and not _editorial(improve.note) and improve.source_note is None


# ------------------------------------------------------------------------------ prompts


def test_prompts_read_naturally(library: Library) -> None:
    prompts = [c.prompt for c in library.cards]
    assert [p for p in prompts if "的可能存在的" in p or "的可能的" in p] == []
    assert library.card("operate.resources.knowledge.risks").prompt.endswith("知识管理可能存在的风险和控制有哪些？（共5项）")
    assert "】客户关系管理可能的风险和控制有哪些？" in library.card("marketing.relations.customer.risks").prompt


def test_one_bracket_and_question_mark_style(library: Library) -> None:
    prompts = [c.prompt for c in library.cards]
    assert [p for p in prompts if re.search(r"[()?]", p)] == []  # full-width （） and ？ only
    chapter_cards = [c for c in library.cards if c.chapter]
    assert [c.id for c in chapter_cards if not c.prompt.endswith(f"？（共{c.count}项）")] == []
    assert count_tail(3) == "（共3项）"
    assert all("（共" not in c.bare_prompt and c.bare_prompt.endswith("？") for c in chapter_cards)


def test_count_question_drops_the_tail(library: Library) -> None:
    from sysplan_study.study.drills import count_question

    q = count_question(library.card("design.catalog.activities"), random.Random(1))
    assert q is not None and q.prompt == "【1.1 服务目录的结构和内容】服务目录设计的活动有几项？"


def test_default_question() -> None:
    assert default_question("知识管理", "可能存在的风险和控制") == "知识管理可能存在的风险和控制有哪些？"
    assert default_question("知识管理", "活动") == "知识管理的活动有哪些？"


# ------------------------------------------------------------------------------ validation

DECK = """\
deck: mine
title: 我的卡片
source_note: 整理时合并了两页
sections:
  - id: sec
    number: "1.1"
    title: 客户关系管理
    source_note: 原文无小节号
    fields:
      - id: risks
        name: 可能的风险和控制
        source_note: 原文连写
        items:
          - text: 风险一
            note: 一（二？）
            source_note: 原文“壹”
      - id: goals
        name: 目标
        question: 目标是什么?有几个?
        items: [x]
cards:
  - id: sla
    prompt: SLA 是什么？
    source_note: 原文未给定义
    items: [Service Level Agreement]
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "d.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_user_deck_source_notes(tmp_path: Path) -> None:
    deck = load_file(_write(tmp_path, DECK))
    risks, goals, sla = deck.cards
    assert risks.prompt == "【1.1 客户关系管理】客户关系管理可能的风险和控制有哪些？（共1项）"
    assert goals.prompt == "【1.1 客户关系管理】目标是什么？有几个？（共1项）"
    assert risks.source_note == "原文连写" and risks.note is None
    assert risks.items[0].note == "一（二？）" and risks.items[0].source_note == "原文“壹”"
    assert sla.source_note == "原文未给定义" and deck.source_note == "整理时合并了两页"
    assert deck.sections[0].source_note == "原文无小节号"
    assert [(n.line, n.owner, n.kind) for n in deck.notes] == [
        (3, "mine", "source_note"), (8, "mine.sec", "source_note"), (12, "mine.sec.risks", "source_note"),
        (15, "mine.sec.risks (1)", "note"), (16, "mine.sec.risks (1)", "source_note"),
        (24, "mine.sla", "source_note"),
    ]
    assert risks.to_json()["source_note"] == "原文连写" and "note" not in risks.to_json()
    assert risks.to_json()["answer"] == [{"text": "风险一", "note": "一（二？）", "source_note": "原文“壹”"}]
    assert "source_note" not in goals.to_json() and goals.to_json()["answer"] == ["x"]


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("source_note: 原文连写", "source_note: [a, b]", 12, "field 'source_note' must be text"),
        ("source_note: 原文“壹”", "source_note: \"a\\x07b\"", 16, "item 'source_note' contains control characters"),
        ("source_note: 原文无小节号", "source_note: " + "长" * (MAX_TEXT + 1), 8, "longer than"),
        ("source_note: 原文未给定义", "source_note: {a: 1}", 24, "card 'source_note' must be text"),
        ("source_note: 整理时合并了两页", "source_note: null", 3, "deck 'source_note' must be text"),
        ("source_note: 原文连写", "sourcenote: 原文连写", 12, "unknown key 'sourcenote'"),
    ],
)
def test_source_note_validated_like_note(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    with pytest.raises(ContentError) as info:
        load_file(_write(tmp_path, DECK.replace(old, new)))
    problems = [str(p) for p in info.value.problems]
    assert any(p.startswith(f"{tmp_path / 'd.yaml'}:{line}: ") and message in p for p in problems), problems


# ------------------------------------------------------------------------------ output


def test_json_carries_source_notes(invoke: Any) -> None:
    cards = {c["id"]: c for c in json.loads(invoke("cards", "--format", "json").stdout)}
    assert cards["design.sla.contents"]["source_note"].startswith("原文各项连写")
    assert "source_note" not in cards["design.catalog.activities"]
    shown = json.loads(invoke("show", "operate.people.csf", "--format", "json").stdout)
    assert shown["answer"][4]["source_note"] == "原文“有交锋”，不成义，改为“有效”"
    assert "source_note" not in shown


def test_anki_html_shows_only_candidate_notes(library: Library) -> None:
    from sysplan_study.reports.anki import items_html

    html = items_html(library.card("operate.people.csf").items)
    assert "存疑" in html and "有交锋" not in html


def test_cache_of_an_older_deck_format_is_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deck cached before the prompt format changed must be parsed again, not served with "(共N项)"."""
    import sqlite3

    from sysplan_study.decks import cache, cache_schema
    from sysplan_study.decks.model import DECK_FORMAT

    path = _write(tmp_path, DECK)
    monkeypatch.setattr(cache_schema, "DECK_FORMAT", DECK_FORMAT - 1)
    cache.load_ref(path, False)
    db = sqlite3.connect(cache.cache_file())
    with db:  # what an older version wrote: the ASCII "(共1项)"
        db.execute("UPDATE card SET data = replace(data, '（共1项）', '(共1项)')")
    db.close()
    assert cache.load_ref(path, False).cards[0].prompt.endswith("(共1项)")  # the stale cache is really used
    monkeypatch.setattr(cache_schema, "DECK_FORMAT", DECK_FORMAT)
    assert cache.load_ref(path, False).cards[0].prompt.endswith("？（共1项）")


def test_check_notes_lists_editorial_and_candidate_notes(invoke: Any) -> None:
    result = invoke("check", "--notes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    editorial = [x for x in lines if ": 整理：" in x]
    candidate = [x for x in lines if ": 注：" in x]
    assert editorial and candidate and lines[-1].startswith("OK:")
    assert "整理" not in invoke("check").stdout
