"""Start-up: commands are built only when run, --help lists them from a table that must match the commands, the
JSON and warm-index paths import only what they use, and the console entry freezes start-up objects."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

COMMAND_MODULES = ("review", "read", "quiz", "grade", "decks", "stats", "forecast", "weak", "mock", "exam", "report",
                   "config", "cards", "export", "import_cmd")


def _run(code: str, home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SYSPLAN_STUDY_HOME": str(home), "COLUMNS": "100", **(env or {})})


def test_command_table_matches_the_commands() -> None:
    """Every command's name, module and first help line in cli.app.COMMANDS is the command's own."""
    import typer.main

    from sysplan_study.cli import app as typer_app
    from sysplan_study.cli.app import COMMANDS, help_line

    for module in COMMAND_MODULES:
        importlib.import_module(f"sysplan_study.cli.{module}")
    group = typer.main.get_command(typer_app)
    built = {name: cmd for name, cmd in group.commands.items() if not cmd.hidden}  # type: ignore[attr-defined]
    assert [name for name, _, _ in COMMANDS] and set(built) == {name for name, _, _ in COMMANDS}
    for name, module, first in COMMANDS:
        assert help_line(built[name]) == first, name
    origin = {(i.name or typer.main.get_command_name(i.callback.__name__)): i.callback.__module__  # type: ignore
              for i in typer_app.registered_commands}
    origin.update({g.name: "sysplan_study.cli.exam" for g in typer_app.registered_groups})
    assert {name: f"sysplan_study.cli.{module}" for name, module, _ in COMMANDS} == origin


def test_help_imports_no_command_module_and_is_what_the_commands_say(tmp_path: Path) -> None:
    lazy = _run("import sys\nfrom sysplan_study.cli import main\nsys.argv = ['sysplan', '--help']\ntry:\n    main()\n"
                "except SystemExit:\n    pass\nprint('LOADED', sorted(m for m in sys.modules if m.startswith("
                "'sysplan_study.cli.') and m != 'sysplan_study.cli.app'))", tmp_path)
    eager = _run("import sys, importlib\nfrom sysplan_study.cli import main\nfor m in sys.argv[1:]:\n"
                 "    importlib.import_module('sysplan_study.cli.' + m)\nsys.argv = ['sysplan', '--help']\n"
                 "main()", tmp_path, *COMMAND_MODULES)
    assert lazy.returncode == 0 and eager.returncode == 0, lazy.stderr + eager.stderr
    text, loaded = lazy.stdout.rsplit("LOADED ", 1)
    assert loaded.strip() == "[]"
    assert text == eager.stdout and "import-progress" in text


def test_a_command_loads_its_module_only(tmp_path: Path) -> None:
    out = _run("import sys\nfrom sysplan_study.cli import main\nsys.argv = ['sysplan', 'path']\ntry:\n    main()\n"
               "except SystemExit:\n    pass\nprint('LOADED', sorted(m for m in sys.modules if m.startswith("
               "'sysplan_study.cli.') and m != 'sysplan_study.cli.app'))", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.rsplit("LOADED ", 1)[1].strip() == "['sysplan_study.cli.decks']"


def test_a_mistyped_command_is_matched_against_every_command(tmp_path: Path) -> None:
    """Click's "Did you mean" suggestions come from commands not loaded yet as well (one line, exit 2)."""
    out = subprocess.run([sys.executable, "-m", "sysplan_study", "revew"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "SYSPLAN_STUDY_HOME": str(tmp_path)})
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "Did you mean 'review', 'reset'?" in out.stderr
    out = subprocess.run([sys.executable, "-m", "sysplan_study", "importprogress"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "SYSPLAN_STUDY_HOME": str(tmp_path)})
    assert "'import-progress'" in out.stderr


def test_a_sub_command_of_a_lazy_group_runs(invoke: Any) -> None:
    assert invoke("exam", "set", "2099-05-22").exit_code == 0
    assert "2099-05-22" in invoke("exam", "--format", "json").stdout


def test_the_console_entry_freezes_what_start_up_made(tmp_path: Path) -> None:
    out = _run("import gc, sys\nfrom sysplan_study.cli import main\nsys.argv = ['sysplan', '--version']\ntry:\n"
               "    main()\nexcept SystemExit:\n    pass\nprint('FROZEN', gc.get_freeze_count(), gc.get_threshold()[0])",
               tmp_path)
    frozen, threshold = out.stdout.rsplit("FROZEN ", 1)[1].split()
    assert int(frozen) > 5000 and int(threshold) >= 10_000


@pytest.mark.parametrize("args", [["decks", "--format", "json"], ["cards", "--format", "ids"]])
def test_a_warm_start_parses_nothing_and_json_needs_no_rich(tmp_path: Path, args: list[str]) -> None:
    """With the card index up to date, no YAML loader, validation, parsing or card decoding is imported (nor Rich
    for JSON): each costs start-up time every run."""
    code = ("import sys\nfrom sysplan_study.cli import main\nsys.argv = ['sysplan', *sys.argv[1:]]\ntry:\n"
            "    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'rich') or m in ("
            "'sysplan_study.decks.yaml_lines', 'sysplan_study.decks.validate', 'sysplan_study.decks.cache_parse',"
            "'sysplan_study.decks.cache_codec')))")
    first = _run(code, tmp_path, *args)  # builds the card index
    assert first.returncode == 0, first.stderr
    warm = _run(code, tmp_path, *args)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.rsplit("LOADED ", 1)[1].strip() == "[]"
