"""Field labels of the notes → English slugs (a fixed table, pinyin initials for the rest), and id helpers."""

from __future__ import annotations

import re

# The labels the notes use for their lists (docs/deck-format.md's conventional ids first). A label ending in one of
# these ("服务目录的设计目的", "规划设计的主要目的") takes the slug of the longest one it ends with.
LABEL_SLUGS: dict[str, str] = {
    "目标": "goals", "目的": "purpose", "活动": "activities", "关键成功因素": "csf",
    "可能存在的风险和控制": "risks", "可能的风险和控制": "risks", "风险和控制": "risks", "风险与控制": "risks",
    "益处": "benefits", "作用与收益": "benefits", "收益": "benefits", "内容": "contents",
    "变量及促进因素": "variables", "特性": "features", "特点": "features", "特征": "features", "框架": "framework",
    "定位": "positioning", "深层次目标": "deep_goals", "达成共识": "consensus", "说明": "description",
    "定义": "definition", "过程": "process", "指标": "metrics", "服务回顾的内容": "review_contents",
    "团队内部回顾内容": "team_review", "常见质量管理活动": "quality_activities",
    "人员要素": "people", "资源要素": "resources", "技术要素": "technology", "过程要素": "process",
    "作用": "roles", "原则": "principles", "步骤": "steps", "方法": "methods", "流程": "workflow",
    "输入": "inputs", "输出": "outputs", "职责": "duties", "分类": "categories", "类型": "types",
    "组成": "components", "要素": "elements", "意义": "significance", "优点": "advantages", "缺点": "drawbacks",
    "注意事项": "cautions", "主要工作": "tasks", "任务": "tasks",
}
# Labels joined by 与/和/及 ("目标与定位") are one label; the slug is the last part's.
_JOINERS = "与和及、"
# Words a section title usually ends with, used only to cut a heading that runs on into text ("客户关系管理客户关系是…").
TITLE_ENDINGS = (
    "管理", "设计", "设定", "内容", "要素", "实施", "规划", "方法", "测量", "回顾", "改进", "营销", "活动", "知识",
    "体系", "执行", "验收", "计划", "检查", "策划", "评价", "定义", "特性", "协议", "目录", "识别", "机制", "关系",
    "监督", "运营", "流程", "过程", "原则", "要求", "能力", "培训", "考核", "分析",
)
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def known_label_at_end(text: str) -> str | None:
    """The longest table label `text` ends with, joined labels ("目标与定位") taken whole; None if none."""
    best = None
    for label in LABEL_SLUGS:
        if text.endswith(label) and (best is None or len(label) > len(best)):
            best = label
    if best is None:
        return None
    head = text[: -len(best)]
    if head and head[-1] in _JOINERS:
        before = known_label_at_end(head[:-1])
        if before is not None:
            return before + head[-1] + best
    return best


def slug_for(label: str) -> str:
    """A field id for a label: the table's slug for it or for the longest table label it ends with, else pinyin."""
    label = label.strip()
    if label in LABEL_SLUGS:
        return LABEL_SLUGS[label]
    for joiner in _JOINERS:
        if joiner in label:
            last = label.rsplit(joiner, 1)[1]
            if last in LABEL_SLUGS:
                return LABEL_SLUGS[last]
    known = known_label_at_end(label)
    if known is not None:
        return slug_for(known) if known != label else LABEL_SLUGS.get(known, pinyin_slug(known))
    return pinyin_slug(label)


def pinyin_slug(text: str) -> str:
    """Pinyin initials of the Han characters, ASCII letters and digits kept: "注意要点" → "zyyd"."""
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: [c for c in s if c.isascii()])
    raw = "".join(parts).lower()
    slug = re.sub(r"[^a-z0-9]+", "", raw)
    if not slug:
        return "field"
    return slug if slug[0].isalpha() else f"f{slug}"


def ascii_id(text: str, fallback: str) -> str:
    """A valid deck/section id from free text: lowercase ASCII, _ between words, starting with a letter."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug:
        return fallback
    return slug if slug[0].isalpha() else f"{fallback}_{slug}"


def section_id(number: str) -> str:
    """"1.4.2" → "s1_4_2" (stable while the numbering is)."""
    return "s" + re.sub(r"[^0-9]+", "_", number).strip("_")


CHAPTER_NUMERALS = "一二三四五六七八九十"


def numeral_value(numeral: str) -> int:
    """一 → 1 … 十 → 10, 十一 → 11, 二十 → 20, 二十三 → 23."""
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (CHAPTER_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (CHAPTER_NUMERALS.index(ones) + 1 if ones else 0)
    return CHAPTER_NUMERALS.index(numeral) + 1


def numeral_of(value: int) -> str:
    """1 → 一 … 23 → 二十三."""
    if value <= 10:
        return CHAPTER_NUMERALS[value - 1]
    tens, ones = divmod(value, 10)
    return (CHAPTER_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CHAPTER_NUMERALS[ones - 1] if ones else "")
