"""`sysplan import` of Markdown outlines, CSV tables (UTF-8, BOM, GB18030) and Anki packages (made by `anki`)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from sysplan_study.decks.files import load_file
from sysplan_study.decks.model import Deck


def _deck(deck_id: str) -> Deck:
    from sysplan_study.paths import user_decks_dir

    return load_file(user_decks_dir() / f"{deck_id}.yaml")


def _ok(invoke: Any, *args: str) -> Any:
    result = invoke("import", *args)
    assert result.exit_code == 0, result.output
    return result


def _one_line_error(result: Any, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _answers(deck: Deck) -> dict[str, list[Any]]:
    def tree(item: Any) -> Any:
        return (item.text, [tree(c) for c in item.children]) if item.children else item.text

    return {c.id: [tree(i) for i in c.items] for c in deck.cards}


# ---------------------------------------------------------------------------------------------- Markdown

OUTLINE = """# 信息安全笔记

## 1.1 安全属性
信息安全的基本属性。

### 目标
- 保密性
- **完整性**
- *可用性*

### 活动：
1. 识别资产
2. 评估风险
   - 识别威胁
   - 识别脆弱性
3. 选择控制

## 安全制度
- 制度要点
  - 定期审计
  - 最小权限
"""

MIND_MAP = """- 网络管理
    - 2.1 监控
        - 目标
            - 发现故障
            - 预测容量
        - 活动
            - 采集数据
            - 告警
    - 2.2 备份
        - 原则
            - 异地存放
            - 定期演练
