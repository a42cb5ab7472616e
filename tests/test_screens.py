"""Screens at 80 and 40 columns: nothing cut, Chinese line breaking, cards/search layout, read, show prefixes."""

from __future__ import annotations

import io
import json
import re
from typing import Any, Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from sysplan_study.decks.model import Card, Item
from sysplan_study.ui.wrap import CLOSING, OPENING, wrap, wrap_lines

BOX = "│╭╮╰╯─┃━"


def walk(items: tuple[Item, ...]) -> Iterator[Item]:
    for item in items:
        yield item
        yield from walk(item.children)


def squash(text: str) -> str:
    """Text without whitespace or box drawing: wrapped lines joined back as the reader reads them."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in BOX)


def body_lines(output: str) -> list[str]:
    """Output lines without panel borders and indentation."""
    return [line.strip().strip(BOX).strip() for line in output.splitlines()]


def assert_screen(output: str, columns: int) -> None:
    """No line wider than the terminal, none starting with closing punctuation, nothing cut with an ellipsis."""
    for line in output.splitlines():
        assert cell_len(line) <= columns, line
    for line in body_lines(output):
        assert not line or line[0] not in CLOSING, line
    assert "…" not in output.replace("…（原文截断）", ""), "text cut with …"


# ------------------------------------------------------------------------------ the line breaker

CJK = "服务目录的结构和内容设计活动管理客户需求识别关键成功因素"
ALPHABET = st.sampled_from(list(CJK) + list("abcXYZ0123.-/") + [" ", "  "] + list("，。、；：？！）」』】》,.;:?!)")
                           + list("（「『【《([") + ["👍", "☕", "é"])
texts = st.lists(ALPHABET, max_size=120).map("".join)


def offered(line: str) -> bool:
    """True when the line has a break inside it that keeps the punctuation rules (not before a space)."""
    return any(line[k] not in CLOSING and line[k - 1] not in OPENING and not line[k].isspace()
               for k in range(1, len(line)))


@settings(max_examples=1000, deadline=None)
@given(text=texts, width=st.integers(20, 120))
@example(text="。" * 40, width=20)
@example(text="（" * 30 + "服务", width=20)
@example(text="a" * 50 + "，服务", width=20)
@example(text="服" * 9 + " ，", width=20)
def test_wrap_properties(text: str, width: int) -> None:
    lines = wrap_lines(text, width)
    assert "".join(lines) == text  # nothing lost, nothing added
    for n, line in enumerate(lines):
        assert cell_len(line.rstrip()) <= width, (line, width)  # trailing spaces hang outside the width
        if n:
            assert not line[:1].isspace()
            prev = lines[n - 1]
            # A line starts with closing punctuation, or the previous one ends with an opening bracket, only when
            # unavoidable: the previous line offered no break keeping the rules (it is all locked punctuation).
            if line[0] in CLOSING or prev[-1] in OPENING:
                assert not offered(prev), (prev, line, width)


def test_wrap_keeps_graphemes_labels_and_counts() -> None:
    family = "👨\u200d👩\u200d👧"
    for width in range(2, 12):
        for line in wrap_lines((family + "e\u0301") * 8, width):
            assert not line.startswith(("\u200d", "\u0301")) and line.count("👨") == line.count("👧")
        for line in wrap_lines("☺\ufe0f" * 30, width):
            assert cell_len(line) <= max(2, width)  # measured as Rich measures a grapheme
    prompt = "【1.1 服务目录的结构和内容】服务目录的设计目的是促使IT部门与客户之间建立起一个长期稳固的关系，具体有哪些？（共9项）"
    for width in range(28, 90):
        lines = wrap_lines(prompt, width)
        assert "【1.1 服务目录的结构和内容】" in lines[0]
        assert any(line.endswith("（共9项）") and len(line) > 5 for line in lines), lines  # never alone
    assert wrap_lines("甲乙丙丁(共12项)", 12) == ["甲乙丙", "丁(共12项)"]  # a count keeps a character with it
    assert wrap_lines("ab cdefgh", 6) == ["ab ", "cdefgh"] and wrap_lines("SMART原则", 6) == ["SMART", "原则"]
    assert wrap_lines("SMART原则", 4)[0] == "SMAR"  # a word is split only when wider than the line
    assert wrap_lines("supervise.quality.plan.quality_activities", 33) == ["supervise.quality.plan.", "quality_activities"]
    assert wrap("ab\n\ncd", 20) == [(0, 2), (3, 3), (4, 6)]
    assert wrap_lines("识别风险、并定义风险控制措施和机制", 32) == ["识别风险、并定义风险控制措施和", "机制"]  # no widow


def test_builtin_prompts_keep_their_labels_whole(library: Any) -> None:
    label = re.compile(r"【[^】]+】")
    for card in library.cards:
        m = label.match(card.prompt)
        for width in (36, 40, 76, 80):
            lines = wrap_lines(card.prompt, width)
            if m and cell_len(m.group()) <= width:
                assert lines[0].startswith(m.group()), (card.id, lines)
            for a, b in zip(lines, lines[1:]):
                assert b[0] not in CLOSING and a[-1] not in OPENING, (card.id, a, b)


# ------------------------------------------------------------------------------ show, read: every item in full


def chapter_ids(library: Any) -> list[str]:
    return [d.id for d in library.decks]


@pytest.mark.parametrize("columns", ["80", "40"])
def test_show_prints_every_item_in_full(invoke: Any, library: Any, columns: str) -> None:
    for deck in chapter_ids(library):
        result = invoke("show", deck, env={"COLUMNS": columns})
        assert result.exit_code == 0, result.output
        assert_screen(result.stdout, int(columns))
        flat = squash(result.stdout)
        for card in library.deck(deck).cards:
            assert squash(card.prompt) in flat, card.id
            for item in walk(card.items):
                assert squash(item.text) in flat, (card.id, item.text)
                if item.note:
                    assert squash(item.note) in flat
                if item.source_note:
                    assert squash(item.source_note) not in flat  # editorial notes are not shown while studying
            if card.note:
                assert squash(card.note) in flat
            if card.source_note:
                assert squash(card.source_note) not in flat


def test_show_operate_goals_wraps_under_the_item(invoke: Any, library: Any) -> None:
    item = library.card("operate.goals").items[0].text
    for columns in (40, 80, 100, 200):
        out = invoke("show", "operate.goals", env={"COLUMNS": str(columns)}).stdout
        assert squash(item) in squash(out)
        lines = [line.strip(BOX) for line in out.splitlines()]
        start = next(i for i, line in enumerate(lines) if "(1)" in line)
        column = lines[start].index("(1)") + 4
        following = [line for line in lines[start + 1:] if line.strip()]
        if columns < 120:
            assert following and all(line[:column].strip() == "" for line in following[:2])  # hanging indent


def test_show_several_ids_and_a_section_prefix(invoke: Any, library: Any) -> None:
    section = invoke("show", "design.catalog")
    assert section.exit_code == 0
    catalog = [c.id for c in library.cards if c.id.startswith("design.catalog.")]
    assert len(catalog) == 4 and all(cid in section.stdout for cid in catalog)
    both = invoke("show", "design.catalog.csf", "design.sla.contents", "design.catalog.csf")
    assert both.stdout.count("design.catalog.csf") == 1 and "design.sla.contents" in both.stdout
    one = json.loads(invoke("show", "design.catalog.csf", "--format", "json").stdout)
    assert one["id"] == "design.catalog.csf"  # one id: the object, as before
    many = json.loads(invoke("show", "design.catalog", "--format", "json").stdout)
    assert [c["id"] for c in many] == catalog
    bad = invoke("show", "design.catalog.csf", "design.nope")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1 and "design.nope" in bad.stderr


@pytest.mark.parametrize("columns", ["80", "40"])
def test_read_prints_every_chapter_in_full(invoke: Any, library: Any, columns: str) -> None:
    for deck in chapter_ids(library):
        result = invoke("read", deck, env={"COLUMNS": columns})
        assert result.exit_code == 0, result.output
        assert_screen(result.stdout, int(columns))
        flat = squash(result.stdout)
        for card in library.deck(deck).cards:
            assert card.id in flat
            for item in walk(card.items):
                assert squash(item.text) in flat, (card.id, item.text)


def test_read_section_source_notes_and_errors(invoke: Any, library: Any) -> None:
    deck = library.deck("design")
    editorial = [n for c in deck.cards for n in [c.source_note, *(i.source_note for i in walk(c.items))] if n]
    candidate = [n for c in deck.cards for n in [c.note, *(i.note for i in walk(c.items))] if n]
    plain, source = invoke("read", "design").stdout, invoke("read", "design", "--source").stdout
    assert editorial and candidate
    assert all(squash(n) not in squash(plain) for n in editorial)
    assert all(squash(n) in squash(source) for n in editorial)
    assert all(squash(n) in squash(plain) for n in candidate)
    by_number = invoke("read", "design", "1.1").stdout
    assert by_number == invoke("read", "design", "catalog").stdout == invoke("read", "design", "design.catalog").stdout
    assert "design.catalog.csf" in by_number and "design.sla" not in by_number
    bad = invoke("read", "design", "9.9")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1 and "9.9" in bad.stderr
    assert invoke("read", "nope").exit_code == 1


def test_read_pages_only_on_a_terminal_when_long(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydoc

    from rich.console import Console

    from sysplan_study.ui.render import print_paged, text

    paged: list[str] = []
    monkeypatch.setattr(pydoc, "pager", lambda content: paged.append(content))
    monkeypatch.delenv("PAGER", raising=False)
    monkeypatch.delenv("LESS", raising=False)
    long = text("\n".join(f"第{i}行" for i in range(40)))
    tty = Console(file=io.StringIO(), force_terminal=True, width=40, height=20)
    print_paged(tty, long)
    assert len(paged) == 1 and "第39行" in paged[0] and tty.file.getvalue() == ""
    print_paged(tty, text("短"))  # shorter than the screen: printed
    assert len(paged) == 1 and "短" in tty.file.getvalue()
    pipe = Console(file=io.StringIO(), width=40, height=20)
    print_paged(pipe, long)  # not a terminal: plain, never paged
    assert len(paged) == 1 and "第39行" in pipe.file.getvalue() and "\x1b[" not in pipe.file.getvalue()


# ------------------------------------------------------------------------------ review and quiz at 40 columns


@pytest.mark.parametrize("columns", ["80", "40"])
def test_review_and_quiz_recall_show_every_item(invoke: Any, library: Any, columns: str) -> None:
    cards = library.deck("operate").cards
    env = {"COLUMNS": columns}
    review = invoke("review", "--chapter", "operate", "--new-limit", "100", input="5\n" * len(cards), env=env)
    quiz = invoke("quiz", "operate", "--mode", "recall", "-n", str(len(cards)), "--seed", "3",
                  input="5\n" * len(cards), env=env)
    for result in (review, quiz):
        assert result.exit_code == 0, result.output
        assert_screen(result.stdout, int(columns))
        flat = squash(result.stdout)
        for card in cards:
            assert all(squash(i.text) in flat for i in walk(card.items)), card.id


# ------------------------------------------------------------------------------ cards and search


def test_cards_layout_fits_and_is_complete(invoke: Any, library: Any) -> None:
    from sysplan_study.ui.listing import question

    result = invoke("cards", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) <= 250, len(lines)
    assert_screen(result.stdout, 80)
    flat = squash(result.stdout)
    for card in library.cards:
        assert squash(question(card)) in flat and card.id in flat
    narrow = invoke("cards", env={"COLUMNS": "40"})
    assert_screen(narrow.stdout, 40)
    assert all(squash(question(c)) in squash(narrow.stdout) for c in library.cards)


def test_question_drops_only_what_the_headings_show(library: Any) -> None:
    from sysplan_study.ui.listing import question

    card = library.card("design.catalog.purpose")
    assert question(card).startswith("服务目录的设计目的是促使IT部门") and question(card).endswith("具体有哪些？")
    free = Card("mine.x", "mine", "【注意】甲乙？(共3项)", (Item("a"),))
    assert question(free) == "【注意】甲乙？(共3项)"  # not its count, no section heading: kept whole


def test_ids_format(invoke: Any, library: Any) -> None:
    assert invoke("cards", "--format", "ids").stdout.splitlines() == list(library.card_ids)
    assert invoke("cards", "-c", "design", "-f", "ids").stdout.splitlines() == list(library.deck("design").card_ids)
    ids = invoke("search", "服务目录", "--format", "ids").stdout.splitlines()
    assert "design.catalog.activities" in ids and all(library.has_card(i) for i in ids)


def test_search_shows_and_highlights_the_matching_item(invoke: Any, library: Any) -> None:
    from rich.console import Console

    from sysplan_study.decks import search as finder
    from sysplan_study.ui.listing import HIGHLIGHT, listing

    result = invoke("search", "列举服务清单")
    assert result.exit_code == 0 and "(2) 列举服务清单" in result.stdout and "design.catalog.activities" in result.stdout
    hits = finder.search(library, "ＳＬＡ")
    assert hits and any(h.items for h in hits)
    needle = finder.needle_of("清单")
    hit = next(h for h in finder.search(library, "清单") if h.card.id == "design.catalog.activities")
    assert [i.path for i in hit.items] == [(1,)]
    console = Console(width=80, force_terminal=True, color_system="truecolor")
    segments = list(console.render(listing(library, [hit.card], lambda s: finder.spans(s, needle),
                                           lambda c: [(i.path, i.item) for i in hit.items])))
    lit = [s.text for s in segments if s.style and s.style.reverse]
    assert lit == ["清单"], lit
    assert HIGHLIGHT.endswith("reverse")
    data = json.loads(invoke("search", "列举服务清单", "--format", "json").stdout)
    assert data[0]["matched"] == {"in": ["items"], "items": ["2"]} and data[0]["id"] == "design.catalog.activities"


def test_search_spans_follow_the_original_text() -> None:
    from sysplan_study.decks.search import needle_of, spans

    assert spans("ＳＬＡ协议与sla", needle_of("SLA")) == [(0, 3), (6, 9)]
    assert spans("Café café", needle_of("CAFÉ")) == [(0, 4), (5, 9)]
    from sysplan_study.errors import UserError

    with pytest.raises(UserError):
        needle_of("   ")


def test_decks_table_keeps_long_titles_whole(invoke: Any, isolated_home: Any) -> None:
    title = "一个非常非常长的自建卡片组标题，用来检查表格在窄终端里不会截断任何文字，也不会丢掉方括号[i]"
    (isolated_home / "decks").mkdir(parents=True)
    (isolated_home / "decks" / "long.yaml").write_text(
        f"deck: long\ntitle: '{title}'\ncards:\n  - id: a\n    prompt: 问？\n    items: [甲]\n", encoding="utf-8")
    for columns in ("80", "40"):
        out = invoke("decks", env={"COLUMNS": columns}).stdout
        assert squash(title) in squash(out) and "自建" in out
        assert_screen(out, int(columns))
