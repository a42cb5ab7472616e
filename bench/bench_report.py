"""Benchmark `sysplan report` on the large synthetic home (20,000 cards, 1,000,000 answers): time and page size.

Usage: python bench/bench_report.py [--runs N] [--home DIR]
Reuses bench/run.py's home (built once); goal: the page within 2 s and 3 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, TODAY, build_home, sysplan_cmd

LIMIT_S, LIMIT_BYTES = 2.0, 3 * 1024 * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--home", type=Path, default=ROOT / "bench" / ".home")
    args = ap.parse_args()
    build_home(args.home, 20_000, 1_000_000)
    env = {**os.environ, "SYSPLAN_STUDY_HOME": str(args.home), "SYSPLAN_TODAY": TODAY.isoformat(), "NO_COLOR": "1"}
    times, size = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run(sysplan_cmd() + ["report", "--output", str(out)], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
            size = out.stat().st_size
    median = statistics.median(times)
    ok = median <= LIMIT_S and size <= LIMIT_BYTES
    print(f"report (20k cards, 1M answers): {median * 1000:.0f} ms median of {args.runs}, {size / 1024:.0f} KiB "
          f"(goal ≤ {LIMIT_S:.0f} s and ≤ 3 MiB: {'met' if ok else 'NOT met'})")


if __name__ == "__main__":
    main()
