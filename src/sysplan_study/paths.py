"""Where user data lives: $SYSPLAN_STUDY_HOME, else the platform's user data dir, resolved at call time."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "sysplan-study"
DB_NAME = "sysplan.db"


def user_dir() -> Path:
    """The data home: $SYSPLAN_STUDY_HOME if set, else the platform user data dir."""
    env = os.environ.get("SYSPLAN_STUDY_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The database used when --db is not given."""
    return user_dir() / DB_NAME


def user_decks_dir() -> Path:
    """Directory whose *.yaml files are loaded beside the built-in decks."""
    return user_dir() / "decks"


def cache_dir() -> Path:
    """Directory for the parsed-deck cache (safe to delete)."""
    return user_dir() / "cache"
