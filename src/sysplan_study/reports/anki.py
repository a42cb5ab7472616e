"""The decks as an Anki package (.apkg) with stable GUIDs, so re-importing updates notes."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Any, Iterable, Sequence

from sysplan_study.decks.model import Card, Item, Library
from sysplan_study.errors import UserError
from sysplan_study.store.outputs import check_target, is_stdout, write_with

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


def export_anki_check(path: Path, protected: Iterable[Path] = ()) -> None:
    """Refuse a bad .apkg target (stdout, not a file, the database, wrong suffix) before any work."""
    if is_stdout(path):
        raise UserError("Anki 包是二进制文件，不能写到标准输出，请给出 .apkg 文件名（give a .apkg file name, not -）")
    check_target(path, protected)
    if path.suffix.lower() != ".apkg":
        raise UserError(f"Anki 包的文件名必须以 .apkg 结尾（Anki package must end in .apkg）: {path}")


def export_anki(library: Library, path: Path, chapter: str | None = None, protected: Iterable[Path] = ()) -> int:
    """Write the decks as an .apkg: one note per card, one deck per chapter, GUIDs from card ids."""
    import genanki

    protected = list(protected)
    export_anki_check(path, protected)
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
    write_with(path, lambda tmp: genanki.Package(packages).write_to_file(str(tmp)), protected)
    return count


def _note(model: Any, card: Card, genanki: Any) -> Any:
    return genanki.Note(
        model=model,
        fields=[html.escape(card.prompt), items_html(card.items), card.id, html.escape(card.note or "")],
        guid=genanki.guid_for("sysplan-study", card.id),
        tags=[card.deck],
    )
