"""Is a candidate pair of cards a duplicate? Its score and, when not reported, why.

Two judges, by what the embedding model can read (:func:`notes2anki.semantic.language.covered`):

* **both cards covered**: the learned judge, a logistic regression over the pair's measurements
  (:mod:`~notes2anki.semantic.pair_features`, :mod:`~notes2anki.semantic.pair_model`). The score is its
  probability that the pair is a duplicate; a pair is reported at or above the threshold
  (``[dupes] threshold`` / ``--threshold``; default: the one shipped with the model). No word list vetoes a
  pair: cues such as a swapped term, a negation or differing numbers are features whose weight was learned
  with cross-validation. Two shapes the labelled data never shows reject a pair outright
  (:func:`structural_vetoes`): a card and its reverse, and a question that is the other plus inserted words.
* **either card not covered** (e.g. Japanese, Czech text with the English bundled model): character
  n-grams, which need no vocabulary. The score is the lower of the question and answer n-gram cosines
  (the card-text cosine when a card has no answer); numbers that differ by value, or questions that are
  the same sentence with one term swapped (BubbleSort / InsertSort, XOR / NOR), reject the pair. The pair
  is reported at or above :data:`CHAR_THRESHOLD` — a strict limit, because character overlap cannot tell a
  reworded question from a different one, only a copy or a near copy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from . import pair_model
from .pair_features import FEATURES, Encoded, char_cosines, explain, fill_words, pair_features

CANDIDATE_MIN = 0.35  # embedding cosine (card texts or questions) for a pair to be looked at
CHAR_CANDIDATE_MIN = 0.5  # character n-gram cosine for a pair of uncovered cards to be looked at
CHAR_THRESHOLD = 0.9  # n-gram score at or above which a pair of uncovered cards is reported
DEFAULT_THRESHOLD = pair_model.default_threshold()


@dataclass
class Verdict:
    """The judgement of one pair: ``score`` in [0, 1]; ``method`` "model" or "chargrams"; ``signals`` the
    measured values (for --explain / JSON); ``vetoes`` reasons that reject it whatever the score."""

    score: float
    method: str = "model"
    signals: dict[str, float] = field(default_factory=dict)
    vetoes: list[str] = field(default_factory=list)
    why: str = ""

    def accepted(self, threshold: float) -> bool:
        """Whether the pair is reported at ``threshold``: no veto and ``score >= threshold``."""
        limit = threshold if self.method == "model" else CHAR_THRESHOLD
        return not self.vetoes and self.score >= limit

    @property
    def reason(self) -> str:
        """The vetoes joined with "; " ("" when there is none)."""
        return "; ".join(self.vetoes) or self.why


def _model_reason(model: pair_model.PairModel, row: np.ndarray) -> str:
    against = [(name, part) for name, part in model.contributions(row) if part < 0][:3]
    return "against: " + ", ".join(f"{name} {dict(zip(FEATURES, row))[name]:.2f}" for name, _ in against)


def judge_pairs(enc: Encoded, candidates: Iterable[tuple[int, int]], covered: Sequence[bool],
                threshold: float | None = None) -> dict[tuple[int, int], Verdict]:
    """Verdicts for candidate index pairs ``(i, j)`` of the sides in ``enc``; ``covered[i]``: whether the
    embedding model reads side i. Raises :class:`~notes2anki.semantic.pair_model.PairModelError` when the
    shipped model is unusable."""
    pairs = list(candidates)
    return verdicts_from_rows(pairs, measure(enc, pairs), covered, threshold)


def measure(enc: Encoded, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """The :data:`FEATURES` rows (len(pairs) x len(FEATURES), float64) of index pairs of ``enc``."""
    if not pairs:
        return np.zeros((0, len(FEATURES)))
    char_cosines(enc, pairs)
    fill_words(enc, pairs)
    return np.array([pair_features(enc, i, j) for i, j in pairs])


def verdicts_from_rows(pairs: Sequence[tuple[int, int]], rows: np.ndarray, covered: Sequence[bool],
                       threshold: float | None = None) -> dict[tuple[int, int], Verdict]:
    """Verdicts of index ``pairs`` from their measured feature ``rows`` (see :func:`judge_pairs`)."""
    model = pair_model.load()
    threshold = model.threshold if threshold is None else threshold
    probabilities = model.probability(rows) if len(pairs) else np.zeros(0)
    out: dict[tuple[int, int], Verdict] = {}
    for (i, j), row, p in zip(pairs, rows, probabilities):
        signals = explain(row)
        if covered[i] and covered[j]:
            verdict = Verdict(min(round(float(p), 4), 0.9999), "model", signals)  # 1.0: exact only
            if verdict.score < threshold:
                verdict.why = f"score {verdict.score:.2f} below threshold {threshold:.2f} ({_model_reason(model, row)})"
        else:
            verdict = char_verdict(signals)
        verdict.vetoes[:0] = structural_vetoes(signals)
        out[(i, j)] = verdict
    return out


def structural_vetoes(signals: dict[str, float]) -> list[str]:
    """Reasons that reject a pair whatever its score, from the *shape* of the two cards (never from a word
    list): one card is the other's reverse (``mirrored``: "die Satire" -> "la sátira" and "la sátira" ->
    "die Satire", written so on purpose as Anki's "Basic (and reversed card)" does), or one question is the
    other with words inserted (``q_inserted``: "Past Continuous verb forms" / "Past Perfect Continuous verb
    forms", "non-dimensionalise velocity" / "... angular velocity": a narrower question, the sibling cards
    of a table). Neither shape occurs among the labelled duplicates the model was fitted on, so the model
    cannot weigh them; on the real vaults every such pair read was two different cards."""
    out = []
    if signals.get("mirrored"):
        out.append("one card is the other reversed (question and answer swapped): kept on purpose")
    if signals.get("q_inserted"):
        out.append("one question is the other with words added: a narrower question")
    return out


def char_verdict(signals: dict[str, float]) -> Verdict:
    """The character n-gram judgement of a pair with a card the model does not read."""
    if signals["has_answers"]:
        score = min(signals["char_q"], signals["char_a"])
    else:
        score = signals["char_card"]
    verdict = Verdict(round(score, 4), "chargrams", signals)
    if signals["num_q_conflict"] or signals["num_a_conflict"]:
        verdict.vetoes.append("numbers differ")
    elif signals["q_swap"]:
        verdict.vetoes.append("the questions are the same sentence with a term swapped")
    elif score < CHAR_THRESHOLD:
        verdict.why = f"character n-gram score {score:.2f} below {CHAR_THRESHOLD:.2f} (text the model does not read)"
    return verdict
