"""The Typer app, its global options and the edge where errors become one line on stderr."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from sysplan_study.errors import UserError


HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
USAGE_ERRORS = (  # click's English usage messages → Chinese first, the original kept in parentheses
    ("No such option", "没有这个选项"), ("No such command", "没有这个命令"), ("Missing argument", "缺少参数"),
    ("Missing option", "缺少选项"), ("Invalid value", "参数值无效"), ("Got unexpected extra argument", "多余的参数"),
    ("requires an argument", "需要一个值"), ("Option", "选项用法有误"),
)


def _formatter_class() -> type:
    """Click's help formatter with Chinese headings (built lazily: help is rare, start-up is not)."""
    from typer._click.formatting import HelpFormatter

    class ChineseHelpFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            super().write_heading(HEADINGS.get(heading, heading))

    return ChineseHelpFormatter


COMMAND_ORDER = (
    "review", "undo", "read", "quiz", "grade", "show", "cards", "search", "decks", "stats", "forecast", "weak",
    "mock", "exam", "report", "config", "suspend", "unsuspend", "reset", "export", "import", "import-progress",
    "check", "path",
)


def usage_line(message: str, command: str) -> str:
    """One line for a usage error from the option parser: Chinese first, click's English in parentheses."""
    text = " ".join(message.split())
    for english, chinese in USAGE_ERRORS:
        if english in text:
            return f"sysplan: 用法错误：{chinese}（{text}）；见 {command} --help"
    return f"sysplan: 用法错误：{text}；见 {command} --help"


class SysplanGroup(TyperGroup):
    """Turns user errors into one line on stderr and exit 1, usage errors into one line and exit 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        from typer._click.exceptions import ClickException, UsageError
        from typer.exceptions import Abort

        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except UsageError as e:
            command = e.ctx.command_path if e.ctx is not None else "sysplan"
            typer.echo(usage_line(e.format_message(), command), err=True)
            rv = 2
        except ClickException as e:
            typer.echo(f"sysplan: 错误：{' '.join(e.format_message().split())}", err=True)
            rv = e.exit_code
        except Abort:
            typer.echo("已中断（aborted）", err=True)
            rv = 1
        code = rv if isinstance(rv, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        _chinese_commands(self)  # before parsing: `sysplan --help` is printed while the context is made
        return super().make_context(*args, **kwargs)

    def get_command(self, ctx: Any, name: str) -> Any:
        cmd = super().get_command(ctx, name)
        if cmd is not None:
            _chinese_commands(cmd)
        return cmd

    def list_commands(self, ctx: Any) -> list[str]:
        """Commands in the order a candidate meets them (study first, housekeeping last); others after."""
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list with each command's whole first help line (click would cut it at 45 characters)."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            help_text = (cmd.short_help or cmd.help or "").strip()
            first = help_text.splitlines()[0] if help_text else ""
            rows.append((name, first.split("  Example:")[0].split("  例：")[0].strip()))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

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


def _chinese_commands(cmd: Any) -> None:
    """Give a command (and a sub-group's commands) Chinese help headings."""
    if getattr(cmd, "_sysplan_cn", False):
        return
    cmd.context_class = type("ChineseContext", (cmd.context_class,), {"formatter_class": _formatter_class()})
    plain_help_option = cmd.get_help_option

    def help_option(ctx: Any) -> Any:
        option = plain_help_option(ctx)
        if option is not None:
            option.help = "显示帮助并退出"
        return option

    cmd.get_help_option = help_option
    cmd._sysplan_cn = True


def fail(message: str) -> None:
    """Print one error line to stderr and exit 1."""
    typer.echo(f"sysplan: 错误：{' '.join(message.split())}", err=True)
    raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        from sysplan_study import __version__

        typer.echo(f"sysplan-study {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=SysplanGroup,
    help="系统规划与管理师（软考）案例分析背诵卡片：间隔重复复习、逐项默写、按章测验、进度统计。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
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
            from sysplan_study.ui.delayed_bar import deck_index_bar

            bar = deck_index_bar()  # drawn only on a terminal, only when parsing decks takes over a second
            try:
                self._library = load_library(self.content_dirs, progress=bar)
            finally:
                bar.close()
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
    db: Optional[Path] = typer.Option(None, "--db", help="数据库文件（默认 $SYSPLAN_STUDY_HOME/sysplan.db）"),
    content_dir: list[Path] = typer.Option([], "--content-dir", help="另外加载此目录下的 *.yaml 卡组（可重复）"),
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="显示版本并退出"),
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
    from sysplan_study.reports import json_text  # json.dumps(indent=2) byte for byte, faster on large outputs

    sys.stdout.write(json_text.dumps(data) + "\n")



def main() -> None:
    """Console-script entry point."""
    app()
