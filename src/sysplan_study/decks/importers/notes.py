"""Plain-text study notes (the way 软考 notes circulate) → a deck: chapters, sections, labelled lists, items.

The text may be one run-together line (a web copy) or ordinary lines. Markers are found first (一、 1.4.2 1、 1)、
(1) ① A、), each checked against the numbering it continues, so a stray "一" or "2.5" stays text. Labels (目标：,
关键成功因素(1)…) are found at colons and before a list restarting at (1).
"""

from __future__ import annotations

import re
from typing import Any

import sysplan_study.decks.importers.runs as runs
from sysplan_study.decks.importers.clean import Cleaned, clean_notes
from sysplan_study.decks.importers.garble import reverse
from sysplan_study.decks.importers.labels import TITLE_ENDINGS, known_label_at_end, numeral_value
from sysplan_study.decks.importers.markers import FULL_WIDTH, RANK, Mark, Token, strip_repair_marks, tokenize
from sysplan_study.decks.importers.model import (
    Draft, DraftField, DraftItem, DraftSection, Stats, field_yaml, mark_cut_off, section_yaml, tidy, unique_id,
)

class NotesParser:
    """Builds a Draft from cleaned, corrected text (one pass over the markers)."""

    def __init__(self, text: str):
        self.text = text
        self.norm = text.translate(FULL_WIDTH)
        self.draft = Draft()
        self.chapter: DraftSection | None = None
        self.section: DraftSection | None = None  # innermost open section (or the chapter)
        self.field: DraftField | None = None
        self.stack: list[tuple[str, DraftItem]] = []  # open items of the current field: (marker kind, item)
        self.target: Any = None  # where text goes: a DraftSection (its title), DraftField (lead) or DraftItem
        self.title_pending = False
        self.chapters_seen = 0
        self.unplaced: list[str] = []

    # ------------------------------------------------------------------ validation of candidate markers
    def _next_section_number(self, tokens: list[Token], i: int) -> str | None:
        """The next section number after token i, before any chapter marker."""
        for t in tokens[i + 1:]:
            if t.kind == "sec":
                return t.value
            if t.kind == "ch":
                return None
        return None

    def _accept(self, tokens: list[Token], i: int) -> bool:
        """Whether candidate marker i continues the numbering where it stands (else it is text)."""
        t = tokens[i]
        if t.kind == "ch":
            try:
                value = numeral_value(t.value)
            except ValueError:
                return False
            if value != self.chapters_seen + 1:
                return False
            raw = self.norm[t.start:t.end]
            if "、" in raw or raw.startswith("第") or t.start == 0 or self.norm[t.start - 1] == "\n":
                return True
            nxt = self._next_section_number(tokens, i)
            follows = self.norm[t.end:t.end + 1]
            return (nxt is not None and nxt.split(".")[0] == str(value)) or follows.isascii() and follows.isalpha()
        if t.kind == "sec":
            parts = [int(p) for p in t.value.split(".")]
            if self.chapter is not None and self.chapter.chapter_value and parts[0] != self.chapter.chapter_value:
                return False
            last = self.draft.last_section_number
            return last is None or parts > last
        if t.kind in ("sub", "sub2"):
            n = int(t.value)
            f = self.field
            if f is not None and (f.style == t.kind or (f.style is None and f.label is not None)):
                return n == self._count_in_field(t.kind) + 1
            owner = self._heading_owner(t.kind)
            return n == 1 or n == (owner.sub_counts.get(t.kind, 0) if owner else 0) + 1
        if t.kind == "let":
            last = self.stack[-1] if self.stack else None
            if last is not None and last[0] == "let":
                return ord(t.value) == ord(last[1].letter) + 1 or t.value == "A"
            return t.value == "A" and self.field is not None
        return True

    def _count_in_field(self, kind: str) -> int:
        """How many items of this marker kind the open field (or open item) already has."""
        if self.field is None:
            return 0
        if self.field.style == kind:
            return len(self.field.items)
        for k, item in reversed(self.stack):
            if k == kind:
                return item.index
        return 0

    def _heading_owner(self, kind: str) -> DraftSection | None:
        """The section whose 1、/1)、 headings a marker continues."""
        sec = self.section
        if kind == "sub2":
            return sec.parent if sec is not None and sec.origin == "sub2" else sec
        while sec is not None and sec.origin == "sub2":
            sec = sec.parent
        if sec is not None and sec.origin == "sub" and kind == "sub":
            return sec.parent
        return sec

    # ------------------------------------------------------------------ building
    def parse(self) -> Draft:
        """One pass over the tokens; returns the draft."""
        tokens = tokenize(self.text, self.norm)
        for i, t in enumerate(tokens):
            if t.kind == "text":
                nxt = next((u for u in tokens[i + 1:] if u.kind != "nl"), None)
                self.on_text(t, nxt)
                continue
            if t.kind == "nl":
                self.on_newline()
                continue
            if not self._accept(tokens, i):
                self.on_text(Token("text", t.start, t.end, self.text[t.start:t.end]), None)
                continue
            self.end_heading()
            getattr(self, f"on_{'item' if t.kind in ('item', 'circ', 'line_n') else t.kind}")(t)
        self.end_heading()
        self.close_field()
        self.draft.unplaced = self.unplaced
        return self.draft

    def end_heading(self) -> None:
        """A heading's text ends here (a marker, a line end): cut its title from any text it ran on into."""
        if self.title_pending and isinstance(self.target, DraftSection):
            self.set_title(self.target, self.target.raw_title)
            self.target.raw_title = ""
        self.title_pending = False

    # headings ---------------------------------------------------------
    def on_ch(self, t: Token) -> None:
        """一、 / 第一章: a new chapter."""
        self.close_field()
        self.chapters_seen = numeral_value(t.value)
        ch = DraftSection(number=t.value, origin="ch", start=t.start, chapter_value=self.chapters_seen)
        self.draft.sections.append(ch)
        self.chapter = self.section = ch
        self.open_title(ch)

    def on_sec(self, t: Token) -> None:
        """1.4 / 1.4.2: a section, nested under the section its number extends."""
        self.close_field()
        self.draft.last_section_number = [int(p) for p in t.value.split(".")]
        parent = self.chapter
        # Nest under the deepest open section whose number prefixes this one (1.4.2 under 1.4).
        candidates = self.draft.all_sections()
        for s in reversed(candidates):
            if s.origin in ("sec", "sub", "sub2") and t.value.startswith(s.number + "."):
                parent = s
                break
        sec = DraftSection(number=t.value, origin="sec", start=t.start, parent=parent)
        (parent.sections if parent else self.draft.sections).append(sec)
        self.section = sec
        self.open_title(sec)

    def on_sub(self, t: Token, kind: str = "sub") -> None:
        """1、 (or 1)、): an item of a list opened by a label, else a numbered sub-heading."""
        if self.field is not None and (self.field.style == kind or (self.field.style is None and self.field.label)):
            self.add_item(kind, t)
            return
        self.close_field()
        owner = self._heading_owner(kind)
        n = int(t.value)
        if owner is None:
            number = str(n)
        elif owner.origin == "ch":
            number = f"{owner.chapter_value}.{n}"
        else:
            number = f"{owner.number}.{n}"
        if owner is not None:
            owner.sub_counts[kind] = n
        sec = DraftSection(number=number, origin=kind, start=t.start, parent=owner)
        (owner.sections if owner is not None else self.draft.sections).append(sec)
        self.section = sec
        self.open_title(sec)

    def on_sub2(self, t: Token) -> None:
        """1)、: one level below 1、."""
        self.on_sub(t, "sub2")

    def open_title(self, sec: DraftSection) -> None:
        """Text that follows goes to this heading's title."""
        self.field = None
        self.stack = []
        self.target = sec
        self.title_pending = True

    # fields and items ---------------------------------------------------
    def open_field(self, label: str | None, start: int, kind: str = "labelled") -> DraftField:
        """A new list in the current section (text the section held so far becomes a list of its own first)."""
        self.close_field()
        sec = self.section if self.section is not None else self.draft.root
        self.flush_lead(sec)
        f = DraftField(label=label, start=start, kind=kind)
        sec.fields.append(f)
        self.field = f
        self.stack = []
        self.target = f
        return f

    def close_field(self) -> None:
        """No list is open any more."""
        self.field = None
        self.stack = []
        self.title_pending = False

    def flush_lead(self, sec: DraftSection) -> None:
        """Text a section held before its first label becomes a field of its own (说明, or a list)."""
        if sec.lead.strip():
            f = DraftField(label=None, start=sec.lead_start, kind="lead")
            f.lead = sec.lead
            f.lead_start = sec.lead_start
            sec.fields.append(f)
        sec.lead = ""

    def on_item(self, t: Token) -> None:
        """(1) ① 1.: an item; a list restarting at 1 without a label is a new, unlabelled list."""
        kind = t.kind
        n = t.value
        if self.field is None:
            self.open_field(None, t.start, kind="unlabelled")
        elif self.field.style == kind and n == "1" and self.field.items and not self.stack_has_higher(kind):
            # A list restarting at (1) without a label: a new list of the same section.
            self.open_field(None, t.start, kind="unlabelled")
        self.add_item(kind, t)

    def stack_has_higher(self, kind: str) -> bool:
        """An item of higher rank is open (so this marker numbers its sub-items)."""
        return any(RANK[k] > RANK[kind] for k, _ in self.stack)

    def on_let(self, t: Token) -> None:
        """A、: a sub-item."""
        self.add_item("let", t)

    def add_item(self, kind: str, t: Token) -> None:
        """Place an item by its marker's rank: top-level, sibling, or child of the nearest higher open item."""
        f = self.field
        assert f is not None
        item = DraftItem(start=t.end, letter=t.value if kind == "let" else "")
        if f.style is None or (not f.items and f.style != kind):
            f.style = kind
        if kind == f.style:
            self.stack = [(kind, item)]
            item.index = len(f.items) + 1
            f.items.append(item)
        else:
            # Pop to the nearest open item of higher rank; siblings of the same kind replace each other.
            while self.stack and RANK[self.stack[-1][0]] <= RANK[kind]:
                self.stack.pop()
            if not self.stack:
                if RANK[kind] > RANK[f.style]:
                    f.style = kind
                self.stack = [(kind, item)]
                item.index = len(f.items) + 1
                f.items.append(item)
            else:
                parent = self.stack[-1][1]
                item.index = len(parent.children) + 1
                parent.children.append(item)
                self.stack.append((kind, item))
        self.target = item

    def on_newline(self) -> None:
        """A line end closes a heading; in a list of plain lines the next line is a new item."""
        self.end_heading()
        if isinstance(self.target, DraftItem) and self.field is not None and self.field.style == "line":
            self.target = self.field

    # text ---------------------------------------------------------------
    def on_text(self, t: Token, nxt: Token | None) -> None:
        """Text between markers: split at labels, the rest fed to the current target."""
        text = t.value
        pos = 0
        list_follows = nxt is not None and (
            (nxt.kind in ("item", "circ", "line_n") and nxt.value in ("1", "#", "\u2460"))
            or (nxt.kind == "sub" and nxt.value == "1" and bool(re.search(r"[:：]\s*$", text))))
        while pos < len(text):
            found = self.find_label(text, pos, list_follows)
            if found is None:
                self.feed(text[pos:], t.start + pos)
                return
            label_start, label_end, after = found
            label = text[label_start:label_end]
            if isinstance(self.target, DraftSection) and self.title_pending:
                sec = self.target
                title, label = runs.split_heading(sec.raw_title + text[pos:label_end], label)
                sec.raw_title = ""
                self.title_pending = False
                if not title.strip() and label and sec.origin in ("sub", "sub2") and sec.parent is not None:
                    # "1、人员要素(1)…": a heading that is only a label is a list of the enclosing section.
                    sec.parent.sections.remove(sec)
                    self.section = sec.parent
                else:
                    self.set_title(sec, title)
                self.open_field(label.strip(" ：:") or None, t.start + label_start,
                                kind="labelled" if label.strip() else "definition")
            else:
                self.feed(text[pos:label_start], t.start + pos)
                self.open_field(label, t.start + label_start)
            pos = after

    def find_label(self, text: str, pos: int, list_follows: bool) -> tuple[int, int, int] | None:
        """The next label in text[pos:]: (start, end, where text resumes), or None."""
        heading = isinstance(self.target, DraftSection) and self.title_pending
        item_start = isinstance(self.target, DraftItem) and not self.target.text.strip()
        for m in re.finditer(r"[:：]", text[pos:]):
            c = pos + m.start()
            before = text[pos:c]
            label = known_label_at_end(before.rstrip())
            if label is None:
                if heading and 0 < len(before.strip()) <= 40:
                    return c, c, c + 1  # "信息安全管理体系ISMS:" — a heading that defines
                short_line = (pos == 0 or text[pos - 1] == "\n") and 0 < len(before.strip()) <= 12
                if short_line and not isinstance(self.target, DraftItem) and "\n" not in before:
                    return pos, c, c + 1
                continue
            start = c - len(label)
            if isinstance(self.target, DraftItem):
                # Inside an item, "知识转移目标：提高能力…" is the item's own head; a label needs a sentence end
                # before it, a list after it, or to be one of the long, unmistakable labels (关键成功因素).
                after = text[c + 1:].translate(FULL_WIDTH).lstrip()
                list_after = bool(re.match(r"\(?\s*(1|#)\s*\)|1、|\u2460", after)) or (not after and list_follows)
                sentence_before = start > pos and text[start - 1] in "。；;！？"
                if not (list_after or sentence_before or len(label) >= 4) or (item_start and start == pos):
                    continue
            line_start = pos == 0 or text[pos - 1] == "\n"
            phrase = text[pos:start]
            if line_start and phrase.endswith("的") and len(phrase) <= 12 and not re.search(r"[，,。；;、\s]", phrase):
                start = pos  # "制定项目章程的目标：" — the whole line is the label
            return start, c, c + 1
        if list_follows:
            tail = text[pos:].rstrip()
            label = known_label_at_end(tail)
            if label is not None:
                start = pos + len(tail) - len(label)
                if item_start and start == pos:
                    return None
                if isinstance(self.target, DraftItem) and start == pos and self.target.text.strip() == "":
                    return None
                return start, start + len(label), len(text)
        return None

    def set_title(self, sec: DraftSection, text: str) -> None:
        """A heading's title; what it ran on into (a run-together list, a lead sentence) is kept as its lead."""
        title = text.strip(" ,，:：。、\n")
        rest = ""
        tl = runs.trailing_list(title)
        if tl and len(tl[0]) >= 2:
            title, rest_parts = tl
            sec.lead_parts = rest_parts
        elif re.search(r"[，,。]", title) or len(title) > 20:
            title, rest = runs.cut_title(title, TITLE_ENDINGS)
        sec.title = (sec.title + title) if sec.title else title
        if rest.strip():
            sec.lead += rest
            sec.lead_start = sec.start

    def feed(self, text: str, start: int) -> None:
        """Append text to the heading, list lead or item it belongs to (anything else is reported unplaced)."""
        if not text:
            return
        target = self.target
        if isinstance(target, DraftSection):
            if self.title_pending:
                target.raw_title += text  # the title is cut when the heading ends (next marker, label or line)
            else:
                if not target.lead:
                    target.lead_start = start
                target.lead += text
        elif isinstance(target, DraftField):
            if target.style == "line" or (target.style is None and "\n" in self.text[max(0, start - 1):start]
                                           and target.lead.strip()):
                target.style = "line"
                item = DraftItem(start=start, text=text)
                item.index = len(target.items) + 1
                target.items.append(item)
                self.target = item
                return
            if not target.lead:
                target.lead_start = start
            target.lead += text
        elif isinstance(target, DraftItem):
            if not target.text:
                target.start = start
            target.text += text
            target.end = start + len(text)
        elif text.strip():
            self.unplaced.append(text.strip())


