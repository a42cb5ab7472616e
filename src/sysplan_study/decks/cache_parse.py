"""Parsing deck files for the card index: one file's bytes into the rows the index stores, many files at once in
worker processes when that is faster, with (done, total) reported as each file is finished."""

from __future__ import annotations

import os
from typing import Any, Callable

from sysplan_study.decks import cache_codec as codec
from sysplan_study.decks.model import Deck
from sysplan_study.decks.yaml_lines import ContentError, Problem

# Worker processes only when there is enough to parse: starting them costs tens of milliseconds.
PARALLEL_MIN_FILES, PARALLEL_MIN_BYTES = 4, 1 << 20
MAX_WORKERS = 4

Progress = Callable[[int, int], None]  # (deck files parsed, deck files to parse); drawn by the caller, if at all
# (deck id, title, kind, number, note, card ids joined by newlines, body JSON, [(card id, card JSON, search text)],
# each card's number of items joined by commas)
Payload = tuple[str, str, str, "str | None", "str | None", str, str, list[tuple[str, str, str]], str]
Job = tuple[str, bool, bytes]  # (path as shown, built-in, the file's bytes)


def payload(shown: str, builtin: bool, data: bytes) -> "Payload | ContentError":
    """Parse and validate one deck file's bytes into what the index stores (or its ContentError)."""
    from sysplan_study.decks.validate import build_deck
    from sysplan_study.decks.yaml_lines import parse_yaml

    try:
        doc = parse_yaml(data, shown)
        deck, problems = build_deck(doc, shown, builtin)
        if problems or deck is None:
            raise ContentError(problems or [Problem(shown, 1, "invalid deck")])
    except ContentError as e:
        return e
    cards = [(c.id, codec.encode_card(c), codec.search_text(c)) for c in deck.cards]
    return (deck.id, deck.title, deck.kind, deck.number, deck.note, "\n".join(c.id for c in deck.cards),
            codec.encode_body(deck), cards, ",".join(str(c.count) for c in deck.cards))


def deck_of(p: Payload, path: str, builtin: bool) -> Deck:
    """The Deck a payload stands for (when the index cannot be written and decks are served from memory)."""
    cards = tuple(codec.decode_card(data, path) for _, data, _ in p[7])
    return codec.decode_deck((p[0], p[1], p[2], p[3], p[4], builtin), p[6], cards, path)


def _job(job: Job) -> "Payload | ContentError":
    return payload(*job)


def parse_all(jobs: list[Job], progress: Progress | None) -> list["Payload | ContentError"]:
    """Parse deck files, in worker processes when there are many; reports (files done, files in all) to
    `progress` at the start, after each file and once more at the end whatever happens."""
    total = len(jobs)
    report = progress or (lambda done, all_: None)
    report(0, total)
    try:
        workers = min(os.cpu_count() or 1, MAX_WORKERS, total)
        if workers > 1 and total >= PARALLEL_MIN_FILES and sum(len(j[2]) for j in jobs) >= PARALLEL_MIN_BYTES:
            results = _parallel(jobs, workers, report)
            if results is not None:
                return results
        out = []
        for done, job in enumerate(jobs, 1):
            out.append(payload(*job))
            report(done, total)
        return out
    finally:
        report(total, total)


def _parallel(jobs: list[Job], workers: int, report: Progress) -> list[Any] | None:
    """Parse in `workers` processes, largest files first; None if processes cannot be started here."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][2]))
    results: list[Any] = [None] * len(jobs)
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_job, jobs[i]): i for i in order}
            for done, future in enumerate(as_completed(futures), 1):
                results[futures[future]] = future.result()
                report(done, len(jobs))
    except (OSError, BrokenProcessPool, ImportError):
        return None
    return results
