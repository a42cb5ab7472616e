"""Typed list recall on the real decks: full credit, half credit, no credit for look-alike lists, hints."""

from __future__ import annotations

import random

import pytest

from sysplan_study.study import recall
from sysplan_study.decks.model import Card, Library
from sysplan_study.study.session import max_grade

FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def vary(text: str, rng: random.Random) -> str:
    """What a candidate might type: other punctuation, full-width Latin, spaces, a dropped 的."""
    out = text.replace("，", ",").replace("：", ":").replace("的", "")
    if rng.random() < 0.5:
        out = "".join(FULLWIDTH.get(ch, ch) for ch in out)
    if rng.random() < 0.5:
        out = " " + out + "。"
    return out


@pytest.fixture(scope="module")
def vocab(library: Library) -> recall.Vocabulary:
    return recall.Vocabulary.of(library.cards)


def test_typing_every_item_scores_full(library: Library, vocab: recall.Vocabulary) -> None:
    rng = random.Random(7)
    for card in library.cards:
        lines = [vary(i.text, rng) for i in card.items]
        rng.shuffle(lines)
        result = recall.match(card, lines, vocab)
        assert (result.recalled, result.total) == (card.count, card.count), (card.id, result)
        assert result.extras == () and recall.suggest_grade(result.share) == 5


def test_typing_half_scores_half(library: Library, vocab: recall.Vocabulary) -> None:
    rng = random.Random(11)
    for card in library.cards:
        if card.count < 2:
            continue
        chosen = rng.sample(range(card.count), card.count // 2)
        result = recall.match(card, [card.items[i].text for i in chosen], vocab)
        assert result.recalled == card.count // 2, card.id
        assert {m.index for m in result.matches if m.recalled} == set(chosen), card.id


def test_several_items_on_one_line(library: Library) -> None:
    card = library.card("design.catalog.activities")
    result = recall.match(card, ["确定小组成员、列举服务清单；服务分类和编码"])
    assert result.recalled == 3


def _same(card: Card, text: str) -> bool:
    n = recall.normalize(text)
    return any(n == recall.normalize(i.text) for i in card.items)


# Items of another list that mean the same as an item of this one (issue 15: credited): the acronym's term, the
# subject 服务 restated, parallel wordings the notes use for the same thing (recall.EQUIVALENT).
SAME_MEANING = {
    ("design.sla.contents", "可用性"), ("design.requirement.activities", "服务可用性"),
    ("deploy.elements.technology", "标准操作程序"), ("deploy.method.execute.activities", "SOP标准操作规范"),
    ("marketing.relations.customer.csf", "系统规划管理师的沟通协调能力"),
    ("marketing.relations.supplier.csf", "规划与管理师的沟通协调能力"),
}


def test_sibling_list_items_not_credited(library: Library, vocab: recall.Vocabulary) -> None:
    credited = []
    for deck in library.decks:
        for card in deck.cards:
            for other in deck.cards:
                if other.id == card.id:
                    continue
                for item in other.items:
                    if _same(card, item.text) or (card.id, item.text) in SAME_MEANING:
                        continue  # the same wording (or meaning) really is in both lists
                    result = recall.match(card, [item.text], vocab)
                    if result.recalled:
                        credited.append((card.id, item.text, result.matches))
    assert credited == []


def test_near_miss_look_alikes(library: Library, vocab: recall.Vocabulary) -> None:
    # 1.1's "提高IT服务和流程效率" and 1.4.x's "提高IT服务的效率" are different lists' items: no mix-up either way.
    texts = lambda c: {i.text for i in c.items}  # noqa: E731
    a = next(c for c in library.cards if "提高IT服务和流程效率" in texts(c))
    b = next(c for c in library.cards if "提高IT服务的效率" in texts(c))
    assert a.id != b.id
    assert recall.match(a, ["提高IT服务的效率"], vocab).recalled == 0
    assert recall.match(b, ["提高IT服务和流程效率"], vocab).recalled == 0
    assert recall.match(a, ["提高IT服务和流程的效率"], vocab).recalled == 1
    assert recall.match(b, ["提高ＩＴ服务效率"], vocab).recalled == 1
    # Synonyms the notes use interchangeably do count.
    card = library.card("design.catalog.activities")
    assert recall.match(card, ["评审并公布服务目录"], vocab).recalled == 1


def test_extras_reported(library: Library, vocab: recall.Vocabulary) -> None:
    card = library.card("design.catalog.activities")
    result = recall.match(card, ["确定小组成员", "今天天气很好"], vocab)
    assert result.recalled == 1 and result.extras == ("今天天气很好",)


@pytest.mark.parametrize(
    "share, grade", [(1.0, 5), (0.85, 4), (0.8, 4), (0.6, 3), (0.5, 2), (0.4, 2), (0.2, 1), (0.0, 0)]
)
def test_suggested_grade_follows_share(share: float, grade: int) -> None:
    assert recall.suggest_grade(share) == grade


def test_hints_cap_the_grade(library: Library) -> None:
    card = library.card("design.catalog.activities")
    assert recall.hint(card, 1) == "首字：确·列·服·服·评·完"  # the first hint adds what the prompt does not say
    assert recall.hint(card, 2) == "第1项：确定小组成员"
    assert all(f"共{card.count}项" not in recall.hint(card, n) for n in range(1, recall.max_hints(card) + 1))
    assert [max_grade(h) for h in range(7)] == [5, 4, 3, 2, 1, 0, 0]
    assert recall.suggest_grade(1.0, max_grade(2)) == 3
