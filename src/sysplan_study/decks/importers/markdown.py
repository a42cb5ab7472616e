"""Markdown outlines (headings and nested lists, or a mind map's indented bullets) → a deck.

Headings and list items become one tree. A node whose text is a field label (目标, 活动：…) or whose children are all
items is a list card; other nodes with children are sections. Section numbers come from the headings ("1.4 …",
"一、…") or, where a heading has none, from its position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sysplan_study.decks.importers.clean import decode
from sysplan_study.decks.importers.labels import LABEL_SLUGS, known_label_at_end, numeral_value, section_id, slug_for
from sysplan_study.decks.importers.model import Stats, tidy, unique_id
from sysplan_study.errors import UserError

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)、]|[(（]\d{1,3}[)）]|[A-Za-z][.)、])\s+(?:\[[ xX]\]\s+)?(.*)$")
_SECTION_NO = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})[.、\s]\s*(.+)$")
_CHAPTER_NO = re.compile(r"^(?:第([一二三四五六七八九十]{1,3})章|([一二三四五六七八九十]{1,3})、)\s*(.+)$")


@dataclass
class Node:
    text: str
    level: int  # heading level (1-6), or 10 + indent for list items
    heading: bool = False
    children: list["Node"] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)


def strip_inline(text: str) -> str:
    """Markdown emphasis, code, links and images → their text."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return text.strip()


def parse_tree(text: str) -> Node:
    """Headings, list items (by indentation) and label paragraphs as one tree under a root."""
    root = Node("", 0, heading=True)
    stack: list[Node] = [root]
    last: Node | None = None
    in_code = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code or not raw.strip() or re.match(r"^\s*(---+|\*\*\*+|>)\s*$", raw):
            continue
        line = raw.replace("\t", "    ")
        h = _HEADING.match(line)
        if h:
            node = Node(strip_inline(h.group(2)), len(h.group(1)), heading=True)
            while stack[-1].level >= node.level:
                stack.pop()
            stack[-1].children.append(node)
            stack.append(node)
            last = node
            continue
        b = _BULLET.match(line)
        if b:
            node = Node(strip_inline(b.group(2)), 10 + len(b.group(1)))
            while stack[-1].level >= node.level:
                stack.pop()
            stack[-1].children.append(node)
            stack.append(node)
            last = node
            continue
        content = strip_inline(line)
        indent = len(line) - len(line.lstrip())
        if last is not None and not last.heading and indent > last.level - 10:
            last.text = f"{last.text}{content}"  # a list item's continuation line
            continue
        # A paragraph: "目标：" before a list is a label node; other text is the current heading's lead.
        while stack[-1].level >= 10:
            stack.pop()
        if re.search(r"[:：]$", content) and len(content) <= 40:
            node = Node(content.rstrip(":："), 9, heading=False)
            stack[-1].children.append(node)
            stack.append(node)
            last = node
        else:
            stack[-1].lead.append(content)
            last = None
    return root


def _depth(node: Node) -> int:
    return 1 + max((_depth(c) for c in node.children), default=0)


def _is_label(text: str) -> bool:
    t = text.strip().rstrip(":：")
    return t in LABEL_SLUGS or (known_label_at_end(t) is not None and len(t) <= 12)


def _is_field(node: Node) -> bool:
    """A list card: a label, or a node whose children are items (no headings, no labels, two levels at most)."""
    if not node.children:
        return False
    if any(c.heading for c in node.children):
        return False
    if _is_label(node.text) or node.level == 9:
        return True
    if any(_is_label(c.text) and c.children for c in node.children):
        return False
    return _depth(node) <= 3


def _item(node: Node) -> Any:
    text = tidy(node.text)
    if not node.children:
        return text or None
    children = [c for c in (_item(c) for c in node.children) if c]
    if not text:
        return None
    return {"text": text, "children": children} if children else text


