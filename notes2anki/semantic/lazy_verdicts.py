"""Verdicts of the candidate pairs, made as objects only where they are used (issue 13: turning the ~99,000
candidate rows of a 10,000-card vault into Verdict and Rejection objects took 1–1.5 s of every check after an
edit, and packing them for the stored result another 0.5 s, though a normal run shows none of them).

:func:`split` computes every pair's probability in one array operation and hands back

* exact :class:`~notes2anki.semantic.scoring.Verdict` objects
  (:func:`~notes2anki.semantic.scoring.verdicts_from_rows`, the same code as before) for the pairs that may
  be reported: probability within :data:`MARGIN` of the threshold or above, and every pair judged by
  character n-grams (a side the model does not read);
* a :class:`LazyRejected` for the rest: pairs whose score is below the threshold, so rejected whatever
  their vetoes. It knows their scores (as a Verdict would round them) and makes the Rejection objects on
  first use (``--explain``) or packs them as arrays for the stored result without making any.

Reported pairs, scores, reasons and their order are the same as judging all pairs as objects (tested).
"""
from __future__ import annotations

from itertools import chain
from typing import Any, Sequence

import numpy as np

from notes2anki.semantic import pair_model
from notes2anki.semantic.scoring import Verdict, verdicts_from_rows

MARGIN = 1e-3  # probabilities this far below the threshold still get an exact Verdict (rounding to 4 places)


def rejection_order(score: float, a: Any, b: Any) -> tuple:
    """The order of rejected candidates: closest first, then by place."""
    return (-score, a.file, a.line, b.file, b.line)


class LazyRejected:
    """Rejected candidate pairs held as arrays: ``ij`` (side indices, an (n, 2) array; ``pairs`` as tuples), their
    feature ``rows``, the cards of each side (``cards[i]``) and the threshold they were judged at."""

    def __init__(self, pairs: Sequence[tuple[int, int]] | np.ndarray, rows: np.ndarray, cards: Sequence[Any],
                 covered: Sequence[bool], threshold: float, probabilities: np.ndarray):
        self.ij = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        self.rows, self.cards, self.covered, self.threshold = rows, cards, covered, threshold
        self.probabilities = np.asarray(probabilities, dtype=np.float64)
        self._scores: list[float] | None = None

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """The pairs as tuples of side indices (made on use)."""
        return list(map(tuple, self.ij.tolist()))

    @property
    def scores(self) -> list[float]:
        """The pairs' scores as a Verdict rounds them (made on first use)."""
        if self._scores is None:
            self._scores = [min(round(p, 4), 0.9999) for p in self.probabilities.tolist()]
        return self._scores

    def __len__(self) -> int:
        return len(self.ij)

    def rejections(self) -> list:
        """:class:`~notes2anki.semantic.dupes.Rejection` objects, with exact verdicts (in pair order)."""
        from notes2anki.semantic.dupes import Rejection

        pairs = self.pairs
        verdicts = verdicts_from_rows(pairs, self.rows, self.covered, self.threshold)
        return [Rejection(self.cards[i], self.cards[j], verdicts[(i, j)].score, verdict=verdicts[(i, j)])
                for i, j in pairs]

    def packed(self, where: dict) -> dict:
        """The pairs in :func:`~notes2anki.semantic.dupes_memo.pack_rejected`'s layout (positions
        ``where[card.key]``), without making a Verdict: scores as computed, vetoes only for the structural
        shapes (see :func:`~notes2anki.semantic.scoring.structural_vetoes`), reasons computed when read."""
        from notes2anki.semantic.pair_features import FEATURES
        from notes2anki.semantic.scoring import SHAPE_FEATURES, structural_vetoes

        place = np.array([where[card.key] for card in self.cards], dtype=np.int64)
        ij = place[self.ij]
        shapes = self.rows[:, [FEATURES.index(name) for name in SHAPE_FEATURES]] if len(self.ij) \
            else np.zeros((0, len(SHAPE_FEATURES)))
        vetoes = {int(k): found for k in np.nonzero(shapes[:, :2].any(axis=1))[0].tolist()
                  if (found := structural_vetoes(dict(zip(SHAPE_FEATURES, shapes[k].tolist()))))}
        return {"ij": ij, "scores": np.array(self.scores, dtype=np.float64), "rows": self.rows,
                "method": ["model"] * len(self.ij), "vetoes": vetoes, "why": {}, "plain": {},
                "threshold": self.threshold}


def split(pairs: Sequence[tuple[int, int]], rows: np.ndarray, covered: Sequence[bool], threshold: float,
          cards: Sequence[Any]) -> tuple[dict[tuple[int, int], Verdict], LazyRejected]:
    """(exact verdicts of the pairs that may be reported, the others as a :class:`LazyRejected`); see the
    module doc. ``cards[i]``: the card of side i."""
    pairs = list(pairs)
    if not pairs:
        return {}, LazyRejected([], np.zeros((0, rows.shape[1] if rows.ndim == 2 else 0)), cards, covered,
                                threshold, np.zeros(0))
    probabilities = pair_model.load().probability(rows)
    ij = np.fromiter(chain.from_iterable(pairs), dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
    read = np.array([bool(c) for c in covered], dtype=bool)
    lazy = read[ij[:, 0]] & read[ij[:, 1]] & (probabilities < threshold - MARGIN)
    exact = np.nonzero(~lazy)[0]
    later = np.nonzero(lazy)[0]
    verdicts = verdicts_from_rows([pairs[n] for n in exact.tolist()], rows[exact], covered, threshold)
    return verdicts, LazyRejected(ij[later], rows[later], cards, covered, threshold, probabilities[later])
