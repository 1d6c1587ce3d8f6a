"""Is a candidate pair of cards a duplicate? Its score and, when not reported, why.

Two judges, by what the embedding model can read (:func:`notes2anki.semantic.language.covered`):

* **both cards covered**: the learned judge, a logistic regression over the pair's measurements
  (:mod:`~notes2anki.semantic.pair_features`, :mod:`~notes2anki.semantic.pair_model`). The score is its
  probability that the pair is a duplicate; a pair is reported at or above the threshold
  (``[dupes] threshold`` / ``--threshold``; default: the one shipped with the model). No word list vetoes a
  pair: cues such as a swapped term, a negation or differing numbers are features whose weight was learned
  with cross-validation. Two shapes the labelled data never shows reject a pair outright
  (:func:`structural_vetoes`): a card and its reverse, and a question that is the other plus inserted words
  (unless both answers are the same text).
* **either card not covered** (e.g. Japanese, Czech text with the English bundled model): character
  n-grams, which need no vocabulary. The score is the lower of the question and answer n-gram cosines
  (the card-text cosine when a card has no answer); numbers that differ by value, or questions that are
  the same sentence with one term swapped (BubbleSort / InsertSort, XOR / NOR), reject the pair. The pair
  is reported at or above :data:`CHAR_THRESHOLD` — a strict limit, because character overlap cannot tell a
  reworded question from a different one, only a copy or a near copy.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from . import pair_model, pair_workers, token_align, why_not
from .pair_features import FEATURES, Encoded, char_cosines, explain, fill_words, measure_rows

CANDIDATE_MIN = 0.35  # embedding cosine (card texts or questions) for a pair to be looked at
CHAR_CANDIDATE_MIN = 0.5  # character n-gram cosine for a pair of uncovered cards to be looked at
CHAR_THRESHOLD = 0.9  # n-gram score at or above which a pair of uncovered cards is reported
DEFAULT_THRESHOLD = pair_model.default_threshold()


class Verdict:
    """The judgement of one pair: ``score`` in [0, 1]; ``method`` "model" or "chargrams"; ``signals`` the
    measured values (for --explain / JSON); ``vetoes`` reasons that reject it whatever the score.

    Built from a feature ``row``, ``signals`` and the "why not" text are computed on first use (a 10,000-card
    vault has about 100,000 rejected candidates; explaining them all took 9 s a run)."""

    __slots__ = ("score", "method", "vetoes", "_signals", "_why", "row", "threshold")

    def __init__(self, score: float, method: str = "model", signals: dict[str, float] | None = None,
                 vetoes: list[str] | None = None, why: str | None = "", *, row: np.ndarray | None = None,
                 threshold: float | None = None) -> None:
        self.score, self.method = score, method
        self.vetoes = list(vetoes) if vetoes else []
        self._signals, self._why, self.row, self.threshold = signals, why, row, threshold

    @property
    def signals(self) -> dict[str, float]:
        """Feature name -> value (rounded; see :func:`~notes2anki.semantic.pair_features.explain`)."""
        if self._signals is None:
            self._signals = explain(self.row) if self.row is not None else {}
        return self._signals

    @signals.setter
    def signals(self, value: dict[str, float]) -> None:
        """Set the measured values shown for the pair."""
        self._signals = value

    @property
    def why(self) -> str:
        """Why a pair with no veto is not reported ("" when it is, or when nothing is known)."""
        if self._why is None:
            self._why = self.explain_score()
        return self._why

    def explain_score(self, texts: tuple | None = None) -> str:
        """Why the model's score is below the threshold, in plain words (:mod:`~notes2anki.semantic.why_not`;
        ``texts``: the two questions, to name a swapped term, or the two cards'
        :class:`~notes2anki.semantic.pair_features.Side`, also to name a negated term); "" when it is not."""
        if self.row is None or self.threshold is None or self.score >= self.threshold:
            return ""
        return why_not.below_threshold(self.score, self.threshold,
                                       why_not.against(pair_model.load(), self.row, texts))

    def explain(self, texts: tuple | None = None) -> str:
        """:attr:`reason`, naming a swapped or negated term of ``texts`` (see :meth:`explain_score`) where one
        weighed against."""
        if self.vetoes or self._why:  # vetoes, a reason given when judged, or one already made
            return self.reason
        return self.explain_score(texts) if texts is not None else self.reason

    @why.setter
    def why(self, value: str) -> None:
        """Set why the pair is not reported."""
        self._why = value

    def accepted(self, threshold: float) -> bool:
        """Whether the pair is reported at ``threshold``: no veto and ``score >= threshold``."""
        limit = threshold if self.method == "model" else CHAR_THRESHOLD
        return not self.vetoes and self.score >= limit

    @property
    def reason(self) -> str:
        """The vetoes joined with "; " ("" when there is none)."""
        return "; ".join(self.vetoes) or self.why

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return (self.score, self.method, self.vetoes, self.reason, self.signals) == \
            (other.score, other.method, other.vetoes, other.reason, other.signals)

    def __repr__(self) -> str:
        return f"Verdict(score={self.score!r}, method={self.method!r}, vetoes={self.vetoes!r})"


SHAPE_FEATURES = ("mirrored", "q_inserted", "a_equal")  # the columns structural_vetoes reads
_SHAPES = [FEATURES.index(name) for name in SHAPE_FEATURES]


def judge_pairs(enc: Encoded, candidates: Iterable[tuple[int, int]], covered: Sequence[bool],
                threshold: float | None = None) -> dict[tuple[int, int], Verdict]:
    """Verdicts for candidate index pairs ``(i, j)`` of the sides in ``enc``; ``covered[i]``: whether the
    embedding model reads side i. Raises :class:`~notes2anki.semantic.pair_model.PairModelError` when the
    shipped model is unusable."""
    pairs = list(candidates)
    return verdicts_from_rows(pairs, measure(enc, pairs), covered, threshold)


CONTEXT_GATE = 0.1  # pairs whose probability stays below this whatever their ctx_diff are not aligned


def measure(enc: Encoded, pairs: Sequence[tuple[int, int]], *, gate: float | None = CONTEXT_GATE) -> np.ndarray:
    """The :data:`FEATURES` rows (len(pairs) x len(FEATURES), float64) of index pairs of ``enc`` (many pairs:
    on every core, :mod:`~notes2anki.semantic.pair_workers`), then ``ctx_diff`` (:func:`fill_context`) of the
    pairs that ``gate`` leaves (None: every pair the model reads; the fit measures so)."""
    if not pairs:
        return np.zeros((0, len(FEATURES)))
    fill_words(enc, pairs)
    # n-gram cosines per part of the pairs, in the process measuring it (bounded memory at 100,000 cards)
    rows = pair_workers.measure_rows(enc, pairs, measure_rows, prepare=char_cosines)
    fill_context(enc, pairs, rows, gate)
    return rows


_CTX = FEATURES.index(token_align.NAME)


def fill_context(enc: Encoded, pairs: Sequence[tuple[int, int]], rows: np.ndarray, gate: float | None) -> None:
    """Write ``ctx_diff`` (:mod:`~notes2anki.semantic.token_align`, on the token states of ``enc.embed``'s
    encoder) into column ``ctx_diff`` of ``rows`` for the ``pairs`` whose two sides the model reads. Aligning
    costs a forward pass per card text (10,000 cards: about 10,000 texts), so with ``gate`` a pair is aligned
    only when the shipped model could give it a probability of at least ``gate`` with the most favourable
    value (1.0 for a positive coefficient, -1.0 otherwise); the others keep that value, so their score is an
    upper bound below ``gate`` and their verdict at any threshold of at least ``gate`` is the one aligning
    would give. The rows' other columns must be measured (as :func:`measure` does)."""
    read = [n for n, (i, j) in enumerate(pairs) if enc.covered is None or (enc.covered[i] and enc.covered[j])]
    if enc.embed is None or not read:
        return
    if gate is not None:
        model = pair_model.load()
        rows[:, _CTX] = 1.0 if model.coef[_CTX] >= 0 else -1.0
        read = [n for n, p in zip(read, model.probability(rows[read]).tolist()) if p >= gate]
        if not read:
            return
    found = token_align.pair_values([s.text for s in enc.sides], [tuple(pairs[n]) for n in read],
                                    token_align.source_for(enc.embed))
    rows[read, _CTX] = [found[tuple(pairs[n])] for n in read]


