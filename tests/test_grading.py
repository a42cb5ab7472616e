"""The grader against the labelled set (tests/recall_set): precision and recall per kind, speed, the set itself."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

import grading_set
from sysplan_study.decks.model import Library
from sysplan_study.study import recall

MIN_PRECISION = 0.995
MIN_RECALL = 0.95
MIN_ANSWERS, MIN_PER_KIND = 300, 30


@pytest.fixture(scope="module")
def answers() -> list[grading_set.Answer]:
    return grading_set.load()


@pytest.fixture(scope="module")
def vocab(library: Library) -> recall.Vocabulary:
    return recall.Vocabulary.of(library.cards)


@pytest.fixture(scope="module")
def tallies(library: Library, vocab: recall.Vocabulary, answers: list[grading_set.Answer]) -> dict[str, Any]:
    return grading_set.score(answers, lambda cid, typed: recall.match(library.card(cid), typed, vocab))


def test_set_is_large_varied_and_valid(library: Library, answers: list[grading_set.Answer]) -> None:
    assert len(answers) >= MIN_ANSWERS
    for kind in grading_set.KINDS:
        assert sum(a.kind == kind for a in answers) >= MIN_PER_KIND, kind
    for a in answers:
        assert library.has_card(a.card_id), a.where
        assert a.typed, a.where
        assert all(1 <= n <= library.card(a.card_id).count for n in a.credit), a.where
    assert {library.card(a.card_id).deck for a in answers} == {d.id for d in library.decks}


def test_precision_and_recall_per_kind(tallies: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    table = grading_set.report(tallies)
    with capsys.disabled():
        print("\n" + table)
    low = [
        f"{kind}: precision {t.precision:.1%} recall {t.recall:.1%}\n  " + "\n  ".join(t.mistakes)
        for kind, t in tallies.items()
        if t.precision < MIN_PRECISION or t.recall < MIN_RECALL
    ]
    assert not low, table + "\n" + "\n".join(low)


def _twelve(library: Library) -> tuple[Any, list[str]]:
    card = next(c for c in library.cards if c.count == 12)
    lines = [f"{i.text[:-1]}的" if n % 3 == 0 else i.text[1:] if n % 3 == 1 else f"{i.text}和{i.text[:2]}"
             for n, i in enumerate(card.items)]
    return card, lines


def test_twelve_items_against_twelve_lines_is_fast(library: Library, vocab: recall.Vocabulary) -> None:
    card, lines = _twelve(library)
    recall.match(card, lines, vocab)  # warm: dictionaries loaded once per process
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        recall.match(card, lines, vocab)
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[2] < 0.020, timings


FIRST_ANSWER = """
import sys, time
from sysplan_study.decks.files import builtin_content_dir, deck_files, load_file
from sysplan_study.decks.model import Library
lib = Library.of(load_file(p, builtin=True) for p in deck_files(builtin_content_dir()))
card = lib.card("deploy.method.execute.consensus")
started = time.perf_counter()
from sysplan_study.study import recall
result = recall.match(card, ["项目原因和目标", "交付物及约束条件 范围", "四要素"], recall.Vocabulary.of(lib.cards))
print(time.perf_counter() - started, result.recalled)
"""


def test_first_answer_of_a_process_is_marked_quickly_and_quietly() -> None:
    code = FIRST_ANSWER
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60) for _ in range(3)]
    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.stderr
    seconds = min(float(run.stdout.split()[0]) for run in runs)
    assert seconds < 0.200, seconds
    assert all(run.stdout.split()[1] == "4" for run in runs)
