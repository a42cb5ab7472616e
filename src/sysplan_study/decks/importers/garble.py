"""The web copy's word substitution and its reversal: shared/CONTENT_GUIDE.md's table, kept here as data.

The download site replaced words with look-alike synonyms (的→旳, 因素→原因, 改进→改善, …) to defeat plagiarism
checks. `GARBLE_TABLE` is the guide's table row for row; `reverse` applies it to simplified text in one pass. Rows of
kind "global" are reversed everywhere except in their `keep` phrases; rows of kind "context" only inside their
`apply` phrases (or, with no `apply`, everywhere except `keep`) and every such reversal is doubtful, so the caller
marks it with an editorial note. Phrases are written as they stand in the garbled text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple


class Garble(NamedTuple):
    """One row of the guide's table: garbled form → exam wording."""

    no: int
    garbled: str
    correct: str
    kind: str  # "global" (reversed everywhere but `keep`) or "context" (only in `apply`, or everywhere but `keep`)
    keep: tuple[str, ...] = ()  # phrases (garbled text) in which the form is legitimate and stays
    apply: tuple[str, ...] = ()  # for "context" rows: the phrases in which it is reversed
    note: str = ""


G, C = "global", "context"
GARBLE_TABLE: tuple[Garble, ...] = (
    Garble(1, "旳", "的", G),
    Garble(2, "目旳", "目标", G, keep=("项目旳", "题目旳", "节目旳", "科目旳", "栏目旳", "条目旳", "名目旳"), note="语境为目标（服务级别目标、管理目标等）及字段标签"),
    Garble(3, "目旳", "目的", C, apply=("设计旳重要目旳", "服务目录旳设计目旳", "需求识别旳目旳"),
           note="仅“规划设计的主要目的”“服务目录的设计目的”“服务需求识别的目的”及其标签"),
    Garble(4, "对旳", "正确", G, keep=("针对旳", "相对旳", "绝对旳", "面对旳", "应对旳", "核对旳", "比对旳", "反对旳")),
    Garble(5, "原因", "因素", G, keep=("分析原因", "项目旳原因")),
    Garble(6, "抵达", "达到", G),
    Garble(7, "抵达", "达成", C, apply=("抵达共识", "抵达率", "目旳抵达状况", "质量旳抵达", "抵达能力"),
           note="共识、SLA达成率、服务目标达成状况、服务质量的达成、达成能力"),
    Garble(8, "措施", "方法", C, keep=("风险控制措施", "改善措施", "应对措施", "管理措施"),
           note="按语境；“风险控制措施”“改进措施”“管理措施”等保留"),
    Garble(9, "回忆", "回顾", G),
    Garble(10, "汇报", "报告", G),
    Garble(11, "方略", "策略", G),
    Garble(12, "规定", "要求", G),
    Garble(13, "不同样", "不同", G, note="也可能原为“不一样”（一样→同样）"),
    Garble(14, "阐明", "说明", G),
    Garble(15, "祈求", "请求", G),
    Garble(16, "呼喊", "呼叫", G),
    Garble(17, "满园", "范围", G),
    Garble(18, "筹划", "策划", G),
    Garble(19, "调感", "调动", G),
    Garble(20, "增进", "促进", G),
    Garble(21, "通过度层", "通过分层", G, note="“过分”被换成“过度”"),
    Garble(22, "改善", "改进", G, keep=("改善与客户旳关系",)),
    Garble(23, "团体", "团队", G),
    Garble(24, "组员", "成员", G),
    Garble(25, "顾客", "用户", G, note="ITSS 区分“客户/用户”"),
    Garble(26, "实行", "实施", G),
    Garble(27, "布署", "部署", G),
    Garble(28, "公布", "发布", G),
    Garble(29, "与否", "是否", G),
    Garble(30, "也许", "可能", G),
    Garble(31, "充足", "充分", G),
    Garble(32, "合用", "适用", G),
    Garble(33, "反复", "重复", G),
    Garble(34, "对应", "相应", G),
    Garble(35, "演习", "演练", G),
    Garble(36, "承认", "认可", G),
    Garble(37, "轻易", "容易", G),
    Garble(38, "平常", "日常", G),
    Garble(39, "增长", "增加", G),
    Garble(40, "波及", "涉及", G),
    Garble(41, "局限性", "不足", G),
    Garble(42, "完毕", "完成", G),
    Garble(43, "纪录", "记录", G),
    Garble(44, "同步", "同时", G),
    Garble(45, "不停", "不断", G),
    Garble(46, "发明", "创造", G),
    Garble(47, "现实状况", "现状", G),
    Garble(48, "构造", "结构", G),
    Garble(49, "鼓励", "激励", G),
    Garble(50, "一种", "一个", G),
    Garble(51, "愈加", "更加", G),
    Garble(52, "节省", "节约", G),
    Garble(53, "立案", "备案", G),
    Garble(54, "著", "着", G, keep=("显著", "著名", "著作", "著称", "名著"), note="著眼、决定著"),
    Garble(55, "原则", "标准", G, keep=("SMART原则", "应急演习原则", "事件分派原则"),
           note="SMART原则、应急演练原则、事件分派原则保留"),
    Garble(56, "重要", "主要", C, keep=("最重要", "重要旳影响", "重要旳回忆"),
           note="“最重要的”“重要的影响”“重要的回顾内容项”保留"),
    Garble(57, "运行", "运营", C, keep=("运行流程", "试运行", "基本运行", "运行任务", "旳运行与", "实行、运行"),
           note="只改指ITSS“运营”阶段/OLA处"),
    Garble(58, "持续性", "连续性", C, keep=("保持持续性", "关系旳持续性", "持续性和有效性", "持续性风险", "稳定性与持续性"),
           note="只改明确指“连续性管理”处"),
    Garble(59, "成果", "结果", C, apply=("考核成果", "评价成果", "审核成果"), note="考核/审核结果"),
    Garble(60, "处理", "解决", C, apply=("处理问题旳技术",), note="“发现/解决问题的技术”"),
    Garble(61, "采用", "采取", C, apply=("采用干预", "采用应对", "采用合适"), note="“采取…措施/行动”"),
    Garble(62, "根据", "依据", C, apply=("提供根据", "参照或根据"), note="仅名词用法“提供依据”“参照或依据”"),
    Garble(63, "分派", "分配", C, keep=("事件分派", "分派项目任务"), note="成本/资源/责任分配"),
    Garble(64, "防止", "预防", C, apply=("做好防止", "防止性活动"), note="“预防工作”“预防性活动”"),
    Garble(65, "积极", "主动", C, apply=("积极发现",), note="“主动发现事故”"),
    Garble(66, "减少", "降低", C, apply=("减少服务提供旳出错率",), note="仅“降低…出错率”"),
    Garble(67, "详细", "具体", C, apply=("某个详细旳",), note="仅“某个具体的业务部门”"),
    Garble(68, "变化", "改变", C, apply=("有效旳变化终端",), note="及物用法“改变终端用户的消费量”"),
    Garble(69, "保证", "确保", C, apply=("精心组织、保证安全",), note="仅固定说法“精心组织、确保安全”"),
    # The guide's second table: typing slips in the source, reversed only where they stand (and marked).
    Garble(70, "和行动", "的行动", C, apply=("合适和行动",), note="“和”为录入错误"),
    Garble(71, "有交锋", "有效", C, apply=("落地有交锋",), note="“有交锋”不成义，改为“有效”，存疑"),
)
# Rows the guide itself counts as reversed by context (its "按语境逐条处理": #3, #7, #8, #56–69) plus the slips.
CONTEXT_ROWS = frozenset(g.no for g in GARBLE_TABLE if g.kind == C)


