"""Candidate pairs of cards worth judging (issue 13): nearest neighbours by card-text and question embedding
among the sides the model reads, by character n-grams wherever a side is not read (:mod:`char_mining`).

Its own module so that :func:`~notes2anki.semantic.pair_cache.mine_cached` keys its stored result on this
code (and :mod:`mining`, :mod:`char_mining`, :mod:`pair_features`) alone: a change in how pairs are measured
or stored does not throw away a 100,000-card vault's candidate search (a few minutes) and local densities.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from notes2anki.semantic import char_mining, local_density, mining
from notes2anki.semantic.mining import mine_pairs
from notes2anki.semantic.scoring import CANDIDATE_MIN, CHAR_CANDIDATE_MIN


def _char_neighbours(matrix, rows: list[int], top_k: int, min_score: float,
                     block: int = 512) -> set[tuple[int, int]]:
    """Pairs among ``rows`` (indices into the sparse l2-normalised ``matrix``) with n-gram cosine at least
    ``min_score`` and at least the row's ``top_k``-th best (ties included, as in
    :mod:`~notes2anki.semantic.char_mining`); blocks of rows keep memory bounded."""
    out: set[tuple[int, int]] = set()
    if len(rows) < 2:
        return out
    sub = matrix[rows]
    k = min(top_k, len(rows) - 1)
    for start in range(0, len(rows), block):
        scores = (sub[start:start + block] @ sub.T).toarray()
        for offset, row in enumerate(scores):
            row[start + offset] = -np.inf
            limit = max(float(np.partition(row, len(row) - k)[len(row) - k]), min_score)
            for c in np.nonzero(row >= limit)[0].tolist():
                a, b = rows[start + offset], rows[c]
                out.add((min(a, b), max(a, b)))
    return out


def _mixed_char_neighbours(matrix, is_covered: Sequence[bool], top_k: int, min_score: float,
                           block: int = 512) -> set[tuple[int, int]]:
    """Pairs by n-gram cosine where a side is not covered: each searched row's neighbours at or above both
    ``min_score`` and its ``top_k``-th best (ties included); only the uncovered rows and the covered rows with
    cosine >= ``min_score`` to some uncovered row are searched (10,000 cards with 34 uncovered: 19 s -> well
    under a second). See :func:`~notes2anki.semantic.char_mining.mixed_neighbours` (which also does it
    incrementally)."""
    return char_mining.mixed_neighbours(matrix, is_covered, top_k, min_score)


def _exact_pairs_and_density(vectors: np.ndarray, rows: list[int], top_k: int,
                             block: int = 1024) -> tuple[set[tuple[int, int]], np.ndarray]:
    """In one pass over blocks of cosine scores among ``rows`` of the unit ``vectors``: the candidate pairs
    of :func:`~notes2anki.semantic.mining.mine_pairs` (exact; each row's ``top_k`` best at or above
    ``CANDIDATE_MIN``, as indices into ``vectors``) and :func:`~notes2anki.semantic.local_density.density`
    (the same computation on the same blocks): half the matrix products of computing them apart."""
    out = np.zeros(vectors.shape[0], dtype=np.float64)
    n = len(rows)
    if n < 2:
        return set(), out
    sub = np.ascontiguousarray(vectors[rows], dtype=np.float32)
    k, kd = max(1, min(top_k, n - 1)), min(local_density.DENSITY_K, n - 1)
    step = max(1, min(block, mining.DEFAULT_MAX_BLOCK_BYTES // (5 * n)))
    found: set[tuple[int, int]] = set()
    for start in range(0, n, step):
        scores = sub[start:start + step] @ sub.T
        scores[np.arange(scores.shape[0]), np.arange(start, start + scores.shape[0])] = -np.inf
        out[rows[start:start + step]] = local_density.neighbour_density(
            sub, np.arange(start, start + scores.shape[0]), np.argpartition(scores, n - kd, axis=1)[:, n - kd:])
        top = np.argpartition(scores, n - k, axis=1)[:, n - k:]
        hits, slots = np.nonzero(np.take_along_axis(scores, top, axis=1) >= CANDIDATE_MIN)
        for r, c in zip(hits.tolist(), top[hits, slots].tolist()):
            a, b = rows[start + r], rows[c]
            found.add((a, b) if a < b else (b, a))
        del scores, top
    return found, out


def candidate_pairs(enc, is_covered: Sequence[bool], top_k: int = 10) -> list[tuple[int, int]]:
    """Index pairs worth judging: nearest neighbours by card-text and question embedding among covered
    sides, by character n-grams wherever a side is not covered. Sorted. Searching exactly (up to
    :data:`~notes2anki.semantic.mining.ANN_ABOVE` covered sides, or without faiss), it also sets the sides'
    local densities (``enc.density_card``, ``enc.density_q``) when they are None, from the same scores."""
    found: set[tuple[int, int]] = set()
    cov = [i for i, c in enumerate(is_covered) if c]
    exact = len(cov) <= mining.ANN_ABOVE or mining._faiss() is None
    if exact and len(cov) >= 2:
        by_card, card_density = _exact_pairs_and_density(enc.card, cov, top_k)
        by_question, question_density = _exact_pairs_and_density(enc.question, cov, top_k)
        found = by_card | by_question
        if enc.density_card is None and enc.density_q is None:
            enc.density_card, enc.density_q = card_density, question_density
    elif len(cov) >= 2:
        for vectors in (enc.card[cov], enc.question[cov]):
            for i, j, _ in mine_pairs(vectors, min_score=CANDIDATE_MIN, top_k=top_k):
                found.add((cov[i], cov[j]))
    if not all(is_covered):
        found |= _mixed_char_neighbours(enc.char_card, is_covered, top_k, CHAR_CANDIDATE_MIN)
    return sorted(found)
