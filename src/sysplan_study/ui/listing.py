"""The `cards` and `search` screens: full questions grouped under chapter and section headings, ids dimmed."""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from sysplan_study.decks.model import Card, Library
from sysplan_study.ui.render import item_label, item_text, join, text, wrapped

COUNT_TAIL = re.compile(r"[(（]共\s*(\d+)\s*项[)）]$")
LABEL_HEAD = re.compile(r"^【([^【】\n]{1,40})】")
HIGHLIGHT = "bold reverse"

Spans = Callable[[str], Sequence[tuple[int, int]]]


def question(card: Card) -> str:
    """The prompt without what the listing shows elsewhere: the 【section】 label its heading repeats and the
    (共N项) its count column gives. Anything else in the prompt stays."""
    q = card.prompt
    m = COUNT_TAIL.search(q)
    if m and int(m.group(1)) == card.count:
        q = q[: m.start()]
    m = LABEL_HEAD.match(q)
    if m and card.section_title and card.section_title in m.group(1) and q[m.end():].strip():
        q = q[m.end():]
    return q


def marked(value: str, spans: Spans | None, style: str = "") -> Any:
    """Plain text with the search matches highlighted."""
    out = text(value, style)
    for start, end in spans(value) if spans else ():
        out.stylize(HIGHLIGHT, start, end)
    return out


def _headings(library: Library, card: Card) -> tuple[tuple[str, str, str], tuple[str, str, str] | None]:
    """(key, heading, dim id) of the card's deck, and of its section when it has one."""
    deck = library.deck(card.deck) if card.deck else None
    number = getattr(deck, "number", None)
    title = deck.title if deck is not None else card.deck
    head = (card.deck, f"{number} {title}" if number else title, card.deck)
    if card.section and card.section_title:
        label = f"{card.section_number} {card.section_title}" if card.section_number else card.section_title
        return head, (card.section, label, card.section)
    return head, None


def listing(library: Library, cards: Sequence[Card], spans: Spans | None = None,
            items: Callable[[Card], Sequence[tuple[tuple[int, ...], Any]]] | None = None) -> Any:
    """Cards under their chapter and section headings: `N项 question  id`, one wrapped paragraph per card;
    with `spans`, matches are highlighted; with `items`, the matching items follow their card."""
    from rich.console import Group
    from rich.text import Text

    from sysplan_study.ui.wrap import Wrapped

    counts: dict[str, int] = {}
    for c in cards:
        counts[c.deck] = counts.get(c.deck, 0) + 1
    parts: list[Any] = []
    deck_key: str | None = None
    section_key: str | None = None
    for card in cards:
        deck_head, section_head = _headings(library, card)
        if deck_head[0] != deck_key:
            if parts:
                parts.append(text(""))
            parts.append(wrapped(join(marked(deck_head[1], spans, "bold"),
                                      (f"  {deck_head[2]} · {counts[card.deck]} 张", "dim"))))
            deck_key, section_key = deck_head[0], None
        if section_head is not None and section_head[0] != section_key:
            parts.append(wrapped(join(marked(section_head[1], spans, "bold"), (f"  {section_head[2]}", "dim")),
                                 prefix=" "))
            section_key = section_head[0]
        elif section_head is None and section_key is not None:
            section_key = None
        if spans is None:  # what join(text(question), "  ", text(id, "dim")) makes, without the three Texts
            body = Text(question(card))
            body.append("  ")
            body.append(card.id, "dim")
        else:
            body = join(marked(question(card), spans), "  ", marked(card.id, spans, "dim"))
        parts.append(Wrapped(body, prefix=f"  {card.count:>2}项 ", copy=False))
        for path, item in items(card) if items else ():
            label = " ".join(item_label(d, i) for d, i in enumerate(path))
            parts.append(wrapped(marked(item_text(item), spans), prefix=f"{' ' * 7}{label} "))
    return Group(*parts)


KIND_NAMES = {"chapter": "章节", "terms": "术语", "user": "自建"}


class DeckOverview:
    """`sysplan decks`: a table when there is room, else one block per deck (title wrapped, figures below)."""

    WIDE = 60

    def __init__(self, rows: Sequence[dict[str, Any]]):
        self.rows = rows

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.console import Group

        if options.max_width >= self.WIDE:
            from sysplan_study.ui.fast_table import FastTable  # render.simple_table's output, drawn faster

            cells = ([r["id"], KIND_NAMES.get(r["kind"], r["kind"]), r["cards"], r["new"], r["due"], r["title"]]
                     for r in self.rows)
            yield FastTable(["id", "类型", "卡片", "新", "到期", "标题"], cells)
            return
        parts = []
        for r in self.rows:
            parts.append(wrapped(join((r["title"], "bold"), ("  " + r["id"], "dim"))))
            figures = f"{KIND_NAMES.get(r['kind'], r['kind'])} · {r['cards']} 张 · 新 {r['new']} · 到期 {r['due']}"
            parts.append(wrapped(figures, prefix="  "))
        yield Group(*parts)
