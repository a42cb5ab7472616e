"""The decks as an Anki package (.apkg) with stable GUIDs, so re-importing updates notes; optionally with progress.

What Anki users notice is kept stable: subdecks named to sort in book order ("系统规划与管理师::01 IT服务规划设计"),
new cards in deck order, Chinese fonts (lang="zh-CN"), and a note's modification time that changes only when its
text does (a content stamp remembered in $SYSPLAN_STUDY_HOME/anki-stamps.json), so edits made inside Anki survive
a re-import of unchanged cards. `--with-progress` adds each reviewed card's schedule and its review log, which
Anki imports when "Import any learning progress" is ticked.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from sysplan_study.decks.model import Card, Item, Library
from sysplan_study.errors import UserError
from sysplan_study.store.anki_progress import AnkiSchedule
from sysplan_study.store.outputs import check_target, is_stdout, write_text, write_with

ANKI_ROOT = "系统规划与管理师"
ANKI_MODEL_ID = 1_607_392_319  # fixed forever: re-imports must find the same note type
GUID_SALT = "sysplan-study"
# genanki's collection row has crt 1411124400 (2014-09-19 11:00 UTC); review-card due days count from that day.
ANKI_CRT_DAY = date(2014, 9, 19)
STAMPS_FILE = "anki-stamps.json"
FONTS = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", '
         '"Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif')
CSS = (f".card{{font-family:{FONTS};font-size:20px;text-align:left}}"
       ".prompt{font-weight:bold}.note,.id{color:#888;font-size:14px}")
FRONT = '<div class="prompt" lang="zh-CN">{{Prompt}}</div>'
BACK = ('{{FrontSide}}<hr id="answer"><div class="answer" lang="zh-CN">{{Answer}}</div>'
        '{{#Note}}<div class="note" lang="zh-CN">{{Note}}</div>{{/Note}}<div class="id">{{CardId}}</div>')


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
    """"系统规划与管理师::01 IT服务规划设计": numbered in library order, so Anki's name sort is book order."""
    ids = [d.id for d in library.decks]
    return f"{ANKI_ROOT}::{ids.index(deck_id) + 1:02d} {library.deck(deck_id).title}"


def guid_for(card_id: str) -> str:
    """The note GUID of a card (genanki's guid_for over the salt and the card id): stable across exports."""
    import genanki

    return genanki.guid_for(GUID_SALT, card_id)


def export_anki_check(path: Path, protected: Iterable[Path] = ()) -> None:
    """Refuse a bad .apkg target (stdout, not a file, the database, wrong suffix) before any work."""
    if is_stdout(path):
        raise UserError("Anki 包是二进制文件，不能写到标准输出，请给出 .apkg 文件名（give a .apkg file name, not -）")
    check_target(path, protected)
    if path.suffix.lower() != ".apkg":
        raise UserError(f"Anki 包的文件名必须以 .apkg 结尾（Anki package must end in .apkg）: {path}")


def note_fields(card: Card) -> list[str]:
    """The four note fields: prompt, answer list, card id, candidate note."""
    return [html.escape(card.prompt), items_html(card.items), card.id, html.escape(card.note or "")]


def content_stamps(fields: Mapping[str, list[str]], stamps_path: Path | None, now: datetime) -> dict[str, int]:
    """Each card's note modification time: kept while its text is unchanged, `now` when it first differs."""
    known: dict[str, Any] = {}
    if stamps_path is not None:
        try:
            known = json.loads(stamps_path.read_text(encoding="utf-8"))
            if not isinstance(known, dict):
                known = {}
        except (OSError, ValueError):
            known = {}
    stamp_now = int(now.timestamp())
    out: dict[str, int] = {}
    changed = False
    for cid, values in fields.items():
        digest = hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]
        entry = known.get(cid)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest and isinstance(entry[1], int):
            out[cid] = entry[1]
        else:
            out[cid] = stamp_now
            known[cid] = [digest, stamp_now]
            changed = True
    if changed and stamps_path is not None:
        try:
            stamps_path.parent.mkdir(parents=True, exist_ok=True)
            write_text(stamps_path, json.dumps(known, ensure_ascii=False, sort_keys=True))
        except (OSError, UserError):
            pass  # the stamps only spare edits made in Anki; an unwritable home must not stop the export
    return out


