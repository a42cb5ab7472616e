"""Benchmark sysplan on a synthetic large home: start-up, decks, stats, forecast, answer commit, review start.

Usage: python bench/run.py [--runs N] [--home DIR] [--cards N] [--log-rows N]
Builds (once, reused while its parameters match) 20,000 cards and 1,000,000 review-log rows over 3 years,
then prints medians next to a baseline measured in the same run, and whether each goal is met. Every timed run's
exit status is checked (a crash is reported, never timed) and peak RSS is each command's own (os.wait4).
`--log-rows 5000000` is the 5M-answer run (its own home, bench/.home-5000000; not run by default).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)
EXAM = date(2027, 5, 22)


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
    params = {"cards": n_cards, "rows": n_rows, "version": 3}  # 2: states replayed from the log; 3: item memory
    if marker.exists() and json.loads(marker.read_text()) == params:
        return
    if home.exists():
        shutil.rmtree(home)
    (home / "decks").mkdir(parents=True)
    builtin = [c for p in deck_files(builtin_content_dir()) for c in load_file(p).cards]
    remaining = max(0, n_cards - len(builtin))
    per_deck = 500
    ids = [c.id for c in builtin]
    counts = {c.id: c.count for c in builtin}  # items per card: typed answers are marked item by item
    rng = random.Random(1)
    for d in range((remaining + per_deck - 1) // per_deck):
        lines = [f"deck: gen{d:03d}", f"title: 生成卡组 {d}", "sections:"]
        count = min(per_deck, remaining - d * per_deck)
        for s in range((count + 9) // 10):
            lines += [f"  - id: s{s}", f"    number: \"{d}.{s}\"", f"    title: 第{s}节", "    fields:"]
            for f in range(min(10, count - s * 10)):
                lines += [f"      - id: f{f}", "        name: 活动", "        items:"]
                n_items = rng.randint(3, 9)
                lines += [f"          - 条目{rng.randrange(10**6)}的内容说明" for _ in range(n_items)]
                ids.append(f"gen{d:03d}.s{s}.f{f}")
                counts[ids[-1]] = n_items
        (home / "decks" / f"gen{d:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from sysplan_study.memory import sm2
    from sysplan_study.store import schedules

    store = open_store(home / "sysplan.db")
    conn = store.conn
    start = TODAY - timedelta(days=3 * 365)
    reviewed = ids[: int(len(ids) * 0.8)]
    rows: list[tuple] = []
    marks: list[tuple] = []
    states: dict[str, sm2.State] = {}  # each card's SM-2 state as the log so far leaves it
    for i in range(n_rows):
        cid = reviewed[i % len(reviewed)]
        day = start + timedelta(days=i * 3 * 365 // n_rows)
        grade = rng.choice((1, 3, 4, 4, 5, 5))
        mode = "review" if i % 10 else "drill"
        at = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc).isoformat()
        before = states.get(cid, sm2.State())
        after = sm2.review(before, grade, day) if mode == "review" else None
        if after is not None:
            states[cid] = after
        typed = i % 3 == 0  # a third of the answers typed item by item, the rest self-graded
        n = counts[cid]
        got = [rng.random() < (0.9 if grade >= 3 else 0.4) for _ in range(n)] if typed else []
        rows.append((i + 1, cid, at, day.isoformat(), grade, mode, *_cols(before), *_cols(after), 4000,
                     sum(got) if typed else None, n if typed else None, None if typed else n))
        marks.extend((i + 1, cid, k, f"条目{k}", int(ok)) for k, ok in enumerate(got))
        if len(rows) == 50_000:
            _flush(conn, rows, marks)
    _flush(conn, rows, marks)
    # Every state follows from the log, as in a real home: replayed exactly as a scheduler switch would, and so
    # is every item's memory.
    from sysplan_study.store import item_states

    conn.execute("BEGIN")
    schedules.replay_all(conn, schedules.read_config(conn))
    item_states.replay_all(conn, item_states.item_config(conn))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    store.close()
    marker.write_text(json.dumps(params))


def _cols(state: object) -> tuple[object, object, object, object]:
    """A state as the log's (repetitions, ef100, interval, due) columns; NULLs for a new card or no change."""
    if state is None or state.due is None:  # type: ignore[attr-defined]
        return (None, None, None, None)
    return (state.repetitions, state.ef100, state.interval, state.due.isoformat())  # type: ignore[attr-defined]


