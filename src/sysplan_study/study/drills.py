"""Questions derived from list cards with no extra authoring: count, which list, odd one out, what comes next."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from sysplan_study.decks.model import Card, Item
from sysplan_study.study.recall import MATCH_THRESHOLD, normalize, similarity

RECALL, COUNT, WHICH, ODD, NEXT = "recall", "count", "which", "odd", "next"
CHOICE_MODES = (COUNT, WHICH, ODD, NEXT)
MODES = (RECALL, *CHOICE_MODES)
N_CHOICES = 4


@dataclass(frozen=True)
class Question:
    """One quiz question: a recall card, or a multiple choice with exactly one right answer."""

    mode: str
    card: Card
    prompt: str
    choices: tuple[str, ...] = ()
    answer: int = -1  # index into choices
    notes: tuple[str, ...] = ()  # candidate notes of doubtful items the question shows ("“item”：note")

    @property
    def is_choice(self) -> bool:
        """True for the derived multiple-choice drills."""
        return self.mode in CHOICE_MODES


def card_label(card: Card) -> str:
    """How a list is named in choices: "【1.1 服务目录…】活动"."""
    if card.field_name and card.section_title:
        head = f"{card.section_number} {card.section_title}".strip()
        return f"【{head}】{card.field_name}"
    return card.prompt


def _question_text(card: Card) -> str:
    """The prompt without its （共N项） tail, for rephrasing."""
    return card.bare_prompt


def _notes(items: Sequence[Item]) -> tuple[str, ...]:
    """The candidate notes of the items a question shows, so a doubtful reading is never tested silently."""
    return tuple(dict.fromkeys(f"“{i.text}”：{i.note}" for i in items if i.note))


def _alike(a: str, b: str) -> bool:
    return similarity(normalize(a), normalize(b)) >= MATCH_THRESHOLD


def _contains_alike(card: Card, text: str) -> bool:
    return any(_alike(text, i.text) for i in card.items)


def siblings(card: Card, pool: Sequence[Card]) -> list[Card]:
    """Other lists of the same deck, those with the same field name (e.g. other 关键成功因素) first."""
    same = [c for c in pool if c.deck == card.deck and c.id != card.id]
    return sorted(same, key=lambda c: (c.field_name != card.field_name or c.field_name is None,))


def count_question(card: Card, rng: random.Random) -> Question | None:
    """"…有几项？" with four numbers to choose from."""
    n = card.count
    if n < 2:
        return None  # "一项" is no question
    options = {n}
    candidates = [x for x in range(max(1, n - 3), n + 4) if x != n]
    rng.shuffle(candidates)
    options.update(candidates[: N_CHOICES - 1])
    choices = sorted(options)
    prompt = _question_text(card).replace("有哪些", "有几项")
    if prompt == _question_text(card):
        prompt += "（共有几项？）"
    return Question(COUNT, card, prompt, tuple(f"{x}项" for x in choices), choices.index(n))


def which_question(card: Card, pool: Sequence[Card], rng: random.Random) -> Question | None:
    """An item is shown: which list does it belong to? Distractors are sibling lists that hold nothing like it."""
    if not card.items:
        return None
    item = rng.choice(card.items)
    others = [c for c in siblings(card, pool) if not _contains_alike(c, item.text)]
    same_field = [c for c in others if c.field_name == card.field_name]
    rest = [c for c in others if c.field_name != card.field_name]
    rng.shuffle(same_field)
    rng.shuffle(rest)
    picked = (same_field + rest)[: N_CHOICES - 1]
    labels = {card_label(card)}
    distractors = []
    for c in picked:
        if card_label(c) not in labels:
            labels.add(card_label(c))
            distractors.append(c)
    if len(distractors) < N_CHOICES - 1:
        return None
    options = [card, *distractors]
    rng.shuffle(options)
    return Question(
        WHICH, card, f"“{item.text}”出自哪一个列表？", tuple(card_label(c) for c in options), options.index(card),
        _notes([item]),
    )


def odd_question(card: Card, pool: Sequence[Card], rng: random.Random) -> Question | None:
    """Three items of the list and one from a sibling list: which one does not belong?"""
    if card.count < N_CHOICES - 1:
        return None
    texts = {normalize(i.text) for i in card.items}
    strangers: list[Item] = [
        i for c in siblings(card, pool)[:12] for i in c.items
        if normalize(i.text) not in texts and not _contains_alike(card, i.text)
    ]
    if not strangers:
        return None
    odd = rng.choice(strangers)
    own = rng.sample(list(card.items), N_CHOICES - 1)
    options = [*(i.text for i in own), odd.text]
    if len(set(options)) < N_CHOICES:
        return None
    rng.shuffle(options)
    return Question(
        ODD, card, f"{_question_text(card)}以下哪一项不属于这个列表？", tuple(options), options.index(odd.text),
        _notes([*own, odd]),
    )


def next_question(card: Card, pool: Sequence[Card], rng: random.Random) -> Question | None:
    """For an ordered list: which item comes right after this one?"""
    if card.count < 3:
        return None
    k = rng.randrange(card.count - 1)
    right = card.items[k + 1].text
    shown = card.items[k].text
    others = [i.text for j, i in enumerate(card.items) if j not in (k, k + 1)]
    by_text = {i.text: i for i in card.items}
    if len(others) < N_CHOICES - 1:
        nearby = [i for c in siblings(card, pool)[:6] for i in c.items]
        others += [i.text for i in nearby]
        by_text = {**{i.text: i for i in nearby}, **by_text}
    others = [t for t in dict.fromkeys(others) if t not in (right, shown) and not _alike(t, right)]
    if len(others) < N_CHOICES - 1:
        return None
    options = [right, *rng.sample(others, N_CHOICES - 1)]
    rng.shuffle(options)
    return Question(
        NEXT, card, f"{_question_text(card)}在“{shown}”之后的下一项是？", tuple(options), options.index(right),
        _notes([card.items[k], *(by_text[t] for t in options)]),
    )


def make_question(mode: str, card: Card, pool: Sequence[Card], rng: random.Random) -> Question | None:
    """A question of the given mode about a card, or None where the card cannot support that mode."""
    if mode == RECALL:
        return Question(RECALL, card, card.prompt)
    if mode == COUNT:
        return count_question(card, rng)
    if mode == WHICH:
        return which_question(card, pool, rng)
    if mode == ODD:
        return odd_question(card, pool, rng)
    if mode == NEXT:
        return next_question(card, pool, rng)
    raise ValueError(f"unknown quiz mode {mode!r}")
