"""The embedding cache: re-encode only new or changed texts, survive broken files, never import torch
when nothing needs encoding."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from notes2anki.model import Card
from notes2anki.semantic.cache import EmbeddingCache, text_hash
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.encoder import Embedder, EncoderError, resolve_model
from notes2anki.semantic.text import TEXT_VERSION

REPO = Path(__file__).resolve().parents[2]


def vec(*values: float) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def test_vectors_round_trip_keyed_by_model_and_text_version(tmp_path):
    path = tmp_path / "c.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put("m1", 1, {"h1": vec(1, 2, 3), "h2": vec(4, 5, 6)})
        assert cache.warnings == []
    with EmbeddingCache(path) as cache:
        got = cache.get("m1", 1, ["h1", "h2", "h3"])
        assert set(got) == {"h1", "h2"} and np.array_equal(got["h1"], vec(1, 2, 3))
        assert cache.get("m2", 1, ["h1"]) == {}  # another model
        assert cache.get("m1", 2, ["h1"]) == {}  # another text version


@pytest.mark.parametrize("content", [b"this is not a database at all", b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_corrupt_cache_file_is_rebuilt_with_a_warning(tmp_path, content):
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(content)
    with EmbeddingCache(path) as cache:
        assert len(cache.warnings) == 1 and "rebuilding" in cache.warnings[0]
        cache.put("m", 1, {"h": vec(1, 0)})
    with EmbeddingCache(path) as cache:  # the rebuilt file is a good cache
        assert cache.warnings == [] and "h" in cache.get("m", 1, ["h"])


def test_a_foreign_sqlite_database_is_rebuilt_with_a_warning(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE vectors (x)")
    conn.execute("CREATE TABLE meta (key, value)")
    conn.execute("INSERT INTO meta VALUES ('app', 'someone-else')")
    conn.commit()
    conn.close()
    with EmbeddingCache(path) as cache:
        assert any("not a notes2anki embedding cache" in w for w in cache.warnings)
        cache.put("m", 1, {"h": vec(1, 0)})
        assert "h" in cache.get("m", 1, ["h"])


def test_an_unwritable_location_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache dir should be")
    with EmbeddingCache(blocker / "sub" / "embeddings.sqlite") as cache:
        assert cache.path is None and any("in-memory" in w for w in cache.warnings)
        cache.put("m", 1, {"h": vec(1, 0)})
        assert "h" in cache.get("m", 1, ["h"])


def test_the_library_never_prints_warnings(tmp_path, capsys):
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(b"garbage")
    with EmbeddingCache(path) as cache:
        assert cache.warnings
    assert capsys.readouterr() == ("", "")


def test_embedder_encodes_each_new_text_once(tmp_path, embedder):
    with Embedder(cache_path=tmp_path / "c.sqlite") as e:
        first = e.embed(["alpha card", "beta card", "alpha card"])
        assert first.shape == (3, 384) and np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
        assert e.stats.encoded == 2
        again = e.embed(["beta card", "gamma card"])
        assert e.stats.encoded == 3 and e.stats.encoded_texts[-1] == "gamma card"
        assert np.allclose(again[0], first[1])
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        key = resolve_model(None).key
        assert set(cache.get(key, TEXT_VERSION, [text_hash(t) for t in ("alpha card", "gamma card")])) == \
            {text_hash("alpha card"), text_hash("gamma card")}


def test_model_names():
    assert resolve_model(None) == resolve_model("all-MiniLM-L6-v2") == resolve_model("default")
    assert resolve_model(None).key == "sentence-transformers/all-MiniLM-L6-v2"
    with pytest.raises(EncoderError, match="not found"):
        resolve_model("./no/such/model/dir")


def test_a_file_given_as_the_model_is_said_to_be_a_file(tmp_path):
    """It was 'model directory not found' (tester 12-02)."""
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(EncoderError, match="is a file, not a model folder"):
        resolve_model(str(tmp_path / "model.bin"))


def test_a_model_missing_offline_is_a_clear_error(tmp_path):
    """Not the library's 'check your internet connection': notes2anki never downloads (tester 12-02)."""
    with Embedder("someone/not-in-the-local-cache-xyz", cache_path=tmp_path / "c.sqlite") as e:
        with pytest.raises(EncoderError, match="not in the local Hugging Face cache, and notes2anki never "
                                               "downloads") as info:
            e.embed(["text"])
    assert "internet" not in str(info.value)
    folder = tmp_path / "empty-model"
    folder.mkdir()
    with Embedder(str(folder), cache_path=tmp_path / "d.sqlite") as e:
        with pytest.raises(EncoderError, match="not a sentence-transformers model folder"):
            e.embed(["text"])


# -- second run: nothing encoded, torch not imported -----------------------------------------------------