def _flush(conn: sqlite3.Connection, rows: list[tuple], marks: list[tuple]) -> None:
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO review_log (id, card_id, reviewed_at, study_day, grade, mode, rep_before, ef100_before, "
        "interval_before, due_before, rep_after, ef100_after, interval_after, due_after, duration_ms, recalled, "
        "total, tested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT INTO item_result (log_id, card_id, item, item_text, recalled) VALUES (?, ?, ?, ?, ?)",
                     marks)
    conn.execute("COMMIT")
    rows.clear()
    marks.clear()


class Measured:
    """Median wall time (s) and peak resident memory (MiB) of the runs of one command, or why it failed."""

    def __init__(self, times: list[float], peak_mib: float, error: str | None = None):
        self.median = statistics.median(times) if times else float("nan")
        self.peak = peak_mib
        self.error = error


def _maxrss_mib(kib_or_bytes: int) -> float:
    return kib_or_bytes / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB elsewhere


# Peak RSS is taken from a small launcher (python -S, ~8 MiB), never from this process's own children: a child's
# ru_maxrss starts at its parent's size when forked (this process holds the home's build, ~100 MiB), and
# RUSAGE_CHILDREN only gives the largest child so far.
_LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def peak_rss_mib(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one run of a command (its own and its children's); 0 where fork is missing."""
    if not hasattr(os, "fork"):
        return 0.0
    out = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *cmd], env=env, capture_output=True, text=True,
                         check=False)
    maxrss, code = (int(x) for x in out.stdout.split())
    if code != 0:
        raise RuntimeError(f"exit {code}")
    return _maxrss_mib(maxrss)


def run_once(cmd: list[str], env: dict[str, str], until: str | None = None) -> float:
    """Wall time of one run of a command.

    With `until`, the run ends when a line containing one of its '|'-separated markers is printed (the process
    is then killed). Raises RuntimeError when the command exits non-zero or ends before the marker: a crash must
    never show as a fast run.
    """
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE if until else subprocess.DEVNULL,
                                stdout=subprocess.PIPE if until else subprocess.DEVNULL, stderr=err)
        seen = until is None
        if until is not None:
            assert proc.stdout is not None
            for raw in proc.stdout:
                if any(m in raw.decode("utf-8", "replace") for m in until.split("|")):
                    seen = True
                    break
            elapsed = time.perf_counter() - t
            proc.kill()
        code = proc.wait()
        if until is None:
            elapsed = time.perf_counter() - t
        if proc.stdout is not None:
            proc.stdout.close()
        if (until is None and code != 0) or not seen:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(f"exit {code}: {lines[-1] if lines else 'no output'}")
    return elapsed


def timed(cmd: list[str], env: dict[str, str], runs: int, until: str | None = None,
          prepare: Callable[[], None] | None = None, warm_up: bool = True, rss: bool = True) -> Measured:
    """`runs` timed runs (after one warm-up run unless warm_up is False), each after `prepare`, every exit
    checked; then one more run for the peak RSS (not for `until` runs, which are killed mid-way)."""
    times: list[float] = []
    try:
        for i in range(runs + (1 if warm_up else 0)):
            if prepare is not None:
                prepare()
            elapsed = run_once(cmd, env, until)
            if i or not warm_up:
                times.append(elapsed)
        if prepare is not None:
            prepare()
        peak = peak_rss_mib(cmd, env) if rss and until is None else 0.0
    except RuntimeError as e:
        return Measured(times, 0.0, str(e))
    return Measured(times, peak)


