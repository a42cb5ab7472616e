"""Benchmark import-progress on a 1,000,000-answer progress file: wall time and peak memory of the importing process.

Usage: python bench/bench_import.py [--rows N] [--dir DIR] [--no-extra]
Writes a synthetic but valid progress file (the shipped decks' card ids, typed-recall items in range), imports it
into a fresh home in a fresh child process, and reports that child's wall time and peak RSS (its own rusage from
wait4; RUSAGE_CHILDREN agrees, since it is this script's first child) against the 500 MiB goal. Unless --no-extra,
it then re-imports the same file (must add 0) and exports the home again, each in its own child.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MIB = 500
START = datetime(2023, 1, 2, 8, 0, tzinfo=timezone.utc)


def build_file(path: Path, n_rows: int, seed: int = 1) -> int:
    """A progress file with n_rows log rows over the shipped cards; returns its size in bytes."""
    sys.path.insert(0, str(ROOT / "src"))
    from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file

    cards = [c for p in deck_files(builtin_content_dir()) for c in load_file(p, builtin=True).cards]
    rng = random.Random(seed)
    state: dict[str, tuple[int, int, int, str, str]] = {}
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"format": "sysplan-study-progress", "version": 1, "exported_at": "2026-11-24T08:00:00+00:00",\n')
        f.write('"log": [')
        for i in range(n_rows):
            card = cards[i % len(cards)]
            at = START + timedelta(seconds=60 * i + rng.randrange(60))
            day = at.date()
            mode = rng.choices(("review", "drill", "quiz"), (8, 1, 1))[0]
            grade = rng.randrange(6)
            prev = state.get(card.id)
            before = None if prev is None else dict(zip(("repetitions", "ef100", "interval", "due"), prev[:4]))
            after = None
            if mode == "review":
                rep = 0 if grade < 3 else (prev[0] + 1 if prev else 1)
                ef = max(130, min(1000, (prev[1] if prev else 250) + rng.choice((-20, 0, 10))))
                interval = min(36500, 1 if rep <= 1 else 6 if rep == 2 else (prev[2] if prev else 1) * 2)
                due = (day + timedelta(days=interval)).isoformat()
                after = {"repetitions": rep, "ef100": ef, "interval": interval, "due": due}
                state[card.id] = (rep, ef, interval, due, at.isoformat())
            items = []
            if i % 3 == 0:
                items = [{"item": k, "text": card.items[k].text, "recalled": rng.random() < 0.7}
                         for k in range(card.count)]
            row = {
                "card_id": card.id, "reviewed_at": at.isoformat(), "study_day": day.isoformat(), "grade": grade,
                "mode": mode, "before": before, "after": after, "duration_ms": rng.randrange(1000, 90000),
                "hints": rng.randrange(3), "recalled": sum(it["recalled"] for it in items) if items else None,
                "total": len(items) if items else None, "capped_due": None, "items": items,
            }
            f.write(("," if i else "") + "\n " + json.dumps(row, ensure_ascii=False))
        f.write('],\n"cards": [')
        for j, (cid, (rep, ef, interval, due, at)) in enumerate(sorted(state.items())):
            row = {"card_id": cid, "repetitions": rep, "ef100": ef, "interval": interval, "due": due,
                   "updated_at": at}
            f.write(("," if j else "") + "\n " + json.dumps(row))
        f.write("]}\n")
    return path.stat().st_size


def run_child(args: list[str], home: Path, log: Path) -> tuple[int, float, int]:
    """Run `sysplan ARGS` as a fresh child; (exit code, wall seconds, peak RSS in KiB of that child only)."""
    env = dict(os.environ, SYSPLAN_STUDY_HOME=str(home))
    env.pop("SYSPLAN_TODAY", None)
    start = time.perf_counter()
    with open(log, "wb") as out:
        child = subprocess.Popen([sys.executable, "-m", "sysplan_study", *args], env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, time.perf_counter() - start, usage.ru_maxrss


def report(label: str, code: int, wall: float, rss_kib: int, log: Path) -> bool:
    mib = rss_kib / 1024
    met = code == 0 and mib <= GOAL_MIB
    print(f"{label}: exit {code}, {wall:.1f} s, peak RSS {mib:.0f} MiB "
          f"→ {'met' if met else 'NOT met'} (goal ≤ {GOAL_MIB} MiB)")
    print("   output:", log.read_text(encoding="utf-8", errors="replace").strip()[:300])
    return met


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir, removed after)")
    ap.add_argument("--no-extra", action="store_true", help="only the first import")
    a = ap.parse_args()
    work = a.dir or Path(tempfile.mkdtemp(prefix="sysplan-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / "progress.json"
        t = time.perf_counter()
        size = build_file(src, a.rows)
        print(f"progress file: {a.rows:,} log rows, {size / 1024**2:.0f} MiB, built in {time.perf_counter() - t:.1f} s")
        home = work / "home"
        shutil.rmtree(home, ignore_errors=True)
        code, wall, rss = run_child(["import-progress", str(src)], home, work / "import.log")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        ok = report("import into a fresh home", code, wall, rss, work / "import.log")
        print(f"   RUSAGE_CHILDREN ru_maxrss after this first child: {children / 1024:.0f} MiB")
        if not a.no_extra:
            code, wall, rss = run_child(["import-progress", str(src)], home, work / "again.log")
            ok &= report("re-import the same file (adds 0)", code, wall, rss, work / "again.log")
            ok &= "新增 0 条" in (work / "again.log").read_text(encoding="utf-8")
            out = work / "exported.json"
            code, wall, rss = run_child(["export", "--progress", str(out)], home, work / "export.log")
            ok &= report("export --progress of that home", code, wall, rss, work / "export.log")
        print("all goals met" if ok else "some goal NOT met")
        return 0 if ok else 1
    finally:
        if a.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
