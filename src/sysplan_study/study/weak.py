"""The weakest items: the studied list items with the lowest predicted recall today, and a card cut down to them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable, Mapping

from sysplan_study.decks.model import Card, Library
from sysplan_study.errors import UserError
from sysplan_study.memory import fsrs
from sysplan_study.memory.items import ItemMemory, recall
from sysplan_study.store import item_states
from sysplan_study.store.history import Store

DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class WeakItem:
    """One studied item and its predicted recall on the day asked."""

    card_id: str
    item: int  # 0-based index into the card's items
    text: str
    recall: float
    last_day: date
    stability: float

    def to_json(self) -> dict[str, object]:
        """The `weak --format json` object (item numbered from 1, as on screen)."""
        return {"card_id": self.card_id, "item": self.item + 1, "text": self.text, "recall": round(self.recall, 4),
                "last_day": self.last_day.isoformat(), "stability": round(self.stability, 2)}


def ensure(store: Store, lib: Library, progress: item_states.Progress | None = None) -> None:
    """Build item memories from the log once after an upgrade (needs the decks' item counts)."""
    item_states.ensure_built(store, lambda: {c.id: c.count for c in lib.cards}, progress)


def ranked(
    cards: Iterable[Card], memories: Mapping[str, Mapping[int, ItemMemory]], day: date, config: fsrs.Config
) -> list[WeakItem]:
    """Every studied item of these cards, lowest predicted recall on `day` first (ties: card, item order)."""
    out = []
    for card in cards:
        for index, memory in memories.get(card.id, {}).items():
            if index < card.count:  # an item removed from the deck since has no text to ask
                out.append(WeakItem(card.id, index, card.items[index].text, recall(memory, day, config),
                                    memory.last_day, memory.stability))
    out.sort(key=lambda w: (w.recall, w.card_id, w.item))
    return out


def weakest(store: Store, lib: Library, day: date, chapter: str | None = None,
            limit: int | None = DEFAULT_LIMIT) -> list[WeakItem]:
    """The `limit` studied items with the lowest predicted recall on `day` (suspended cards left out)."""
    if limit is not None and limit < 1:
        raise UserError("--limit 必须是 1 或更大（must be 1 or more）")
    suspended = store.suspended_ids()
    ids = [c for c in lib.card_ids_in(chapter) if c not in suspended]
    memories = item_states.memories(store, ids)
    cards = [lib.card(c) for c in ids if c in memories]
    found = ranked(cards, memories, day, item_states.item_config(store.conn))
    return found if limit is None else found[:limit]


def weak_card(card: Card, items: Iterable[int]) -> tuple[Card, tuple[int, ...]]:
    """The card cut down to some of its items, for typed recall of just those: the prompt shows the list with the
    others filled in and these left blank. Returns the card and the original index of each item it keeps."""
    keep = tuple(sorted(set(items)))
    if not keep or keep[-1] >= card.count:
        raise ValueError(f"no such items of {card.id}: {items}")
    lines = [f"({i + 1}) {'＿＿＿＿' if i in keep else item.text}" for i, item in enumerate(card.items)]
    prompt = (f"{card.bare_prompt}——补出空着的 {len(keep)} 项（其余已给出）：\n" + "\n".join(lines))
    return replace(card, prompt=prompt, items=tuple(card.items[i] for i in keep)), keep
