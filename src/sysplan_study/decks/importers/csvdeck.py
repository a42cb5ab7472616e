"""CSV tables (prompt,items[,id][,note]) → free-standing cards; UTF-8 with or without BOM, or GB18030 (Excel)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

from sysplan_study.decks.importers.clean import decode
from sysplan_study.decks.importers.labels import ID_RE
from sysplan_study.decks.importers.model import Stats, tidy
from sysplan_study.errors import UserError

HEADERS = {
    "prompt": ("prompt", "question", "问题", "题目", "正面", "front"),
    "items": ("items", "answer", "答案", "要点", "背面", "back"),
    "id": ("id", "编号"),
    "note": ("note", "备注", "注"),
}
_SPLIT = re.compile(r"\s*(?:；|;|\n)\s*")


def prompt_id(prompt: str) -> str:
    """A card id from the prompt when the table has no id column: "h" + 8 hex of its SHA-256 (edit → new card)."""
    return "h" + hashlib.sha256(prompt.strip().encode("utf-8")).hexdigest()[:8]


def _columns(header: list[str]) -> dict[str, int] | None:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    return found if "prompt" in found and "items" in found else None


def csv_deck(data: bytes, shown: str, deck_id: str, title: str | None) -> tuple[dict[str, Any], Stats]:
    """A CSV table → (deck document of free-standing cards, stats); one clear line for a malformed table."""
    if b"\x00" in data[:8192]:
        raise UserError(f"不是文本文件，无法按 CSV 导入（binary file, not CSV）: {shown}")
    text = decode(data, shown)
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=dialect.delimiter, strict=True))
    except csv.Error as e:
        raise UserError(f"CSV 格式有误（malformed CSV: {e}）: {shown}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise UserError(f"CSV 文件是空的（empty CSV）: {shown}")
    columns = _columns(rows[0])
    first = 2
    if columns is None:
        columns = {"prompt": 0, "items": 1, "id": 2, "note": 3}
        first = 1
    else:
        rows = rows[1:]
    stats = Stats()
    cards: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=first):
        def cell(key: str) -> str:
            i = columns.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        prompt, items_text = cell("prompt"), cell("items")
        if not prompt or not items_text:
            what = "问题" if not prompt else "答案"
            raise UserError(f"{shown}:{n}: 第 {n} 行缺少{what}列（row {n}: prompt and items are required）")
        cid = cell("id") or prompt_id(prompt)
        stats.hashed_ids += 0 if cell("id") else 1
        if not ID_RE.match(cid):
            raise UserError(f"{shown}:{n}: id {cid!r} 须为小写英文字母、数字和下划线，以字母开头（invalid id）")
        if cid in seen:
            raise UserError(f"{shown}:{n}: id {cid!r} 与第 {seen[cid]} 行重复（duplicate id）")
        seen[cid] = n
        items = [tidy(p) for p in _SPLIT.split(items_text) if tidy(p)]
        card: dict[str, Any] = {"id": cid, "prompt": prompt, "items": items}
        if cell("note"):
            card["note"] = cell("note")
        cards.append(card)
        stats.cards += 1
        stats.items += len(items)
    return {"deck": deck_id, "title": title or deck_id, "kind": "user", "cards": cards}, stats
