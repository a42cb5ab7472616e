"""The progress report as one self-contained HTML page (inline CSS and SVG, no script, no network), built only
from the `stats --format json` and `forecast --format json` objects so page and JSON always agree."""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

LEECHES_SHOWN = 30  # a large home has thousands; the page stays small (all: sysplan cards --leeches)

CSS = """
*{box-sizing:border-box}
body{margin:0 auto;max-width:60rem;padding:1rem;color:#222;background:#fff;line-height:1.5;
font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei",
"WenQuanYi Micro Hei",sans-serif}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;border-bottom:1px solid #ccc;margin-top:1.5rem}
svg{display:block;width:100%;height:auto;max-width:100%}
.muted{color:#666;font-size:.9rem}.big{font-size:2rem;font-weight:bold}
.kpis{display:flex;flex-wrap:wrap;gap:1rem}.kpis>div{flex:1 1 8rem;border:1px solid #ddd;padding:.5rem;border-radius:4px}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.8rem}
.multiples figure{margin:0;border:1px solid #eee;padding:.3rem}.multiples figcaption{font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;table-layout:fixed}
td,th{border-bottom:1px solid #eee;padding:.25rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
.cheat li{margin:.2rem 0}.initials{font-size:1.3rem;letter-spacing:.2em;font-weight:bold}
.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .2em 0 .6em;vertical-align:middle}
@page{size:A4;margin:15mm}
@media print{body{max-width:none;padding:0;font-size:10pt}section{break-inside:avoid}h2{break-after:avoid}}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>系统规划与管理师 学习进度报告 {{ today }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
<h1>学习进度报告</h1>
<p class="muted">生成于 {{ today }}（数据来自 sysplan stats / forecast --format json）</p>
<div class="kpis">
<div><div class="muted">距考试</div><div class="big" id="countdown">{% if exam %}{{ exam.days_left }} 天{% else %}—{% endif %}</div>
<div class="muted">{% if exam %}考试日期 {{ exam.date }}{% else %}未设置考试日期（sysplan exam set YYYY-MM-DD）{% endif %}</div></div>
<div><div class="muted">连续学习</div><div class="big" id="streak">{{ streak }} 天</div></div>
<div><div class="muted">今日到期</div><div class="big">{{ due_today }}</div></div>
<div><div class="muted">已学 / 总卡片</div><div class="big">{{ studied_cards }} / {{ cards }}</div></div>
</div>
</header>
<section id="forecast">
<h2>考试当天预计回忆率（各章）</h2>
{% if forecast_svg %}<p class="muted legend">预测日 {{ forecast_date }}：<span style="background:#e08a3c"></span>现在停止
<span style="background:#2f7fc1"></span>按计划复习 <span style="background:#7a7"></span>已学项 <span style="background:#ddd"></span>未学项</p>
{{ forecast_svg }}{% else %}<p class="muted">没有考试日期，无法预测（sysplan exam set YYYY-MM-DD）。</p>{% endif %}
</section>
<section id="heatmap">
<h2>近 26 周每日答题（连续 {{ streak }} 天）</h2>
{{ heatmap_svg }}
</section>
<section id="due">
<h2>未来 30 天到期</h2>
{{ due_svg }}
</section>
<section id="retention">
<h2>各章每周保持率（近 12 周）</h2>
<div class="multiples">
{% for m in multiples %}<figure><figcaption>{{ m.title }}</figcaption>{{ m.svg }}</figure>
{% endfor %}</div>
</section>
<section id="weakest">
<h2>最弱的 {{ weakest|length }} 项（预测回忆率最低）</h2>
{% if weakest %}<table><thead><tr><th style="width:4.5rem">回忆率</th><th>项</th><th>卡片</th><th>节</th></tr></thead><tbody>
{% for w in weakest %}<tr class="weak-item"><td>{{ pct(w.recall) }}</td><td>{{ w.text }}</td><td>{{ w.prompt }} <span class="muted">({{ w.card_id }} 第{{ w.item }}项)</span></td><td>{{ w.section or "" }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p class="muted">还没有学过的项。</p>{% endif %}
<h2>顽固卡片（leeches，共 {{ leech_total }} 张{% if leech_total > leeches|length %}，只列遗忘最多的 {{ leeches|length }} 张{% endif %}）</h2>
{% if leeches %}<table><tbody>{% for l in leeches %}<tr class="leech"><td>{{ l.card_id }}</td><td>遗忘 {{ l.lapses }} 次</td>
<td>{% for m in l.missed_items %}{{ m.text }}（漏 {{ m.missed }}）{% if not loop.last %}；{% endif %}{% endfor %}</td></tr>
{% endfor %}</tbody></table>{% else %}<p class="muted">没有顽固卡片。</p>{% endif %}
</section>
<section id="cheat">
<h2>首字速记（考前一晚）</h2>
{% if cheat %}<ol class="cheat">{% for c in cheat %}<li><span class="initials">{{ c.initials }}</span> — {{ c.prompt }}</li>
{% endfor %}</ol>{% else %}<p class="muted">还没有最弱的清单。</p>{% endif %}
</section>
</body>
</html>
"""


def _esc(text: Any) -> str:
    """Text for SVG/HTML."""
    from markupsafe import escape

    return str(escape(str(text)))


def pct(value: float | None) -> str:
    """A share as a percentage, or a dash."""
    return "—" if value is None else f"{value:.0%}"


