"""A card's local density: the mean cosine of its vector to its :data:`DENSITY_K` nearest other cards' vectors.

A pair feature of the duplicate judge (:mod:`~notes2anki.semantic.pair_features`: a pair in a dense region of
the vault, where every card is close to many others, is less telling than a pair alone together), computed
by the cold search (:func:`density`, :mod:`~notes2anki.semantic.candidate_search`) and updated after an edit
(:mod:`~notes2anki.semantic.incremental_mining`) with the same bits (:func:`neighbour_density`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

DENSITY_K = 5  # neighbours whose mean cosine is a card's local density


def top_mean(top: np.ndarray) -> np.ndarray:
    """Per row of ``top`` (k values of each row, any order), their mean as float64, summed in ascending order."""
    top = np.sort(np.asarray(top, dtype=np.float64), axis=-1)
    return top.sum(axis=-1) / max(1, top.shape[-1])


def neighbour_density(vectors: np.ndarray, query, neighbours: np.ndarray) -> np.ndarray:
    """The local density of each ``query`` row of ``vectors`` (float32 unit rows): the mean cosine to its
    ``neighbours`` (one row of positions per query: its k nearest, found by any search), each cosine computed
    anew in float64 from the two float32 vectors, the mean by :func:`top_mean` — the same bits however and in
    whatever block the neighbours were found. The float32 products of a search depend on the shapes it
    multiplies (BLAS kernels; this AMD EPYC's differed in the last bits between a cold search of every row and
    an edit's search of a few), and the densities are part of the measured rows' keys: an edit measured again
    pairs of cards whose neighbourhood had not changed."""
    query = np.asarray(query, dtype=np.int64)
    neighbours = np.asarray(neighbours, dtype=np.int64).reshape(len(query), -1)
    if not len(query) or not neighbours.shape[1]:
        return np.zeros(len(query), dtype=np.float64)
    own = np.asarray(vectors[query], dtype=np.float32).astype(np.float64)
    near = np.asarray(vectors[neighbours], dtype=np.float32).astype(np.float64)
    return top_mean((own[:, None, :] * near).sum(axis=-1))


def density(vectors: np.ndarray, rows: Sequence[int], k: int = DENSITY_K, block: int = 1024) -> np.ndarray:
    """For each of ``rows`` of the unit ``vectors``, the mean cosine to its ``k`` nearest other rows among
    ``rows`` (zero elsewhere); blocks keep memory bounded."""
    out = np.zeros(vectors.shape[0], dtype=np.float64)
    rows = list(rows)
    if len(rows) < 2:
        return out
    sub = np.ascontiguousarray(vectors[rows], dtype=np.float32)
    k = min(k, len(rows) - 1)
    block = max(1, min(block, (64 << 20) // (5 * len(rows))))  # <= 64 MiB of scores (100,000 rows: 134 a block)
    for start in range(0, len(rows), block):
        sims = sub[start:start + block] @ sub.T
        sims[np.arange(sims.shape[0]), np.arange(start, start + sims.shape[0])] = -np.inf
        top = np.argpartition(sims, sims.shape[1] - k, axis=1)[:, sims.shape[1] - k:]
        out[rows[start:start + block]] = neighbour_density(sub, np.arange(start, start + sims.shape[0]), top)
    return out
