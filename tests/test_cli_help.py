"""Help and usage errors: Chinese first, -h and --version, one line with exit 2 for a mistyped option."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest


def test_version_and_short_help(invoke: Any) -> None:
    from sysplan_study import __version__

    assert invoke("--version").stdout.strip() == f"sysplan-study {__version__}"
    short, long = invoke("-h"), invoke("--help")
    assert short.exit_code == 0 and short.stdout == long.stdout
    assert "用法：" in short.stdout and "命令" in short.stdout and "显示帮助并退出" in short.stdout


def test_command_list_is_not_cut(invoke: Any) -> None:
    out = invoke("-h").stdout
    commands = out[out.index("命令"):]
    assert "..." not in commands and "…" not in commands
    assert "撤销本机最后一次回答或重置（可重复），恢复卡片原来的日程。" in out
    lines = out.splitlines()
    assert lines.index(next(x for x in lines if x.strip().startswith("review"))) < lines.index(
        next(x for x in lines if x.strip().startswith("path")))


def test_review_help_lists_chapter_ids(invoke: Any) -> None:
    out = invoke("review", "--help").stdout
    for chapter in ("design", "deploy", "operate", "improve", "supervise", "marketing", "terms"):
        assert chapter in out


@pytest.mark.parametrize("args, phrase", [
    (["review", "--bogus"], "没有这个选项"),
    (["nope"], "没有这个命令"),
    (["show"], "缺少参数"),
    (["review", "--limit", "abc"], "参数值无效"),
])
def test_usage_errors_are_one_line_exit_2(invoke: Any, args: list[str], phrase: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and phrase in result.stderr and "--help" in result.stderr


def test_usage_error_from_the_real_entry_point() -> None:
    out = subprocess.run([sys.executable, "-m", "sysplan_study", "review", "--bogus"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