"""


def test_markdown_outline(invoke: Any, tmp_path: Path) -> None:
    src = tmp_path / "sec.md"
    src.write_text(OUTLINE, encoding="utf-8")
    _ok(invoke, str(src), "--deck", "sec")
    deck = _deck("sec")
    assert deck.title == "信息安全笔记"
    assert _answers(deck) == {
        "sec.s1_1.description": ["信息安全的基本属性"],
        "sec.s1_1.goals": ["保密性", "完整性", "可用性"],
        "sec.s1_1.activities": ["识别资产", ("评估风险", ["识别威胁", "识别脆弱性"]), "选择控制"],
        "sec.aqzd": [("制度要点", ["定期审计", "最小权限"])],
    }
    # A heading followed by a list is a list card; its id is the pinyin initials of a label not in the table.
    card = next(c for c in deck.cards if c.id == "sec.aqzd")
    assert card.prompt == "【信息安全笔记】安全制度有哪些？（共1项）"


def test_markdown_mind_map(invoke: Any, tmp_path: Path) -> None:
    """The mind-map export style: indented bullets only, no headings."""
    src = tmp_path / "net.md"
    src.write_text(MIND_MAP, encoding="utf-8")
    _ok(invoke, str(src), "--deck", "net")
    assert _answers(_deck("net")) == {
        "net.s1.s2_1.goals": ["发现故障", "预测容量"],
        "net.s1.s2_1.activities": ["采集数据", "告警"],
        "net.s1.s2_2.principles": ["异地存放", "定期演练"],
    }


def test_markdown_without_lists_is_one_line(invoke: Any, tmp_path: Path) -> None:
    src = tmp_path / "empty.md"
    src.write_text("# 标题\n\n只有一段文字。\n", encoding="utf-8")
    _one_line_error(invoke("import", str(src), "--deck", "e"), "没有找到列表")


# ---------------------------------------------------------------------------------------------- CSV

ROWS = [
    ("prompt", "items", "id", "note"),
    ("ITSS 四要素是什么？", "人员；过程；技术；资源", "itss", ""),
    ("SLA 包含哪些内容？", "服务名称\n服务时间\n服务费用", "", "注意顺序"),
]


def _csv_text(rows: list[tuple[str, ...]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_from_excel(invoke: Any, tmp_path: Path, encoding: str) -> None:
    """UTF-8 with and without BOM, and GB18030 (Excel on a Chinese Windows); items split at ； and newlines."""
    src = tmp_path / "cards.csv"
    src.write_bytes(_csv_text(ROWS).encode(encoding))
    result = _ok(invoke, str(src), "--deck", "mine")
    assert "1 张卡片没有 id 列" in result.stderr  # editing such a prompt starts a new card: said on import
    from sysplan_study.decks.importers.csvdeck import prompt_id

    deck = _deck("mine")
    hashed = f"mine.{prompt_id('SLA 包含哪些内容？')}"
    assert _answers(deck) == {"mine.itss": ["人员", "过程", "技术", "资源"], hashed: ["服务名称", "服务时间", "服务费用"]}
    assert next(c for c in deck.cards if c.id == hashed).note == "注意顺序"


def test_csv_without_header(invoke: Any, tmp_path: Path) -> None:
    src = tmp_path / "plain.csv"
    src.write_text(_csv_text(ROWS[1:]), encoding="utf-8")
    _ok(invoke, str(src), "--deck", "plain")
    assert "plain.itss" in _answers(_deck("plain"))


@pytest.mark.parametrize("text, needle", [
    ("prompt,items\n只有问题,\n", "第 2 行缺少答案"),
    ("prompt,items,id\n问题,答案,Bad-Id\n", "Bad-Id"),
    ('prompt,items\n"没有闭合的引号,答案\n', "CSV 格式有误"),
    ("prompt,items,id\n问一,答一,same\n问二,答二,same\n", "重复"),
])
def test_malformed_csv_one_line(invoke: Any, tmp_path: Path, text: str, needle: str) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(text, encoding="utf-8")
    _one_line_error(invoke("import", str(src), "--deck", "bad"), needle)


# ---------------------------------------------------------------------------------------------- Anki packages


def test_own_export_maps_back_to_card_ids(invoke: Any, tmp_path: Path, library: Any) -> None:
    """A package our `export --anki` made: its notes are the built-in cards (repeats), found by GUID."""
    apkg = tmp_path / "ours.apkg"
    assert invoke("export", "--anki", str(apkg), "--chapter", "supervise").exit_code == 0
    result = _ok(invoke, str(apkg), "--deck", "back", "--dry-run")
    n = len(library.deck("supervise").cards)
    assert f"{n} 张与内置卡组重复" in result.stderr
    assert "id: supervise_quality_plan_quality_activities" in result.stdout
    _one_line_error(invoke("import", str(apkg), "--deck", "back", "--skip-builtin"), "没有剩下卡片")


@pytest.mark.parametrize("content, needle", [
    (b"not a zip at all", "不是有效的 Anki 包"),
    (None, "没有 collection"),
])
def test_malformed_apkg_one_line(invoke: Any, tmp_path: Path, content: bytes | None, needle: str) -> None:
    src = tmp_path / "bad.apkg"
    if content is None:
        with zipfile.ZipFile(src, "w") as z:
            z.writestr("media", "{}")
    else:
        src.write_bytes(content)
    _one_line_error(invoke("import", str(src), "--deck", "bad"), needle)


@pytest.mark.parametrize("with_real_note", [False, True])
def test_package_with_the_update_note(invoke: Any, tmp_path: Path, with_real_note: bool) -> None:
    """The dummy "please update" note of a legacy collection is never imported, nor reported as unplaced."""
    import sqlite3

    db = tmp_path / "collection.anki2"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id integer primary key, guid text, mid integer, flds text)")
    conn.execute("CREATE TABLE col (models text)")
    conn.execute("INSERT INTO col VALUES ('{}')")
    conn.execute("INSERT INTO notes VALUES (1, 'OZUCe&lQgf', 1, ?)",
                 ("Please update to the latest Anki version, then import the .colpkg/.apkg file again.\x1f",))
    if with_real_note:
        conn.execute("INSERT INTO notes VALUES (2, 'abc', 1, ?)", ("问题\x1f答一<br>答二",))
    conn.commit()
    conn.close()
    src = tmp_path / "dummy.apkg"
    with zipfile.ZipFile(src, "w") as z:
        z.write(db, "collection.anki2")
    if not with_real_note:
        _one_line_error(invoke("import", str(src), "--deck", "dummy"), "没有可导入的笔记")
        return
    result = _ok(invoke, str(src), "--deck", "dummy")
    assert "卡片 1 张" in result.stdout and "未能归位" not in result.stderr and "update" not in result.stderr
    assert _answers(_deck("dummy")) == {"dummy.g616263": ["答一", "答二"]}




def _has_anki() -> bool:
    try:
        import anki  # noqa: F401
    except Exception:
        return False
    return True


needs_anki = pytest.mark.skipif(not _has_anki(), reason="the anki package cannot be imported here")


@pytest.mark.anki
@needs_anki
@pytest.mark.parametrize("legacy", [False, True], ids=["anki21b", "anki21"])
def test_apkg_made_by_anki(invoke: Any, tmp_path: Path, legacy: bool) -> None:
    """Both package formats the real Anki writes import with every note and item; a re-import updates in place."""
    from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions

    col = Collection(str(tmp_path / "c.anki2"))
    try:
        basic = col.models.by_name("Basic")
        did = col.decks.id("我的卡组")
        backs = ["<ol><li>甲</li><li>乙<ol><li>子一</li><li>子二</li></ol></li></ol>", "一<br>二<div>三</div>",
                 "单独一行 &amp; 转义"]
        guids = []
        for i, back in enumerate(backs):
            note = col.new_note(basic)
            note["Front"] = f"<b>问题{i}</b>"
            note["Back"] = back
            col.add_note(note, did)
            guids.append(note.guid)
        out = tmp_path / "mine.apkg"
        col.export_anki_package(out_path=str(out), limit=DeckIdLimit(did), options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=legacy))
    finally:
        col.close()
    names = zipfile.ZipFile(out).namelist()
    assert ("collection.anki21" if legacy else "collection.anki21b") in names and "collection.anki2" in names
    _ok(invoke, str(out), "--deck", "mine")
    from sysplan_study.decks.importers.apkg import guid_id

    ids = [f"mine.{guid_id(g)}" for g in guids]
    assert _answers(_deck("mine")) == {
        ids[0]: ["甲", ("乙", ["子一", "子二"])], ids[1]: ["一", "二", "三"], ids[2]: ["单独一行 & 转义"]}
    assert [c.prompt for c in _deck("mine").cards] == ["问题0", "问题1", "问题2"]
    again = _ok(invoke, str(out), "--deck", "mine", "--force")
    assert "卡片 3 张" in again.stdout and [c.id for c in _deck("mine").cards] == ids
