"""The Typer app, its global options and the edge where errors become one line on stderr."""

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
            from sysplan_study.store.errors import as_user_error

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
            from sysplan_study.decks.library import load_library

            self._library = load_library(self.content_dirs)
            for warning in self._library.warnings:  # skipped user decks: said once per run, then studying goes on
                typer.echo(f"sysplan: 警告 (warning): {' '.join(warning.split())}", err=True)
        return self._library

    def store(self, write: bool = True) -> Any:
        """The database, opened (and migrated) once per run; `write=False` for commands that only read it."""
        if self._store is None:
            from sysplan_study.store.connection import open_store

            self._store = open_store(_db_path(self), create_dirs=self.db is None, write=write)
            if self._store.backup_made is not None:
                typer.echo(f"升级数据库前已备份到 {self._store.backup_made}（backup before migration）", err=True)
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
    from sysplan_study.ui.render import console

    return console()


def _print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")



def main() -> None:
    """Console-script entry point."""
    app()
