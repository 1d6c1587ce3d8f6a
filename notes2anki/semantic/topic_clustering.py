"""Clustering unit vectors into topics (step 2 and 3 of :mod:`notes2anki.semantic.topics`): hierarchical
clustering on cosine distance, the number of clusters chosen by silhouette with no cluster over
:data:`MAX_SHARE` of the cards, small clusters merged into their nearest neighbour.

Deterministic: the same rows in the same (canonical) order give the same labels. Cosine distances are
computed in blocks (no n x n float64 matrix beyond what SciPy's linkage needs); SciPy and scikit-learn are
imported only when something is clustered. Nothing here prints.
"""
from __future__ import annotations

import numpy as np

DEFAULT_THRESHOLD = 0.86  # cosine distance for cluster() (topics --threshold)
REASSIGN_SLACK = 0.05
MAX_EXACT = 3000  # units clustered exactly (a distance matrix of this many rows: ~70 MB)
MAX_SHARE = 0.5  # no subject may hold more than this share of the cards (when avoidable)
MAX_PAIRED = 400  # small clusters (or rows) put together one pair at a time when a k cannot be cut


# -- clustering -------------------------------------------------------------------------------------------
def condensed_cosine(x: np.ndarray, block: int = 1024) -> np.ndarray:
    """Cosine distances of the unit rows of ``x`` in scipy's condensed form (upper triangle, row by row),
    computed with matrix products in blocks: no n x n matrix is ever held."""
    n = x.shape[0]
    x = np.ascontiguousarray(x, dtype=np.float32)
    out = np.empty(n * (n - 1) // 2, dtype=np.float64)
    at = 0
    for start in range(0, n, block):
        sims = x[start:start + block] @ x.T
        for offset, row in enumerate(sims):
            i = start + offset
            out[at:at + n - i - 1] = row[i + 1:]
            at += n - i - 1
    np.subtract(1.0, out, out=out)
    return np.clip(out, 0.0, 2.0, out=out)


def cluster(vectors: np.ndarray, *, threshold: float = DEFAULT_THRESHOLD, min_size: int = 3,
            max_exact: int = MAX_EXACT, sample: list[int] | None = None) -> np.ndarray:
    """Topic index per row (-1: unassigned) for unit ``vectors`` in canonical order; topics numbered by
    first appearance. ``sample``: rows to cluster exactly when there are more than ``max_exact`` rows."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = vectors.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int) if min_size <= 1 else np.full(1, -1)
    rows = np.arange(n) if n <= max_exact else np.asarray(sample if sample is not None else range(max_exact))
    dist = condensed_cosine(vectors[rows])
    raw = fcluster(linkage(dist, method="average"), t=threshold, criterion="distance")
    del dist
    labels = np.full(n, -1)
    sizes = np.bincount(raw)
    keep = [c for c in dict.fromkeys(raw.tolist()) if sizes[c] >= min_size]
    if not keep:
        return labels
    index = {c: i for i, c in enumerate(keep)}
    for row, c in zip(rows.tolist(), raw.tolist()):
        if c in index:
            labels[row] = index[c]
    # everything not in a kept cluster: join the topic it is on average most similar to, if close enough
    means = np.stack([vectors[labels == i].astype(np.float64).mean(axis=0) for i in range(len(keep))])
    loose = np.nonzero(labels < 0)[0]
    if len(loose):
        avg_sim = vectors[loose].astype(np.float64) @ means.T  # mean cosine to the members of each topic
        best = np.argmax(avg_sim, axis=1)
        ok = 1.0 - avg_sim[np.arange(len(loose)), best] <= threshold + REASSIGN_SLACK
        labels[loose[ok]] = best[ok]
    return labels


# -- choosing the number of clusters ------------------------------------------------------------------------
def unit_rows(x: np.ndarray) -> np.ndarray:
    """``x`` with each row scaled to length 1 (a zero row stays zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def best_clustering(x: np.ndarray, kmax: int, *, k: int | None = None, threshold: float | None = None,
                    weights: np.ndarray | None = None, min_size: float = 1) -> tuple[np.ndarray, float]:
    """(labels 0.. numbered by first appearance, silhouette) of hierarchical clusters of the unit rows ``x``:
    ``k`` clusters when given, each weighing at least ``min_size`` (:func:`k_clusters`: fewer when that
    cannot be found), a cut at cosine distance ``threshold`` when given, else the clustering in
    2..``kmax`` clusters, by average or Ward linkage, with the best silhouette among those where no cluster
    holds more than :data:`MAX_SHARE` of the ``weights`` (cards) — so that one subject does not swallow
    the others — or the best overall when none qualifies. Ties: average linkage, fewer clusters."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.metrics import silhouette_score

    n = x.shape[0]
    if n < 2 or (n < 3 and k is None and threshold is None):
        return np.zeros(n, dtype=int), 0.0
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    condensed = condensed_cosine(x)
    trees = {"average": linkage(condensed, method="average")}
    square = squareform(condensed)
    del condensed

    def numbered(raw: np.ndarray) -> np.ndarray:
        order = {c: i for i, c in enumerate(dict.fromkeys(raw.tolist()))}
        return np.array([order[c] for c in raw.tolist()])

    def silhouette(labels: np.ndarray) -> float:
        if not 2 <= len(set(labels.tolist())) < n:
            return 0.0
        return float(silhouette_score(square, labels, metric="precomputed"))

    if k is not None or threshold is not None:
        tree = trees["average"]
        if k is not None:
            labels = k_clusters(tree, x, k, weights, min_size)
        else:
            labels = numbered(fcluster(tree, t=threshold, criterion="distance"))
        return labels, silhouette(labels)
    trees["ward"] = linkage(x, method="ward")
    total = weights.sum()
    best: dict[bool, tuple[float, np.ndarray]] = {}
    for method in ("average", "ward"):
        for count in range(2, max(2, min(kmax, n - 1)) + 1):
            labels = numbered(fcluster(trees[method], t=count, criterion="maxclust"))
            score = silhouette(labels)
            balanced = max(np.bincount(labels, weights=weights)) <= MAX_SHARE * total
            if balanced not in best or score > best[balanced][0] + 1e-9:
                best[balanced] = (score, labels)
    score, labels = best.get(True) or best[False]
    return labels, score


def k_clusters(tree: np.ndarray, x: np.ndarray, k: int, weights: np.ndarray, min_size: float) -> np.ndarray:
    """``k`` clusters of the rows ``x`` (``tree``: their average-linkage tree), none weighing less than
    ``min_size``, numbered by first appearance. The tree is cut (:func:`k_cut`); when no cut holds ``k``
    clusters of ``min_size``, Ward's tree is cut too and the small clusters of each cut, or (up to
    :data:`MAX_PAIRED` rows) the single rows, are put together (:func:`pair_small`); the most clusters win,
    fewer than ``k`` when none gives ``k`` (a k beyond what the cards allow: at most total weight //
    ``min_size``)."""
    from scipy.cluster.hierarchy import linkage

    labels = k_cut(tree, x, k, weights, min_size)
    if _count(labels, weights, min_size) >= k:
        return merge_small(labels, x, weights, min_size)
    starts = [labels, k_cut(linkage(x, method="ward"), x, k, weights, min_size)]
    starts += [np.arange(len(x))] if len(x) <= MAX_PAIRED else []
    tries = [merge_small(pair_small(start, x, weights, min_size, k), x, weights, min_size) for start in starts]
    return max(tries, key=lambda t: len(set(t.tolist())))  # ties: the first (average linkage)


def _count(labels: np.ndarray, weights: np.ndarray, min_size: float) -> int:
    return int((np.bincount(labels, weights=weights) >= min_size).sum())


def k_cut(tree: np.ndarray, x: np.ndarray, k: int, weights: np.ndarray, min_size: float) -> np.ndarray:
    """Raw cluster numbers of the first cut of the linkage ``tree`` into ``k``, ``k + 1``… clusters that
    holds ``k`` clusters of weight ``min_size`` or more (none does: the cut with the most)."""
    from scipy.cluster.hierarchy import fcluster

    n = x.shape[0]
    best: tuple[int, np.ndarray] | None = None
    for count in range(min(k, n), n + 1):
        raw = fcluster(tree, t=count, criterion="maxclust") - 1
        big = _count(raw, weights, min_size)
        if best is None or big > best[0]:
            best = (big, raw)
        if big >= k:
            break
    return best[1]


def pair_small(labels: np.ndarray, x: np.ndarray, weights: np.ndarray, min_size: float, k: int) -> np.ndarray:
    """``labels`` with, while fewer than ``k`` clusters weigh ``min_size``, the two nearest clusters that
    weigh less (cosine of their mean vectors) made one. Skipped (``labels`` as given) beyond
    :data:`MAX_PAIRED` small clusters."""
    labels = labels.copy()
    small = [c for c in dict.fromkeys(labels.tolist()) if weights[labels == c].sum() < min_size]
    if len(small) > MAX_PAIRED:
        return labels
    big = len(set(labels.tolist())) - len(small)
    size = {c: float(weights[labels == c].sum()) for c in small}
    means = unit_rows(np.stack([x[labels == c].mean(axis=0) for c in small])) if small else np.zeros((0, 1))
    sims = means @ means.T
    np.fill_diagonal(sims, -np.inf)
    alive = np.ones(len(small), dtype=bool)
    while big < k and alive.sum() >= 2 and sum(size[small[i]] for i in np.nonzero(alive)[0]) >= min_size:
        i, j = sorted(np.unravel_index(int(np.argmax(sims)), sims.shape))
        labels[labels == small[j]] = small[i]
        size[small[i]] += size[small[j]]
        alive[j] = False
        sims[j, :] = sims[:, j] = -np.inf
        if size[small[i]] >= min_size:  # now a cluster of its own: no longer paired
            big += 1
            alive[i] = False
            sims[i, :] = sims[:, i] = -np.inf
        else:
            mean = unit_rows(x[labels == small[i]].mean(axis=0, keepdims=True))[0]
            row = means @ mean
            row[~alive] = -np.inf
            row[i] = -np.inf
            sims[i, :] = sims[:, i] = row
            means[i] = mean
    return labels


def merge_small(labels: np.ndarray, x: np.ndarray, weights: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters weighing less than ``min_size`` join the nearest larger one (by mean vector); renumbered
    by first appearance."""
    kept = [c for c in dict.fromkeys(labels.tolist()) if weights[labels == c].sum() >= min_size]
    if not kept:
        return np.zeros(len(labels), dtype=int)
    means = unit_rows(np.stack([(x[labels == c] * weights[labels == c, None]).sum(axis=0) for c in kept]))
    out = labels.copy()
    for row in np.nonzero(~np.isin(labels, kept))[0]:
        out[row] = kept[int(np.argmax(means @ x[row]))]
    order = {c: i for i, c in enumerate(dict.fromkeys(out.tolist()))}
    return np.array([order[c] for c in out.tolist()])
