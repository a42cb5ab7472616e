"""The read command: a chapter's notes as an outline, paged on a terminal."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import _opts, _out, app


@app.command()
def read(
    ctx: typer.Context,
    chapter: str = typer.Argument(..., help="章或卡组 id，如 design"),
    section: Optional[str] = typer.Argument(None, help="只看这一节：id（catalog、design.catalog）或编号（1.1）"),
    source: bool = typer.Option(False, "--source", help="同时显示整理说明（原文如何拆分、校正）"),
) -> None:
    """按提纲阅读一章（或一节），先读后背。  Example: sysplan read design 1.1"""
    from sysplan_study.ui.outline import outline
    from sysplan_study.ui.render import print_paged

    deck = _opts(ctx).library().deck(chapter)
    out = _out()
    print_paged(out, outline(deck, section, source))