RUN = textwrap.dedent("""
    import json, sys
    from notes2anki.model import Card
    from notes2anki.semantic.dupes import find_duplicates

    cards = [Card("Basic", {"Front": f, "Back": b}, file="n.md", line=i * 10 + 1)
             for i, (f, b) in enumerate(json.loads(sys.argv[1]))]
    report = find_duplicates(cards, cache_path=sys.argv[2])
    heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
    print(json.dumps({"encoded": report.encoded, "heavy": heavy, "pairs": len(report.pairs),
                      "warnings": report.warnings}))
""")


def run_fresh(cards: list[tuple[str, str]], cache: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", RUN, json.dumps(cards), str(cache)], capture_output=True,
                          text=True, env=env, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


CARDS = [
    ("What port does HTTPS use by default?", "443"),
    ("Default TCP port for HTTPS", "Port 443"),
    ("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)"),
    ("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)"),
    ("What is the capital of Australia?", "Canberra"),
]


def test_second_run_encodes_nothing_and_imports_no_torch_then_one_edit_encodes_one_card(tmp_path, embedder):
    cache = tmp_path / "embeddings.sqlite"
    first = run_fresh(CARDS, cache)
    assert first["encoded"] > 0  # the check below is meaningful: this run did encode
    assert first["pairs"] == 1 and first["warnings"] == []

    second = run_fresh(CARDS, cache)
    assert second == {"encoded": 0, "heavy": [], "pairs": 1, "warnings": []}

    # edits, in this process (the session's model is already loaded): a fresh Embedder on the same cache
    def run_here(cards):
        with Embedder(cache_path=cache) as e:
            report = find_duplicates([Card("Basic", {"Front": f, "Back": b}, file="n.md", line=i * 10 + 1)
                                      for i, (f, b) in enumerate(cards)], embedder=e)
            return report, e.stats.encoded_texts

    edited = list(CARDS)
    edited[4] = ("What is the capital city of Australia?", "Canberra")  # in no candidate pair
    report, encoded = run_here(edited)
    # its card text and its question (the answer "Canberra" is cached), nothing else
    assert sorted(encoded) == ["What is the capital city of Australia?", "What is the capital city of Australia? | Canberra"]

    edited[1] = ("Which TCP port does HTTPS listen on by default?", "Port 443")  # in a candidate pair
    report, encoded = run_here(edited)
    # that card's texts only: card text and question (its answer "Port 443" is cached), then the one
    # content word of it no card had before, as a word vector for the differing-terms features
    assert encoded == ["Which TCP port does HTTPS listen on by default? | Port 443",
                       "Which TCP port does HTTPS listen on by default?", "listen"]
    assert len(report.pairs) == 1


# -- a locked cache, pruning, schema 1, per-pair values -------------------------------------------------

HOLD = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
""")


def test_a_cache_locked_by_another_process_is_left_alone_not_rebuilt(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put("m", 1, {"h": vec(1, 0)})
    # the other process uses rollback-journal mode so that its exclusive lock keeps even readers out
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with EmbeddingCache(path, busy_timeout=0.5) as cache:
            assert cache.path is None  # this run works in memory
            assert len(cache.warnings) == 1 and "locked by another process" in cache.warnings[0]
            assert "rebuild" not in cache.warnings[0]
            cache.put("m", 1, {"h2": vec(0, 1)})
            assert "h2" in cache.get("m", 1, ["h2"])
    finally:
        holder.wait(timeout=30)
    with EmbeddingCache(path) as cache:  # the file and its vectors survived
        assert cache.warnings == [] and "h" in cache.get("m", 1, ["h"])


def test_a_briefly_locked_cache_is_waited_for(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put("m", 1, {"h": vec(1, 0)})
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "0.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with EmbeddingCache(path, busy_timeout=20) as cache:
            assert cache.warnings == [] and cache.path == path and "h" in cache.get("m", 1, ["h"])
    finally:
        holder.wait(timeout=30)


def test_pruning_drops_unused_entries_then_the_least_recently_used(tmp_path):
    import time

    path = tmp_path / "embeddings.sqlite"
    day = 86400
    with EmbeddingCache(path) as cache:
        cache.put("m", 1, {f"h{i}": vec(i, 1) for i in range(6)})
        now = time.time()
        ages = {"h0": 100, "h1": 61, "h2": 30, "h3": 20, "h4": 10, "h5": 0}  # days since last use
        for key, age in ages.items():
            cache._conn.execute("UPDATE vectors SET used = ? WHERE hash = ?", (now - age * day, key))
        cache._conn.commit()
        assert cache.prune(max_age_days=60, max_rows=10) == 2  # h0, h1: unused for over 60 days
        assert cache.prune(max_age_days=60, max_rows=2) == 2  # then the least recently used: h2, h3
        assert set(cache.get("m", 1, [f"h{i}" for i in range(6)])) == {"h4", "h5"}


def test_reading_a_vector_marks_it_used(tmp_path):
    import time

    path = tmp_path / "embeddings.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put("m", 1, {"old": vec(1, 0)})
        cache._conn.execute("UPDATE vectors SET used = 0")
        cache._conn.commit()
        cache.get("m", 1, ["old"])
        used = cache._conn.execute("SELECT used FROM vectors").fetchone()[0]
        assert used > time.time() - 60
        assert cache.prune(max_age_days=1) == 0


def test_a_schema_1_cache_is_migrated_in_place(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE vectors (model TEXT NOT NULL, text_version INTEGER NOT NULL, hash TEXT NOT NULL,
            dim INTEGER NOT NULL, vector BLOB NOT NULL, created REAL NOT NULL,
            PRIMARY KEY (model, text_version, hash)) WITHOUT ROWID;
        INSERT INTO meta VALUES ('app', 'notes2anki-embeddings'), ('schema', '1');
    """)
    conn.execute("INSERT INTO vectors VALUES ('m', 1, 'h', 2, ?, 0)", (vec(1, 0).tobytes(),))
    conn.commit()
    conn.close()
    with EmbeddingCache(path) as cache:
        assert cache.warnings == [] and "h" in cache.get("m", 1, ["h"])  # kept, not rebuilt, not pruned


