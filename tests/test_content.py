"""The deck loader and validator, and the shipped decks themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
from sysplan_study.decks.library import check_files, search
from sysplan_study.decks.model import Library
from sysplan_study.decks.yaml_lines import ContentError

GOOD = """\
deck: mine
title: 我的卡片
kind: user
sections:
  - id: sec
    number: "1.1"
    title: 服务目录的设计
    fields:
      - id: activities
        name: 活动
        question: 服务目录设计的活动有哪些？
        items:
          - 确定小组成员
          - text: 服务分类和编码
            children: [分类, 编码]
          - text: 提前消除争议产
            cut_off: true
            note: 原文到此截断
cards:
  - id: sla
    prompt: SLA 是什么？
    items: [Service Level Agreement，服务级别协议]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "d.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def problems_of(tmp_path: Path, text: str | bytes) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_file(write(tmp_path, text))
    return [str(p) for p in info.value.problems]


def test_good_deck(tmp_path: Path) -> None:
    deck = load_file(write(tmp_path, GOOD))
    assert [c.id for c in deck.cards] == ["mine.sec.activities", "mine.sla"]
    card = deck.cards[0]
    assert card.prompt == "【1.1 服务目录的设计】服务目录设计的活动有哪些？（共3项）"
    assert card.items[1].children[1].text == "编码"
    assert card.items[2].cut_off and card.items[2].note == "原文到此截断"
    assert card.to_json()["answer"][1] == {"text": "服务分类和编码", "children": ["分类", "编码"]}
    with pytest.raises(Exception):
        card.prompt = "x"  # type: ignore[misc]  # frozen


def test_default_question(tmp_path: Path) -> None:
    deck = load_file(write(tmp_path, GOOD.replace("        question: 服务目录设计的活动有哪些？\n", "")))
    assert deck.cards[0].prompt == "【1.1 服务目录的设计】服务目录的设计的活动有哪些？（共3项）"


@pytest.mark.parametrize(
    "text, line, message",
    [
        (GOOD.replace("    number: \"1.1\"\n", ""), 5, "missing required key 'number'"),
        (GOOD.replace("        name: 活动\n", "        name: 活动\n        colour: red\n"), 11, "unknown key 'colour'"),
        (GOOD.replace("          - 确定小组成员", "          - ''"), 13, "is empty"),
        (GOOD.replace("          - 确定小组成员", "          - [a, b]"), 13, "item must be a mapping"),
        (GOOD.replace("    items: [Service", "    items: []\n    x: [Service"), 23, "unknown key 'x'"),
        (GOOD.replace("id: sla", "id: SLA"), 20, "must be lowercase ASCII"),
        (GOOD.replace("title: 我的卡片", "title: [1, 2]"), 2, "must be text"),
        (GOOD.replace("kind: user", "kind: novel"), 3, "kind"),
        (GOOD + "  - id: sla\n    prompt: again\n    items: [x]\n", 23, "duplicate card id 'sla'"),
        (GOOD.replace("sections:\n", "sections:\n  - id: sec\n    number: '0'\n    title: t\n"), 8, "duplicate section id"),
        (GOOD.replace("      - id: activities", "      - id: activities\n        name: 活动\n        items: [a]\n      - id: activities"), 12, "duplicate field id"),
        (GOOD.replace("title: 我的卡片", "title: 我的卡片\ntitle: again"), 3, "duplicate key"),
        (GOOD.replace("          - 确定小组成员", "          - [unclosed"), 14, "YAML error"),
        (GOOD.replace("          - 确定小组成员", "          - !!python/object:os.system x"), 13, "YAML error"),
        (GOOD.replace("cut_off: true", "cut_off: maybe"), 17, "true or false"),
        (GOOD.replace("    items: [Service Level Agreement，服务级别协议]", "    items: []"), 22, "has no items"),
        ("deck: x\ntitle: t\n", 1, "deck has no cards"),
        ("", 1, "deck file is empty"),
        ("- a\n- b\n", 1, "deck must be a mapping"),
    ],
)
def test_bad_decks_report_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    problems = problems_of(tmp_path, text)
    assert any(p.startswith(f"{tmp_path / 'd.yaml'}:{line}: ") and message in p for p in problems), problems


def test_bad_utf8_reports_line(tmp_path: Path) -> None:
    data = GOOD.encode().replace("确定小组成员".encode(), b"\xff\xfe bad")
    problems = problems_of(tmp_path, data)
    assert problems[0].startswith(f"{tmp_path / 'd.yaml'}:13: not valid UTF-8")


