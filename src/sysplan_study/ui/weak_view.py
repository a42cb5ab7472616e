"""Rendering of `sysplan weak`: one line per item, predicted recall first, wrapped whole at any width."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sysplan_study.ui import render


def render_weak(items: Sequence[Any], day: date, chapter: str | None) -> Any:
    """The weakest items, lowest predicted recall first, each with its card id."""
    from rich.console import Group
    from rich.text import Text

    scope = f"（{chapter}）" if chapter else ""
    if not items:
        return render.text(f"还没有逐项的记忆记录{scope}：先复习或测验几张卡（sysplan review --typed 逐项默写最准）。")
    parts: list[Any] = [Text(f"最可能忘记的 {len(items)} 项{scope} · 按 {day.isoformat()} 的预计回忆率", style="bold")]
    for w in items:
        prefix = Text(f"{w.recall * 100:4.0f}%  ", style="red" if w.recall < 0.8 else "yellow" if w.recall < 0.9 else "")
        body = render.join(f"({w.item + 1}) {w.text}", ("  ", ""), (f"[{w.card_id}]", "dim"))
        parts.append(render.wrapped(body, prefix=prefix))
    parts.append(Text("逐项练这些：sysplan review --weak" + (f" --chapter {chapter}" if chapter else ""), style="dim"))
    return Group(*parts)
