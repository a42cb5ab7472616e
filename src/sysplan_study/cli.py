"""The `sysplan` command line: parse options, call one core function, render the result."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from sysplan_study.errors import UserError


class SysplanGroup(TyperGroup):
    """Turns user errors into one line on stderr and exit 1, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        import sqlite3

        try:
            return super().invoke(ctx)
        except UserError as e:
            fail(str(e))
        except OSError as e:
            fail(f"{e.strerror or e}: {e.filename}" if e.filename else str(e))
        except sqlite3.Error as e:
            from sysplan_study.store import as_user_error

            fail(str(as_user_error(e, _db_path(ctx.obj))))
        except KeyboardInterrupt:
            typer.echo("\n已中断：已答的卡片都已保存。", err=True)
            raise typer.Exit(130) from None


def fail(message: str) -> None:
    """Print one error line to stderr and exit 1."""
    typer.echo(f"sysplan: error: {' '.join(message.split())}", err=True)
    raise typer.Exit(1)


app = typer.Typer(
    cls=SysplanGroup,
    help="系统规划与管理师 案例分析 背诵卡片 · Flashcards and SM-2 review for the 系统规划与管理师 exam.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Fmt(str, Enum):
    table = "table"
    json = "json"


class ShowFmt(str, Enum):
    text = "text"
    json = "json"


class Options:
    """Global options shared by every command (a plain class: dataclasses costs start-up time)."""

    def __init__(self, db: Path | None = None, content_dirs: list[Path] | None = None):
        self.db = db
        self.content_dirs = content_dirs or []
        self._library: Any = None
        self._store: Any = None

    def library(self) -> Any:
        """All decks, parsed once per run."""
        if self._library is None:
            from sysplan_study.content import load_library

            self._library = load_library(self.content_dirs)
        return self._library

    def store(self) -> Any:
        """The database, opened (and migrated) once per run."""
        if self._store is None:
            from sysplan_study.store import open_store

            self._store = open_store(_db_path(self), create_dirs=self.db is None)
        return self._store


def _db_path(opts: Any) -> Path:
    from sysplan_study.paths import default_db_path

    return opts.db if isinstance(opts, Options) and opts.db is not None else default_db_path()


@app.callback()
def _global(
    ctx: typer.Context,
    db: Optional[Path] = typer.Option(None, "--db", help="Database file (default: $SYSPLAN_STUDY_HOME/sysplan.db)."),
    content_dir: list[Path] = typer.Option([], "--content-dir", help="Extra directory of *.yaml decks (repeatable)."),
) -> None:
    opts = Options(db, list(content_dir))
    ctx.obj = opts
    ctx.call_on_close(lambda: opts._store.close() if opts._store is not None else None)


def _opts(ctx: typer.Context) -> Options:
    return ctx.obj if isinstance(ctx.obj, Options) else Options()


def _out() -> Any:
    from sysplan_study.render import console

    return console()


def _print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ------------------------------------------------------------------------------------------------ content


@app.command()
def decks(ctx: typer.Context, format: Fmt = typer.Option(Fmt.table, "--format", "-f")) -> None:
    """List decks with card, new and due counts.  Example: sysplan decks --format json"""
    from sysplan_study import clock, stats

    o = _opts(ctx)
    rows = stats.deck_overview(o.library(), o.store(), clock.today())
    if format is Fmt.json:
        return _print_json(rows)
    from sysplan_study.render import simple_table

    cols = ["id", "title", "kind", "cards", "new", "due"]
    _out().print(simple_table(["id", "标题", "类型", "卡片", "新", "到期"], ([r[c] for c in cols] for r in rows)))


@app.command()
def cards(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="Deck/chapter id, e.g. design."),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f"),
) -> None:
    """List every card (optionally of one chapter).  Example: sysplan cards --chapter design"""
    chosen = _opts(ctx).library().cards_in(chapter)
    if format is Fmt.json:
        return _print_json([c.to_json() for c in chosen])
    from sysplan_study.render import simple_table

    _out().print(simple_table(["id", "项数", "题目"], ((c.id, c.count, c.prompt) for c in chosen)))