FIRST_CARD = "复习 · 已答|今天没有"  # the review header of the first card, or the nothing-due line


def commit_time(home: Path, n: int) -> float:
    """Median time of one review answer (read state, schedule, write state + log in one transaction)."""
    sys.path.insert(0, str(ROOT / "src"))
    from sysplan_study.memory import replay
    from sysplan_study.store import answers, schedules
    from sysplan_study.store.connection import open_store

    work = home / "commit-bench.db"
    shutil.copy(home / "sysplan.db", work)
    store = open_store(work)
    cfg = schedules.config(store)
    times = []
    now = datetime.now(timezone.utc)
    for i in range(n):
        cid = f"bench.card{i}"
        seen = store.state_row(cid)
        t = time.perf_counter()
        answers.answer_review(store, cid, seen, 4, lambda b: (replay.schedule(b, 4, TODAY, cfg), None), now, TODAY,
                              new_limit=10**9, duration_ms=1000)
        times.append(time.perf_counter() - t)
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    return statistics.median(times)


class Goal:
    """One line of the table: what was measured, against which goal."""

    def __init__(self, name: str, m: Measured, goal: str, limit: float, base: float | None = None,
                 rss_limit: float | None = None):
        self.name, self.m, self.goal = name, m, goal
        value = m.median / base if base else m.median
        self.ok = m.error is None and value <= limit and (rss_limit is None or m.peak <= rss_limit)
        self.value = "FAILED" if m.error else f"{m.median * 1000:.0f} ms"
        self.ratio = f"{m.median / base:.2f}× typer" if base and not m.error else ""


