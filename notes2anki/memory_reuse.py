"""Freed memory kept for reuse by a duplicate check after an edit (glibc only; elsewhere nothing changes).

glibc hands every allocation of more than 32 MiB (its largest dynamic threshold) to its own ``mmap`` and
gives it back to the kernel when freed, so each such array is fresh memory that the kernel zeroes and maps a
page at a time. A ``build`` after an edit of a 10,000-card vault makes a dozen of them (the 99,000
candidate pairs' feature rows, 38 MB, gathered from the memo, standardised for the judge; the card vectors,
46 MB) and paid 0.3-0.4 s of system time faulting them in (issue 13's edit row: 0.75-0.8 s system time
before, 0.4-0.45 s after). :func:`keep_freed_memory` raises the thresholds so arrays up to
:data:`MMAP_THRESHOLD` come from the heap and freed ones are reused; at most :data:`TRIM_THRESHOLD` of
free heap is kept before it is given back. Values, results and output are the same either way; larger
arrays (a 100,000-card vault's) are mapped and unmapped as before. Only a check that has the memo of an
earlier one calls it (:func:`~notes2anki.semantic.dupes.check_duplicates`), for the rest of its process: a
cold build's peak memory grew by about 290 MB with it (1,153 MiB against 860 MiB on the 10,000-card bench
vault), as freed heap is kept rather than given back.
"""
from __future__ import annotations

import sys

MMAP_THRESHOLD = 256 << 20  # allocations up to this size come from the heap (glibc's own cap: 32 MiB)
TRIM_THRESHOLD = 512 << 20  # free heap kept for reuse before glibc gives memory back to the kernel
_M_TRIM_THRESHOLD = -1  # mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for the rest of this process (see the module doc), once.
    True when they are set (now or earlier); False off Linux/glibc or when ``mallopt`` refuses (never
    raises)."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (OSError, AttributeError, TypeError):  # not glibc (musl has no mallopt), no libc handle
        return False
    return _done
