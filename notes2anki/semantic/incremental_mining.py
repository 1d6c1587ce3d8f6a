"""Candidate search after an edit (issue 13): only the edited, added and removed cards' rows are searched.

The exact search (:func:`~notes2anki.semantic.pair_cache.candidate_pairs`) is O(N²): at 10,000 cards it was
the largest cost of a duplicate check after editing one card. Here each covered side keeps, with the last
result (``<cache file>.dupes/<entry>.mining.pickle``), its :data:`EXTRA` + max(k, DENSITY_K) nearest
neighbours by card-text and by question cosine (sorted, with their cosines). After an edit:

* the rows of new sides (edited or added; a side is identified by its texts, coverage and vectors) and of
  sides whose stored list held a removed side are searched against every covered side (one block of
  matrix products);
* every other side's list takes the new sides that beat its last entry (their cosines are that block's
  columns); its local density (mean cosine to its DENSITY_K nearest) is recomputed only if its list changed;
* a side whose list ends in a tie with its k-th best is searched again in full (a tie decides nothing).

The candidates of a side are the neighbours at or above both its k-th best cosine and CANDIDATE_MIN (all
ties included), on the cold and the incremental path alike, so both give the same pairs (tested).
"""
from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Sequence

import numpy as np

from notes2anki.fileio import atomic_write
from notes2anki.memo_file import dumps as memo_dumps, read_pickle
from notes2anki.semantic.local_density import neighbour_density

EXTRA = 1
FORMAT = 2
BLOCK = 1024
MAX_BLOCK_BYTES = 64 * 1024 * 1024


def side_identity(enc, is_covered: Sequence[bool], only: Sequence[int] | None = None) -> list[str]:
    """Per side (``only``: these indices, in order): a hash of its texts, coverage and card/question vectors
    (what its neighbours depend on). Kept on ``enc`` for the same sides, vectors and coverage, so the
    measuring step's keys (:func:`~notes2anki.semantic.pair_cache.side_keys`) build on them instead of
    hashing every side's texts and vectors again."""
    covered = tuple(bool(c) for c in is_covered)
    cached = getattr(enc, "_identity", None)
    if cached is not None and cached[0] is enc.sides and cached[1] is enc.card and cached[2] is enc.question \
            and cached[3] == covered:
        return cached[4] if only is None else [cached[4][i] for i in only]
    card, question = np.ascontiguousarray(enc.card), np.ascontiguousarray(enc.question)
    out = []
    for i in (range(len(enc.sides)) if only is None else only):
        side = enc.sides[i]
        digest = hashlib.sha256("\x1f".join((side.question, side.answer, side.text, str(covered[i]))
                                            ).encode("utf-8", "surrogatepass"))
        digest.update(card[i].data)
        digest.update(question[i].data)
        out.append(digest.hexdigest())
    if only is None:
        try:
            enc._identity = (enc.sides, enc.card, enc.question, covered, out)
        except AttributeError:  # (an object that takes no attributes: computed again when asked)
            pass
    return out


