"""Pair recall of the HNSW candidate search against the exact search, on a built vault's own vectors.

    python benchmarks/ann_recall.py VAULT [--rows 2000] [--seed 1]      (NOTES2ANKI_CACHE_DIR: the build's)
    python benchmarks/ann_recall.py --synthetic 100000 [--rows 2000]     (clustered random 384-d vectors)

The vectors are those the duplicate check of ``VAULT`` used (the card-text and question vectors of each
distinct card the model reads, from the embedding cache the last ``build``/``dupes`` filled; nothing is
encoded). For each space: the HNSW neighbour lists of every row, built as the duplicate check builds them
(:func:`notes2anki.semantic.mining.ann_neighbours`, top_k = 10 as ``find_duplicates``), and for ``--rows``
sampled rows the exact search by blocked brute-force cosine against all rows
(:func:`~notes2anki.semantic.mining.mine_pairs`' exact rule: each row's ``top_k`` best at or above
``CANDIDATE_MIN``). A sampled row's exact pair counts as found when either end's HNSW list holds the other
at or above ``CANDIDATE_MIN`` (a pair is a candidate when it is in either list). Printed: recall = found /
exact per space and both together, and, for scale, how many pairs of the sampled rows are at or above
``CANDIDATE_MIN`` at all (the top-k rule keeps the closest ``top_k`` of a crowded row by design).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def vault_vectors(vault: Path) -> tuple[np.ndarray, np.ndarray]:
    """(card-text vectors, question vectors) of the distinct covered cards of ``vault``, in the order
    ``find_duplicates`` uses, from the embedding cache (raises when a vector is not cached)."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.cache import EmbeddingCache, default_cache_path, text_hash
    from notes2anki.semantic.dupes import card_side, exact_key
    from notes2anki.semantic.encoder import resolve_model
    from notes2anki.semantic.language import covered
    from notes2anki.semantic.text import TEXT_VERSION, card_text

    cards = [c for c in load_vault(vault, load_config(vault)).cards if not c.delete and card_text(c)]
    first: dict = {}
    for card in cards:
        first.setdefault(exact_key(card), card)  # one card of each exact group, as find_duplicates
    reps = list(first.values())
    sides = [card_side(c) for c in reps]
    keep = [s for s, c in zip(sides, covered([s.text for s in sides])) if c]
    key = resolve_model(None).key
    with EmbeddingCache(default_cache_path()) as cache:
        out = []
        for texts in ([s.text for s in keep], [s.question or s.text for s in keep]):
            hashes = [text_hash(t) for t in texts]
            found = cache.get(key, TEXT_VERSION, hashes)
            if len(found) < len(set(hashes)):
                raise SystemExit(f"{len(set(hashes)) - len(found)} vectors are not in the cache: build the vault first")
            out.append(np.stack([found[h] for h in hashes]).astype(np.float32))
    return out[0], out[1]


def synthetic(n: int, dim: int = 384, seed: int = 3) -> np.ndarray:
    """Clustered unit vectors (topics and near-copies), as tests/semantic/test_pair_mining.py makes them."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 25), dim)).astype(np.float32)
    v = centres[rng.integers(0, len(centres), n)] + 0.9 * rng.normal(size=(n, dim)).astype(np.float32)
    v[: n // 20] = v[n // 20: n // 10] + 0.1 * rng.normal(size=(n // 20, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def recall(vectors: np.ndarray, rows: np.ndarray, top_k: int, min_score: float, block: int = 128) -> dict:
    """Exact pairs of the sampled ``rows``, how many the HNSW lists hold, and all pairs >= ``min_score``."""
    from notes2anki.semantic.mining import ann_neighbours

    n = len(vectors)
    k = max(1, min(top_k, n - 1))
    start = time.perf_counter()
    ids, scores = ann_neighbours(vectors, top_k)
    ann_s = time.perf_counter() - start
    lists = [set(i[(i >= 0) & (s >= min_score)].tolist()) for i, s in zip(ids, scores)]
    others = np.where((ids >= 0) & (ids != np.arange(n)[:, None]), scores, -np.inf)
    kth = -np.sort(-others, axis=1)[:, k - 1]  # each HNSW list's k-th best cosine (itself left out)
    exact = found = tied = above = 0
    start = time.perf_counter()
    for b in range(0, len(rows), block):
        part = rows[b:b + block]
        sims = vectors[part] @ vectors.T
        sims[np.arange(len(part)), part] = -np.inf
        above += int((sims >= min_score).sum())
        top = np.argpartition(sims, n - k, axis=1)[:, n - k:]
        vals = np.take_along_axis(sims, top, axis=1)
        for r, (cols, vs) in enumerate(zip(top.tolist(), vals.tolist())):
            i = int(part[r])
            for j, v in zip(cols, vs):
                if v >= min_score:
                    exact += 1
                    hit = (j in lists[i]) or (i in lists[j])
                    found += hit
                    # a miss whose place holds another row as close (identical questions): a tie, not a loss
                    tied += hit or kth[i] >= v - 1e-6
    return {"exact": exact, "found": found, "tied": tied, "above": above, "ann_s": ann_s, "exact_s": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path, nargs="?")
    parser.add_argument("--synthetic", type=int, default=0, help="clustered random vectors instead of a vault")
    parser.add_argument("--rows", type=int, default=2000, help="rows searched exactly (sampled, seeded)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top-k", type=int, default=10)
    args = parser.parse_args()
    from notes2anki.semantic.scoring import CANDIDATE_MIN

    spaces = {"synthetic": synthetic(args.synthetic)} if args.synthetic else \
        dict(zip(("card text", "question"), vault_vectors(args.vault)))
    total_exact = total_found = total_tied = 0
    for name, vectors in spaces.items():
        rng = np.random.default_rng(args.seed)
        rows = np.sort(rng.choice(len(vectors), min(args.rows, len(vectors)), replace=False))
        got = recall(vectors, rows, args.top_k, CANDIDATE_MIN)
        total_exact += got["exact"]
        total_found += got["found"]
        total_tied += got["tied"]
        print(f"{name}: {len(vectors)} rows, {len(rows)} searched exactly: recall {got['found']}/{got['exact']} = "
              f"{got['found'] / max(1, got['exact']):.4f} ({got['tied'] / max(1, got['exact']):.4f} counting ties as "
              f"found); pairs >= {CANDIDATE_MIN} of those rows: {got['above']}; "
              f"HNSW build + search {got['ann_s']:.0f} s, exact {got['exact_s']:.0f} s, load {os.getloadavg()[0]:.1f}",
              flush=True)
    print(f"RECALL {total_found / max(1, total_exact):.4f} ({total_found}/{total_exact}; counting ties as found "
          f"{total_tied / max(1, total_exact):.4f})")


if __name__ == "__main__":
    main()
