"""Measure (and fit) the duplicate judge on labelled data.

* Labelled pairs (the JSONL files under tests/semantic/data, and ``../shared/eval/dupes_pairs.jsonl``):
  each line ``{"id", "a": {"front", "back"}, "b": {...}, "label": 0|1, "kind": ...}``. A side whose front
  holds ``{{c1::...}}`` becomes a Cloze card (Text, Back Extra), any other a Basic card (Front, Back).
* A labelled vault (``../shared/eval``: ``dupes_vault/`` + ``dupes_truth.json``): :func:`vault_scores` runs
  :func:`~notes2anki.semantic.dupes.find_duplicates` on the vault and scores it as the set's README says.
* ``python -m notes2anki.semantic.evaluate fit EVAL_DIR`` refits the shipped pair model
  (:func:`notes2anki.semantic.pair_fit.fit_pair_model`).
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
# The project's labelled pairs the pair model is fitted on (tests/semantic/data): the development pairs, and
# pairs written for the kinds the vault has few of (sibling cards of one note that ask different things,
# inverse questions, Basic vs Cloze, abbreviations, number formats). dupe_pairs_test.jsonl stays held out.
# Each file with its sample weight: the written pairs count half, so the labelled vault and the development
# pairs still set most of the fit.
PROJECT_TRAINING = {"dupe_pairs_dev.jsonl": 1.0, "dupe_pairs_extra.jsonl": 0.5}


@dataclass
class LabelledPair:
    """One labelled pair of a JSONL file: its id, the two cards, ``label`` 1 (duplicate) or 0, its ``kind``
    (e.g. a hard-negative category), and the raw row.
    """

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
    """The pairs of a JSONL file, one object a line: ``{"id", "a": {"front", "back"}, "b": {...},
    "label": 0|1, "kind"}`` (a side with ``{{c1::`` in its front is a Cloze card). Blank lines are skipped;
    a malformed line raises ValueError/KeyError (json.JSONDecodeError is a ValueError).
    """
    pairs = []
    for number, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        pid = str(row.get("id", number))
        same = bool(row.get("same_note"))  # both cards in one note (sibling cards of a subject)
        pairs.append(LabelledPair(pid, _card(row["a"], pid if same else f"{pid}-a"), _card(row["b"], pid if same else f"{pid}-b"),
                                  int(row["label"]), str(row.get("kind", "")), row))
    return pairs


@dataclass
class Scores:
    """Confusion counts at ``threshold`` and the misjudged pairs, with precision, recall and F1."""

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int
    errors: list[tuple[LabelledPair, Verdict]]

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was reported."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when there are no positives."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0.0 when both are 0."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"threshold {self.threshold:.2f}: precision {self.precision:.3f} recall {self.recall:.3f} "
                f"F1 {self.f1:.3f} (tp {self.tp} fp {self.fp} fn {self.fn} tn {self.tn})")


def judge_labelled(pairs: list[LabelledPair], embedder: Embedder) -> list[Verdict]:
    """The dupes judge's :class:`~notes2anki.semantic.scoring.Verdict` for each pair, in order."""
    return compare_cards([(p.a, p.b) for p in pairs], embedder)


def score(pairs: list[LabelledPair], verdicts: list[Verdict], threshold: float = DEFAULT_THRESHOLD,
          *, candidate_min: float | None = None) -> Scores:
    """Precision/recall of "reported" (score >= threshold, and card-text or question cosine >= the
    candidate limit, as in find_duplicates) against the labels."""
    from notes2anki.semantic.scoring import CANDIDATE_MIN

    limit = CANDIDATE_MIN if candidate_min is None else candidate_min
    tp = fp = fn = tn = 0
    errors = []
    for pair, verdict in zip(pairs, verdicts):
        close = max(verdict.signals.get("card_cos") or 0.0, verdict.signals.get("q_cos") or 0.0) >= limit
        said = verdict.accepted(threshold) and close
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


# -- the labelled vault (../shared/eval) --------------------------------------------------------------------
def load_eval(eval_dir: Path | str) -> tuple[list[Card], dict[str, Any]]:
    """The cards of ``EVAL_DIR/dupes_vault`` (as notes2anki reads them) and ``dupes_truth.json``."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = Path(eval_dir) / "dupes_vault"
    vault = load_vault(root, load_config(root, []))
    truth = json.loads((Path(eval_dir) / "dupes_truth.json").read_text("utf-8"))
    return list(vault.cards), truth


def _where(side: dict[str, Any]) -> tuple[str, int]:
    return side["file"], int(side["line"])


@dataclass
class VaultScores:
    """Duplicate figures on the labelled vault, as its README defines them (same-language pairs and
    cross-language pairs apart)."""

    precision: float
    recall: float
    recall_cross_language: float
    found_labelled: int
    found_unlabelled: int
    recall_by_subkind: dict[str, str]
    false_positives: list[str]

    def __str__(self) -> str:
        return (f"same-language pairs: precision {self.precision:.3f} recall {self.recall:.3f}; cross-language "
                f"recall {self.recall_cross_language:.3f}; unlabelled pairs reported {self.found_unlabelled}")


def vault_scores(cards: list[Card], truth: dict[str, Any], report: Any) -> VaultScores:
    """Score a :class:`~notes2anki.semantic.dupes.DuplicateReport` of the labelled vault."""
    found = {frozenset(((p.a.file, p.a.line), (p.b.file, p.b.line))) for p in report.pairs}
    dup = {frozenset((_where(p["a"]), _where(p["b"]))): p for p in truth["duplicate_pairs"]}
    hard = {frozenset((_where(p["a"]), _where(p["b"]))): p for p in truth["hard_negative_pairs"]}
    same = {k for k, p in dup.items() if not p.get("cross_language")}
    cross = set(dup) - same
    tp, fp = found & same, found & set(hard)
    by_kind: dict[str, list[int]] = {}
    for key, pair in dup.items():
        by_kind.setdefault(pair["subkind"], [0, 0])
        by_kind[pair["subkind"]][0] += key in found
        by_kind[pair["subkind"]][1] += 1
    return VaultScores(len(tp) / max(1, len(tp) + len(fp)), len(tp) / max(1, len(same)),
                       len(found & cross) / max(1, len(cross)), len(found & (set(dup) | set(hard))),
                       len(found - set(dup) - set(hard)),
                       {k: f"{a}/{b}" for k, (a, b) in sorted(by_kind.items())},
                       sorted(f"{hard[k]['subkind']}: {hard[k]['ids']}" for k in fp))


@dataclass
class TrainingRows:
    """What the pair model is fitted on: feature rows ``x``, labels ``y`` (1: duplicate), sample
    ``weight``, ``source`` (0: the labelled vault, k: the k-th file of :data:`PROJECT_TRAINING`), ``labelled`` (a pair the truth
    names: a duplicate or a hard negative; the vault's other candidate pairs are negatives by the set's
    rule that every duplicate is labelled), ``group`` (the subject: the top folder of the pair's first
    card, a project pair's ``topic``) and ``pairs`` (vault index pairs, project pair ids)."""

    x: Any
    y: Any
    weight: Any
    source: Any
    labelled: Any
    group: Any
    pairs: list


def training_rows(eval_dir: Path | str, embedder: Embedder, unlabelled_weight: float = 1.0) -> TrainingRows:
    """The rows the pair model is fitted on: the labelled vault's candidate pairs and labelled pairs as
    ``find_duplicates`` measures them (the cards the model covers: densities and candidates among them; the
    others, and cross-language duplicates, are left out: character n-grams judge them), and the project's
    pairs of :data:`PROJECT_TRAINING`."""
    import numpy as np

    from notes2anki.semantic.dupes import candidate_pairs, card_side, exact_key
    from notes2anki.semantic.pair_features import encode
    from notes2anki.semantic.scoring import measure

    from notes2anki.semantic.language import covered
    from notes2anki.semantic.pair_features import fill_chars

    cards, truth = load_eval(eval_dir)
    cards = [c for c in cards if not c.delete and card_side(c).text]
    first: dict[str, int] = {}  # one card per exact text, as find_duplicates measures (copies: exact pairs)
    rep = [first.setdefault(exact_key(c), k) for k, c in enumerate(cards)]
    index = {(c.file, c.line): rep[k] for k, c in enumerate(cards)}
    cards = [c for k, c in enumerate(cards) if rep[k] == k]
    renumber = {old: new for new, old in enumerate(sorted(set(rep)))}
    index = {where: renumber[k] for where, k in index.items()}
    sides = [card_side(c) for c in cards]
    # as find_duplicates reads the vault: the model judges the cards it covers (the others go to character
    # n-grams), their densities and candidates among the covered cards only
    is_covered = covered([s.text for s in sides], embedder.spec.location or None)
    enc = encode(sides, embedder.embed, is_covered, densities=False)
    key = lambda p: tuple(sorted((index[_where(p["a"])], index[_where(p["b"])])))  # noqa: E731
    dup = {key(p): p for p in truth["duplicate_pairs"]}
    hard = {key(p) for p in truth["hard_negative_pairs"]}
    pairs = sorted(set(candidate_pairs(enc, is_covered)) | set(dup) | hard)
    pairs = [(i, j) for i, j in pairs if i != j and is_covered[i] and is_covered[j]
             and not ((i, j) in dup and dup[(i, j)].get("cross_language"))]
    fill_chars(enc, range(len(cards)))
    rows = list(measure(enc, pairs, gate=None))  # every pair aligned: the gate reads the model being fitted
    labels = [int(p in dup) for p in pairs]
    labelled = [p in dup or p in hard for p in pairs]
    weights = [1.0 if known else unlabelled_weight for known in labelled]
    groups = ["vault:" + cards[i].file.split("/")[0] for i, _ in pairs]
    data_dir = Path(__file__).resolve().parents[2] / "tests" / "semantic" / "data"
    project = [(p, w, k) for k, (name, w) in enumerate(PROJECT_TRAINING.items(), 1)
               for p in load_pairs(data_dir / name)]
    weights += [w for _, w, _ in project]
    source = [0] * len(pairs) + [k for _, _, k in project]
    project = [p for p, _, _ in project]
    penc = encode([card_side(c) for p in project for c in (p.a, p.b)], embedder.embed)
    rows.extend(measure(penc, [(2 * k, 2 * k + 1) for k in range(len(project))], gate=None))
    labels += [p.label for p in project]
    labelled += [True] * len(project)
    groups += ["project:" + str(p.raw.get("topic", p.id)) for p in project]
    return TrainingRows(np.array(rows), np.array(labels), np.array(weights), np.array(source),
                        np.array(labelled), np.array(groups), pairs + [p.id for p in project])


HELD_OUT = "dupe_pairs_test.jsonl"  # never fitted on; its pairs (not their labels) join the stability check


def _pair_rows(path: Path, embedder: Embedder):
    """Feature rows of the pairs of a JSONL file, measured as :func:`compare_cards` measures them."""
    from notes2anki.semantic.dupes import card_side
    from notes2anki.semantic.pair_features import encode
    from notes2anki.semantic.scoring import measure

    pairs = load_pairs(path)
    enc = encode([card_side(c) for p in pairs for c in (p.a, p.b)], embedder.embed)
    return measure(enc, [(2 * k, 2 * k + 1) for k in range(len(pairs))], gate=None)


def main(argv: list[str] | None = None) -> int:
    """``python -m notes2anki.semantic.evaluate PAIRS.jsonl [--model M] [--threshold T] [--errors]``, or
    ``python -m notes2anki.semantic.evaluate fit EVAL_DIR`` (writes the shipped pair_model.json), or
    ``python -m notes2anki.semantic.evaluate vault EVAL_DIR`` (figures on the labelled vault)."""
    import argparse
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["fit"], ["vault"]):
        from notes2anki.semantic.pair_model import MODEL_FILE

        with Embedder(backend="onnx-fp32" if argv[0] == "fit" else None) as embedder:
            if argv[0] == "fit":  # fitted on fp32 vectors; the int8 path (with its cascade) must agree with them
                from notes2anki.semantic.pair_fit import fit_pair_model

                with Embedder(backend="onnx-int8") as int8:
                    data = fit_pair_model(argv[1], embedder, stable_with=int8)
                MODEL_FILE.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
                print(json.dumps({k: v for k, v in data.items() if k not in ("mean", "scale")}, indent=1))
            else:
                from notes2anki.semantic.dupes import find_duplicates

                cards, truth = load_eval(argv[1])
                print(vault_scores(cards, truth, find_duplicates(cards, embedder=embedder)))
        return 0
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
