"""Candidate pairs in blocks: the same pairs as the full matrix, without building it."""
from __future__ import annotations

import numpy as np
import pytest

from notes2anki.semantic.mining import mine_pairs


def unit(rows: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def brute(v: np.ndarray, min_score: float, k: int) -> set[tuple[int, int]]:
    s = v @ v.T
    np.fill_diagonal(s, -np.inf)
    out = set()
    for i in range(len(v)):
        for j in np.argsort(-s[i])[:k]:
            if s[i, j] >= min_score:
                out.add((min(i, int(j)), max(i, int(j))))
    return out


@pytest.mark.parametrize("k", [1, 3, 50, 499])
@pytest.mark.parametrize("block_rows", [1, 37, 1024])
def test_blocked_mining_equals_the_full_matrix(k, block_rows):
    v = unit(500)
    pairs = mine_pairs(v, min_score=0.5, top_k=k, block_rows=block_rows)
    assert {(i, j) for i, j, _ in pairs} == brute(v, 0.5, k)
    assert all(i < j for i, j, _ in pairs)
    scores = [s for _, _, s in pairs]
    assert scores == sorted(scores, reverse=True)


def test_block_size_bounds_the_score_matrix():
    v = unit(300)
    # 300 columns x 5 bytes: a 3000-byte budget allows 2 rows per block
    assert {(i, j) for i, j, _ in mine_pairs(v, min_score=0.4, max_block_bytes=3000)} == brute(v, 0.4, 16)


def test_small_inputs():
    assert mine_pairs(np.zeros((0, 4), np.float32), min_score=0.5) == []
    assert mine_pairs(unit(1), min_score=0.5) == []
    same = np.tile(unit(1), (3, 1))
    assert {(i, j) for i, j, _ in mine_pairs(same, min_score=0.99)} == {(0, 1), (0, 2), (1, 2)}


def clustered(n: int, dim: int = 64, seed: int = 3) -> np.ndarray:
    """Card-like vectors: topics (clusters) and some near-copies."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 25, dim))
    v = centres[rng.integers(0, len(centres), n)] + 0.9 * rng.normal(size=(n, dim))
    v[: n // 20] = v[n // 20: n // 10] + 0.1 * rng.normal(size=(n // 20, dim))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_hnsw_index_finds_the_exact_pairs():
    pytest.importorskip("faiss")
    v = clustered(6000)
    exact = mine_pairs(v, min_score=0.55, top_k=16, method="exact")
    approx = mine_pairs(v, min_score=0.55, top_k=16, method="ann")
    want = {(i, j) for i, j, _ in exact}
    got = {(i, j): s for i, j, s in approx}
    assert len(want) > 1000  # a meaningful number of pairs
    assert len(want & got.keys()) / len(want) >= 0.99
    scores = {(i, j): s for i, j, s in exact}
    assert all(abs(got[p] - scores[p]) < 1e-4 for p in want & got.keys())
    assert all(s >= 0.55 for s in got.values()) and all(i < j for i, j in got)
