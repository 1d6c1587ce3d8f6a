"""Candidate pairs by character n-grams where a card is not read by the model, searched again after an edit
only where the edit can change them (issue 13: this search took 1.7 s of every 10,000-card build after an
edit, with 34 cards the model does not read).

A pair (i, j) is a candidate when a side is not *covered* (the model does not read it) and j is among i's
nearest rows by n-gram cosine (or i among j's): cosine at or above both ``min_score`` and i's k-th best
cosine, every tie with the k-th included (so the result does not depend on the order of the search). Only
rows that can take part in such a pair are searched (:func:`mixed_neighbours`): the uncovered rows, and the
covered rows with cosine >= ``min_score`` to some uncovered row (their *hits*). Each searched row is compared
with every row — except a covered row whose k-th best cosine is shown, more cheaply, to lie above every one of
its hits (it then has no candidate): its cosines to the other rows hitting the same uncovered row (its
*group*, which holds that uncovered row too) give a lower bound of its k-th best (the k-th best of any subset
is at most the k-th best of all rows); when that bound exceeds its best hit by more than :data:`MARGIN`, the
row is *pruned* (issue 13: on the 100,000-card bench vault 39,404 covered rows hit one of 317 uncovered rows;
searching each against all 99,932 rows took 11.8 ms, about 470 s CPU at best and 4,260 s in last round's
run; the group products take about 46 s and prune all but a few hundred). Exact: the pairs are the same.

With a ``path``, each searched row keeps its :data:`EXTRA` + k nearest rows (sorted, with cosines) and each
covered searched row its hits, keyed by the rows' texts and coverage. After an edit only these are computed:

* the cosines of every row to the new (edited or added) rows — one thin sparse product;
* a full search for new searched rows, rows that became searched, rows whose list held a removed row, and
  rows whose list ends in a tie with its k-th best — unless they are pruned: a pruned row stays pruned
  while its k witnesses (the rows its bound came from) are unchanged and it has no new hit; the others
  are bounded again;
* every other searched row takes the new rows that beat the end of its list.

Same pairs as a search from scratch (tested after an edit, an add and a delete).
"""
from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Sequence

import numpy as np

from notes2anki.fileio import atomic_write
from notes2anki.memo_file import dumps as memo_dumps, read_pickle
from notes2anki.semantic.incremental_mining import best_with_ties

FORMAT = 2
EXTRA = 1
BLOCK = 512
MAX_BLOCK_BYTES = 64 * 1024 * 1024
MARGIN = 1e-9  # a bound must beat the best hit by this much (cosines summed in another order differ ~1e-15)


