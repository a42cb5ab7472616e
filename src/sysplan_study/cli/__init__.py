"""The `sysplan` command line: one module per command group; each command parses, calls one core function, renders."""

from sysplan_study.cli.app import app, main
from sysplan_study.cli import cards, config, decks, exam, export, grade, import_cmd, quiz, read, review, stats, weak, forecast, mock, report  # noqa: F401  (register the commands)

__all__ = ["app", "main"]
