"""Anki packages (.apkg/.colpkg): opening the collection inside, and notes → free-standing cards.

A package is a zip holding `collection.anki21b` (zstd-compressed SQLite, current Anki), `collection.anki21` or
`collection.anki2`. Current packages also hold a dummy `collection.anki2` whose one note asks to update Anki: the
newest collection present is read, and that note is never imported.
"""

from __future__ import annotations

import html
import re
import sqlite3
import tempfile
import zipfile
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator, Mapping

from sysplan_study.decks.importers.model import Stats, tidy
from sysplan_study.errors import UserError

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
MAX_COLLECTION_BYTES = 2 * 1024 * 1024 * 1024
# The text of the placeholder note current Anki versions put in the legacy collection of a package.
DUMMY_NOTE = re.compile(r"please update to the latest anki version", re.I)
OUR_MODEL_NAME = "sysplan-study 列表卡"


@contextmanager
def open_collection(path: Path) -> Iterator[sqlite3.Connection]:
    """The package's newest collection as a read-only SQLite connection (unpacked to a temporary file)."""
    shown = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise UserError(f"不是有效的 Anki 包（not a valid .apkg/.colpkg zip: {e}）: {shown}") from None
    with archive, tempfile.TemporaryDirectory(prefix="sysplan-anki-") as tmp:
        names = set(archive.namelist())
        name = next((n for n in COLLECTIONS if n in names), None)
        if name is None:
            raise UserError(f"Anki 包中没有 collection 文件（no collection inside the package）: {shown}")
        info = archive.getinfo(name)
        if info.file_size > MAX_COLLECTION_BYTES:
            raise UserError(f"Anki 包中的集合过大，未读取（collection too large）: {shown}")
        target = Path(tmp) / "collection.sqlite"
        try:
            with archive.open(info) as src, open(target, "wb") as out:
                if name.endswith("21b"):
                    _unzstd(src, out, shown)
                else:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise UserError(f"Anki 包已损坏，无法解压（damaged package: {e}）: {shown}") from None
        try:
            conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            conn.execute("SELECT count(*) FROM notes").fetchone()
        except sqlite3.Error as e:
            raise UserError(f"Anki 包中的集合无法读取（collection is not a readable Anki database: {e}）: {shown}") \
                from None
        try:
            yield conn
        finally:
            conn.close()


def _unzstd(src: Any, out: Any, shown: str) -> None:
    try:
        import zstandard
    except ImportError:  # pragma: no cover - a dependency
        raise UserError("缺少 zstandard 包，无法读取新版 Anki 包（pip install zstandard）") from None
    try:
        zstandard.ZstdDecompressor().copy_stream(src, out)
    except zstandard.ZstdError as e:
        raise UserError(f"Anki 包中的集合解压失败（zstd: {e}）: {shown}") from None


def note_types(conn: sqlite3.Connection) -> dict[int, tuple[str, list[str]]]:
    """Note type id → (name, field names), from the `notetypes`/`fields` tables or the legacy JSON in `col`."""
    out: dict[int, tuple[str, list[str]]] = {}
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "notetypes" in tables and "fields" in tables:
        names = dict(conn.execute("SELECT id, name FROM notetypes"))
        fields: dict[int, list[str]] = {}
        for ntid, _, fname in conn.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
            fields.setdefault(ntid, []).append(fname)
        for ntid, name in names.items():
            out[ntid] = (name, fields.get(ntid, []))
    if not out:
        import json

        row = conn.execute("SELECT models FROM col").fetchone()
        models = json.loads(row[0]) if row and row[0] else {}
        for mid, m in models.items():
            out[int(mid)] = (m.get("name", ""), [f.get("name", "") for f in m.get("flds", [])])
    return out


