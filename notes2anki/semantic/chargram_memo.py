"""Character n-gram vectors of texts, kept between runs (issue 13: n-gramming every card of a 10,000-card
vault took 4–7 s a run when a few cards are in a language the model does not read).

:func:`vectors` is what :func:`notes2anki.semantic.pair_features.fill_chars` goes through: each distinct text
is n-grammed once per process (:func:`~notes2anki.semantic.pair_features.char_vectors` reads one text at a
time, so a row does not depend on the others; :mod:`~notes2anki.semantic.chargrams`, no scikit-learn).
:func:`load` / :func:`save` keep the card texts' rows one duplicate check used beside its stored result
(``<cache file>.dupes/<entry>.chargrams.pickle``), tied to :func:`version` (the source of
``pair_features.py`` and ``chargrams.py``). A file that cannot be read is ignored; nothing here raises.
"""
from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from notes2anki.fileio import atomic_write
from notes2anki.memo_file import dumps as memo_dumps, read_pickle
from notes2anki.memo_file import few_new

SUFFIX = ".chargrams.pickle"
MAX_ENTRIES = 300_000  # texts held in one process; beyond this the memo starts again

# The rows are held in blocks (one per compute() call or stored file) as CSR arrays (indptr, indices, data);
# each text names its block and row. Per-text arrays cost about 1 KB each in object overhead and a second
# copy of every row (100,000 cards: about 300 MB); a cold run's matrix is the computed block itself.
_blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
_rows: dict[str, tuple[int, int]] = {}  # text -> (block, row) of its unit row
_touched: set[str] = set()
_fresh = 0
_loaded = 0


@lru_cache(maxsize=1)
def version() -> str:
    """What stored rows depend on: the n-gram code (``pair_features.py``, ``chargrams.py``)."""
    from notes2anki.semantic import chargrams, pair_features

    digest = hashlib.sha256(b"chargrams")
    for module in (pair_features, chargrams):
        try:
            digest.update(Path(module.__file__).read_bytes())
        except OSError:
            digest.update(module.__name__.encode())
    return digest.hexdigest()[:16]


def _gather(texts: Sequence[str], width: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr int64, indices, data) of the memo rows of ``texts``, in order: each block's rows
    taken by scipy's row indexing (C++; 10,000 rows of ~100 n-grams: 3 ms, where gathering them with numpy
    index arithmetic took 25 ms, three times per check), then put in order. ``width``: the number of
    columns (None: as many as the blocks use)."""
    from scipy import sparse

    n = len(texts)
    locs = np.array([_rows[t] for t in texts], dtype=np.int64).reshape(-1, 2)
    parts, order = [], []
    for b, (indptr, blk_indices, blk_data) in enumerate(_blocks):
        mine = np.nonzero(locs[:, 0] == b)[0]
        if not len(mine):
            continue
        cols = width if width is not None else (int(blk_indices.max()) + 1 if len(blk_indices) else 1)
        block = sparse.csr_matrix((blk_data, blk_indices, indptr), shape=(len(indptr) - 1, cols), copy=False)
        parts.append(block[locs[mine, 1]])
        order.append(mine)
    if not parts:
        index_dtype = np.result_type(*[blk[1].dtype for blk in _blocks]) if _blocks else np.int32
        value_dtype = np.result_type(*[blk[2].dtype for blk in _blocks]) if _blocks else np.float64
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=index_dtype), np.zeros(0, dtype=value_dtype)
    if len(parts) == 1 and np.array_equal(order[0], np.arange(n)):
        out = parts[0]
    else:
        if len({p.shape[1] for p in parts}) > 1:
            cols = max(p.shape[1] for p in parts)
            parts = [sparse.csr_matrix(p, shape=(p.shape[0], cols)) for p in parts]
        place = np.empty(n, dtype=np.int64)
        place[np.concatenate(order)] = np.arange(n)
        out = sparse.vstack(parts, format="csr")[place]
    return out.indptr.astype(np.int64, copy=False), out.indices, out.data


def vectors(texts: Sequence[str], compute: Callable[[list[str]], object], width: int, *, keep: bool = True):
    """The CSR matrix (len(texts) x ``width``) of the texts' n-gram rows: known rows from the memo, the new
    texts' rows from ``compute(new texts)`` (a sparse matrix, one row per text) in one call. ``keep=False``:
    the rows are remembered in this process but not counted as used, so :func:`save` does not store them
    (questions and answers: a check after an edit needs only the few of the pairs it measures, and n-grams
    those again in milliseconds, where storing every one made the file three times as large)."""
    global _fresh
    from scipy import sparse

    if not _rows:
        _blocks.clear()
    missing = list(dict.fromkeys(t for t in texts if t not in _rows))
    if missing:
        if len(_rows) + len(missing) > MAX_ENTRIES:
            _rows.clear()
            _blocks.clear()
            _touched.clear()
            missing = list(dict.fromkeys(texts))
        found = sparse.csr_matrix(compute(missing))
        found.sort_indices()
        block = len(_blocks)
        _blocks.append((found.indptr, found.indices, found.data))
        _rows.update((text, (block, k)) for k, text in enumerate(missing))
        if keep:
            _fresh += len(missing)
        if len(missing) == len(texts):  # every text new and none twice: the computed matrix itself
            if keep:
                _touched.update(texts)
            return sparse.csr_matrix((found.data, found.indices, found.indptr), shape=(len(texts), width))
    if keep:
        _touched.update(texts)
    indptr, indices, data = _gather(texts, width)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(texts), width))


def path_for(folder: Path, entry: str) -> Path:
    """The file that keeps the n-gram rows of stored result ``entry`` in ``folder``."""
    return folder / (entry + SUFFIX)


def load(path: Path) -> None:
    """Add the rows stored in ``path`` (same :func:`version` only) and start recording which texts this run
    uses."""
    global _fresh, _loaded
    _touched.clear()
    _fresh, _loaded = 0, 0
    if not _rows:
        _blocks.clear()
    try:
        data = read_pickle(path)
        if not isinstance(data, dict) or data.get("version") != version():
            return
        texts, indptr, indices, values = data["texts"], data["indptr"], data["indices"], data["data"]
        if len(indptr) != len(texts) + 1 or len(indices) != len(values) or int(indptr[-1]) != len(indices):
            return
        block = len(_blocks)
        _blocks.append((np.asarray(indptr, dtype=np.int64), indices, values))
        for k, text in enumerate(texts):
            _rows.setdefault(text, (block, k))
        _loaded = len(texts)
    except Exception:  # missing, corrupt, another layout: n-grammed again
        return


def save(path: Path) -> None:
    """Store the rows used since :func:`load` in ``path`` (nothing when none was new); failures ignored.
    A few new texts and a few stale rows (:func:`~notes2anki.memo_file.few_new`) do not rewrite it
    (30 MB at 10,000 cards: 0.3 s): the next run n-grams those few texts again, as
    :class:`~notes2anki.semantic.vector_memo.VectorMemo` does with vectors."""
    if not _fresh and len(_touched) == _loaded:
        return
    if few_new(_fresh, len(_touched), _loaded):
        return
    texts = sorted(t for t in _touched if t in _rows)
    indptr, indices, values = _gather(texts) if texts else (np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                                                            np.zeros(0))
    data = {"version": version(), "texts": texts, "indptr": indptr, "indices": indices, "data": values}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, memo_dumps(data), durable=False)
    except (OSError, pickle.PicklingError, RecursionError):
        pass
