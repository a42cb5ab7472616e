"""What an importer builds before it is a deck: sections, fields and items with spans, then the YAML document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sysplan_study.decks.importers.runs as runs
from sysplan_study.decks.importers.labels import LABEL_SLUGS, section_id, slug_for
from sysplan_study.decks.validate import MAX_TEXT

_CJK = re.compile(r"[\u3400-\u9fff]")
_TO_FULL = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})


@dataclass
class DraftItem:
    start: int = 0
    end: int = 0
    text: str = ""
    children: list["DraftItem"] = field(default_factory=list)
    letter: str = ""
    index: int = 0
    note: str | None = None
    source_note: str | None = None
    cut_off: bool = False


@dataclass
class DraftField:
    label: str | None
    start: int = 0
    kind: str = "labelled"  # labelled | unlabelled (a numbered list) | lead (text before a label) | definition
    lead: str = ""
    lead_start: int = 0
    items: list[DraftItem] = field(default_factory=list)
    style: str | None = None
    question: str | None = None
    note: str | None = None
    source_note: str | None = None


@dataclass
class DraftSection:
    number: str
    origin: str  # ch | sec | sub | sub2 | root
    start: int = 0
    title: str = ""
    parent: "DraftSection | None" = None
    chapter_value: int = 0
    fields: list[DraftField] = field(default_factory=list)
    sections: list["DraftSection"] = field(default_factory=list)
    lead: str = ""
    lead_start: int = 0
    lead_parts: list[str] = field(default_factory=list)
    raw_title: str = ""
    sub_counts: dict[str, int] = field(default_factory=dict)
    source_note: str | None = None


@dataclass
class Draft:
    sections: list[DraftSection] = field(default_factory=list)
    root: DraftSection = field(default_factory=lambda: DraftSection(number="", origin="root"))
    last_section_number: list[int] | None = None
    unplaced: list[str] = field(default_factory=list)
    text: str = ""
    marks: list[Any] = field(default_factory=list)

    def all_sections(self) -> list[DraftSection]:
        out: list[DraftSection] = []

        def walk(secs: list[DraftSection]) -> None:
            for s in secs:
                out.append(s)
                walk(s.sections)

        walk(self.sections)
        return out


@dataclass
class Stats:
    """What an import made, for the summary line."""

    sections: int = 0
    cards: int = 0
    items: int = 0
    corrections: int = 0
    unsplit: int = 0  # items left run together (no evident split)
    cut_off: int = 0
    unplaced: list[str] = field(default_factory=list)
    builtin_repeats: int = 0
    skipped_builtin: int = 0
    ours: list[str] = field(default_factory=list)  # apkg: card ids of notes our own export made
    hashed_ids: int = 0  # csv: cards whose id is a hash of the prompt (no id column)


def unique_id(base: str, used: set[str]) -> str:
    """`base`, or `base_2`, `base_3`… if taken; the id returned is added to `used`."""
    fid, n = base, 2
    while fid in used:
        fid = f"{base}_{n}"
        n += 1
    used.add(fid)
    return fid


def tidy(text: str) -> str:
    """Item text as the decks write it: no numbering residue, full-width punctuation, no trailing 。."""
    text = re.sub(r"\s+", " ", text).strip(" 、,，.。;；:：")
    if _CJK.search(text):
        text = text.translate(_TO_FULL)
        text = re.sub(r"\s*([，：；？！（）、。])\s*", r"\1", text)
        text = re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", text)
    return text.strip(" 、，。；：")


def _looks_run_together(text: str) -> bool:
    """A long item with no punctuation at all: probably several items the source wrote without separators."""
    return len(text) >= 24 and not re.search(r"[，、；：。,;:（）()\s]", text)


def item_yaml(item: DraftItem, marks: list[Any], stats: Stats, depth: int = 0) -> Any:
    """One item as YAML (a string, or a mapping with children/notes/cut_off)."""
    text = tidy(item.text)
    children = [c for c in (item_yaml(c, marks, stats, depth + 1) for c in item.children) if c is not None]
    notes = [m.text for m in marks if item.start <= m.start < max(item.end, item.start + 1)]
    source_notes = ([item.source_note] if item.source_note else []) + notes
    if not children and depth == 0:
        split = runs.head_and_list(text) or runs.head_and_run(text)
        if split:
            text, children = split[0], split[1]
            source_notes.append("原文子项连写，按重复的词切分")
    if not text:
        if not children:
            return None
        text = "（无标题）"
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    stats.items += 1 + sum(_count(c) for c in children)
    if _looks_run_together(text) and not children:
        stats.unsplit += 1
        source_notes.append("原文各项连写无分隔，未能自动切分，请手工编辑")
    if item.cut_off:
        stats.cut_off += 1
    if not children and not source_notes and not item.note and not item.cut_off:
        return text
    out: dict[str, Any] = {"text": text}
    if item.note:
        out["note"] = item.note
    if source_notes:
        out["source_note"] = "；".join(dict.fromkeys(source_notes))[:MAX_TEXT]
    if item.cut_off:
        out["cut_off"] = True
    if children:
        out["children"] = children
    return out


def _count(item: Any) -> int:
    if isinstance(item, dict):
        return 1 + sum(_count(c) for c in item.get("children", []))
    return 1


def _lead_items(text: str) -> tuple[list[str], str | None]:
    """Text standing alone under a label: split when it is evidently a run-together list, else one item."""
    text = tidy(text)
    parts = runs.split_by_shared_word(text)
    if parts:
        return parts, "原文各项连写无分隔，按重复的词切分"
    listed = [p for p in re.split(r"[、，]", text) if p]
    if len(listed) >= 3 and all(len(p) <= 8 for p in listed):
        return listed, "原文各项以顿号分隔，拆为条目"
    return ([text] if text else []), None


def _list_label(parts: list[str]) -> str:
    """The label for an unlabelled run of look-alike parts: their shared word when it is a label (指标), else 内容."""
    for size in (2, 3, 4):
        tail = parts[0][-size:]
        if all(p.endswith(tail) for p in parts) and tail in LABEL_SLUGS:
            return tail
    return "内容"


def field_yaml(f: DraftField, sec: DraftSection, marks: list[Any], stats: Stats, used: set[str]) -> dict | None:
    """One field as YAML, or None when it holds nothing (reported as unplaced)."""
    label = f.label
    items: list[Any] = []
    source_notes: list[str] = []
    question = None
    lead = tidy(f.lead)
    if f.items:
        items = [y for y in (item_yaml(i, marks, stats) for i in f.items) if y is not None]
        if lead:
            question = f"{label or '内容'}：{lead}，具体有哪些？"
    elif lead:
        parts, how = _lead_items(lead)
        if how:
            source_notes.append(how)
        items = parts
        stats.items += len(parts)
        if len(parts) == 1 and _looks_run_together(parts[0]):
            stats.unsplit += 1
            source_notes.append("原文各项连写无分隔，未能自动切分，请手工编辑")
        if f.kind == "definition":
            label = "定义"
        elif f.kind == "lead" and label is None:
            label = _list_label(parts) if how and "重复" in how else ("内容" if how else "说明")
    if not items:
        if label:
            stats.unplaced.append(f"{sec.number} {sec.title}：标签“{label}”下没有内容")
        return None
    if label is None:
        label = "内容"
        source_notes.append("字段名为导入时补加，原文无标签")
    if label == "目标" and "目的" in sec.title and "目标" not in sec.title:
        label = "目的"  # a section titled …的目的 calls its list 目的
    fid = unique_id(slug_for(label), used)
    out: dict[str, Any] = {"id": fid, "name": label}
    known = label in LABEL_SLUGS or "的" not in label
    if question:
        out["question"] = question
    elif not known:
        out["question"] = f"{label}有哪些？"
    notes = [m.text for m in marks if f.start <= m.start < f.start + len(label) + 1]
    source_notes = notes + source_notes
    if source_notes:
        out["source_note"] = "；".join(dict.fromkeys(source_notes))[:MAX_TEXT]
    out["items"] = items
    stats.cards += 1
    return out


def _fold_item_groups(sec: DraftSection) -> None:
    """1、2、3、 headings that are mostly bare ("1、技术研发规划2、技术研发预算3、…(1)…") are a list, not sections."""
    subs = [s for s in sec.sections if s.origin in ("sub", "sub2")]
    if len(subs) < 2:
        return
    bare = [s for s in subs if not s.fields and not s.sections and not s.lead.strip() and not s.lead_parts]
    labelled = any(f.kind == "labelled" for s in subs for f in s.fields)
    if len(bare) * 2 < len(subs) or labelled or any(s.sections for s in subs):
        return
    f = DraftField(label=None, start=subs[0].start, kind="unlabelled")
    for s in subs:
        item = DraftItem(start=s.start, end=s.start + len(s.title) + 3, text=s.title, index=len(f.items) + 1)
        for g in s.fields:
            item.children.extend(g.items)
            if not g.items and g.lead.strip():
                item.children.append(DraftItem(start=g.lead_start, end=g.lead_start + len(g.lead), text=g.lead))
        f.items.append(item)
    sec.sections = [s for s in sec.sections if s not in subs]
    sec.fields.append(f)


def section_yaml(sec: DraftSection, marks: list[Any], stats: Stats) -> dict:
    """One section (or chapter) as YAML, its sub-sections nested."""
    _fold_item_groups(sec)
    if sec.lead.strip() or sec.lead_parts:
        f = DraftField(label=None, start=sec.lead_start, kind="lead", lead=sec.lead, lead_start=sec.lead_start)
        if sec.lead_parts:
            f = DraftField(label=_list_label(sec.lead_parts), start=sec.start, kind="lead")
            f.items = [DraftItem(start=sec.start, text=p) for p in sec.lead_parts]
            f.source_note = "原文各项连写无分隔，按重复的词切分"
        sec.fields.insert(0, f)
        sec.lead, sec.lead_parts = "", []
    sid = f"c{sec.chapter_value}" if sec.origin == "ch" else section_id(sec.number)
    title = tidy(sec.title) or (f"第{sec.number}章" if sec.origin == "ch" else sec.number)
    out: dict[str, Any] = {"id": sid, "number": sec.number, "title": title}
    notes = [m.text for m in marks if sec.start <= m.start < sec.start + len(sec.number) + len(sec.title) + 2]
    if notes:
        out["source_note"] = "；".join(dict.fromkeys(notes))
    used: set[str] = set()
    fields = []
    for f in sec.fields:
        y = field_yaml(f, sec, marks, stats, used)
        if y is not None:
            if f.source_note:
                y["source_note"] = "；".join(filter(None, [y.get("source_note"), f.source_note]))
                y = {k: y[k] for k in ("id", "name", "question", "source_note", "items") if k in y}
            fields.append(y)
    if fields:
        out["fields"] = fields
    subs = []
    seen: set[str] = set()
    for s in sec.sections:
        y = section_yaml(s, marks, stats)
        y["id"] = unique_id(y["id"], seen)
        subs.append(y)
    if subs:
        out["sections"] = subs
    stats.sections += 1
    return out


def mark_cut_off(draft: Draft) -> bool:
    """The public pages stop mid-item: mark the document's last item (deepest last) as cut off."""
    last: DraftItem | None = None
    for sec in [draft.root, *draft.all_sections()]:
        for f in sec.fields:
            if f.items and (last is None or f.items[-1].start > last.start):
                last = f.items[-1]
    if last is None:
        return False
    while last.children:
        last = last.children[-1]
    last.cut_off = True
    last.source_note = "原文在此截断（页面只显示了部分内容），未补全"
    return True