def forecast_svg(fc: dict[str, Any]) -> str:
    """Per deck: if-stop and if-schedule recall bars, and the studied/unstudied split bar."""
    rows = [*fc["decks"], {"title": "全部", **fc["overall"]}]
    label, width, row_h = 150, 600, 46
    parts = []
    for i, d in enumerate(rows):
        y = i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{_esc(d["title"])[:14]}</text>')
        parts.append(f'<text x="0" y="{y + 30}" font-size="10" fill="#666">{d["studied"]}/{d["items"]} 项已学</text>')
        for j, (key, colour) in enumerate((("recall_if_stop", "#e08a3c"), ("recall_if_schedule", "#2f7fc1"))):
            v = d[key] or 0
            by = y + 2 + j * 13
            parts.append(f'<rect class="fbar" x="{label}" y="{by}" width="{v * (width - label - 40):.1f}" height="11" fill="{colour}">'
                         f'<title>{pct(d[key])}</title></rect>')
            parts.append(f'<text x="{label + v * (width - label - 40) + 3:.1f}" y="{by + 10}" font-size="10">{pct(d[key])}</text>')
        share = d["studied"] / d["items"] if d["items"] else 0
        full = width - label - 40
        parts.append(f'<rect class="split studied" x="{label}" y="{y + 30}" width="{share * full:.1f}" height="8" fill="#7a7"/>')
        parts.append(f'<rect class="split unstudied" x="{label + share * full:.1f}" y="{y + 30}" width="{(1 - share) * full:.1f}" height="8" fill="#ddd"/>')
    return _svg(width, len(rows) * row_h, parts, "各章考试当天预计回忆率")


def heatmap_svg(days: list[dict[str, Any]]) -> str:
    """Weeks as columns, weekdays as rows (Monday on top), shade by answers that day."""
    if not days:
        return _svg(10, 10, [], "热力图")
    top = max(d["count"] for d in days) or 1
    first = date.fromisoformat(days[0]["day"]).weekday()
    cell, parts = 12, []
    for i, d in enumerate(days):
        col, row = divmod(i + first, 7)
        n = d["count"]
        shade = "#ebedf0" if n == 0 else ("#c6e48b", "#7bc96f", "#239a3b", "#196127")[min(3, int(4 * n / (top + 1)))]
        parts.append(f'<rect class="cell" x="{col * cell}" y="{row * cell}" width="{cell - 2}" height="{cell - 2}" '
                     f'fill="{shade}" data-n="{n}"><title>{d["day"]}：{n}</title></rect>')
    cols = (len(days) + first + 6) // 7
    return _svg(cols * cell, 7 * cell, parts, "每日答题热力图")


def due_svg(forecast: list[dict[str, Any]]) -> str:
    """One bar per day for the next 30 days."""
    top = max([f["due"] for f in forecast] + [1])
    w, h, parts = 20, 100, []
    for i, f in enumerate(forecast):
        bh = f["due"] / top * (h - 15)
        parts.append(f'<rect class="due-bar" x="{i * w + 2}" y="{h - 12 - bh:.1f}" width="{w - 4}" height="{bh:.1f}" fill="#2f7fc1">'
                     f'<title>{f["day"]}：{f["due"]}</title></rect>')
        if i % 5 == 0:
            parts.append(f'<text x="{i * w + 2}" y="{h - 1}" font-size="8">{f["day"][5:]}</text>')
    parts.append(f'<text x="{len(forecast) * w - 2}" y="9" font-size="9" text-anchor="end">最多 {top}</text>')
    return _svg(len(forecast) * w, h, parts, "未来30天到期")


def retention_svg(weeks: list[dict[str, Any]]) -> str:
    """Twelve weekly retention bars (0-100 %), a faint stub where the week had no reviews."""
    w, h, parts = 16, 60, []
    for i, wk in enumerate(weeks):
        r = wk["retention"]
        bh = (r or 0) * (h - 10)
        fill = "#7a7" if r is not None else "#eee"
        height = bh if r is not None else 2
        parts.append(f'<rect class="ret-bar" x="{i * w + 1}" y="{h - height:.1f}" width="{w - 2}" height="{height:.1f}" fill="{fill}">'
                     f'<title>{wk["week"]}：{pct(r)}（{wk["reviews"]} 次）</title></rect>')
    return _svg(len(weeks) * w, h, parts, "每周保持率")


def _svg(width: float, height: float, parts: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{_esc(label)}" preserveAspectRatio="xMinYMin meet">{"".join(parts)}</svg>')


def render(stats: dict[str, Any], forecast: dict[str, Any] | None) -> str:
    """The whole page from the stats JSON object and the forecast JSON object (None without an exam date)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    exam = stats.get("exam")
    exam_view = None
    if exam:
        exam_view = {"date": exam["date"], "days_left": exam["days_left"]}
    totals = stats["totals"]
    return env.from_string(TEMPLATE).render(
        css=Markup(CSS), today=stats["today"], exam=exam_view, streak=stats["streak_days"],
        due_today=stats["due_forecast_30d"][0]["due"] if stats["due_forecast_30d"] else 0,
        cards=totals["cards"], studied_cards=totals["cards"] - totals["new"],
        forecast_svg=Markup(forecast_svg(forecast)) if forecast else None,
        forecast_date=forecast["date"] if forecast else None,
        heatmap_svg=Markup(heatmap_svg(stats["answers_by_day_26w"])),
        due_svg=Markup(due_svg(stats["due_forecast_30d"])),
        multiples=[{"title": c["title"], "svg": Markup(retention_svg(c["weeks"]))} for c in stats["retention_by_week"]],
        weakest=stats["weakest_by_recall"], leech_total=max(stats.get("leech_count", 0), len(stats["leeches"])),
        leeches=sorted(stats["leeches"], key=lambda x: -x["lapses"])[:LEECHES_SHOWN], cheat=stats["cheat_sheet"], pct=pct,
    )