def export_anki(
    library: Library, path: Path, chapter: str | None = None, protected: Iterable[Path] = (),
    progress: Mapping[str, AnkiSchedule] | None = None, stamps_path: Path | None = None,
    now: datetime | None = None,
) -> int:
    """Write the decks as an .apkg: one note per card, one deck per chapter, GUIDs from card ids.

    With `progress`, the cards named there carry their schedule and review log (Anki reads them when "Import any
    learning progress" is ticked); the others stay new.
    """
    import genanki

    protected = list(protected)
    export_anki_check(path, protected)
    if stamps_path is None:
        from sysplan_study.paths import user_dir

        stamps_path = user_dir() / STAMPS_FILE
    model = genanki.Model(
        ANKI_MODEL_ID,
        "sysplan-study 列表卡",
        fields=[{"name": "Prompt"}, {"name": "Answer"}, {"name": "CardId"}, {"name": "Note"}],
        templates=[{"name": "背诵", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
    )
    decks = [library.deck(chapter)] if chapter else list(library.decks)
    fields = {c.id: note_fields(c) for d in decks for c in d.cards}
    stamps = content_stamps(fields, stamps_path, now or datetime.now(timezone.utc))
    note_class = _note_class(genanki)
    packages = []
    position = 0
    for d in decks:
        deck = genanki.Deck(_stable_id(f"sysplan-study:{d.id}"), anki_deck_name(library, d.id))
        for card in d.cards:
            position += 1  # new cards come in deck order (Anki shows new cards by due = position)
            deck.add_note(note_class(
                model=model, fields=fields[card.id], guid=guid_for(card.id), tags=[card.deck], due=position,
                mod=stamps[card.id], schedule=(progress or {}).get(card.id),
            ))
        packages.append(deck)
    package = _package_class(genanki)(packages)
    write_with(path, lambda tmp: package.write_to_file(str(tmp)), protected)
    return position


def _package_class(genanki: Any) -> type:
    """genanki's Package, its collection marked as using the v2+ scheduler (schedVer 2).

    genanki's collection row says nothing, which Anki reads as the old v1 scheduler and then converts the ease of
    learning-step reviews (v1's Good 3 becomes Easy 4); with schedVer 2 the review log is read as written.
    """

    class Package(genanki.Package):  # type: ignore[misc, name-defined]
        def write_to_db(self, cursor: Any, timestamp: float, id_gen: Any) -> None:
            super().write_to_db(cursor, timestamp, id_gen)
            conf = json.loads(cursor.execute("SELECT conf FROM col").fetchone()[0])
            conf["schedVer"] = 2
            cursor.execute("UPDATE col SET conf = ?", (json.dumps(conf),))

    return Package


def _note_class(genanki: Any) -> type:
    """A genanki Note written with its own modification time and, optionally, a schedule and review log."""

    class StampedNote(genanki.Note):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, mod: int, schedule: AnkiSchedule | None = None, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.mod = mod
            self.schedule = schedule

        def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
            super().write_to_db(cursor, self.mod, deck_id, id_gen)
            s = self.schedule
            if s is None:
                return
            cid = cursor.execute(
                "SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ?", (self.guid,)
            ).fetchone()[0]
            cursor.execute(
                "UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, factor = ?, reps = ?, lapses = ? WHERE id = ?",
                ((s.due - ANKI_CRT_DAY).days, s.interval, s.factor, s.reps, s.lapses, cid),
            )
            used: set[int] = set()
            for r in s.reviews:
                rid = r.at_ms
                while rid in used or cursor.execute("SELECT 1 FROM revlog WHERE id = ?", (rid,)).fetchone():
                    rid += 1  # revlog ids are unique: two reviews in one millisecond stay two
                used.add(rid)
                cursor.execute(
                    "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                    "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
                    (rid, cid, r.ease, r.interval, r.last_interval, r.factor, r.duration_ms, r.kind),
                )

    return StampedNote
