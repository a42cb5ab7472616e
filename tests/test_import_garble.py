"""The content guide's substitution table as data: reversal, kept phrases, context rows marked as doubtful."""

from __future__ import annotations

import pytest

from sysplan_study.decks.importers.garble import GARBLE_TABLE, garbled_forms, reverse


@pytest.mark.parametrize("raw, expected", [
    ("适时旳改善", "适时的改进"),
    ("关键成功原因", "关键成功因素"),
    ("项目旳原因和目旳", "项目的原因和目标"),  # 项目旳 is not 项+目旳; 原因 kept in 项目的原因
    ("基于违规记录，分析原因", "基于违规记录，分析原因"),
    ("以改善与客户旳关系", "以改善与客户的关系"),
    ("考核遵照SMART原则", "考核遵照SMART原则"),
    ("原则操作程序", "标准操作程序"),
    ("规划设计旳重要目旳", "规划设计的主要目的"),
    ("服务目旳抵达状况", "服务目标达成状况"),
    ("保证抵达SLA规定", "保证达到SLA要求"),
    ("通过度层细化过程KPI", "通过分层细化过程KPI"),
    ("针对旳服务", "针对的服务"),
    ("风险控制措施和机制", "风险控制措施和机制"),
    ("测量措施和指标", "测量方法和指标"),
])
def test_reverse(raw: str, expected: str) -> None:
    assert reverse(raw)[0] == expected


def test_context_reversals_are_doubtful_and_placed() -> None:
    text, made = reverse("设计服务过程及其控制措施")
    assert text == "设计服务过程及其控制方法"
    (r,) = made
    assert r.doubtful and text[r.start:r.end] == "方法" and r.describe() == "原文“措施”，按语境改为“方法”"
    text, made = reverse("服务回忆旳内容")
    assert text == "服务回顾的内容" and not any(r.doubtful for r in made) and len(made) == 2


def test_table_is_the_guides() -> None:
    """69 rows of substitutions plus the typing slips; every row reverses its own form somewhere."""
    assert [g.no for g in GARBLE_TABLE] == list(range(1, 72))
    assert len(garbled_forms()) == len({g.garbled for g in GARBLE_TABLE if g.no <= 69})
    for row in GARBLE_TABLE:
        sample = row.apply[0] if row.apply else row.garbled
        text, made = reverse(f"甲{sample}乙")
        assert any(r.row is row for r in made), row
