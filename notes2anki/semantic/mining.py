"""Candidate pairs by cosine similarity, in bounded memory.

Rows are compared in blocks (at most ``block_rows`` rows against all N, and never more than
``max_block_bytes`` of scores at once), and each row keeps only its ``top_k`` best neighbours above
``min_score``: memory is O(block x N + N x top_k), never the full N x N matrix.
"""
from __future__ import annotations

import numpy as np

DEFAULT_TOP_K = 16
DEFAULT_BLOCK_ROWS = 1024
DEFAULT_MAX_BLOCK_BYTES = 64 * 1024 * 1024


def mine_pairs(vectors: np.ndarray, *, min_score: float, top_k: int = DEFAULT_TOP_K,
               block_rows: int = DEFAULT_BLOCK_ROWS,
               max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, cosine)`` with ``i < j`` and cosine >= ``min_score`` where j is among the ``top_k``
    most similar rows of i, or i among those of j. ``vectors`` must be unit length (rows).

    Sorted by decreasing cosine, then by (i, j).
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = vectors.shape[0]
    if n < 2:
        return []
    k = max(1, min(top_k, n - 1))
    rows_per_block = max(1, min(block_rows, max_block_bytes // (5 * n)))  # float32 scores + bool mask
    found: dict[tuple[int, int], float] = {}

    def keep(i: int, j: int, score: float) -> None:
        key = (i, j) if i < j else (j, i)
        if key not in found:
            found[key] = score

    for start in range(0, n, rows_per_block):
        stop = min(n, start + rows_per_block)
        scores = vectors[start:stop] @ vectors.T  # (block, n)
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # not with itself
        above = scores >= min_score
        crowded = np.nonzero(above.sum(axis=1) > k)[0]  # rows with more than k candidates: keep their top k
        for r in crowded.tolist():
            above[r] = False
            row = scores[r]
            for c in np.argpartition(row, n - k)[n - k:].tolist():
                keep(start + r, c, float(row[c]))
        rows, cols = np.nonzero(above)
        for r, c in zip(rows.tolist(), cols.tolist()):
            keep(start + r, c, float(scores[r, c]))
        del scores, above
    return sorted(((i, j, s) for (i, j), s in found.items()), key=lambda p: (-p[2], p[0], p[1]))