def _touch_deck(path: Path, original: str) -> Callable[[], None]:
    """A `prepare` step changing one deck file's content each time (a comment line), so it must be parsed again."""
    n = [0]

    def change() -> None:
        n[0] += 1
        path.write_text(original + f"# bench edit {n[0]}\n", encoding="utf-8")

    return change


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--home", type=Path, default=None, help="default: bench/.home (bench/.home-<rows> if not 1M)")
    ap.add_argument("--cards", type=int, default=20_000)
    ap.add_argument("--log-rows", type=int, default=1_000_000, help="5000000 for the 5M-answer run")
    args = ap.parse_args()
    # Another row count gets a home of its own, so the 1M home is not rebuilt by a 5M run and back.
    home = args.home or ROOT / "bench" / (".home" if args.log_rows == 1_000_000 else f".home-{args.log_rows}")

    t = time.perf_counter()
    build_home(home, args.cards, args.log_rows)
    print(f"home: {home} ({args.cards} cards, {args.log_rows} log rows; ready in {time.perf_counter() - t:.1f} s)")
    env = {**os.environ, "SYSPLAN_STUDY_HOME": str(home), "SYSPLAN_TODAY": TODAY.isoformat(), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Measured as installed: bytecode compiled (a checkout run with PYTHONDONTWRITEBYTECODE compiles every module
    # of every run, ~10 ms that no user pays).
    import sysplan_study

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(sysplan_study.__file__).parent)],
                   stdout=subprocess.DEVNULL, check=False)
    cmd = sysplan_cmd()
    subprocess.run(cmd + ["decks"], env=env, stdout=subprocess.DEVNULL, check=True)  # fills the card index
    # A candidate near the exam has its date set: stats then carries its exam keys (the exam-day forecast too).
    subprocess.run(cmd + ["exam", "set", EXAM.isoformat()], env=env, stdout=subprocess.DEVNULL, check=True)
    time.sleep(2.1)  # past the card index's two-second window, as on any later day
    subprocess.run(cmd + ["decks"], env=env, stdout=subprocess.DEVNULL, check=True)

    runs = args.runs
    base = timed([sys.executable, "-c", "import typer"], env, runs).median
    stats_limit = 0.150 if args.log_rows <= 1_000_000 else 0.200
    goals = [
        Goal("sysplan --help", timed(cmd + ["--help"], env, runs), "≤ 1.2× typer", 1.2, base),
        Goal("decks --format json", timed(cmd + ["decks", "--format", "json"], env, runs), "≤ 1.5× typer", 1.5, base),
        Goal("decks (table)", timed(cmd + ["decks"], env, runs), "≤ 2× typer", 2.0, base),
        Goal("review: start to first card", timed(cmd + ["review"], env, runs, until=FIRST_CARD), "≤ 2× typer", 2.0,
             base),
        Goal(f"stats --format json ({args.log_rows:,} answers)", timed(cmd + ["stats", "--format", "json"], env, runs),
             f"≤ {stats_limit * 1000:.0f} ms, ≤ 150 MiB", stats_limit, rss_limit=150),
    ]
    when = (TODAY + timedelta(days=60)).isoformat()
    goals.append(Goal("forecast --format json", timed(cmd + ["forecast", "--date", when, "--format", "json"], env,
                                                      runs), "≤ 1 s", 1.0))
    goals.append(Goal("review --exam: start to first card", timed(cmd + ["review", "--exam"], env, runs,
                                                                   until=FIRST_CARD), "≤ 1 s (ours)", 1.0))
    goals += [
        Goal("search 服务", timed(cmd + ["search", "服务"], env, runs), "≤ 100 ms, ≤ 60 MiB", 0.100, rss_limit=60),
        Goal("cards --chapter design", timed(cmd + ["cards", "--chapter", "design"], env, runs), "≤ 2× typer, ≤ 60 MiB",
             2.0, base, rss_limit=60),
        Goal("cards --chapter gen000 (500 cards)", timed(cmd + ["cards", "--chapter", "gen000"], env, runs),
             "≤ 2× typer, ≤ 60 MiB", 2.0, base, rss_limit=60),
    ]
    deck = home / "decks" / "gen000.yaml"
    original = deck.read_text(encoding="utf-8")
    try:
        changed = timed(cmd + ["decks", "--format", "json"], env, runs, prepare=_touch_deck(deck, original))
    finally:
        deck.write_text(original, encoding="utf-8")
    goals.append(Goal("decks --format json after one 500-card deck changed", changed, "≤ 150 ms", 0.150))
    index = home / "cache" / "cards.sqlite3"

    def drop_index() -> None:
        for suffix in ("", "-journal"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)

    rebuild = timed(cmd + ["decks", "--format", "json"], env, min(runs, 3), warm_up=False, prepare=drop_index)
    goals.append(Goal(f"  full card index rebuild ({args.cards:,} cards)", rebuild, "≤ 2 s", 2.0))
    subprocess.run(cmd + ["decks"], env=env, stdout=subprocess.DEVNULL, check=False)
    commit = commit_time(home, 1000)
    goals.append(Goal("commit one answer (median of 1000)", Measured([commit], 0.0), "≤ 5 ms", 0.005))
    goals[-1].value = f"{commit * 1000:.2f} ms"

    print(f"baseline: python -c 'import typer' = {base * 1000:.0f} ms (median of {runs}; bytecode compiled)\n")
    print(f"{'measure':52} {'median':>9}  {'ratio':12} {'peak RSS':>9}  {'goal':22} met")
    for g in goals:
        rss = f"{g.m.peak:.0f} MiB" if g.m.peak else ""
        print(f"{g.name:52} {g.value:>9}  {g.ratio:12} {rss:>9}  {g.goal:22} {'met' if g.ok else 'NOT MET'}")
        if g.m.error:
            print(f"{'':52}   {g.m.error}")
    missed = [g.name for g in goals if not g.ok]
    print(f"\n{len(goals) - len(missed)} of {len(goals)} goals met"
          + (f"; not met: {', '.join(missed)}" if missed else ""))


if __name__ == "__main__":
    main()