def test_alias_bomb_refused_quickly(tmp_path: Path) -> None:
    bomb = "deck: b\ntitle: t\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i > 1 else "*a"] * 9) + "]\n"
    problems = problems_of(tmp_path, bomb)
    assert any("unknown key" in p for p in problems)
    alias = GOOD.replace("children: [分类, 编码]", "children: &kids [分类, 编码]") + "  - id: x\n    prompt: p\n    items: *kids\n"
    assert any("anchors/aliases" in p for p in problems_of(tmp_path, alias))


def test_cross_file_duplicate_ids(tmp_path: Path) -> None:
    a, b = write(tmp_path, GOOD, "a.yaml"), write(tmp_path, GOOD, "b.yaml")
    decks, problems = check_files([a, b])
    assert len(decks) == 2 and any("deck id 'mine' is already used" in str(p) for p in problems)


# ------------------------------------------------------------------------------ the shipped decks

CHAPTERS = ["design", "deploy", "operate", "improve", "supervise", "marketing"]


def test_shipped_decks_load_and_validate(library: Library) -> None:
    assert [d.id for d in library.decks] == CHAPTERS + ["terms"]
    assert [d.kind for d in library.decks] == ["chapter"] * 6 + ["terms"]
    decks, problems = check_files(deck_files(builtin_content_dir()))
    assert problems == [] and len(decks) == 7


def test_card_ids_unique_and_every_card_has_items(library: Library) -> None:
    ids = [c.id for c in library.cards]
    assert len(ids) == len(set(ids))
    assert all(c.items for c in library.cards)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", i) for i in ids)


def test_shipped_decks_are_complete(library: Library) -> None:
    chapter_cards = [c for c in library.cards if c.chapter]
    items = sum(1 for c in chapter_cards for top in c.items for _ in top.walk())
    # The content guide's careful reading: about 100 fields and 570 items and sub-items.
    assert len(chapter_cards) >= 95
    assert items >= 540
    assert all(f"（共{c.count}项）" in c.prompt for c in chapter_cards)


def test_cut_off_item_kept_at_the_end(library: Library) -> None:
    last_deck = library.deck("marketing")
    cut = [i for c in last_deck.cards for top in c.items for i in top.walk() if i.cut_off]
    assert len(cut) == 1 and cut[0].text.endswith("提前消除争议产")


def test_known_lists(library: Library) -> None:
    activities = library.card("design.catalog.activities")
    assert [i.text for i in activities.items] == [
        "确定小组成员", "列举服务清单", "服务分类和编码", "服务项详细描述", "评审并发布服务目录", "完善服务目录",
    ]
    assert "（共6项）" in activities.prompt


def _texts(library: Library) -> list[tuple[str, str]]:
    """Every text of the decks except notes (which quote the source on purpose)."""
    out = []
    for d in library.decks:
        out.append((d.id, d.title))
        for c in d.cards:
            out.append((c.id, c.prompt))
            out.extend((c.id, i.text) for top in c.items for i in top.walk())
    return out


# Garbled forms that never belong in the corrected text.
NEVER = ["旳", "关键成功原因", "抵达", "回忆", "方略", "阐明", "祈求", "呼喊", "满园", "筹划", "调感", "增进", "通过度层",
         "布署", "实行", "与否", "也许", "充足", "合用", "愈加", "局限性", "完毕", "纪录", "现实状况", "不同样", "组员",
         "演习", "平常", "轻易", "立案", "著眼", "节省", "服務", "規劃"]
# Words that are garbled in most places but legitimate in a few (CONTENT_GUIDE.md's notes): allowed phrases only.
ALLOWED = {
    "改善": ["改善与客户的关系"],
    "原则": ["SMART原则", "SMART 原则", "应急演练原则", "事件分派原则"],
    "原因": ["分析原因", "项目的原因和目标"],
    "团体": [],
    "顾客": [],
    "公布": [],
    "汇报": [],
    "规定": [],
}


@pytest.mark.parametrize("word", NEVER)
def test_no_garbled_form_remains(library: Library, word: str) -> None:
    hits = [(cid, t) for cid, t in _texts(library) if word in t]
    assert hits == []


@pytest.mark.parametrize("word", sorted(ALLOWED))
def test_ambiguous_forms_only_where_legitimate(library: Library, word: str) -> None:
    bad = []
    for cid, text in _texts(library):
        stripped = text
        for phrase in ALLOWED[word]:
            stripped = stripped.replace(phrase, "")
        if word in stripped:
            bad.append((cid, text))
    assert bad == []


def test_no_pinyin_or_traditional_left(library: Library) -> None:
    pinyin = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
    assert [t for _, t in _texts(library) if pinyin.search(t)] == []


def test_search_is_width_and_case_insensitive(library: Library) -> None:
    assert search(library, "ｓｌａ") == search(library, "SLA")
    assert any(c.id == "design.catalog.activities" for c in search(library, "列举服务清单"))
