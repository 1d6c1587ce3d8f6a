"""A cold duplicate check measures its candidate pairs in parts and stores each part as it is done, so a run
killed between parts resumes where it stopped (issue 13: a 100,000-card cold build measures about a million
pairs; last round's run was killed after hours and started over)."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from notes2anki.semantic import pair_cache
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.encoder import Embedder

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from test_dupes_verdict_cache import cards, outcome  # noqa: E402


def test_parts_hold_every_missing_pair_once_and_keep_a_sides_pairs_together():
    rng = random.Random(4)
    pairs = sorted({tuple(sorted(rng.sample(range(400), 2))) for _ in range(3000)})
    missing = [n for n in range(len(pairs)) if n % 7]
    parts = pair_cache.checkpoint_parts(pairs, missing, size=250)
    assert sorted(n for part in parts for n in part) == missing
    assert all(0 < len(part) <= 250 for part in parts)
    assert pair_cache.checkpoint_parts(pairs, missing[:100], size=250) == [missing[:100]]  # one part: as given
    assert pair_cache.checkpoint_parts(pairs, [], size=250) == []
    # a chain of sides: each part touches few sides (ordered along the chain, not by the first index)
    chain = [(i, i + 1) for i in range(0, 999)]
    shuffled = chain[::2] + chain[1::2]
    parts = pair_cache.checkpoint_parts(shuffled, list(range(len(shuffled))), size=100)
    assert max(len({s for n in part for s in shuffled[n]}) for part in parts) <= 102


KILLED = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from notes2anki.semantic import pair_cache
    from notes2anki.semantic.dupes import find_duplicates
    from notes2anki.semantic.encoder import Embedder
    from test_dupes_verdict_cache import cards
    pair_cache.CHECKPOINT_PAIRS = 2
    real, calls = pair_cache.measure, []
    def measure(enc, pairs):
        calls.append(len(pairs))
        if len(calls) == 3:
            print(sum(calls[:2]), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)  # killed between the second and the third part
        return real(enc, pairs)
    pair_cache.measure = measure
    with Embedder(cache_path={cache!r}) as embedder:
        find_duplicates(cards(), embedder=embedder)
""")


def test_a_cold_check_killed_between_parts_resumes_from_the_stored_parts(tmp_path, monkeypatch):
    cache = tmp_path / "cache.sqlite"
    env = dict(os.environ, PYTHONPATH=str(ROOT), NOTES2ANKI_JOBS="1")
    done = subprocess.run([sys.executable, "-c", KILLED.format(tests=str(Path(__file__).parent), cache=str(cache))],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == -9, done.stderr[-2000:]
    stored = int(done.stdout.split()[-1])
    assert stored == 4  # two parts of 2 measured and stored before the kill
    monkeypatch.setattr(pair_cache, "CHECKPOINT_PAIRS", 2)
    with Embedder(cache_path=cache) as embedder:
        resumed = find_duplicates(cards(), embedder=embedder)
    assert resumed.judged.cached == stored and resumed.judged.measured == resumed.judged.candidates - stored
    with Embedder(cache_path=tmp_path / "fresh.sqlite") as embedder:
        whole = find_duplicates(cards(), embedder=embedder)  # one run, not stopped
        plain = find_duplicates(cards(), embedder=embedder, use_cache=False)
    assert outcome(resumed) == outcome(whole) == outcome(plain)
    assert any(p.kind == "near" for p in resumed.pairs) and resumed.rejected


def test_rows_measured_in_parts_equal_rows_measured_at_once(tmp_path, monkeypatch):
    from notes2anki.semantic import dupes

    kept: dict[int, np.ndarray] = {}
    real = pair_cache.measured_rows

    def spy(enc, candidates, *args, **kwargs):
        rows = real(enc, candidates, *args, **kwargs)
        kept[len(kept)] = rows.copy()
        return rows

    monkeypatch.setattr(dupes, "measured_rows", spy)
    with Embedder(cache_path=":memory:") as embedder:
        find_duplicates(cards(), embedder=embedder, use_cache=False)
        monkeypatch.setattr(pair_cache, "CHECKPOINT_PAIRS", 2)
        find_duplicates(cards(), embedder=embedder, use_cache=False)
    assert kept[0].shape == kept[1].shape and len(kept[0]) >= 7
    assert np.array_equal(kept[0], kept[1])  # bit for bit
