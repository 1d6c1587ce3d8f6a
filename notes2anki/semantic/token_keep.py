"""Token states taken from the sentence-vector pass, for ``ctx_diff`` (issue 13, "fast at 10k").

On the CPU the ONNX session that gives the sentence vectors runs the graph that also outputs the token states
(:mod:`~notes2anki.semantic.token_graph`), so a card text's states can come from the forward pass that embeds
it instead of a second pass later (:mod:`~notes2anki.semantic.token_align`; a cold build of the 10,000-card
bench vault ran that second pass over 9,447 card texts, 63 CPU-s). While :func:`keeping` is active,
:meth:`~notes2anki.semantic.onnx_backend.OnnxEncoder.encode` asks its session for the second output too in the
batches that hold a wanted text (the card texts the duplicate check may align) and hands each wanted text's
states (:func:`~notes2anki.semantic.token_states.unit_states`, the rows
:meth:`~notes2anki.semantic.token_states.TokenEncoder.states` makes: a text's rows do not depend on its batch
or padding, fp32 and per-row int8 alike, tested) to :func:`put`; ``token_align`` reads them with
:func:`take` before computing any. Texts not kept (served by the embedding cache, past the cap, another
session) are computed on demand as before.

Where: a temporary file in the cache dir (``NOTES2ANKI_CACHE_DIR``, :func:`notes2anki.paths.cache_dir`), written
sequentially and read back by offset; only an index (text -> offset, rows) stays in memory. The 10,000-card
bench vault's card texts hold 158,600 token rows (15.9 a text), 232 MiB as float32 384 wide: more than its
build may grow in RAM. The file is made by :func:`tempfile.TemporaryFile` (on POSIX unlinked at once, so
nothing is left even after a kill; on Windows deleted on close) and closed when :func:`keeping` ends, on error
or Ctrl-C too. It holds at most :data:`CAP_BYTES` (and half the disk's free space); texts beyond fall back
to on-demand. Never kept across runs.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import numpy as np

CAP_BYTES = 4 << 30  # states written at most (100,000 bench cards: about 2.3 GiB)
_DIM_BYTES = 4  # float32


class _Kept:
    """The wanted texts and the states written so far, by session."""

    def __init__(self, texts: Iterable[str], cap: int):
        self.wanted = set(texts)
        self.cap, self.size = cap, 0
        self.lock = threading.Lock()
        self.file: Any = None  # opened on the first put
        self.failed = False  # the file could not be made: keep nothing
        self.sessions: list[Any] = []  # the sessions whose states are held (index = slot)
        self.at: list[dict[str, tuple[int, int, int]]] = []  # per slot: text -> (offset, pieces, dim)
        self.served = 0  # texts taken back

    def slot(self, session: Any) -> int:
        for k, known in enumerate(self.sessions):
            if known is session:
                return k
        self.sessions.append(session)
        self.at.append({})
        return len(self.sessions) - 1

    def open(self) -> bool:
        if self.file is None and not self.failed:
            try:
                from notes2anki.paths import cache_dir

                folder = cache_dir()
                folder.mkdir(parents=True, exist_ok=True)
                self.cap = min(self.cap, shutil.disk_usage(folder).free // 2)
                self.file = tempfile.TemporaryFile(buffering=0, prefix="token-states-", suffix=".tmp", dir=folder)
            except OSError:
                self.failed = True
        return self.file is not None

    def close(self) -> None:
        with self.lock:
            if self.file is not None:
                try:
                    self.file.close()
                except OSError:
                    pass
            self.file, self.failed, self.at, self.sessions = None, True, [], []


_ACTIVE: _Kept | None = None


def _write(file: Any, data: bytes, offset: int) -> None:
    """``data`` at ``offset`` (positional I/O where there is one: a forked worker shares the file position)."""
    if hasattr(os, "pwrite"):
        view = memoryview(data)
        while view:
            done = os.pwrite(file.fileno(), view, offset)
            view, offset = view[done:], offset + done
    else:  # pragma: no cover - Windows
        file.seek(offset)
        file.write(data)


def _read(file: Any, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(file.fileno(), size, offset)
    file.seek(offset)  # pragma: no cover - Windows
    return file.read(size)  # pragma: no cover


@contextmanager
def keeping(texts: Iterable[str], cap: int | None = None) -> Iterator[None]:
    """While the block runs, the ONNX sentence pass on the CPU keeps the token states of ``texts`` (card
    texts) for ``ctx_diff``, at most ``cap`` bytes (None: :data:`CAP_BYTES`); at its end (also on an error or
    Ctrl-C) the states and their temporary file are dropped. Not nested: an inner call keeps nothing more."""
    global _ACTIVE
    if _ACTIVE is not None:
        yield
        return
    kept = _Kept(texts, CAP_BYTES if cap is None else cap)
    _ACTIVE = kept
    try:
        yield
    finally:
        _ACTIVE = None
        kept.close()


def active() -> bool:
    """Whether a :func:`keeping` block is open (a sentence session loaded now should output the token states)."""
    return _ACTIVE is not None


def wanted(session: Any) -> frozenset | set | None:
    """The texts whose token states a sentence pass on ``session`` should hand to :func:`put`, or None when
    nothing is kept now (no :func:`keeping` block, or its file could not be made or is full)."""
    kept = _ACTIVE
    if kept is None or kept.failed or kept.size >= kept.cap or not kept.wanted:
        return None
    return kept.wanted


def put(session: Any, text: str, ids: np.ndarray, rows: np.ndarray) -> bool:
    """Keep ``text``'s token states from ``session``: ``ids`` (pieces,) int64, ``rows`` (pieces, dim) float32
    unit rows, as :func:`~notes2anki.semantic.token_states.unit_states` gives them. Thread-safe (the sentence
    pass runs batches in threads). False when not kept (no block, cap reached, the file failed); never raises
    OSError."""
    kept = _ACTIVE
    if kept is None:
        return False
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    rows = np.ascontiguousarray(rows, dtype=np.float32)
    data = rows.tobytes() + ids.tobytes()
    with kept.lock:
        if kept is not _ACTIVE or not kept.open() or kept.size + len(data) > kept.cap:
            return False
        at = kept.at[kept.slot(session)]
        if text in at:
            return True
        try:
            _write(kept.file, data, kept.size)
        except OSError:
            kept.failed = True
            return False
        at[text] = (kept.size, len(ids), rows.shape[1] if rows.ndim == 2 else 0)
        kept.size += len(data)
    return True


def take(session: Any, texts: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The kept token states of those ``texts`` that the sentence pass on ``session`` kept: text -> (ids,
    rows), as :meth:`~notes2anki.semantic.token_states.TokenEncoder.states` gives them (the same bits); {}
    outside a :func:`keeping` block. A text whose states cannot be read back is left out (computed on demand)."""
    kept = _ACTIVE
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if kept is None:
        return out
    with kept.lock:
        if kept.file is None or kept is not _ACTIVE:
            return out
        at = kept.at[kept.slot(session)]
        for text in texts:
            found = at.get(text)
            if found is None or text in out:
                continue
            offset, pieces, dim = found
            size = pieces * dim * _DIM_BYTES
            try:
                data = _read(kept.file, size + pieces * 8, offset)
            except OSError:
                continue
            if len(data) != size + pieces * 8:
                continue
            rows = np.frombuffer(data, dtype=np.float32, count=pieces * dim).reshape(pieces, dim)
            out[text] = (np.frombuffer(data, dtype=np.int64, offset=size), rows)
        kept.served += len(out)
    return out


def stats() -> dict[str, int]:
    """What the active block holds: texts kept, bytes written, texts taken back ({} outside a block)."""
    kept = _ACTIVE
    if kept is None:
        return {}
    return {"texts": sum(len(at) for at in kept.at), "bytes": kept.size, "served": kept.served}
