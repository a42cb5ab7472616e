"""Benchmark the typed-recall grader: precision/recall per kind on the labelled set, and its speed.

Usage: python bench/bench_grading.py [--mistakes] [--runs N]
Prints the per-kind table of tests/recall_set (see bench/GRADING.md), the median time to match a 12-item card
against 12 typed lines, and the time a fresh process takes to mark its first typed answer (imports and any
dictionary load included; goal < 200 ms), with what that process wrote on stderr (goal: nothing).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import grading_set

FIRST = """
import time
from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
from sysplan_study.decks.model import Library
lib = Library.of(load_file(p, builtin=True) for p in deck_files(builtin_content_dir()))
card = lib.card("deploy.method.execute.consensus")
started = time.perf_counter()
from sysplan_study.study import recall
recall.match(card, ["项目原因和目标", "交付物及约束条件 范围", "四要素"], recall.Vocabulary.of(lib.cards))
print(time.perf_counter() - started)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", action="store_true", help="List every answer marked differently from its label.")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
    from sysplan_study.decks.model import Library
    from sysplan_study.study import recall

    lib = Library.of(load_file(p, builtin=True) for p in deck_files(builtin_content_dir()))
    vocab = recall.Vocabulary.of(lib.cards)
    tallies = grading_set.score(grading_set.load(), lambda cid, typed: recall.match(lib.card(cid), typed, vocab))
    print(grading_set.report(tallies))
    if args.mistakes:
        for kind in grading_set.KINDS:
            for line in tallies[kind].mistakes:
                print("  " + line)

    card = next(c for c in lib.cards if c.count == 12)
    lines = [f"{i.text[:-1]}的" if n % 3 == 0 else i.text[1:] if n % 3 == 1 else f"{i.text}和{i.text[:2]}"
             for n, i in enumerate(card.items)]
    timings = []
    for _ in range(max(args.runs, 1) * 4):
        started = time.perf_counter()
        recall.match(card, lines, vocab)
        timings.append(time.perf_counter() - started)
    print(f"\n12-item card, 12 typed lines: median {statistics.median(timings) * 1000:.1f} ms "
          f"(max {max(timings) * 1000:.1f} ms; goal < 20 ms)")

    firsts, stderr = [], ""
    for _ in range(max(args.runs, 1)):
        run = subprocess.run([sys.executable, "-c", FIRST], capture_output=True, text=True, timeout=60)
        firsts.append(float(run.stdout.split()[0]))
        stderr = stderr or run.stderr
    print(f"first typed answer of a process: median {statistics.median(firsts) * 1000:.0f} ms "
          f"(min {min(firsts) * 1000:.0f} ms; goal < 200 ms); stderr: {stderr.strip()[:200]!r}")


if __name__ == "__main__":
    main()