def test_pair_verdicts_round_trip_in_either_order(tmp_path):
    from notes2anki.semantic.cache import PairVerdictCache

    path = tmp_path / "embeddings.sqlite"
    with EmbeddingCache(path) as cache:
        verdicts = PairVerdictCache(cache, "dupes:m:1:v1")
        verdicts.put({("b", "a"): {"score": 0.9, "vetoed": None}, ("c", "d"): {"score": 0.4}})
    with EmbeddingCache(path) as cache:
        verdicts = PairVerdictCache(cache, "dupes:m:1:v1")
        got = verdicts.get([("a", "b"), ("d", "c"), ("a", "c")])
        assert got == {("a", "b"): {"score": 0.9, "vetoed": None}, ("d", "c"): {"score": 0.4}}
        assert PairVerdictCache(cache, "dupes:m:1:v2").get([("a", "b")]) == {}  # another kind


def test_the_integrity_check_runs_once_a_day_and_damage_met_by_a_read_is_rebuilt(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    with EmbeddingCache(path) as cache:
        cache.put("m", 1, {f"h{i}": vec(float(i), 1.0) for i in range(3000)})
    with EmbeddingCache(path) as cache:  # made a moment ago, so whole: not read whole again
        assert cache.warnings == [] and not cache._checked_now
        checked = float(cache._conn.execute("SELECT value FROM meta WHERE key = 'checked'").fetchone()[0])
        assert abs(checked - time.time()) < 60
        with cache._conn:
            cache._conn.execute("UPDATE meta SET value = ? WHERE key = 'checked'", (str(time.time() - 2 * 86400),))
    with EmbeddingCache(path) as cache:  # checked two days ago: quick_check runs and is recorded
        assert cache.warnings == [] and cache._checked_now
    with EmbeddingCache(path) as cache:  # checked less than a day ago: not read whole again
        assert cache.warnings == [] and not cache._checked_now
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    start = (len(data) // page) // 2 * page
    assert start > 8 * page
    data[start:len(data) - page] = b"\xa5" * (len(data) - page - start)  # later vector pages; the first kept
    path.write_bytes(bytes(data))
    with EmbeddingCache(path) as cache:  # no quick_check today, so the damage shows when the vectors are read
        assert cache.warnings == []
        assert cache.get("m", 1, [f"h{i}" for i in range(3000)]) == {}
        assert len(cache.warnings) == 1 and "is corrupt" in cache.warnings[0] and "rebuilding it" in cache.warnings[0]
    with EmbeddingCache(path) as cache:  # rebuilt: a good, empty cache
        assert cache.warnings == [] and cache.get("m", 1, ["h1"]) == {}


def test_pair_values_read_in_small_batches_are_the_same(tmp_path, monkeypatch):
    """get_pairs looks pairs up _PAIR_BATCH at a time (a cold run asks for a million); any batch size gives
    the same values, in either order of a pair, repeats included; put_pairs takes a generator of items."""
    from notes2anki.semantic import cache as cache_module
    from notes2anki.semantic.cache import EmbeddingCache

    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        cache.put_pairs("k", ((("a", f"b{n}"), [n, n / 3]) for n in range(7)))
        asked = [("b3", "a"), ("a", "b0"), ("a", "nope"), ("a", "b6"), ("b3", "a"), ("a", "b5")]
        want = cache.get_pairs("k", asked)
        assert want == {("b3", "a"): [3, 1.0], ("a", "b0"): [0, 0.0], ("a", "b6"): [6, 2.0], ("a", "b5"): [5, 5 / 3]}
        monkeypatch.setattr(cache_module, "_PAIR_BATCH", 2)
        assert cache.get_pairs("k", asked) == want
        assert cache.get_pairs("other", asked) == {}
