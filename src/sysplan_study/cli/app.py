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


# Every command: (name, the cli module defining it, the first line of its help). `sysplan --help` lists this table
# and a command's module is imported only when that command runs: building every command costs ~7 ms of start-up.
# The order is the one a candidate meets them in (study first, housekeeping last). tests/test_cli_lazy.py checks
# the table against the commands themselves.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("review", "review", "复习到期卡片，再学新卡（SM-2 或 FSRS：sysplan config scheduler）。"),
    ("undo", "review", "撤销本机最后一次回答或重置（可重复），恢复卡片原来的日程。"),
    ("read", "read", "按提纲阅读一章（或一节），先读后背。"),
    ("quiz", "quiz", "按章测验，不改变复习日程。"),
    ("grade", "grade", "逐项判分默写的答案（机器接口），不保存任何记录。"),
    ("show", "decks", "显示卡片及其完整答案（可给多个 id 或章节前缀）。"),
    ("cards", "decks", "列出所有卡片（可只列一章），按章节分组。"),
    ("search", "decks", "查找题目或答案中含有 TEXT 的卡片，标出匹配的项。"),
    ("decks", "decks", "列出卡组：卡片数、新卡、到期、暂停。"),
    ("stats", "stats", "各章进度、连续天数、热力图、到期预测、最常漏的项。"),
    ("forecast", "forecast", "考试那天各章能回忆多少（FSRS 逐项记忆）。"),
    ("weak", "weak", "最可能忘记的条目（按 FSRS 预计今天的回忆率）。"),
    ("mock", "mock", "模拟考试：逐项默写随机抽的卡，逐项判分，对照预测（不改变复习日程）。"),
    ("exam", "exam", "考试日期与备考计划"),
    ("report", "report", "进度报告：一个自包含的 HTML 页面（倒计时、预测、热力图、到期、保持率、最弱项、首字速记）。"),
    ("config", "config", "查看或修改设置（环境变量优先）。"),
    ("suspend", "cards", "暂停卡片：不再安排复习，也不计入到期（日程和记录保留）。"),
    ("unsuspend", "cards", "恢复暂停的卡片。"),
    ("reset", "cards", "重置卡片的日程（变回新卡）；记录保留，每张记一条 reset，可用 sysplan undo 撤销。"),
    ("export", "export", "导出复习记录、Anki 卡包或进度；绝不覆盖数据库。"),
    ("import", "import_cmd", "把自己的笔记、Markdown、CSV 或 Anki 包导入为卡组（先校验）。"),
    ("import-progress", "export", "合并另一台机器导出的进度（先完整校验，最大 2 GiB）；也读 Anki 包里本卡组的复习记录。"),
    ("check", "decks", "检查卡组；问题按 文件:行: 说明 列出，有问题时退出码 1。"),
    ("path", "decks", "显示数据库、备份、自建卡组、内置卡组和缓存的位置。"),
)
COMMAND_MODULES = {name: module for name, module, _ in COMMANDS}
COMMAND_HELP = {name: first for name, _, first in COMMANDS}
COMMAND_ORDER = tuple(COMMAND_MODULES)


def help_line(cmd: Any) -> str:
    """A command's whole first help line, without its example (what `sysplan --help` lists)."""
    help_text = (cmd.short_help or cmd.help or "").strip()
    first = help_text.splitlines()[0] if help_text else ""
    return first.split("  Example:")[0].split("  例：")[0].strip()


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
        """A command by name, its module imported and the command built only now (see COMMANDS)."""
        cmd = super().get_command(ctx, name)
        if cmd is None:
            cmd = _load_command(name)
            if cmd is not None:
                self.add_command(cmd, name)
        if cmd is not None:
            _chinese_commands(cmd)
        return cmd

    def list_commands(self, ctx: Any) -> list[str]:
        """Commands in the order a candidate meets them (study first, housekeeping last); others after."""
        names = {*super().list_commands(ctx), *COMMAND_ORDER}
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As click's, with typer's "Did you mean" suggestions taken from every command, loaded or not."""
        from difflib import get_close_matches

        from typer._click.exceptions import UsageError

        try:
            return super().resolve_command(ctx, args)
        except UsageError as e:
            if args and e.message.startswith("No such command"):
                message = e.message.split(". Did you mean ")[0].rstrip(".")
                matches = get_close_matches(args[0], self.list_commands(ctx))
                suggest = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
                e.message = f"{message}.{suggest}"
            raise

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list with each command's whole first help line (click would cut it at 45 characters);
        commands not loaded yet are listed from the COMMANDS table, without importing them."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name)
            if cmd is None and name in COMMAND_HELP:
                rows.append((name, COMMAND_HELP[name]))
                continue
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, help_line(cmd)))
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


def _load_command(name: str) -> Any:
    """The click command for one entry of COMMANDS, built from its module (imported now); None if unknown."""
    module = COMMAND_MODULES.get(name)
    if module is None:
        return None
    import importlib

    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    importlib.import_module(f"sysplan_study.cli.{module}")
    for info in app.registered_commands:
        if (info.name or get_command_name(info.callback.__name__)) == name:  # type: ignore[union-attr]
            return get_command_from_info(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                         rich_markup_mode=app.rich_markup_mode)
    for group in app.registered_groups:
        if group.name == name:
            return get_group_from_info(group, pretty_exceptions_short=app.pretty_exceptions_short,
                                       rich_markup_mode=app.rich_markup_mode, suggest_commands=app.suggest_commands)
    return None


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
    import gc

    # What start-up imported (typer, click, this package: ~17,000 objects) lives until the process ends, so the
    # cycle collector never needs to look at it again: frozen, the full collections Python runs on the way out
    # skip it (~6 ms of every command). Objects made from here on are collected as usual, in larger batches:
    # importing Rich and rendering a screen allocate tens of thousands of objects and free almost all of them by
    # reference counting, so collecting every 700 allocations (the default) only walks them over and over
    # (~3 ms of a screen; one collection in 10,000 allocations still frees any cycle of a long review session).
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    app()
