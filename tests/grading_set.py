"""The labelled typed-answer set (tests/recall_set/*.txt) and its per-kind precision/recall: shared by
tests/test_grading.py and bench/bench_grading.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

SET_DIR = Path(__file__).resolve().parent / "recall_set"
KINDS = ("exact", "paraphrase", "multi", "keyphrase", "sibling", "madeup", "garbled", "acronym")


@dataclass(frozen=True)
class Answer:
    """One labelled answer: what was typed for a card and which items (1-based) a fair marker credits."""

    kind: str
    card_id: str
    typed: tuple[str, ...]
    credit: frozenset[int]
    where: str  # file:line of the @ line


def load(directory: Path = SET_DIR) -> list[Answer]:
    """Every answer of every kind file, in file order."""
    out: list[Answer] = []
    for kind in KINDS:
        path = directory / f"{kind}.txt"
        current: dict[str, Any] | None = None
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if line.startswith("@"):
                if current is not None:
                    out.append(Answer(**current))
                head = line[1:].split("#", 1)[0]
                card_id, _, labels = head.partition(":")
                credit = frozenset(int(n) for n in labels.split() if n != "-")
                current = {"kind": kind, "card_id": card_id.strip(), "typed": (), "credit": credit,
                           "where": f"{path.name}:{number}"}
            elif current is None or not line or line.startswith("#"):
                continue
            else:
                current["typed"] = (*current["typed"], line)
        if current is not None:
            out.append(Answer(**current))
    return out


@dataclass
class Tally:
    """True/false positives and false negatives of one kind (or of all answers)."""

    answers: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    partial: int = 0  # positives that were doubtful (≈) matches the user has to accept
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of credited items that a fair marker credits (1.0 when nothing was credited)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of the items a fair marker credits that were credited (1.0 when there were none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def predicted(result: Any) -> tuple[set[int], set[int]]:
    """(credited, doubtful) 1-based item numbers of a RecallResult; a doubtful (≈) item counts as credited for
    scoring, as the user accepts it with one key when it is right (and it is a false credit when it is wrong)."""
    credited = {m.index + 1 for m in result.matches if m.recalled}
    doubtful = {m.index + 1 for m in result.matches if getattr(m, "partial", False)}
    return credited | doubtful, doubtful


def score(answers: Iterable[Answer], grade: Callable[[str, Sequence[str]], Any]) -> dict[str, Tally]:
    """Run `grade(card_id, typed)` on every answer; tallies per kind plus "all"."""
    tallies = {kind: Tally() for kind in (*KINDS, "all")}
    for a in answers:
        got, doubtful = predicted(grade(a.card_id, a.typed))
        for t in (tallies[a.kind], tallies["all"]):
            t.answers += 1
            t.tp += len(got & a.credit)
            t.fp += len(got - a.credit)
            t.fn += len(a.credit - got)
            t.partial += len(doubtful & a.credit)
        if got != a.credit:
            wrong = [f"+{n}" for n in sorted(got - a.credit)] + [f"-{n}" for n in sorted(a.credit - got)]
            tallies[a.kind].mistakes.append(f"{a.where} {a.card_id} {' '.join(wrong)}: {' | '.join(a.typed)}")
    return tallies


def report(tallies: dict[str, Tally]) -> str:
    """A plain-text table: answers, precision, recall, credited items, misses and doubtful (≈) per kind."""
    rows = [f"{'kind':<11}{'answers':>8}{'precision':>11}{'recall':>9}{'TP':>6}{'FP':>5}{'FN':>5}{'≈':>5}"]
    for kind, t in tallies.items():
        rows.append(f"{kind:<11}{t.answers:>8}{t.precision:>10.1%}{t.recall:>9.1%}{t.tp:>6}{t.fp:>5}{t.fn:>5}"
                    f"{t.partial:>5}")
    return "\n".join(rows)