@dataclass(frozen=True)
class Reversal:
    """One garbled form restored: where it now stands in the output, and whether it was a judgement call."""

    start: int
    end: int
    row: Garble

    @property
    def doubtful(self) -> bool:
        """Context rows are judgement calls: the importer marks each with an editorial note."""
        return self.row.kind == C

    def describe(self) -> str:
        """"原文“措施”，按语境改为“方法”" (for a source_note)."""
        how = "按语境改为" if self.doubtful else "改为"
        return f"原文“{self.row.garbled}”，{how}“{self.row.correct}”"


def _phrase_spans(text: str, phrases: tuple[str, ...], word: str) -> list[tuple[int, int]]:
    """The spans of `word` inside each occurrence of each phrase (its first occurrence within the phrase)."""
    spans = []
    for phrase in phrases:
        offset = phrase.find(word)
        if offset < 0:
            continue
        for m in re.finditer(re.escape(phrase), text):
            spans.append((m.start() + offset, m.start() + offset + len(word)))
    return spans


def reverse(text: str) -> tuple[str, list[Reversal]]:
    """Restore the exam's wording in simplified text: the corrected text and every reversal made, in order."""
    # 1. Decisions fixed by phrases: a context row's apply phrase wins, then any row's keep phrase.
    decided: dict[tuple[int, int], Garble | None] = {}
    for row in GARBLE_TABLE:
        for span in _phrase_spans(text, row.keep, row.garbled):
            decided.setdefault(span, None)
    for row in GARBLE_TABLE:
        if row.kind == C and row.apply:
            for span in _phrase_spans(text, row.apply, row.garbled):
                if decided.get(span) is None:
                    decided[span] = row
    # 2. The default for each form: its global row, else a context row that has only keep phrases.
    default: dict[str, Garble] = {}
    for row in GARBLE_TABLE:
        if row.kind == G or (row.kind == C and not row.apply):
            default.setdefault(row.garbled, row)
    forms = sorted({row.garbled for row in GARBLE_TABLE}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(f) for f in forms))
    out: list[str] = []
    made: list[Reversal] = []
    pos = 0
    length = 0
    scan = 0
    while (m := pattern.search(text, scan)) is not None:
        span = (m.start(), m.end())
        row = decided[span] if span in decided else default.get(m.group())
        if row is None:
            scan = m.start() + 1  # kept: a shorter form inside it ("旳" of 项目旳) is still looked at
            continue
        piece = text[pos:m.start()]
        out.append(piece)
        length += len(piece)
        out.append(row.correct)
        made.append(Reversal(length, length + len(row.correct), row))
        length += len(row.correct)
        pos = scan = m.end()
    out.append(text[pos:])
    return "".join(out), made


def garbled_forms() -> tuple[str, ...]:
    """Every garbled form of the table (for checks that none is left in corrected text)."""
    return tuple(sorted({row.garbled for row in GARBLE_TABLE if row.no <= 69}))
