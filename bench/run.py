"""Benchmark sysplan on a synthetic large home: start-up, decks, stats, answer commit, review start.

Usage: python bench/run.py [--runs N] [--home DIR] [--cards N] [--log-rows N]
Builds (once, reused while its parameters match) 20,000 cards and 1,000,000 review-log rows over 3 years,
then prints medians next to a baseline measured in the same run, and whether each goal is met.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)


def sysplan_cmd() -> list[str]:
    """The installed console script if present, else the module."""
    exe = shutil.which("sysplan")
    return [exe] if exe else [sys.executable, "-m", "sysplan_study"]


def build_home(home: Path, n_cards: int, n_rows: int) -> None:
    """User decks up to n_cards in total, and a database with n_rows log rows over the last 3 years."""
    sys.path.insert(0, str(ROOT / "src"))
    from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
    from sysplan_study.store.connection import open_store

    marker = home / "bench.json"
    params = {"cards": n_cards, "rows": n_rows, "version": 1}
    if marker.exists() and json.loads(marker.read_text()) == params:
        return
    if home.exists():
        shutil.rmtree(home)
    (home / "decks").mkdir(parents=True)
    builtin = [c for p in deck_files(builtin_content_dir()) for c in load_file(p).cards]
    remaining = max(0, n_cards - len(builtin))
    per_deck = 500
    ids = [c.id for c in builtin]
    rng = random.Random(1)
    for d in range((remaining + per_deck - 1) // per_deck):
        lines = [f"deck: gen{d:03d}", f"title: 生成卡组 {d}", "sections:"]
        count = min(per_deck, remaining - d * per_deck)
        for s in range((count + 9) // 10):
            lines += [f"  - id: s{s}", f"    number: \"{d}.{s}\"", f"    title: 第{s}节", "    fields:"]
            for f in range(min(10, count - s * 10)):
                lines += [f"      - id: f{f}", "        name: 活动", "        items:"]
                lines += [f"          - 条目{rng.randrange(10**6)}的内容说明" for _ in range(rng.randint(3, 9))]
                ids.append(f"gen{d:03d}.s{s}.f{f}")
        (home / "decks" / f"gen{d:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store(home / "sysplan.db")
    conn = store.conn
    start = TODAY - timedelta(days=3 * 365)
    reviewed = ids[: int(len(ids) * 0.8)]
    rows = []
    for i in range(n_rows):
        cid = reviewed[i % len(reviewed)]
        day = start + timedelta(days=i * 3 * 365 // n_rows)
        grade = rng.choice((1, 3, 4, 4, 5, 5))
        mode = "review" if i % 10 else "drill"
        at = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc).isoformat()
        due = (day + timedelta(days=6)).isoformat()
        rows.append((cid, at, day.isoformat(), grade, mode, 2, 250, 6, due, 3, 250, 15, due, 4000))
        if len(rows) == 50_000:
            _flush(conn, rows)
    _flush(conn, rows)
    states = []
    for cid in reviewed:
        due = TODAY + timedelta(days=rng.randint(-5, 60))
        states.append((cid, rng.randint(1, 8), rng.randrange(130, 300, 2), rng.randint(1, 120), due.isoformat(), "2026-11-01"))
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO card_state VALUES (?, ?, ?, ?, ?, ?)", states)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    store.close()
    marker.write_text(json.dumps(params))


def _flush(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO review_log (card_id, reviewed_at, study_day, grade, mode, rep_before, ef100_before, "
        "interval_before, due_before, rep_after, ef100_after, interval_after, due_after, duration_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    rows.clear()


def timed(cmd: list[str], env: dict[str, str], runs: int, stdin: str | None = None) -> float:
    """Median wall time of a command, after one warm-up run."""
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                       check=False)
        if i:
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_rss_mib(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def first_card_time(env: dict[str, str], runs: int) -> float:
    """Time from starting `sysplan review` to its first card on screen (the process is then closed)."""
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        proc = subprocess.Popen(sysplan_cmd() + ["review"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if "复习 · 已答" in line or "今天没有" in line:
                break
        elapsed = time.perf_counter() - t
        proc.kill()
        proc.wait()
        if i:
            times.append(elapsed)
    return statistics.median(times)


def commit_time(home: Path, n: int) -> float:
    """Median time of one review answer (read state, schedule, write state + log in one transaction)."""
    sys.path.insert(0, str(ROOT / "src"))
    from sysplan_study.memory import sm2
    from sysplan_study.store import answers
    from sysplan_study.store.connection import open_store

    work = home / "commit-bench.db"
    shutil.copy(home / "sysplan.db", work)
    store = open_store(work)
    times = []
    now = datetime.now(timezone.utc)
    for i in range(n):
        cid = f"bench.card{i}"
        seen = store.state_row(cid)
        t = time.perf_counter()
        answers.answer_review(store, cid, seen, 4, lambda b: (sm2.review(b, 4, TODAY), None), now, TODAY,
                              new_limit=10**9, duration_ms=1000)
        times.append(time.perf_counter() - t)
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--home", type=Path, default=ROOT / "bench" / ".home")
    ap.add_argument("--cards", type=int, default=20_000)
    ap.add_argument("--log-rows", type=int, default=1_000_000)
    args = ap.parse_args()

    t = time.perf_counter()
    build_home(args.home, args.cards, args.log_rows)
    print(f"home: {args.home} ({args.cards} cards, {args.log_rows} log rows; ready in {time.perf_counter() - t:.1f} s)")
    env = {**os.environ, "SYSPLAN_STUDY_HOME": str(args.home), "SYSPLAN_TODAY": TODAY.isoformat(), "NO_COLOR": "1"}
    cmd = sysplan_cmd()
    subprocess.run(cmd + ["decks"], env=env, stdout=subprocess.DEVNULL, check=True)  # fills the deck cache

    base = timed([sys.executable, "-c", "import typer"], env, args.runs)
    results = []
    help_t = timed(cmd + ["--help"], env, args.runs)
    results.append(("sysplan --help", f"{help_t * 1000:.0f} ms", f"{help_t / base:.2f}× import typer", "≤ 1.2×", help_t / base <= 1.2))
    decks_t = timed(cmd + ["decks"], env, args.runs)
    results.append(("sysplan decks", f"{decks_t * 1000:.0f} ms", f"{decks_t / base:.2f}× import typer", "≤ 1.5×", decks_t / base <= 1.5))
    stats_t = timed(cmd + ["stats", "--format", "json"], env, args.runs)
    results.append(("sysplan stats --format json", f"{stats_t * 1000:.0f} ms", "", "≤ 1 s", stats_t <= 1.0))
    rss = peak_rss_mib(cmd + ["stats", "--format", "json"], env)
    results.append(("  peak RSS of stats", f"{rss:.0f} MiB", "", "≤ 150 MiB", rss <= 150))
    commit = commit_time(args.home, 1000)
    results.append(("commit one answer (median of 1000)", f"{commit * 1000:.2f} ms", "", "≤ 5 ms", commit <= 0.005))
    first = first_card_time(env, args.runs)
    results.append(("review: start to first card", f"{first * 1000:.0f} ms", f"{first / base:.2f}× import typer", "≤ 1.5×", first / base <= 1.5))

    print(f"baseline: python -c 'import typer' = {base * 1000:.0f} ms (median of {args.runs})\n")
    print(f"{'measure':38} {'median':>10}  {'ratio':22} {'goal':10} met")
    for name, value, ratio, goal, ok in results:
        print(f"{name:38} {value:>10}  {ratio:22} {goal:10} {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