class _Html(HTMLParser):
    """HTML → nested items: <li> (with nested lists as children), else lines at <br>/<div>/<p>/newlines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Any] = []
        self.stack: list[list[Any]] = [self.root]
        self.items: list[dict[str, Any]] = []
        self.text: list[str] = []
        self.skip = 0

    def _flush(self) -> None:
        text = "".join(self.text)
        self.text = []
        for line in text.split("\n"):
            if line.strip():
                if self.items:
                    self.items[-1]["text"] += line.strip()
                else:
                    self.stack[-1].append({"text": line.strip(), "children": []})

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "li":
            self._flush()
            item = {"text": "", "children": []}
            self.stack[-1].append(item)
            self.items.append(item)
        elif tag in ("ol", "ul"):
            self._flush()
            if self.items:
                self.stack.append(self.items[-1]["children"])
                self.items.append({"text": "", "children": [], "_list": True})
        elif tag in ("br", "div", "p", "tr"):
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag == "li":
            self._flush()
            if self.items and not self.items[-1].get("_list"):
                self.items.pop()
        elif tag in ("ol", "ul"):
            self._flush()
            if self.items and self.items[-1].get("_list"):
                self.items.pop()
                self.stack.pop()
        elif tag in ("div", "p", "tr"):
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data.replace("\n", " ") if self.items else data)


def html_items(value: str) -> list[Any]:
    """A field's HTML as items: list entries with their sub-lists, else one item per line."""
    parser = _Html()
    parser.feed(value)
    parser.close()
    parser._flush()

    def out(nodes: list[Any]) -> list[Any]:
        res: list[Any] = []
        for n in nodes:
            text = tidy(re.sub(r"〔注：.*?〕|…（原文截断）", "", n["text"]))
            kids = out(n["children"])
            if text and kids:
                res.append({"text": text, "children": kids})
            elif text:
                res.append(text)
            else:
                res.extend(kids)
        return res

    return out(parser.root)


def html_text(value: str) -> str:
    """A field's HTML as one line of text."""
    text = re.sub(r"<br\s*/?>|</(div|p|li)>", " ", value, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html.unescape(text).split())


def guid_id(guid: str) -> str:
    """The card id of an Anki note: "g" + hex of its GUID (valid under the deck id pattern, stable)."""
    return "g" + guid.encode("utf-8").hex()


def apkg_deck(path: Path, deck_id: str, title: str | None,
              ours: Mapping[str, str] | None = None) -> tuple[dict[str, Any], Stats]:
    """An Anki package → (deck of free-standing cards, stats): one card per note, first field the prompt.

    `ours` maps GUIDs that `sysplan export --anki` made to their card ids; such notes keep that id (dots → _).
    """
    ours = ours or {}
    stats = Stats()
    cards: list[dict[str, Any]] = []
    repeats: list[str] = []
    with open_collection(path) as conn:
        types = note_types(conn)
        rows = conn.execute("SELECT id, guid, mid, flds FROM notes ORDER BY id").fetchall()
    for _, guid, mid, flds in rows:
        values = flds.split("\x1f")
        name, fields = types.get(mid, ("", []))
        if DUMMY_NOTE.search(html_text(values[0])):
            continue
        note = None
        if name == OUR_MODEL_NAME and len(values) >= 2:
            answer = values[1]
            note = html_text(values[3]) if len(values) > 3 and values[3].strip() else None
        else:
            answer = "<br>".join(v for v in values[1:] if v.strip())
        prompt = html_text(values[0])
        items = html_items(answer) if answer.strip() else []
        if not prompt or not items:
            stats.unplaced.append(prompt or f"note {guid}")
            continue
        if guid in ours:
            cid = ours[guid].replace(".", "_")
            repeats.append(ours[guid])
        else:
            cid = guid_id(guid)
        card: dict[str, Any] = {"id": cid, "prompt": prompt, "items": items}
        if note:
            card["note"] = note
        cards.append(card)
        stats.cards += 1
        stats.items += sum(_count(i) for i in items)
    if not cards:
        raise UserError(f"Anki 包中没有可导入的笔记（no notes with a prompt and an answer）: {path}")
    stats.ours = repeats
    return {"deck": deck_id, "title": title or path.stem, "kind": "user", "cards": cards}, stats


def _count(item: Any) -> int:
    if isinstance(item, dict):
        return 1 + sum(_count(c) for c in item.get("children", []))
    return 1
