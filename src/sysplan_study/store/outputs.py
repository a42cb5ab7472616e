"""Writing output files safely: atomic replace, clear errors, never over the database."""

from __future__ import annotations

import os
from pathlib import Path

from sysplan_study.errors import UserError


def check_target(path: Path) -> None:
    """Refuse a directory or a path whose directory is missing, before any work is done."""
    if path.is_dir():
        raise UserError(f"output path is a directory: {path}")
    if not path.parent.exists():
        raise UserError(f"directory does not exist: {path.parent}")


def write_text(path: Path, text: str, bom: bool = False) -> None:
    """Write a whole file atomically (temp file + rename); clear errors for unwritable paths."""
    check_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None
