"""Measuring many candidate pairs on every core (issue 13, cold runs).

A cold duplicate check of 10,000 cards measures about 98,000 candidate pairs; the measurements
(:func:`notes2anki.semantic.pair_features.pair_features`) are pure Python, so one process uses one core.
:func:`measure_rows` splits the pairs into contiguous chunks and measures them in worker processes started
with ``fork`` (Linux): each worker inherits the encoded sides, their word vectors and n-gram matrices from
the parent (copy-on-write, nothing is pickled but the chunk bounds and the rows coming back), computes what
a chunk needs per pair (its n-gram cosines: ``prepare``), reads nothing else and writes nothing. No chunk
holds more than :data:`CHUNK_PAIRS` pairs, and the rows go into one array as they come back: at 100,000
cards (about a million candidate pairs) the per-pair values of all pairs are never held at once. The rows are the same as measuring in one process (each pair's measurement reads
only its two sides). Below :data:`MIN_PAIRS` pairs, with one usable core, where ``fork`` is unavailable
(macOS, Windows: ``spawn`` would have to pickle everything) or with ``NOTES2ANKI_JOBS=1``, the pairs are
measured in this process.

``NOTES2ANKI_JOBS``: the number of worker processes (default: the usable cores, at most :data:`MAX_JOBS`).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Callable, Sequence

import numpy as np

MIN_PAIRS = 4000  # fewer pairs: starting workers costs more than it saves
MAX_JOBS = 8
_CHUNKS_PER_JOB = 4  # smaller chunks even out the work when a core is busy with something else
_WORK: tuple | None = None  # (measure, enc, pairs, prepare), set in the parent before the fork
CHUNK_PAIRS = 20_000  # pairs per part at most (see measure_rows: what a part holds is bounded)


def jobs() -> int:
    """Worker processes to use: ``NOTES2ANKI_JOBS`` when set (a whole number ≥ 1; anything else is
    ignored), else the cores this process may run on, at most :data:`MAX_JOBS`."""
    value = os.environ.get("NOTES2ANKI_JOBS", "").strip()
    if value.isascii() and value.isdigit() and int(value) >= 1:
        return int(value)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


def _worker_start(parent: int) -> None:
    """In each worker: Ctrl-C (sent to the whole process group by a terminal) is the parent's to handle —
    it stops the pool, so the workers print no traceback of their own; and a worker ends with its parent
    (killed with ``kill -9``, it leaves no worker measuring on into a closed terminal)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _measure_chunk(bounds: tuple[int, int]) -> np.ndarray:
    assert _WORK is not None
    measure, enc, pairs, prepare = _WORK
    return _measured(measure, enc, pairs[bounds[0]:bounds[1]], prepare)


def _measured(measure: Callable, enc, pairs: Sequence[tuple[int, int]], prepare: Callable | None) -> np.ndarray:
    """``measure(enc, pairs)`` after ``prepare(enc, pairs)`` (None: nothing to prepare)."""
    if prepare is not None:
        prepare(enc, pairs)
    return measure(enc, pairs)


def measure_rows(enc, pairs: Sequence[tuple[int, int]], measure: Callable, *, workers: int | None = None,
                 min_pairs: int | None = None, prepare: Callable | None = None,
                 chunk_pairs: int | None = None) -> np.ndarray:
    """``measure(enc, pairs)`` (an (n, features) float64 array), computed by ``workers`` forked processes
    (None: :func:`jobs`) when there are at least ``min_pairs`` pairs; else, or where ``fork`` is not
    available, in this process. ``enc`` must be complete before the call (word vectors): the workers only
    read it.

    ``prepare(enc, part)``: run before measuring each part of at most ``chunk_pairs`` pairs (None:
    :data:`CHUNK_PAIRS`), in the process
    that measures it (e.g. :func:`~notes2anki.semantic.pair_features.char_cosines`, whose per-pair values
    are then held for one part at a time: measuring 1,000,000 pairs does not hold them all). The rows are
    written into one array as the parts come back (no second copy for concatenating them)."""
    global _WORK
    workers = jobs() if workers is None else workers
    min_pairs = MIN_PAIRS if min_pairs is None else min_pairs  # (None: the module's values when called)
    chunk_pairs = CHUNK_PAIRS if chunk_pairs is None else chunk_pairs
    pairs = list(pairs)
    parallel = workers >= 2 and len(pairs) >= max(2, min_pairs) and "fork" in multiprocessing.get_all_start_methods()
    count = max(min(len(pairs), workers * _CHUNKS_PER_JOB) if parallel else 1, -(-len(pairs) // max(1, chunk_pairs)))
    if count <= 1 or not pairs:
        return _measured(measure, enc, pairs, prepare)
    edges = np.linspace(0, len(pairs), count + 1).astype(int).tolist()
    bounds = list(zip(edges[:-1], edges[1:]))
    out: np.ndarray | None = None

    def place(start: int, stop: int, part: np.ndarray) -> None:
        nonlocal out
        if out is None:
            out = np.empty((len(pairs),) + part.shape[1:], dtype=part.dtype)
        out[start:stop] = part

    if not parallel:
        for start, stop in bounds:
            place(start, stop, _measured(measure, enc, pairs[start:stop], prepare))
        return out
    _WORK = (measure, enc, pairs, prepare)
    try:
        with multiprocessing.get_context("fork").Pool(workers, _worker_start, (os.getpid(),)) as pool:
            for (start, stop), part in zip(bounds, _polled(pool.imap(_measure_chunk, bounds, chunksize=1))):
                place(start, stop, part)
    finally:
        _WORK = None
    return out


POLL_S = 0.2  # how long the parent waits for a part before it runs the signal handlers due (see _polled)


def _polled(results):
    """The items of a pool's ``imap`` iterator, waited for :data:`POLL_S` at a time. A stop signal (Ctrl-C,
    SIGTERM) may be taken by one of the pool's threads; CPython then runs the Python handler only when the
    main thread next runs bytecode, which a main thread blocked on the results' condition never did — the
    command waited for its workers' whole parts (measured: 2–3 of 12 runs under load never stopped)."""
    while True:
        try:
            yield results.next(timeout=POLL_S)
        except StopIteration:
            return
        except multiprocessing.TimeoutError:
            continue
