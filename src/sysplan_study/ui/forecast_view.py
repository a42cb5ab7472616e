"""Rendering of `sysplan forecast`: a bar per chapter, then the overall figures, within 80 columns."""

from __future__ import annotations

from typing import Any

BAR = 20


def bar(share: float | None) -> str:
    """A text bar for a share in 0..1 (blank for nothing studied): reads the same with NO_COLOR."""
    if share is None:
        return "·" * BAR
    full = round(share * BAR)
    return "█" * full + "░" * (BAR - full)


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def render_forecast(f: Any) -> Any:
    """Per chapter: bar and share if you stop now, the share if you keep to the schedule, studied/items."""
    from rich.console import Group
    from rich.text import Text

    source = "按你的复习记录拟合的参数" if f.parameters == "fitted" else "FSRS 默认参数"
    parts: list[Any] = [Text(f"{f.date.isoformat()} 的预计回忆率（已学条目中能回忆的比例；{source}）", style="bold")]
    width = max([len(d.id) for d in f.decks] + [4])
    for d in f.decks:
        line = Text(f"{d.id:<{width}} ")
        line.append(bar(d.recall_if_stop), style="green")
        line.append(f" {pct(d.recall_if_stop):>4}  按计划复习 {pct(d.recall_if_schedule):>4}  已学 {d.studied}/{d.items} 项")
        parts.append(line)
    o = f.overall
    parts.append(Text(f"合计{' ' * (width - 4)} {bar(o.recall_if_stop)} {pct(o.recall_if_stop):>4}  "
                      f"按计划复习 {pct(o.recall_if_schedule):>4}  已学 {o.studied}/{o.items} 项", style="bold"))
    parts.append(Text(f"第一个数：从现在起不再复习；按计划复习：到那天前按时复习到期的卡片。"
                      f"从未学过的 {o.items - o.studied} 项不计入。", style="dim"))
    return Group(*parts)
