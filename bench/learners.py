"""The shared start of the simulated-learner benchmarks (exam_gain.py, forecast_accuracy.py): --learners and the
shipped decks, with the repository's src/ and tests/ importable."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup(doc: str) -> tuple[argparse.Namespace, Any]:
    """Parse --learners (default 20) and load the shipped decks."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--learners", type=int, default=20)
    args = ap.parse_args()
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    from tests import simulated

    return args, simulated.builtin_library()
