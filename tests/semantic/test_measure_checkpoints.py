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


def test_the_approximate_searchs_result_lives_in_a_file_not_in_the_verdict_table(tmp_path, monkeypatch):
    """Above ANN_ABOVE sides the search and densities were one row of the verdict table (16 MB at 100,000
    cards), which SQLite read whole for each of a million verdict look-ups: they go to a file now, and an
    old row is moved there once and emptied."""
    import pickle
    import sqlite3

    from notes2anki.semantic import mining
    from notes2anki.semantic.cache import PairVerdictCache

    pytest = __import__("pytest")
    if mining._faiss() is None:
        pytest.skip("faiss is not installed")
    monkeypatch.setattr(mining, "ANN_ABOVE", 3)
    path = tmp_path / "cache.sqlite"
    with Embedder(cache_path=path) as embedder:
        first = find_duplicates(cards(), embedder=embedder)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM verdicts WHERE kind = 'dupes-mining'").fetchone()[0] == 0
    [store] = (tmp_path / "cache.sqlite.dupes").glob("*.mining.pickle")
    data = pickle.loads(store.read_bytes())
    assert data["format"] == pair_cache.MINING_FORMAT and len(data["pairs"]) == first.judged.candidates
    # an older version's row: read once, moved to the file, emptied; same result
    import hashlib

    where = "\n".join(sorted({c.file for c in cards()}))
    key = (hashlib.sha256(where.encode("utf-8")).hexdigest(), "mining")
    old = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in data.items() if k != "format"}
    store.unlink()
    for memo in (tmp_path / "cache.sqlite.dupes").glob("*"):
        if memo.name.endswith((".pickle",)) and ".mining." not in memo.name:
            memo.unlink()  # (no replay of the last result)
    with Embedder(cache_path=path) as embedder:
        PairVerdictCache(embedder.cache, "dupes-mining").put({key: old})
        searched = []
        real = pair_cache.candidate_pairs
        monkeypatch.setattr(pair_cache, "candidate_pairs", lambda *a, **k: searched.append(1) or real(*a, **k))
        again = find_duplicates(cards(), embedder=embedder)
        assert PairVerdictCache(embedder.cache, "dupes-mining").get([key]) == {key: None}
    assert searched == [] and store.exists()
    assert outcome(again) == outcome(first)
