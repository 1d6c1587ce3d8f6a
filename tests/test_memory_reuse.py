"""Freed memory kept for reuse by a duplicate check after an edit (issue 13, ``build`` after an edit: big
arrays are no longer fresh memory faulted in page by page each time): a big array freed is reused by the
next one (which check sets it: tests/semantic/test_edit_copies.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from notes2anki import memory_reuse

REPO = Path(__file__).resolve().parent.parent

REUSE = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    from notes2anki import memory_reuse
    set_now = memory_reuse.keep_freed_memory() if sys.argv[1] == "keep" else None

    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    rows = np.ones((100_000, 48))  # 38 MB, as the feature rows of a 10,000-card vault's candidate pairs
    first = rows - 1.0
    del first
    before = faults()
    second = rows - 1.0
    print(json.dumps({"set": set_now, "faults": faults() - before, "sum": float(second.sum())}))
""")


def _reuse(mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", REUSE, mode], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_big_array_freed_is_reused_by_the_next_one():
    kept = _reuse("keep")
    if not kept["set"]:
        pytest.skip("not glibc")
    assert kept["faults"] < 64  # the freed 38 MB came back from the heap, not as fresh pages
    assert kept["sum"] == _reuse("plain")["sum"] == 0.0  # same values


def test_keeping_freed_memory_never_raises_and_is_done_once():
    first = memory_reuse.keep_freed_memory()
    assert isinstance(first, bool)
    assert memory_reuse.keep_freed_memory() is first