def parse_notes(raw: str) -> tuple[Draft, Cleaned, list[Mark], int]:
    """Clean, correct and parse notes text: the draft, cleaning facts, editorial marks and reversal count."""
    cleaned = clean_notes(raw)
    corrected, reversals = reverse(cleaned.text)
    plain, marks = strip_repair_marks(corrected, reversals)
    draft = NotesParser(plain).parse()
    draft.text = plain
    draft.marks = marks
    return draft, cleaned, marks, len(reversals)


def notes_deck(raw: str, deck_id: str, title: str | None) -> tuple[dict[str, Any], Stats, str | None]:
    """Notes text → (deck document, stats, the document's own title if it names one)."""
    draft, cleaned, marks, reversals = parse_notes(raw)
    stats = Stats(corrections=reversals + cleaned.repairs)
    if cleaned.truncated:
        mark_cut_off(draft)
    doc: dict[str, Any] = {"deck": deck_id, "title": title or cleaned.title or deck_id, "kind": "user"}
    if cleaned.truncated:
        doc["note"] = "笔记的公开页面只显示了部分内容，最后一项在截断处结束，其后内容缺失"
    root = draft.root
    used: set[str] = set()
    if root.lead.strip():
        stats.unplaced.append(tidy(root.lead))
    fields = [y for y in (field_yaml(f, root, marks, stats, used) for f in root.fields) if y is not None]
    if fields:
        doc["fields"] = fields
    sections = []
    seen: set[str] = set()
    for sec in draft.sections:
        y = section_yaml(sec, marks, stats)
        y["id"] = unique_id(y["id"], seen)
        sections.append(y)
    if sections:
        doc["sections"] = sections
    stats.unplaced = [tidy(u) for u in draft.unplaced if tidy(u)] + stats.unplaced
    return doc, stats, cleaned.title
