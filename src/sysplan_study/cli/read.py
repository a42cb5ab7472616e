"""The read command: a chapter's notes as an outline, paged on a terminal."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import _opts, _out, app


@app.command()
def read(
    ctx: typer.Context,
    chapter: str = typer.Argument(..., help="Chapter/deck id, e.g. design."),
    section: Optional[str] = typer.Argument(None, help="Only this section: id (catalog, design.catalog) or number (1.1)."),
    source: bool = typer.Option(False, "--source", help="Also show editorial notes (how the source was split or corrected)."),
) -> None:
    """Read a chapter (or one section) as an outline before drilling it.  Example: sysplan read design 1.1"""
    from sysplan_study.ui.outline import outline
    from sysplan_study.ui.render import print_paged

    deck = _opts(ctx).library().deck(chapter)
    out = _out()
    print_paged(out, outline(deck, section, source))