def row_keys(texts: Sequence[str], is_covered: Sequence[bool]) -> list[str]:
    """Per row: a hash of the text its n-grams come from and whether the model reads it."""
    return [hashlib.sha256(f"{bool(c)}\x1f{t}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
            for t, c in zip(texts, is_covered)]


def _search(matrix, everyone, query: np.ndarray, width: int, k: int, min_score: float):
    """For the ``query`` rows of the l2-normalised sparse ``matrix``: their ``width`` best other rows
    (positions, cosines; best first) and, where the list ends in a tie with its k-th best, every row at or
    above that limit (``extras``: query row -> rows). ``everyone``: ``matrix.T`` as CSC."""
    idx = np.zeros((len(query), width), dtype=np.int64)
    val = np.zeros((len(query), width), dtype=np.float64)
    extras: dict[int, np.ndarray] = {}
    # rows per block: their dense scores (and the sparse product and partition copies, ~3x) within
    # MAX_BLOCK_BYTES (100,000 rows: 27 a block; 512 held ~1.5 GB)
    step = max(1, min(BLOCK, MAX_BLOCK_BYTES // (3 * 8 * max(1, matrix.shape[0]))))
    for start in range(0, len(query), step):
        part = query[start:start + step]
        scores = np.asarray((matrix[part] @ everyone).todense(), dtype=np.float64)
        scores[np.arange(len(part)), part] = -np.inf
        idx[start:start + len(part)], val[start:start + len(part)] = best_with_ties(scores, part, width, k,
                                                                                    min_score, extras)
    return idx, val, extras


def _hits(matrix, rows: np.ndarray, columns: np.ndarray, min_score: float,
          best: dict[int, tuple[float, int]] | None = None) -> dict[int, np.ndarray]:
    """Row -> the ``columns`` (row positions) it has cosine >= ``min_score`` with (rows without any left out;
    a row is not its own hit). ``best``: filled with row -> (its best cosine among these hits, that column;
    the first of a tie), kept where it was higher."""
    out: dict[int, np.ndarray] = {}
    if not len(rows) or not len(columns):
        return out
    other = matrix[columns].T.tocsc()
    for start in range(0, len(rows), 4096):
        part = rows[start:start + 4096]
        cross = (matrix[part] @ other).tocoo()
        keep = (cross.data >= min_score) & (part[cross.row] != columns[cross.col])
        for r, c, v in zip(part[cross.row[keep]].tolist(), columns[cross.col[keep]].tolist(),
                           cross.data[keep].tolist()):
            out.setdefault(r, []).append(c)
            if best is not None and (r not in best or (v, -c) > (best[r][0], -best[r][1])):
                best[r] = (v, c)
    return {r: np.array(sorted(cs), dtype=np.int64) for r, cs in out.items()}


def _prune(matrix, hits: dict, best: dict[int, tuple[float, int]], query, k: int
           ) -> dict[int, tuple[float, np.ndarray]]:
    """The ``query`` rows (covered, with hits; ``best``: row -> its best hit's cosine and row) shown to have
    no candidate (see the module doc): row -> (lower bound of its k-th best cosine, its k witness rows). Each
    query row is compared with the rows hitting its best hit u, and u (blocks within :data:`MAX_BLOCK_BYTES`):
    at 100,000 cards about 1,500 columns where a full search has 100,000."""
    groups: dict[int, list[int]] = {}
    for r, cols in hits.items():
        for c in cols.tolist():
            groups.setdefault(c, []).append(r)
    by_best: dict[int, list[int]] = {}
    for r in query:
        by_best.setdefault(best[r][1], []).append(r)
    out: dict[int, tuple[float, np.ndarray]] = {}
    for u, rows in sorted(by_best.items()):
        columns = np.array(sorted(groups[u]) + [u], dtype=np.int64)
        if len(columns) - 1 < k:
            continue
        rows = np.array(sorted(rows), dtype=np.int64)
        own = np.minimum(np.searchsorted(columns[:-1], rows), len(columns) - 2)
        rows, own = rows[columns[own] == rows], own[columns[own] == rows]  # (always all: u is a hit of each)
        other = matrix[columns].T.tocsc()
        step = max(1, MAX_BLOCK_BYTES // (3 * 8 * len(columns)))
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            scores = np.asarray((matrix[part] @ other).todense(), dtype=np.float64)
            scores[np.arange(len(part)), own[start:start + step]] = -np.inf
            top = np.argpartition(scores, len(columns) - k, axis=1)[:, len(columns) - k:]
            kth = np.take_along_axis(scores, top, axis=1).min(axis=1)
            for p, r in enumerate(part.tolist()):
                if kth[p] > best[r][0] + MARGIN:
                    out[r] = (float(kth[p]), np.sort(columns[top[p]]))
    return out


def mixed_neighbours(matrix, is_covered: Sequence[bool], top_k: int, min_score: float, *,
                     keys: Sequence[str] | None = None, settings: str = "", path: Path | None = None,
                     stats: dict | None = None) -> set[tuple[int, int]]:
    """Candidate pairs (i < j) of the rows of the l2-normalised sparse n-gram ``matrix`` where a side is not
    covered (see the module doc). ``keys`` (:func:`row_keys`) and ``path``: reuse and store the last search
    (``settings``: a digest of anything else the result depends on). ``stats["searched"]``: rows searched
    in full this time, ``stats["pruned"]``: covered rows with hits shown to need no search."""
    n = matrix.shape[0]
    covered = np.array([bool(c) for c in is_covered], dtype=bool)
    uncovered = np.nonzero(~covered)[0]
    found: set[tuple[int, int]] = set()
    if not len(uncovered) or n < 2:
        if stats is not None:
            stats["searched"] = stats["pruned"] = 0
        return found
    k = max(1, min(top_k, n - 1))
    width = min(n - 1, k + EXTRA)
    matrix = matrix.tocsr()
    everyone = matrix.T.tocsc()
    old = _load(path, settings, width, k) if path is not None and keys is not None and len(set(keys)) == n else None
    if old is None:
        best: dict[int, tuple[float, int]] = {}
        hits = _hits(matrix, np.nonzero(covered)[0], uncovered, min_score, best)
        pruned = _prune(matrix, hits, best, sorted(hits), k)
        searched = np.array(sorted(set(uncovered.tolist()) | (set(hits) - set(pruned))), dtype=np.int64)
        idx, val, extras = _search(matrix, everyone, searched, width, k, min_score)
        lists = {int(r): (idx[p], val[p]) for p, r in enumerate(searched.tolist())}
        full = len(searched)
    else:
        lists, extras, hits, pruned, full = _update(matrix, everyone, covered, uncovered, list(keys), old, width,
                                                    k, min_score)
    for r, (idx_r, val_r) in lists.items():
        limit = max(float(val_r[k - 1]), min_score)
        for c in np.concatenate([idx_r[val_r >= limit], extras.get(r, np.zeros(0, dtype=np.int64))]).tolist():
            if not (covered[r] and covered[c]):
                found.add((r, c) if r < c else (c, r))
    if path is not None and keys is not None and len(set(keys)) == n:
        order = sorted(lists)
        state = {"format": FORMAT, "settings": settings, "width": width, "k": k, "keys": list(keys),
                 "rows": np.array(order, dtype=np.int64),
                 "idx": np.stack([lists[r][0] for r in order]) if order else np.zeros((0, width), np.int64),
                 "val": np.stack([lists[r][1] for r in order]) if order else np.zeros((0, width)),
                 "extras": extras, "hits": hits, "pruned": np.array(sorted(pruned), dtype=np.int64),
                 "bound": np.array([pruned[r][0] for r in sorted(pruned)], dtype=np.float64),
                 "witnesses": np.stack([pruned[r][1] for r in sorted(pruned)]) if pruned
                 else np.zeros((0, k), dtype=np.int64)}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, memo_dumps(state), durable=False)
        except (OSError, pickle.PicklingError):
            pass
    if stats is not None:
        stats["searched"], stats["pruned"] = full, len(pruned)
    return found


def _update(matrix, everyone, covered: np.ndarray, uncovered: np.ndarray, keys: list[str], old: dict,
            width: int, k: int, min_score: float):
    """The searched rows' lists, extras and hits after the changes since ``old`` (see the module doc)."""
    n = matrix.shape[0]
    where = {key: p for p, key in enumerate(keys)}
    old_to_new = np.array([where.get(key, -1) for key in old["keys"]], dtype=np.int64)
    known = np.zeros(n, dtype=bool)
    known[old_to_new[old_to_new >= 0]] = True
    fresh = np.nonzero(~known)[0]
    # hits: the old ones that still exist, plus those with a new row on either side
    hits: dict[int, set[int]] = {}
    for r, cols in old["hits"].items():
        u, moved = int(old_to_new[r]), old_to_new[cols]
        moved = moved[moved >= 0]
        if u >= 0 and len(moved):
            hits[u] = set(moved.tolist())
    fresh_uncovered = fresh[~covered[fresh]]
    for r, cols in _hits(matrix, np.nonzero(covered)[0], fresh_uncovered, min_score).items():
        hits.setdefault(r, set()).update(cols.tolist())
    for r, cols in _hits(matrix, fresh[covered[fresh]], uncovered, min_score).items():
        hits.setdefault(r, set()).update(cols.tolist())
    searched = sorted(set(uncovered.tolist()) | set(hits))
    was = {int(old_to_new[r]): p for p, r in enumerate(old["rows"].tolist()) if old_to_new[r] >= 0}
    # pruned rows stay pruned while their witnesses are unchanged and they hit no new row (a new row can
    # only raise a k-th best; a lost hit only lowers the best hit); the others are bounded again
    fresh_set = set(fresh.tolist())
    pruned: dict[int, tuple[float, np.ndarray]] = {}
    for r, b, w in zip(old["pruned"].tolist(), old["bound"].tolist(), old["witnesses"]):
        u, moved = int(old_to_new[r]), old_to_new[w]
        if u >= 0 and u in hits and u not in was and (moved >= 0).all() \
                and not fresh_set.intersection(hits[u]):
            pruned[u] = (b, np.sort(moved))
    unsure = np.array([r for r in searched if r not in was and r not in pruned and covered[r]], dtype=np.int64)
    if len(unsure):
        best: dict[int, tuple[float, int]] = {}
        _hits(matrix, unsure, uncovered, min_score, best)
        pruned.update(_prune(matrix, {r: np.array(sorted(cs), dtype=np.int64) for r, cs in hits.items()}, best,
                             unsure.tolist(), k))
    lists: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    extras: dict[int, np.ndarray] = {}
    redo: set[int] = set()
    for r in searched:
        if r in pruned:
            continue
        p = was.get(r)
        if p is None:
            redo.add(r)
            continue
        idx = old_to_new[old["idx"][p]]
        more = old["extras"].get(int(old["rows"][p]))
        if (idx < 0).any() or (more is not None and (old_to_new[more] < 0).any()):
            redo.add(r)
            continue
        lists[r] = (idx, old["val"][p].copy())
        if more is not None:
            extras[r] = old_to_new[more]
    kept = np.array(sorted(lists), dtype=np.int64)
    if len(fresh) and len(kept):  # the new rows' cosines to every kept list: insert where they beat its end
        cross = np.asarray((matrix[kept] @ matrix[fresh].T).todense(), dtype=np.float64)
        for row, r in enumerate(kept.tolist()):
            idx, val = lists[r]
            if not (cross[row] >= val[-1]).any():
                continue
            if r in extras:
                redo.add(r)
                continue
            merged_idx = np.concatenate([idx, fresh])
            merged_val = np.concatenate([val, cross[row]])
            order = np.argsort(-merged_val, kind="stable")[:width]
            idx, val = merged_idx[order], merged_val[order]
            if val[-1] >= max(val[k - 1], min_score):
                redo.add(r)  # a tie now reaches the end of its list
                continue
            lists[r] = (idx, val)
    rows = np.array(sorted(redo), dtype=np.int64)
    for r in rows.tolist():
        lists.pop(r, None)
        extras.pop(r, None)
    if len(rows):
        idx, val, more = _search(matrix, everyone, rows, width, k, min_score)
        for p, r in enumerate(rows.tolist()):
            lists[r] = (idx[p], val[p])
        extras.update(more)
    return lists, extras, {r: np.array(sorted(cs), dtype=np.int64) for r, cs in hits.items()}, pruned, len(rows)


def _load(path: Path, settings: str, width: int, k: int) -> dict | None:
    try:
        data = read_pickle(path)
    except Exception:  # missing, corrupt: search everything
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("settings") != settings \
            or (data.get("width"), data.get("k")) != (width, k) \
            or not all(name in data for name in ("keys", "rows", "idx", "val", "extras", "hits", "pruned", "bound",
                                                 "witnesses")) \
            or len(data["rows"]) != len(data["idx"]):
        return None
    return data