class _Builder:
    def __init__(self, stats: Stats):
        self.stats = stats
        self.lists = 0  # cards made from lists (a document of paragraphs only is not an outline)

    def field(self, node: Node, used: set[str]) -> dict[str, Any] | None:
        items = [i for i in (_item(c) for c in node.children) if i]
        if not items:
            return None
        label = tidy(node.text).rstrip("：") or "内容"
        fid = unique_id(slug_for(label), used)
        out: dict[str, Any] = {"id": fid, "name": label}
        if not _is_label(label):
            out["question"] = f"{label}有哪些？" if not label.endswith(("？", "?")) else label
        if node.lead:
            out["note"] = tidy("".join(node.lead))
        out["items"] = items
        self.stats.cards += 1
        self.lists += 1
        self.stats.items += sum(_count(i) for i in items)
        return out

    def section(self, node: Node, number: str, sid: str) -> dict[str, Any]:
        title = tidy(node.text)
        out: dict[str, Any] = {"id": sid, "number": number, "title": title or number}
        fields: list[dict[str, Any]] = []
        sections: list[dict[str, Any]] = []
        used: set[str] = set()
        position = 0
        if node.lead:
            text = tidy("".join(node.lead))
            if text:
                fields.append({"id": "description", "name": "说明", "items": [text]})
                used.add("description")
                self.stats.cards += 1
                self.stats.items += 1
        for child in node.children:
            if _is_field(child):
                f = self.field(child, used)
                if f:
                    fields.append(f)
            elif child.children or child.heading:
                position += 1
                num, title = _numbered(child.text)
                if num is None:
                    num = f"{number}.{position}" if number and not number[0] in "一二三四五六七八九十" else (
                        f"{_chapter_value(number)}.{position}" if number else str(position))
                else:
                    child.text = title
                sid_child = _section_id(num)
                sections.append(self.section(child, num, sid_child))
            else:
                # A lone line among sections: keep it as a one-item card of its own.
                self.stats.unplaced.append(tidy(child.text))
        if fields:
            out["fields"] = fields
        if sections:
            out["sections"] = _unique_ids(sections)
        self.stats.sections += 1
        return out


def _chapter_value(number: str) -> int:
    try:
        return numeral_value(number)
    except ValueError:
        return 0


def _numbered(text: str) -> tuple[str | None, str]:
    """"1.4 方案设计" → ("1.4", "方案设计"); "一、规划设计" / "第一章 规划设计" → ("一", …); else (None, text)."""
    t = text.strip()
    m = _CHAPTER_NO.match(t)
    if m:
        return m.group(1) or m.group(2), m.group(3)
    m = _SECTION_NO.match(t)
    if m:
        return m.group(1), m.group(2)
    return None, t


def _section_id(number: str) -> str:
    if number and number[0] in "一二三四五六七八九十":
        return f"c{_chapter_value(number)}"
    return section_id(number)


def _unique_ids(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for s in sections:
        base, n = s["id"], 2
        while s["id"] in seen:
            s["id"] = f"{base}_{n}"
            n += 1
        seen.add(s["id"])
    return sections


def _count(item: Any) -> int:
    if isinstance(item, dict):
        return 1 + sum(_count(c) for c in item.get("children", []))
    return 1


def markdown_deck(data: bytes, shown: str, deck_id: str, title: str | None) -> tuple[dict[str, Any], Stats]:
    """A Markdown outline → (deck document, stats); one clear error if it holds no list to learn."""
    if b"\x00" in data[:8192]:
        raise UserError(f"不是文本文件，无法按 Markdown 导入（binary file, not Markdown）: {shown}")
    root = parse_tree(decode(data, shown))
    stats = Stats()
    # A single top heading with everything under it is the document's title.
    top = root
    doc_title = None
    if len(root.children) == 1 and root.children[0].heading and root.children[0].level == 1 and not root.lead:
        top = root.children[0]
        num, _ = _numbered(top.text)
        if num is None:
            doc_title = tidy(top.text)
            top = Node("", 0, heading=True, children=top.children, lead=top.lead)
    builder = _Builder(stats)
    body = builder.section(top, "", "root")
    stats.sections -= 1
    doc: dict[str, Any] = {"deck": deck_id, "title": title or doc_title or deck_id, "kind": "user"}
    if "fields" in body:
        doc["fields"] = body["fields"]
    if "sections" in body:
        doc["sections"] = body["sections"]
    if builder.lists == 0:
        raise UserError(f"Markdown 中没有找到列表（标题下的列表或缩进的要点）（no lists found）: {shown}")
    return doc, stats
