"""Folding text for comparison: width, case, numbering, the source's garbled wording and accepted synonyms."""

from __future__ import annotations

import re
import unicodedata

# The web copy's word-for-word substitutions (shared/CONTENT_GUIDE.md), garbled → exam wording, applied before the
# synonym groups below. Longer forms first so 目旳/对旳 are not taken for 旳.
GARBLED: tuple[tuple[str, str], ...] = (
    ("目旳", "目标"), ("对旳", "正确"), ("旳", "的"), ("不同样", "不同"), ("祈求", "请求"), ("呼喊", "呼叫"),
    ("满园", "范围"), ("筹划", "策划"), ("调感", "调动"), ("增进", "促进"), ("通过度层", "通过分层"),
    ("局限性", "不足"), ("完毕", "完成"), ("纪录", "记录"), ("不停", "不断"), ("发明", "创造"),
    ("现实状况", "现状"), ("构造", "结构"), ("鼓励", "激励"), ("一种", "一个"), ("愈加", "更加"), ("节省", "节约"),
    ("立案", "备案"), ("著眼", "着眼"), ("有交锋", "有效"), ("波及", "涉及"), ("增长", "增加"), ("轻易", "容易"),
    ("对应", "相应"),
)

# Wording the notes and candidates use interchangeably (and the rest of the source's substitutions): every form of a
# group folds to the first. Multi-character forms only, so no single character is rewritten inside another word.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("确保", "保证"), ("相关", "有关"), ("情况", "状况"), ("适当", "合适"), ("利用", "运用"), ("各种", "多种"),
    ("收集", "搜集"), ("保存", "保留"), ("准确", "精确"), ("当前", "目前"), ("参考", "参照"), ("以前", "此前", "之前"),
    ("现有", "既有"), ("遵循", "遵照", "符合"), ("连续性", "持续性"), ("降低", "减少", "减轻"), ("避免", "防止", "预防"),
    ("结果", "成果"), ("方法", "措施", "手段"), ("运营", "运行"), ("具体", "详细"), ("依据", "根据"),
    ("解决", "处理"), ("主动", "积极"), ("改进", "改善"), ("回顾", "回忆"), ("达到", "达成", "抵达"),
    ("目标", "目的"), ("因素", "原因"), ("报告", "汇报"), ("策略", "方略"), ("要求", "规定"),
    ("说明", "阐明"), ("实施", "实行"), ("部署", "布署"), ("发布", "公布"), ("是否", "与否"), ("可能", "也许"),
    ("充分", "充足"), ("适用", "合用"), ("团队", "团体"), ("成员", "组员", "人员"), ("用户", "顾客"),
    ("重复", "反复"), ("演练", "演习"), ("认可", "承认"), ("日常", "平常"), ("标准", "原则", "准则"),
    ("主要", "重要"), ("采取", "采用"), ("分配", "分派"), ("渠道", "途径"), ("制定", "制订"), ("提高", "提升"),
    ("保密性", "机密性"), ("声明", "申明"), ("签字", "签名"), ("改变", "变化", "变动"), ("同时", "同步"),
    ("不力", "不利"), ("不明确", "不清晰", "不清"), ("起止", "起始和终止", "起始时间和终止"),
    ("造成", "带来", "导致"), ("列举", "列出"), ("稳定", "稳固"), ("需要", "所需"), ("各", "各个"), ("率", "频率"), ("确定", "定义"), ("次序", "顺序"), ("不遵循", "不符合", "不合"),
)

_NUMBERING = re.compile(r"^\s*(?:[(（]?\s*\d+\s*[)）]?\s*[、.．:：]?|[A-Za-z][.．、)）]\s|[一二三四五六七八九十]+[、.．])\s*")
_STAGES = tuple(
    (re.compile("|".join(re.escape(v) for v in sorted(table, key=len, reverse=True))), table)
    for table in (dict(GARBLED), {v: g[0] for g in SYNONYMS for v in g[1:]})
)


def fold(text: str) -> str:
    """Width, case, leading numbering, garbled wording and synonyms folded (each stage in one pass, longest form
    first, so a folded form is never folded again); punctuation is kept (it separates)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NUMBERING.sub("", text)
    for pattern, table in _STAGES:
        text = pattern.sub(lambda m, t=table: t[m.group(0)], text)
    return text


def is_mark(ch: str) -> bool:
    """Punctuation, symbols, spaces and control characters: what comparison ignores."""
    return unicodedata.category(ch)[0] in "PSZC" and not "\ue000" <= ch <= "\uf8ff"


def strip_marks(text: str) -> str:
    """The text without punctuation, symbols and spaces (private-use term symbols are kept)."""
    return "".join(ch for ch in text if not is_mark(ch))


def is_han(ch: str) -> bool:
    """A CJK ideograph."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"
