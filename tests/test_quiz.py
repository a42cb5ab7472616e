"""Derived drills and `sysplan quiz`: one right answer per question, reproducible, schedule untouched."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.study import drills
from sysplan_study.decks.model import Library
from sysplan_study.study.quiz import build_questions
from sysplan_study.study.recall import normalize


def all_questions(library: Library, mode: str) -> list[drills.Question]:
    out = []
    for deck in library.decks:
        rng = random.Random(deck.id)
        for card in deck.cards:
            for _ in range(3):
                q = drills.make_question(mode, card, deck.cards, rng)
                if q is not None:
                    out.append(q)
    return out


def test_count_has_one_right_answer(library: Library) -> None:
    qs = all_questions(library, drills.COUNT)
    assert len(qs) == 3 * sum(1 for c in library.cards if c.count >= 2)
    for q in qs:
        right = [c for c in q.choices if c == f"{q.card.count}项"]
        assert len(right) == 1 and q.choices[q.answer] == right[0] and len(set(q.choices)) == 4
        assert "有哪些" not in q.prompt


def test_which_has_one_right_answer(library: Library) -> None:
    qs = all_questions(library, drills.WHICH)
    assert len(qs) > 100
    for q in qs:
        item = re.match(r"“(.*)”出自", q.prompt).group(1)  # type: ignore[union-attr]
        deck = library.deck(q.card.deck)
        holders = {drills.card_label(c) for c in deck.cards if any(normalize(i.text) == normalize(item) for i in c.items)}
        assert len(set(q.choices)) == 4
        assert sum(1 for ch in q.choices if ch in holders) == 1, (q.prompt, q.choices)
        assert q.choices[q.answer] == drills.card_label(q.card)


def test_which_prefers_same_field(library: Library) -> None:
    q = drills.which_question(library.card("deploy.method.execute.csf"), library.deck("deploy").cards, random.Random(1))
    assert q is not None and sum(1 for c in q.choices if c.endswith("关键成功因素")) >= 2


def test_odd_has_one_right_answer(library: Library) -> None:
    qs = all_questions(library, drills.ODD)
    assert len(qs) > 100
    for q in qs:
        own = {normalize(i.text) for i in q.card.items}
        outsiders = [c for c in q.choices if normalize(c) not in own]
        assert outsiders == [q.choices[q.answer]], (q.card.id, q.choices)


def test_next_has_one_right_answer(library: Library) -> None:
    qs = all_questions(library, drills.NEXT)
    assert len(qs) > 100
    for q in qs:
        texts = [i.text for i in q.card.items]
        shown = re.search(r"在“(.*)”之后", q.prompt).group(1)  # type: ignore[union-attr]
        k = texts.index(shown)
        assert q.choices[q.answer] == texts[k + 1]
        assert sum(1 for c in q.choices if c == texts[k + 1]) == 1 and len(set(q.choices)) == 4


def test_questions_reproducible_with_seed(library: Library) -> None:
    cards = library.deck("deploy").cards
    a = build_questions(cards, cards, 10, "mixed", 42)
    b = build_questions(cards, cards, 10, "mixed", 42)
    assert a == b and len(a) == 10 and len({q.mode for q in a}) > 1


def _due_new(invoke: Any) -> list[tuple[int, int]]:
    return [(r["new"], r["due"]) for r in json.loads(invoke("decks", "--format", "json").stdout)]


def test_quiz_leaves_schedule_unchanged(invoke: Any, isolated_home: Path) -> None:
    assert invoke("review", "--chapter", "deploy", "--limit", "2", input="5\n5\n").exit_code == 0
    before = _due_new(invoke)
    answers = "\n".join(["1", "3"] * 10) + "\n"
    result = invoke("quiz", "deploy", "--count", "8", "--seed", "3", input=answers)
    assert result.exit_code == 0, result.output
    assert "测验成绩" in result.stdout and "合计" in result.stdout
    assert _due_new(invoke) == before
    assert _due_new(invoke) == [(n, d) for n, d in before]
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    modes = [r[0] for r in conn.execute("SELECT mode FROM review_log ORDER BY id")]
    assert modes[:2] == ["review", "review"] and set(modes[2:]) == {"quiz"} and len(modes) == 10


def test_quiz_choice_scoring(invoke: Any, library: Library) -> None:
    cards = library.deck("deploy").cards
    qs = build_questions(cards, cards, 4, "which", 5)
    right = "\n".join(str(q.answer + 1) for q in qs) + "\n"
    result = invoke("quiz", "deploy", "--mode", "which", "--count", "4", "--seed", "5", input=right)
    assert result.exit_code == 0 and "全部答对" in result.stdout
    wrong = "\n".join(str((q.answer + 1) % 4 + 1) for q in qs) + "\n"
    result = invoke("quiz", "deploy", "--mode", "which", "--count", "4", "--seed", "5", input=wrong)
    assert "漏掉或答错的" in result.stdout and result.stdout.count("✗ 错误") == 4


def test_typed_quiz_stores_item_results(invoke: Any, isolated_home: Path) -> None:
    typed = "确定小组成员\n列举服务清单\n服务分类和编码\n\n\n"
    result = invoke("quiz", "--card", "design.catalog.activities", "--mode", "recall", "--count", "1", "--typed", input=typed)
    assert result.exit_code == 0, result.output
    assert "回忆出 3/6 项" in result.stdout and "建议评分 2" in result.stdout
    assert "服务项详细描述" in result.stdout.split("漏掉或答错的")[1]
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT grade, recalled, total, mode FROM review_log").fetchall() == [(2, 3, 6, "quiz")]
    assert conn.execute("SELECT count(*), sum(recalled) FROM item_result").fetchone() == (6, 3)


def test_typed_review_with_hint_caps_grade(invoke: Any, isolated_home: Path, library: Library) -> None:
    first = library.deck("design").cards[0]
    typed = "?\n" + "".join(i.text + "\n" for i in first.items) + "\n5\n\n"
    result = invoke("review", "--chapter", "design", "--limit", "1", "--typed", input=typed)
    assert result.exit_code == 0, result.output
    assert "提示 1：首字" in result.stdout and "建议评分 4" in result.stdout and "请重新输入" in result.stdout
    conn = sqlite3.connect(isolated_home / "sysplan.db")
    assert conn.execute("SELECT grade, hints FROM review_log").fetchall() == [(4, 1)]


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["quiz", "nope"], "valid ids: design"),
        (["quiz", "--card", "design.nope"], "unknown card id"),
        (["quiz", "deploy", "--card", "design.purpose"], "不属于 deploy"),
        (["quiz", "deploy", "--mode", "bogus"], "unknown quiz mode"),
        (["quiz", "deploy", "--count", "0"], "--count"),
        (["quiz"], "name a chapter"),
    ],
)
def test_quiz_errors(invoke: Any, args: list[str], phrase: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 1 and phrase in result.stderr and result.stderr.count("\n") == 1
