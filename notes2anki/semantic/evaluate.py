"""Measure the duplicate judge on labelled pairs (the JSONL files under tests/semantic/data).

Each line: ``{"id", "a": {"front", "back"}, "b": {...}, "label": 0|1, "kind": ...}``. A side whose front
holds ``{{c1::...}}`` becomes a Cloze card (Text, Back Extra), any other a Basic card (Front, Back).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notes2anki.model import Card
from notes2anki.semantic.dupes import compare_cards
from notes2anki.semantic.encoder import Embedder
from notes2anki.semantic.scoring import DEFAULT_THRESHOLD, Verdict

_CLOZE = re.compile(r"\{\{c\d+::")


@dataclass
class LabelledPair:
    id: str
    a: Card
    b: Card
    label: int
    kind: str
    raw: dict[str, Any] = field(default_factory=dict)


def _card(side: dict[str, str], name: str) -> Card:
    front, back = side.get("front", ""), side.get("back", "")
    if _CLOZE.search(front):
        return Card("Cloze", {"Text": front, "Back Extra": back}, file=f"{name}.md", line=1)
    return Card("Basic", {"Front": front, "Back": back}, file=f"{name}.md", line=1)


def load_pairs(path: Path | str) -> list[LabelledPair]:
    pairs = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        pid = str(row.get("id", number))
        pairs.append(LabelledPair(pid, _card(row["a"], f"{pid}-a"), _card(row["b"], f"{pid}-b"),
                                  int(row["label"]), str(row.get("kind", "")), row))
    return pairs


@dataclass
class Scores:
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int
    errors: list[tuple[LabelledPair, Verdict]]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"threshold {self.threshold:.2f}: precision {self.precision:.3f} recall {self.recall:.3f} "
                f"F1 {self.f1:.3f} (tp {self.tp} fp {self.fp} fn {self.fn} tn {self.tn})")


def judge_labelled(pairs: list[LabelledPair], embedder: Embedder) -> list[Verdict]:
    return compare_cards([(p.a, p.b) for p in pairs], embedder)


def score(pairs: list[LabelledPair], verdicts: list[Verdict], threshold: float = DEFAULT_THRESHOLD,
          *, candidate_min: float | None = None) -> Scores:
    """Precision/recall of "reported" (not vetoed, score >= threshold, card cosine >= the candidate
    limit, as in find_duplicates) against the labels."""
    from notes2anki.semantic.scoring import CANDIDATE_MIN

    limit = CANDIDATE_MIN if candidate_min is None else candidate_min
    tp = fp = fn = tn = 0
    errors = []
    for pair, verdict in zip(pairs, verdicts):
        said = verdict.accepted(threshold) and (verdict.signals.get("card_cos") or 0.0) >= limit
        if said and pair.label:
            tp += 1
        elif said:
            fp += 1
            errors.append((pair, verdict))
        elif pair.label:
            fn += 1
            errors.append((pair, verdict))
        else:
            tn += 1
    return Scores(threshold, tp, fp, fn, tn, errors)


def main(argv: list[str] | None = None) -> int:
    """``python -m notes2anki.semantic.evaluate PAIRS.jsonl [--model M] [--threshold T] [--errors]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m notes2anki.semantic.evaluate", description=__doc__)
    parser.add_argument("pairs", type=Path, help="labelled pairs (JSONL)")
    parser.add_argument("--model", help="sentence-transformers model (default: the bundled one)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--errors", action="store_true", help="list the misjudged pairs")
    args = parser.parse_args(argv)
    pairs = load_pairs(args.pairs)
    with Embedder(args.model) as embedder:
        verdicts = judge_labelled(pairs, embedder)
    result = score(pairs, verdicts, args.threshold)
    print(result)
    if args.errors:
        for pair, verdict in result.errors:
            print(f"{pair.id} label={pair.label} {pair.kind}: score {verdict.score:.3f} "
                  f"{verdict.reason or ''}\n  a: {pair.raw.get('a')}\n  b: {pair.raw.get('b')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
