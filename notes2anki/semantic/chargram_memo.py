"""Character n-gram vectors of texts, kept between runs (issue 13: n-gramming every card of a 10,000-card
vault took 4–7 s a run when a few cards are in a language the model does not read).

:func:`vectors` is what :func:`notes2anki.semantic.pair_features.fill_chars` goes through: each distinct text
is n-grammed once per process (:func:`~notes2anki.semantic.pair_features.char_vectors` reads one text at a
time, so a row does not depend on the others; :mod:`~notes2anki.semantic.chargrams`, no scikit-learn).
:func:`load` / :func:`save` keep the rows one duplicate check used beside its stored result
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
from notes2anki.memo_file import read_pickle
from notes2anki.semantic.text_memo import few_new

SUFFIX = ".chargrams.pickle"
MAX_ENTRIES = 300_000  # texts held in one process; beyond this the memo starts again

_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # text -> (column indices, values) of its unit row
_stored: dict = {}  # the rows :func:`load` read: "index" (text -> row), "arrays" (indptr, indices, data), "matrix"
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


def vectors(texts: Sequence[str], compute: Callable[[list[str]], object], width: int):
    """The CSR matrix (len(texts) x ``width``) of the texts' n-gram rows: known rows from the memo (the rows
    :func:`load` read are gathered from their stored matrix in one step: 30,000 rows took 0.25 s one by one),
    the new texts' rows from ``compute(new texts)`` (a sparse matrix, one row per text) in one call."""
    global _fresh
    from scipy import sparse

    stored = _stored_matrix(width)
    index = _stored.get("index", {})
    missing = list(dict.fromkeys(t for t in texts if t not in index and t not in _rows))
    if missing:
        if len(_rows) + len(missing) > MAX_ENTRIES:
            _rows.clear()
            _touched.clear()
            missing = list(dict.fromkeys(t for t in texts if t not in index))
        found = sparse.csr_matrix(compute(missing))
        found.sort_indices()
        for k, text in enumerate(missing):
            start, stop = found.indptr[k], found.indptr[k + 1]
            _rows[text] = (found.indices[start:stop].copy(), found.data[start:stop].copy())
        _fresh += len(missing)
    _touched.update(texts)
    if stored is not None and all(t in index for t in texts):
        return stored[[index[t] for t in texts]] if texts else sparse.csr_matrix((0, width))
    extra = [t for t in dict.fromkeys(texts) if t not in index]
    place = {t: k for k, t in enumerate(extra)}
    extra_matrix = _matrix([_rows[t] for t in extra], width)
    if stored is None:
        return extra_matrix[[place[t] for t in texts]] if texts else sparse.csr_matrix((0, width))
    both = sparse.vstack([stored, extra_matrix], format="csr")
    offset = stored.shape[0]
    return both[[index[t] if t in index else offset + place[t] for t in texts]]


def _matrix(parts: list[tuple[np.ndarray, np.ndarray]], width: int):
    """A CSR matrix of rows given as (column indices, values)."""
    from scipy import sparse

    lengths = np.fromiter((len(p[0]) for p in parts), dtype=np.int64, count=len(parts))
    indptr = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
    data = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.float64)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(parts), width))


def _stored_matrix(width: int):
    """The matrix of the rows :func:`load` read (made on first use), or None (none read, or not ``width`` wide)."""
    from scipy import sparse

    if "arrays" not in _stored:
        return None
    if _stored.get("width") != width:
        indptr, indices, data = _stored["arrays"]
        if len(indices) and (int(indices.max()) >= width or int(indices.min()) < 0):
            _stored.clear()  # another width: n-grammed again
            return None
        _stored["matrix"] = sparse.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, width))
        _stored["width"] = width
    return _stored["matrix"]


def _row(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(column indices, values) of a known text's row."""
    row = _stored.get("index", {}).get(text)
    if row is None:
        return _rows[text]
    indptr, indices, data = _stored["arrays"]
    return indices[indptr[row]:indptr[row + 1]], data[indptr[row]:indptr[row + 1]]


def path_for(folder: Path, entry: str) -> Path:
    """The file that keeps the n-gram rows of stored result ``entry`` in ``folder``."""
    return folder / (entry + SUFFIX)


def load(path: Path) -> None:
    """Add the rows stored in ``path`` (same :func:`version` only) and start recording which texts this run
    uses."""
    global _fresh, _loaded
    _touched.clear()
    _stored.clear()
    _fresh, _loaded = 0, 0
    try:
        data = read_pickle(path)
        if not isinstance(data, dict) or data.get("version") != version():
            return
        texts = list(data["texts"])
        indptr, indices, values = (np.asarray(data[k]) for k in ("indptr", "indices", "data"))
        if len(indptr) != len(texts) + 1 or int(indptr[-1]) != len(indices) or len(indices) != len(values) \
                or (len(indptr) > 1 and (np.diff(indptr) < 0).any()):
            return
        _stored.update(index={t: k for k, t in enumerate(texts)}, arrays=(indptr, indices, values))
        _loaded = len(texts)
    except Exception:  # missing, corrupt, another layout: n-grammed again
        return


def save(path: Path) -> None:
    """Store the rows used since :func:`load` in ``path`` (nothing when none was new); failures ignored.
    A few new texts and a few stale rows (:func:`~notes2anki.semantic.text_memo.few_new`) do not rewrite it (30 MB at 10,000 cards: 0.3 s): the next run n-grams those few
    texts again, as :class:`~notes2anki.semantic.vector_memo.VectorMemo` does with vectors."""
    if not _fresh and len(_touched) == _loaded:
        return
    if few_new(_fresh, len(_touched), _loaded):
        return
    index = _stored.get("index", {})
    texts = sorted(t for t in _touched if t in _rows or t in index)
    parts = [_row(t) for t in texts]
    indptr = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p[0]) for p in parts], out=indptr[1:])
    data = {"version": version(), "texts": texts, "indptr": indptr,
            "indices": np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32),
            "data": np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError):
        pass