def verdicts_from_rows(pairs: Sequence[tuple[int, int]], rows: np.ndarray, covered: Sequence[bool],
                       threshold: float | None = None) -> dict[tuple[int, int], Verdict]:
    """Verdicts of index ``pairs`` from their measured feature ``rows`` (see :func:`judge_pairs`)."""
    model = pair_model.load()
    threshold = model.threshold if threshold is None else threshold
    probabilities = model.probability(rows) if len(pairs) else np.zeros(0)
    out: dict[tuple[int, int], Verdict] = {}
    shapes = rows[:, _SHAPES].tolist() if len(pairs) else []
    for (i, j), row, p, shape in zip(pairs, rows, probabilities.tolist(), shapes):
        if covered[i] and covered[j]:  # signals and the reason: on first use (see Verdict)
            verdict = Verdict(min(round(p, 4), 0.9999), "model", None, why=None, row=row,  # 1.0: exact only
                              threshold=threshold)
        else:
            verdict = char_verdict(explain(row))
            verdict.row = row
        if shape[0] or shape[1]:
            verdict.vetoes[:0] = structural_vetoes(dict(zip(SHAPE_FEATURES, shape)))
        out[(i, j)] = verdict
    return out


def structural_vetoes(signals: dict[str, float]) -> list[str]:
    """Reasons that reject a pair whatever its score, from the *shape* of the two cards (never from a word
    list): one card is the other's reverse (``mirrored``: "die Satire" -> "la sátira" and "la sátira" ->
    "die Satire", written so on purpose as Anki's "Basic (and reversed card)" does), or one question is the
    other with words inserted (``q_inserted``: "Past Continuous verb forms" / "Past Perfect Continuous verb
    forms", "non-dimensionalise velocity" / "... angular velocity": a narrower question, the sibling cards
    of a table). Neither shape occurs among the labelled duplicates the model was fitted on, so the model
    cannot weigh them; on the real vaults every such pair read was two different cards.

    Words added to a question whose answer stays the same (``a_equal``: the answers' plain text equal up to
    case, punctuation, spacing and markup) narrow nothing: "Who wrote Hamlet?" / "Who wrote the play
    Hamlet?", both "William Shakespeare" (tester U28). Such a pair is not rejected by its shape; the
    learned judge's score decides, as for any other pair (Kroid's "Past Continuous" / "Past Perfect
    Continuous verb forms", both "V-ing", score 0.03 there). Only equal text counts, not a high answer
    cosine or n-gram overlap: siblings' different answers reach cosine 0.94 (Kroid: "Perfect" tenses) and
    n-gram cosine 0.89 (BenAgro: "actuated" / "unactuated joints"), and equal text is the same for every
    encoder, so the int8 encoder gives the same verdicts as fp32."""
    out = []
    if signals.get("mirrored"):
        out.append("one card is the other reversed (question and answer swapped): kept on purpose")
    if signals.get("q_inserted") and not signals.get("a_equal"):
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
