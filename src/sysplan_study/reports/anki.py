"""The decks as an Anki package (.apkg) with stable GUIDs, so re-importing updates notes."""

from __future__ import annotations

import hashlib
import html
import os
from pathlib import Path
from typing import Any, Sequence

from sysplan_study.decks.model import Card, Item, Library
from sysplan_study.errors import UserError
from sysplan_study.store.outputs import check_target

ANKI_ROOT = "系统规划与管理师"
ANKI_MODEL_ID = 1_607_392_319  # fixed forever: re-imports must find the same note type


def _stable_id(text: str) -> int:
    """A positive 31-bit id derived from text, so deck ids never change between exports."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF


def items_html(items: Sequence[Item], depth: int = 0) -> str:
    """Ordered HTML lists: 1. 2. 3. for items, A. B. C. for sub-items."""
    kind = ' type="A"' if depth == 1 else (' type="a"' if depth > 1 else "")
    parts = [f"<ol{kind}>"]
    for item in items:
        text = html.escape(item.text) + ("…（原文截断）" if item.cut_off else "")
        if item.note:
            text += f' <small style="color:#888">〔注：{html.escape(item.note)}〕</small>'
        if item.children:
            text += items_html(item.children, depth + 1)
        parts.append(f"<li>{text}</li>")
    parts.append("</ol>")
    return "".join(parts)


def anki_deck_name(library: Library, deck_id: str) -> str:
    """"系统规划与管理师::IT服务规划设计"."""
    return f"{ANKI_ROOT}::{library.deck(deck_id).title}"


def export_anki(library: Library, path: Path, chapter: str | None = None) -> int:
    """Write the decks as an .apkg: one note per card, one deck per chapter, GUIDs from card ids."""
    import genanki

    check_target(path)
    if path.suffix.lower() != ".apkg":
        raise UserError(f"Anki package must end in .apkg: {path}")
    model = genanki.Model(
        ANKI_MODEL_ID,
        "sysplan-study 列表卡",
        fields=[{"name": "Prompt"}, {"name": "Answer"}, {"name": "CardId"}, {"name": "Note"}],
        templates=[{
            "name": "背诵",
            "qfmt": '<div class="prompt">{{Prompt}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>'
                    '{{#Note}}<div class="note">{{Note}}</div>{{/Note}}<div class="id">{{CardId}}</div>',
        }],
        css=".card{font-family:sans-serif;font-size:20px;text-align:left}.prompt{font-weight:bold}"
            ".note,.id{color:#888;font-size:14px}",
    )
    decks = [library.deck(chapter)] if chapter else list(library.decks)
    packages = []
    count = 0
    for d in decks:
        deck = genanki.Deck(_stable_id(f"sysplan-study:{d.id}"), anki_deck_name(library, d.id))
        for card in d.cards:
            deck.add_note(_note(model, card, genanki))
            count += 1
        packages.append(deck)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        genanki.Package(packages).write_to_file(str(tmp))
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None
    return count


def _note(model: Any, card: Card, genanki: Any) -> Any:
    return genanki.Note(
        model=model,
        fields=[html.escape(card.prompt), items_html(card.items), card.id, html.escape(card.note or "")],
        guid=genanki.guid_for("sysplan-study", card.id),
        tags=[card.deck],
    )