@app.command()
def show(
    ctx: typer.Context,
    card_id: str = typer.Argument(..., help="Card id, e.g. design.catalog.activities."),
    format: ShowFmt = typer.Option(ShowFmt.text, "--format", "-f"),
) -> None:
    """Show one card with its numbered answer.  Example: sysplan show design.catalog.activities"""
    card = _opts(ctx).library().card(card_id)
    if format is ShowFmt.json:
        return _print_json(card.to_json())
    from sysplan_study.render import card_panel

    _out().print(card_panel(card))


@app.command()
def search(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Text to find in prompts and items (width- and case-insensitive)."),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f"),
) -> None:
    """Find cards whose prompt or items contain TEXT.  Example: sysplan search 服务目录"""
    from sysplan_study.content import search as find

    found = find(_opts(ctx).library(), text)
    if format is Fmt.json:
        return _print_json([c.to_json() for c in found])
    if not found:
        _out().print(f"没有找到包含“{text}”的卡片。")
        return
    from sysplan_study.render import simple_table

    _out().print(simple_table(["id", "题目"], ((c.id, c.prompt) for c in found), title=f"{len(found)} 张卡片"))


@app.command()
def check(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Deck files or directories (default: every loaded deck)."),
) -> None:
    """Validate decks; prints file:line problems.  Example: sysplan check ~/my-decks/extra.yaml"""
    from sysplan_study.content import check_files, deck_files, library_paths

    if paths:
        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                files.extend(deck_files(p))
            elif p.exists():
                files.append(p)
            else:
                raise UserError(f"no such file or directory: {p}")
        decks_, problems = check_files(files)
    else:
        entries = library_paths(_opts(ctx).content_dirs)
        decks_, problems = check_files([p for p, _ in entries])
    if problems:
        for p in problems:
            typer.echo(str(p))
        fail(f"{len(problems)} problem(s) in deck files")
    n = sum(len(d.cards) for d in decks_)  # check_files returns full decks
    typer.echo(f"OK: {len(decks_)} decks, {n} cards valid")


@app.command()
def path(ctx: typer.Context) -> None:
    """Print where the database, user decks and built-in decks live.  Example: sysplan path"""
    from sysplan_study.content import builtin_content_dir
    from sysplan_study.paths import cache_dir, user_decks_dir, user_dir

    o = _opts(ctx)
    typer.echo(f"home:       {user_dir()}")
    typer.echo(f"database:   {_db_path(o)}")
    typer.echo(f"user decks: {user_decks_dir()}")
    typer.echo(f"built-in:   {builtin_content_dir()}")
    typer.echo(f"cache:      {cache_dir()}")


# ------------------------------------------------------------------------------------------------ review


@app.command()
def review(
    ctx: typer.Context,
    chapter: Optional[str] = typer.Option(None, "--chapter", "-c", help="Only this deck/chapter id."),
    new_limit: Optional[int] = typer.Option(
        None, "--new-limit", help="New cards per study day, counted from the log (default 20, or `exam set --new-limit`)."
    ),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many cards this session."),
    typed: bool = typer.Option(False, "--typed", help="Type the items you remember; each item is scored."),
) -> None:
    """Review due cards, then new ones (SM-2).  Example: sysplan review --chapter design --typed"""
    from sysplan_study import clock, planner, recall, tui
    from sysplan_study.session import ReviewSession

    o = _opts(ctx)
    store, lib = o.store(), o.library()
    today = clock.today()
    limit_new = planner.new_limit(store) if new_limit is None else new_limit
    session = ReviewSession.start(store, lib.card_ids_in(chapter), lib.card, today, limit_new, limit)
    session.due_cap = planner.due_cap(store, today)
    out = _out()
    vocab = recall.Vocabulary.of(lib.cards) if typed else None
    summary = tui.run_review(session, tui.make_input(out), out, typed, planner.header(store, today), vocab)
    out.print(tui.summary_panel(summary))


@app.command()
def undo(ctx: typer.Context) -> None:
    """Undo the last answer (repeatable): restores the card's previous schedule.  Example: sysplan undo"""
    from sysplan_study.session import undo_last

    entry = undo_last(_opts(ctx).store())
    if entry is None:
        typer.echo("没有可撤销的回答。")
        return
    typer.echo(f"已撤销：{entry.card_id} 评分 {entry.grade}（{entry.mode}，{entry.reviewed_at[:16]}）")


def main() -> None:
    """Console-script entry point."""
    app()


from sysplan_study import cli_more  # noqa: E402,F401  (registers quiz, stats, exam, export commands)
