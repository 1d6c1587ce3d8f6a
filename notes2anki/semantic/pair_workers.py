"""Measuring many candidate pairs on every core (issue 13, cold runs).

A cold duplicate check of 10,000 cards measures about 98,000 candidate pairs; the measurements
(:func:`notes2anki.semantic.pair_features.pair_features`) are pure Python, so one process uses one core.
:func:`measure_rows` splits the pairs into contiguous chunks and measures them in worker processes started
with ``fork`` (Linux): each worker inherits the encoded sides, their word vectors and n-gram cosines from
the parent (copy-on-write, nothing is pickled but the chunk bounds and the rows coming back), reads nothing
else and writes nothing. The rows are the same as measuring in one process (each pair's measurement reads
only its two sides). Below :data:`MIN_PAIRS` pairs, with one usable core, where ``fork`` is unavailable
(macOS, Windows: ``spawn`` would have to pickle everything) or with ``NOTES2ANKI_JOBS=1``, the pairs are
measured in this process.

``NOTES2ANKI_JOBS``: the number of worker processes (default: the usable cores, at most :data:`MAX_JOBS`).
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence

import numpy as np

MIN_PAIRS = 4000  # fewer pairs: starting workers costs more than it saves
MAX_JOBS = 8
_CHUNKS_PER_JOB = 4  # smaller chunks even out the work when a core is busy with something else
_WORK: tuple | None = None  # (measure, enc, pairs), set in the parent before the fork


def jobs() -> int:
    """Worker processes to use: ``NOTES2ANKI_JOBS`` when set (a whole number ≥ 1; anything else is
    ignored), else the cores this process may run on, at most :data:`MAX_JOBS`."""
    value = os.environ.get("NOTES2ANKI_JOBS", "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


def _measure_chunk(bounds: tuple[int, int]) -> np.ndarray:
    assert _WORK is not None
    measure, enc, pairs = _WORK
    return measure(enc, pairs[bounds[0]:bounds[1]])


def measure_rows(enc, pairs: Sequence[tuple[int, int]], measure: Callable, *, workers: int | None = None,
                 min_pairs: int = MIN_PAIRS) -> np.ndarray:
    """``measure(enc, pairs)`` (an (n, features) array), computed by ``workers`` forked processes (None:
    :func:`jobs`) when there are at least ``min_pairs`` pairs; else, or where ``fork`` is not available, in
    this process. ``enc`` must be complete before the call (word vectors, n-gram cosines): the workers
    only read it."""
    global _WORK
    workers = jobs() if workers is None else workers
    if workers < 2 or len(pairs) < max(2, min_pairs) or "fork" not in multiprocessing.get_all_start_methods():
        return measure(enc, pairs)
    pairs = list(pairs)
    count = min(len(pairs), workers * _CHUNKS_PER_JOB)
    edges = np.linspace(0, len(pairs), count + 1).astype(int).tolist()
    _WORK = (measure, enc, pairs)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_measure_chunk, list(zip(edges[:-1], edges[1:])), chunksize=1)
    finally:
        _WORK = None
    return np.concatenate(parts) if parts else measure(enc, pairs)
