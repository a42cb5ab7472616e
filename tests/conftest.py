"""Shared fixtures: every test gets its own data home and a fixed study day; nothing touches the real home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

TODAY = "2026-11-24"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point SYSPLAN_STUDY_HOME at a fresh temporary directory and fix today's date."""
    home = tmp_path / "home"
    monkeypatch.setenv("SYSPLAN_STUDY_HOME", str(home))
    monkeypatch.setenv("SYSPLAN_TODAY", TODAY)
    monkeypatch.delenv("SYSPLAN_ROLLOVER_HOUR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Any:
    """Run the CLI with arguments and optional stdin text; returns the Result."""
    from sysplan_study.cli import app

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(app, list(args), input=input, env=env)

    return run


@pytest.fixture(scope="session")
def library() -> Any:
    """The shipped decks, loaded once."""
    from sysplan_study.decks.model import Library
    from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file

    return Library.of(load_file(p, builtin=True) for p in deck_files(builtin_content_dir()))
