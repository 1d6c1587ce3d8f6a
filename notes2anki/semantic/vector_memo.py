"""Card-text vectors of the last duplicate check, kept beside its stored result (issue 13: after an edit of
one card of a 10,000-card vault, reading 30,000 vectors back from the embedding cache's SQLite took 1.6 s).

:class:`VectorMemo` wraps an embed function (texts -> unit rows, e.g.
:meth:`~notes2anki.semantic.encoder.Embedder.embed`): texts embedded by the last check come from one array
(``<cache file>.dupes/<entry>.vectors.pickle``; the entry is per model, see
:mod:`~notes2anki.semantic.dupes_memo`), the others from ``embed`` (the cache, or the model). Tied to
TEXT_VERSION and the embedder's model key. A file that cannot be read is ignored; nothing here raises.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from notes2anki.fileio import atomic_write
from notes2anki.memo_file import dumps as memo_dumps, read_pickle

SUFFIX = ".vectors.pickle"
REWRITE_NEW = 64  # new texts that alone do not rewrite the file (see VectorMemo.save)
PLACE_BLOCK = 4096  # rows gathered at a time by VectorMemo.placed (6 MB of 384-wide float32 vectors)


class VectorMemo:
    """``embed`` through the vectors stored in ``path`` for model ``key`` (see the module doc). The stored
    vectors stay one array (rows found by a dict of texts, gathered by one fancy index): a dict of 30,000
    row views and a stack of them took about 0.1 s of every check after an edit."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], path: Path, key: str, stats=None):
        from notes2anki.semantic.text import TEXT_VERSION

        self._embed, self.path, self.key, self.stats = embed, path, f"{key}\0{TEXT_VERSION}", stats
        self._stored = np.zeros((0, 0), dtype=np.float32)  # the file's vectors, one row per stored text
        self._at: dict[str, int] = {}  # text -> its row of _stored
        self._new: dict[str, np.ndarray] = {}  # texts embedded since loading -> vector
        self.used: set[str] = set()  # texts asked for since loading
        self.fresh: set[str] = set()  # texts not in the file
        self.changed = False
        try:
            data = read_pickle(path, mapped=True)  # (its vectors: a read-only view of the file, no copy)
            if isinstance(data, dict) and data.get("key") == self.key:
                stored = np.asarray(data["vectors"], dtype=np.float32)
                texts = list(data["texts"])
                if stored.ndim == 2 and stored.shape[0] == len(texts):
                    self._stored, self._at = stored, dict(zip(texts, range(len(texts))))
        except Exception:  # missing, corrupt: from the embedding cache
            self._stored, self._at = np.zeros((0, 0), dtype=np.float32), {}

    @property
    def rows(self) -> dict[str, np.ndarray]:
        """Every known text -> its vector (stored or embedded since loading)."""
        return {**{text: self._stored[k] for text, k in self._at.items()}, **self._new}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dim) float32 array of unit vectors, as ``embed`` gives them."""
        found = self._lookup(texts)
        if not isinstance(found, tuple):
            return found
        rows, _ = found
        if not self._new:  # (every text stored)
            return self._stored[rows]
        out = self._stored[np.maximum(rows, 0)] if self._at else np.empty((len(texts), self._dim()), dtype=np.float32)
        for n in np.nonzero(rows < 0)[0].tolist():
            out[n] = self._new[texts[n]]
        return out

    def placed(self, texts: Sequence[str], total: int, dest: np.ndarray) -> np.ndarray | None:
        """A (total, dim) float32 array, zero but for row ``dest[k]`` = the vector of ``texts[k]`` (as
        :meth:`__call__` gives it), gathered from the stored vectors a block at a time: no (len(texts), dim)
        temporary to scatter from (after an edit of the 10,000-card bench vault, whose card vectors are a
        46 MB array, that copy was the second of its size). None when this memo cannot give the texts' vectors
        as one array (vectors of another size): then call it."""
        dest = np.asarray(dest, dtype=np.int64)
        if len(dest) != len(texts):
            return None
        found = self._lookup(texts)
        if not isinstance(found, tuple):  # the vectors themselves (every text new, or all from ``embed``)
            if found.ndim != 2 or found.shape[0] != len(texts):
                return None
            out = np.zeros((total, found.shape[1] if len(texts) else 0), dtype=np.float32)
            out[dest] = found
            return out
        rows, dim = found
        out = np.zeros((total, dim), dtype=np.float32)
        if not len(texts):
            return out
        for start in range(0, len(rows) if self._at else 0, PLACE_BLOCK):
            part, where = rows[start:start + PLACE_BLOCK], dest[start:start + PLACE_BLOCK]
            stored = part >= 0
            if stored.any():
                out[where[stored]] = self._stored[part[stored]]
        for n in np.nonzero(rows < 0)[0].tolist():
            out[dest[n]] = self._new[texts[n]]
        return out

    def _lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, int] | np.ndarray:
        """Embed the texts not known yet and count the texts used: (each text's row of the stored array, -1
        for one embedded since loading; the vectors' size), or the vectors themselves when they come whole from
        ``embed`` (every text new; vectors of more than one size: all asked of ``embed``)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._at and t not in self._new))
        if missing:
            fresh = self._embed(missing)
            if fresh.ndim != 2 or fresh.shape[0] != len(missing):
                return self._embed(list(texts))
            self._new.update(zip(missing, fresh))
            self.fresh.update(missing)
            self.changed = True
            if len(missing) == len(texts):  # every text new and none twice: ``fresh`` itself (no copy)
                self.used.update(texts)
                return np.asarray(fresh, dtype=np.float32)
        elif self.stats is not None:
            self.stats.cached += len(set(texts))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        dims = {v.shape[0] for v in self._new.values()} | ({self._stored.shape[1]} if self._at else set())
        if len(dims) != 1:  # another size stored: ask the cache for all
            return self._embed(list(texts))
        self.used.update(texts)
        at = self._at
        return np.fromiter((at.get(t, -1) for t in texts), dtype=np.int64, count=len(texts)), dims.pop()

    def _dim(self) -> int:
        return self._stored.shape[1] if self._at else next(iter(self._new.values())).shape[0]

    def _vector(self, text: str) -> np.ndarray:
        return self._new[text] if text in self._new else self._stored[self._at[text]]

    def save(self) -> None:
        """Store the vectors used since loading (nothing when all came from the file and it held no more).
        A few new texts (an edit: at most :data:`REWRITE_NEW` or 2 % of those used) and a few stale rows (at
        most a quarter) do not rewrite the file (30,000 vectors: 0.5 s): the next run takes the few new
        ones from the embedding cache, which it opens anyway when something changed."""
        stored = len(self._at)
        new = len(self.fresh)
        stale = stored - (len(self.used) - sum(1 for t in self.fresh if t in self.used))
        if not self.changed and len(self.used) == stored:
            return
        if stored and new <= max(REWRITE_NEW, 0.02 * len(self.used)) and stale <= stored // 4:
            return
        texts = [t for t in self._at if t in self.used] + [t for t in self._new if t in self.used and t not in self._at]
        data = {"key": self.key, "texts": texts,
                "vectors": np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, 0), np.float32)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, memo_dumps(data, out_of_band=True), durable=False)
        except (OSError, pickle.PicklingError):
            pass
