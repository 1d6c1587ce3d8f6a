"""Candidate pairs by cosine similarity, in bounded memory.

Exact (up to :data:`ANN_ABOVE` rows): rows are compared in blocks (at most ``block_rows`` rows against all
N, and never more than ``max_block_bytes`` of scores at once), and each row keeps only its ``top_k`` best
neighbours above ``min_score``: memory is O(block x N + N x top_k), never the full N x N matrix; time grows
with N².

Approximate (more rows, when ``faiss`` is installed): an HNSW graph (faiss ``IndexHNSWFlat``, inner product
on unit vectors = cosine; M=16, efConstruction=128, efSearch=64) gives each row its ``top_k`` neighbours in
about N log N. Chosen by measurement among usearch, hnswlib and faiss-cpu (30,000 clustered 384-d vectors,
2 busy cores): pair recall against the exact search 1.0000 / 1.0000 / 0.9999, time 186 s / 81 s / 78 s.
"""
from __future__ import annotations

import numpy as np

DEFAULT_TOP_K = 16
DEFAULT_BLOCK_ROWS = 1024
DEFAULT_MAX_BLOCK_BYTES = 64 * 1024 * 1024
ANN_ABOVE = 20_000  # rows; above this the HNSW index is used (when faiss is installed)


def mine_pairs(vectors: np.ndarray, *, min_score: float, top_k: int = DEFAULT_TOP_K,
               block_rows: int = DEFAULT_BLOCK_ROWS, max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES,
               method: str = "auto") -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, cosine)`` with ``i < j`` and cosine >= ``min_score`` where j is among the ``top_k``
    most similar rows of i, or i among those of j. ``vectors`` must be unit length (rows).

    ``method``: "exact", "ann" (HNSW; needs faiss) or "auto" (ann above :data:`ANN_ABOVE` rows when faiss
    can be imported, else exact). Sorted by decreasing cosine, then by (i, j).
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = vectors.shape[0]
    if n < 2:
        return []
    if method == "ann" or (method == "auto" and n > ANN_ABOVE and _faiss() is not None):
        return _mine_ann(vectors, min_score=min_score, top_k=top_k)
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
        # each row's k best in one call (a row with at most k scores >= min_score has them all among its k
        # best; a crowded row keeps its k best): one argpartition per block, not per row (10k rows: 6 s -> <1 s)
        top = np.argpartition(scores, n - k, axis=1)[:, n - k:]
        values = np.take_along_axis(scores, top, axis=1)
        rows, slots = np.nonzero(values >= min_score)
        for r, c, score in zip(rows.tolist(), top[rows, slots].tolist(), values[rows, slots].tolist()):
            keep(start + r, c, score)
        del scores, top, values
    return sorted(((i, j, s) for (i, j), s in found.items()), key=lambda p: (-p[2], p[0], p[1]))


def _faiss():
    try:
        import faiss
    except ImportError:
        return None
    return faiss


def ann_neighbours(vectors: np.ndarray, top_k: int, batch: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``top_k + 1`` nearest rows of the unit ``vectors`` by an HNSW index (see the module doc):
    (ids, cosines), both (n, top_k + 1), best first; an id of -1 where the index found fewer. Needs faiss.
    Memory: the index (a copy of the vectors and the graph, about 1.1 x the vectors) and the two result
    arrays; queries run ``batch`` rows at a time."""
    import os

    faiss = _faiss()
    if faiss is None:
        raise RuntimeError("approximate pair mining needs the package faiss-cpu")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    k = max(1, min(top_k, n - 1))
    try:
        faiss.omp_set_num_threads(max(1, len(os.sched_getaffinity(0))))
    except AttributeError:  # pragma: no cover - not Linux
        pass
    index = faiss.IndexHNSWFlat(dim, 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 128
    index.add(vectors)
    index.hnsw.efSearch = max(64, 2 * (k + 1))
    ids = np.empty((n, k + 1), dtype=np.int64)
    scores = np.empty((n, k + 1), dtype=np.float32)
    for start in range(0, n, batch):  # bounded query arrays
        scores[start:start + batch], ids[start:start + batch] = index.search(vectors[start:start + batch], k + 1)
    del index
    return ids, scores


def _mine_ann(vectors: np.ndarray, *, min_score: float, top_k: int) -> list[tuple[int, int, float]]:
    """:func:`mine_pairs` by an HNSW index (see the module doc and :func:`ann_neighbours`). The pairs are
    sorted and made unique with array operations (a dict of a million pairs held about 250 MB more); each
    pair's score is the one met first in row order, as before."""
    ids, scores = ann_neighbours(vectors, top_k)
    n = len(ids)
    rows = np.repeat(np.arange(n, dtype=np.int64), ids.shape[1])
    cols, vals = ids.ravel(), scores.ravel()
    keep = (cols >= 0) & (cols != rows) & (vals >= min_score)
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    del ids, scores, keep
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    _, first = np.unique(low * n + high, return_index=True)  # first occurrence of each pair, in row order
    low, high, vals = low[first], high[first], vals[first]
    order = np.lexsort((high, low, -vals.astype(np.float64)))
    return list(zip(low[order].tolist(), high[order].tolist(), vals[order].astype(np.float64).tolist()))
