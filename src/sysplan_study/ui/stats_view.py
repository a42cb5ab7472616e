"""Rich rendering of `sysplan stats`: chapter table, calendar heatmap and forecast bars within 80 columns."""

from __future__ import annotations

from datetime import date
from typing import Any

from sysplan_study.reports.stats import KEYS, fmt

SHADES = " ░▒▓█"  # characters, not colours, so the heatmap reads the same with NO_COLOR
HEAD = {"cards": "卡片", "new": "新卡", "learning": "学习", "young": "中期", "mature": "成熟", "due": "到期",
        "reviews": "复习", "retention": "记住", "avg_ef": "EF", "lapses": "遗忘"}


def chapter_table(data: dict[str, Any]) -> Any:
    """Per-chapter figures with a totals row."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE, title=f"学习进度 · {data['today']}", title_justify="left", pad_edge=False,
                  padding=(0, 0), collapse_padding=True)
    table.add_column("章", overflow="fold")  # a long user deck id folds onto the next line, never cut
    for k in KEYS:
        table.add_column(HEAD[k], justify="right", no_wrap=True)
    for c in data["chapters"]:
        table.add_row(Text(str(c["id"])), *(fmt(c[k], k) for k in KEYS))  # a user deck id is text, never markup
    table.add_row("合计", *(fmt(data["totals"][k], k) for k in KEYS), style="bold")
    return table


def chapter_blocks(data: dict[str, Any], width: int) -> list[Any]:
    """The same figures for a narrow terminal: one block per chapter, whole "label value" pairs per line."""
    from rich.cells import cell_len
    from rich.text import Text

    out: list[Any] = [Text(f"学习进度 · {data['today']}", style="bold")]
    rows = [(str(c["id"]), c) for c in data["chapters"]] + [("合计", data["totals"])]
    for name, c in rows:
        out.append(Text(name, style="bold"))
        line = ""
        for k in KEYS:
            pair = f"{HEAD[k]} {fmt(c[k], k)}"
            if line and cell_len(line + "  " + pair) > width - 2:
                out.append(Text("  " + line))
                line = pair
            else:
                line = f"{line}  {pair}" if line else pair
        out.append(Text("  " + line))
    return out


class Responsive:
    """Chooses by the width Rich gives it: the table from 72 columns, blocks below, bars that fit."""

    def __init__(self, data: dict[str, Any], part: str):
        self.data, self.part = data, part

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        if self.part == "chapters":
            if options.max_width >= 72:
                yield chapter_table(self.data)
            else:
                yield from chapter_blocks(self.data, options.max_width)
        else:
            yield Text(forecast_bars(self.data, width=max(10, min(40, options.max_width - 12))))


def heatmap(data: dict[str, Any], weeks: int = 13) -> str:
    """A GitHub-style calendar: one column per week, one row per weekday, shade by answers that day."""
    days = data["reviews_by_day"][-weeks * 7:]
    if not days:
        return ""
    counts = {d["day"]: d["count"] for d in days}
    peak = max(counts.values()) or 1
    first = date.fromisoformat(days[0]["day"])
    last = date.fromisoformat(days[-1]["day"])
    start = first.toordinal() - first.weekday()  # the Monday of the first week
    labels = ["一", "二", "三", "四", "五", "六", "日"]
    lines = [f"最近 {weeks} 周（每格一天，越深答题越多，最多 {peak if peak > 1 or counts else 0} 题/天）"]
    for wd in range(7):
        row = [labels[wd], " "]
        for w in range(weeks + 1):
            ordinal = start + w * 7 + wd
            if ordinal < first.toordinal() or ordinal > last.toordinal():
                row.append("  ")
                continue
            n = counts.get(date.fromordinal(ordinal).isoformat(), 0)
            level = 0 if n == 0 else 1 + min(3, (n * 4 - 1) // peak)
            row.append(SHADES[level] * 2 if n else "· ")
        lines.append("".join(row))
    return "\n".join(lines)


def forecast_bars(data: dict[str, Any], width: int = 40) -> str:
    """Due cards for each of the next days as a horizontal bar chart."""
    rows = data["forecast"]
    peak = max((r["due"] for r in rows), default=0) or 1
    lines = ["未来 14 天到期"]
    for r in rows:
        bar = "█" * max(0, round(r["due"] / peak * width)) if r["due"] else ""
        lines.append(f"{r['day'][5:]} {r['due']:>5} {bar}")
    return "\n".join(lines)


def leech_lines(leeches: list[dict[str, Any]]) -> list[Any]:
    """One wrapped line per leech: card id, lapses, the items missed most (deck text, never read as markup)."""
    from sysplan_study.ui.render import join, wrapped

    out = []
    for x in leeches:
        missed = "；常漏：" + "、".join(m["text"] for m in x["missed_items"]) if x["missed_items"] else ""
        out.append(wrapped(join(str(x["card_id"]), f"  遗忘 {x['lapses']} 次{missed}"), prefix="  "))
    return out


def exam_forecast_line(f: dict[str, Any]) -> str:
    """The exam-day figure in one line: 考试日（2027-05-22）预计记住 71%（已学 1,234 / 5,678 项）."""
    recall = "—" if f["recall_if_stop"] is None else f"{f['recall_if_stop']:.0%}"
    return f"考试日（{f['date']}）预计记住 {recall}（已学 {f['studied']:,} / {f['items']:,} 项）"


def render(data: dict[str, Any]) -> Any:
    """The whole stats screen; deck text (the weakest items) wraps under itself, never cut or read as markup."""
    from rich.console import Group
    from rich.text import Text

    from sysplan_study.ui.render import join, wrapped

    parts: list[Any] = [Responsive(data, "chapters"), Text(f"连续学习 {data['streak_days']} 天")]
    if data["totals"].get("suspended"):
        parts.append(Text(f"已暂停 {data['totals']['suspended']} 张（sysplan unsuspend 恢复）"))
    if "exam" in data:
        e = data["exam"]
        parts.append(Text(f"距考试 {e['days_left']} 天 · 未学 {e['unseen']} 张 · 每天需新学 {e['needed_new_per_day']} 张"))
    if data.get("exam_forecast"):
        parts.append(wrapped(exam_forecast_line(data["exam_forecast"])))
    parts += [Text(""), Text(heatmap(data)), Text(""), Responsive(data, "forecast")]
    if data.get("leeches"):
        parts.append(Text("\n难点（掌握后又忘记多次的卡片）"))
        parts += leech_lines(data["leeches"])
        total = data.get("leech_count", len(data["leeches"]))
        if total > len(data["leeches"]):
            more = f"共 {total:,} 张，只列出遗忘最多的 {len(data['leeches'])} 张；全部：sysplan cards --leeches"
            parts.append(wrapped(more, prefix="  "))
    if data["weakest"]:
        parts.append(Text("\n最常漏掉的条目（默写）"))
        for w in data["weakest"]:
            body = join(str(w["text"]), (f"  [{w['card_id']} 第{w['item']}项]", "dim"))
            parts.append(wrapped(body, prefix=f"  {w['missed']}/{w['attempts']}  "))
    return Group(*parts)
