"""The `sysplan` command line: one module per command group; each command parses, calls one core function, renders.

Command modules are imported when their command runs (cli.app.COMMANDS), not here: start-up builds one command.
"""

from sysplan_study.cli.app import app, main

__all__ = ["app", "main"]