def _search(vectors: np.ndarray, cov: np.ndarray, query: np.ndarray, width: int, k: int, kd: int,
            min_score: float):
    """For the ``query`` positions (into ``cov``): their ``width`` best neighbours among the ``cov`` rows of
    ``vectors`` (positions into ``cov``, cosines, sorted best first), their local density (mean of the ``kd``
    best, as the cold search computes it) and, for rows whose list ends in a tie with the k-th best, every
    neighbour at or above that limit (``extras``: query position -> positions)."""
    n = len(cov)
    sub = np.ascontiguousarray(vectors[cov], dtype=np.float32)
    idx = np.zeros((len(query), width), dtype=np.int64)
    val = np.zeros((len(query), width), dtype=np.float32)
    density = np.zeros(len(query), dtype=np.float64)
    extras: dict[int, np.ndarray] = {}
    step = max(1, min(BLOCK, MAX_BLOCK_BYTES // (5 * n)))
    for start in range(0, len(query), step):
        part = query[start:start + step]
        scores = sub[part] @ sub.T
        scores[np.arange(len(part)), part] = -np.inf
        density[start:start + len(part)] = neighbour_density(sub, part, np.argpartition(scores, n - kd, axis=1)[:, n - kd:])
        idx[start:start + len(part)], val[start:start + len(part)] = best_with_ties(scores, part, width, k,
                                                                                    min_score, extras)
    return idx, val, density, extras


def best_with_ties(scores: np.ndarray, part: np.ndarray, width: int, k: int, min_score: float,
                   extras: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The ``width`` best columns of each row of the dense block ``scores`` (rows: the query rows ``part``;
    a row's own column already ``-inf``) as (columns, scores), best first (one argpartition per block; ties
    ordered stably); where a row's list ends in a tie with its k-th best, every column at or above
    max(k-th best, ``min_score``) goes into ``extras`` under ``part[row]`` — so a search of some rows and a
    search of all give the same candidates. Used by the vector and the character n-gram searches."""
    n = scores.shape[1]
    top = np.argpartition(scores, n - width, axis=1)[:, n - width:]
    values = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    top, values = np.take_along_axis(top, order, axis=1), np.take_along_axis(values, order, axis=1)
    limit = np.maximum(values[:, k - 1], min_score)
    for r in np.nonzero(values[:, -1] >= limit)[0].tolist():  # a tie reaches the end of the list
        extras[int(part[r])] = np.nonzero(scores[r] >= limit[r])[0]
    return top, values


def _pairs(cov, idx, val, extras: dict, k: int, min_score: float, n_all: int) -> np.ndarray:
    """Each row's candidates (neighbours >= max(k-th best, min_score), all ties included: ``extras``) as
    packed pair codes ``lo * n_all + hi`` (int64, side indices, lo < hi; may repeat): 100,000 pairs in a
    few array steps, where a Python set of tuples took 0.2 s."""
    limit = np.maximum(val[:, k - 1], min_score)
    rows, slots = np.nonzero(val >= limit[:, None])
    parts = [(cov[rows], cov[idx[rows, slots]])]
    for r, more in extras.items():
        parts.append((np.full(len(more), cov[r], dtype=np.int64), cov[more]))
    a = np.concatenate([p[0] for p in parts]).astype(np.int64, copy=False)
    b = np.concatenate([p[1] for p in parts]).astype(np.int64, copy=False)
    return np.minimum(a, b) * n_all + np.maximum(a, b)


def unpack(codes: np.ndarray, n_all: int) -> np.ndarray:
    """Packed pair codes (see :func:`_pairs`) as sorted unique (m, 2) int64 pairs (lo, hi)."""
    codes = np.unique(np.asarray(codes, dtype=np.int64))
    return np.stack([codes // n_all, codes % n_all], axis=1) if len(codes) else np.zeros((0, 2), dtype=np.int64)


def mine(enc, is_covered: Sequence[bool], top_k: int, min_score: float, density_k: int, settings: str,
         path: Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Embedding candidate pairs among the covered sides of ``enc`` (see the module doc; sorted unique
    (m, 2) int64 rows (i, j), i < j, side indices), the card and
    question densities (arrays over all sides, 0 for uncovered) and what was done (``searched`` rows,
    ``cold``). ``settings``: a digest of everything else the result depends on; ``path``: the stored lists
    (None: search everything, store nothing)."""
    n_all = len(enc.sides)
    cov = np.array([i for i, c in enumerate(is_covered) if c], dtype=np.int64)
    n = len(cov)
    densities = [np.zeros(n_all, dtype=np.float64), np.zeros(n_all, dtype=np.float64)]
    codes: list[np.ndarray] = []
    if n < 2:
        return unpack(np.zeros(0, np.int64), n_all), densities[0], densities[1], {"searched": 0, "cold": True}
    k, kd = max(1, min(top_k, n - 1)), min(density_k, n - 1)
    width = min(n - 1, max(k, kd) + EXTRA)
    keys = side_identity(enc, is_covered)
    cov_keys = [keys[i] for i in cov]
    old = _load(path, settings, width, k, kd) if path is not None and len(set(cov_keys)) == n else None
    spaces = (enc.card, enc.question)
    state = {"format": FORMAT, "settings": settings, "width": width, "k": k, "kd": kd, "keys": cov_keys,
             "idx": [], "val": [], "density": [], "extras": []}
    searched = 0
    if old is None:
        for s, vectors in enumerate(spaces):
            idx, val, dens, extras = _search(vectors, cov, np.arange(n), width, k, kd, min_score)
            codes.append(_pairs(cov, idx, val, extras, k, min_score, n_all))
            densities[s][cov] = dens
            state["idx"].append(idx), state["val"].append(val), state["density"].append(dens)
            state["extras"].append(extras)
        searched = n
    else:
        where = {key: p for p, key in enumerate(cov_keys)}
        old_to_new = np.array([where.get(key, -1) for key in old["keys"]], dtype=np.int64)
        new_from_old = np.full(n, -1, dtype=np.int64)
        new_from_old[old_to_new[old_to_new >= 0]] = np.nonzero(old_to_new >= 0)[0]
        fresh = np.nonzero(new_from_old < 0)[0]
        kept = np.nonzero(new_from_old >= 0)[0]
        for s, vectors in enumerate(spaces):
            idx = np.zeros((n, width), dtype=np.int64)
            val = np.zeros((n, width), dtype=np.float32)
            dens = np.zeros(n, dtype=np.float64)
            idx[kept] = old_to_new[old["idx"][s][new_from_old[kept]]]
            val[kept] = old["val"][s][new_from_old[kept]]
            dens[kept] = old["density"][s][new_from_old[kept]]
            redo = set(fresh.tolist()) | set(kept[(idx[kept] < 0).any(axis=1)].tolist())
            extras = {}
            for r, more in old["extras"][s].items():
                u, moved = int(old_to_new[r]), old_to_new[more]
                if u >= 0:
                    if (moved < 0).any():
                        redo.add(u)  # a tied neighbour went: search it again
                    else:
                        extras[u] = moved
            if len(fresh):  # the new sides' cosines to everyone: insert them where they beat a list's end
                sub = np.ascontiguousarray(vectors[cov], dtype=np.float32)
                cross = sub @ sub[fresh].T  # (n, fresh)
                cross[fresh, np.arange(len(fresh))] = -np.inf
                beats = np.nonzero((cross >= val[:, -1:]).any(axis=1))[0]
                for u in beats.tolist():
                    if u in redo or u in extras:  # (a row with ties: searched again)
                        redo.add(u)
                        continue
                    merged_idx = np.concatenate([idx[u], fresh])
                    merged_val = np.concatenate([val[u], cross[u]])
                    order = np.argsort(-merged_val, kind="stable")[:width]  # a tie at the end: either one
                    idx[u], val[u] = merged_idx[order], merged_val[order]
                    dens[u] = float(neighbour_density(sub, [u], idx[u][None, :kd])[0])  # as the cold search
                    if val[u][-1] >= max(val[u][k - 1], min_score):
                        redo.add(u)  # now a tie reaches the end of its list
            rows = np.array(sorted(redo), dtype=np.int64)
            for u in rows.tolist():
                extras.pop(u, None)
            if len(rows):
                idx[rows], val[rows], dens[rows], more = _search(vectors, cov, rows, width, k, kd, min_score)
                extras.update(more)
            searched = max(searched, len(rows))
            codes.append(_pairs(cov, idx, val, extras, k, min_score, n_all))
            densities[s][cov] = dens
            state["idx"].append(idx), state["val"].append(val), state["density"].append(dens)
            state["extras"].append(extras)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, memo_dumps(state), durable=False)
        except (OSError, pickle.PicklingError):
            pass
    return unpack(np.concatenate(codes), n_all), densities[0], densities[1], {"searched": searched,
                                                                               "cold": old is None}


def _load(path: Path, settings: str, width: int, k: int, kd: int) -> dict | None:
    try:
        data = read_pickle(path)
    except Exception:  # missing, corrupt: search everything
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("settings") != settings \
            or (data.get("width"), data.get("k"), data.get("kd")) != (width, k, kd) \
            or len(data.get("idx", ())) != 2 or len(data.get("extras", ())) != 2 or len(data.get("keys", ())) != len(data["idx"][0]):
        return None
    return data
