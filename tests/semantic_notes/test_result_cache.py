"""The result store (results.sqlite): round trips, digests, corruption, locking and pruning (no model)."""
from __future__ import annotations

import sqlite3
import time

from notes2anki.semantic.result_cache import FILE_NAME, ResultCache, code_digest, digest


def test_values_round_trip_and_survive_reopening(tmp_path):
    path = tmp_path / FILE_NAME
    with ResultCache(path) as cache:
        cache.put_many("note-vector", {"a": b"\x00\x01", "b": b"xyz"})
        cache.put("topics", "k", b"{}")
        assert cache.get_many("note-vector", ["a", "b", "c"]) == {"a": b"\x00\x01", "b": b"xyz"}
        assert cache.get("topics", "a") is None  # kinds are separate
        assert cache.warnings == []
    with ResultCache(path) as cache:
        assert cache.get("topics", "k") == b"{}" and cache.count() == 3


def test_digest_tells_apart_what_repr_might_merge():
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(["a", 1]) != digest(["a", "1"])
    assert digest(None) != digest("None")
    assert digest("x", [1, 2]) == digest("x", [1, 2])


def test_code_digest_follows_source_and_versions():
    assert code_digest(["topics.py"]) != code_digest(["topic_labels.py"])
    assert code_digest(["topics.py"], ["numpy"]) != code_digest(["topics.py"])
    assert code_digest(["no-such-module.py"]) == code_digest(["no-such-module.py"])  # a missing file is a value


def test_a_corrupt_file_is_rebuilt_with_a_warning(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database at all" * 100)
    with ResultCache(path) as cache:
        assert any("rebuilding" in w for w in cache.warnings)
        cache.put("topics", "k", b"v")
        assert cache.get("topics", "k") == b"v"
    with ResultCache(path) as cache:
        assert cache.warnings == [] and cache.get("topics", "k") == b"v"


def test_another_programs_database_is_not_used(tmp_path):
    path = tmp_path / FILE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('app', 'something-else')")
    conn.commit()
    conn.close()
    with ResultCache(path) as cache:
        assert any("not a notes2anki result cache" in w for w in cache.warnings)
        cache.put("topics", "k", b"v")
        assert cache.get("topics", "k") == b"v"


def test_damage_found_while_reading_rebuilds_the_file(tmp_path):
    path = tmp_path / FILE_NAME
    with ResultCache(path) as cache:
        cache.put("topics", "k", b"v")
    with ResultCache(path) as cache:
        cache._conn.execute("DROP TABLE results")  # as if pages were lost after the cheap check at opening
        assert cache.get("topics", "k") is None
        assert any("corrupt" in w and "rebuilding" in w for w in cache.warnings)
        cache.put("topics", "k", b"w")
        assert cache.get("topics", "k") == b"w"


def test_a_locked_file_is_left_alone(tmp_path):
    path = tmp_path / FILE_NAME
    with ResultCache(path) as cache:
        cache.put("topics", "k", b"v")
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with ResultCache(path, busy_timeout=0.2) as cache:
            assert any("locked" in w for w in cache.warnings)
            cache.put("topics", "x", b"1")  # works, in memory
            assert cache.get("topics", "x") == b"1"
    finally:
        holder.rollback()
        holder.close()
    with ResultCache(path) as cache:
        assert cache.get("topics", "k") == b"v" and cache.get("topics", "x") is None


def test_pruning_drops_old_entries_and_keeps_each_kind_bounded(tmp_path):
    with ResultCache(tmp_path / FILE_NAME) as cache:
        cache.put_many("topics", {f"k{i}": b"v" for i in range(10)})
        cache.put_many("note-vector", {f"n{i}": b"v" for i in range(10)})
        old = time.time() - 90 * 86400
        cache._conn.execute("UPDATE results SET used = ? WHERE key IN ('k0', 'n0')", (old,))
        cache._conn.commit()
        gone = cache.prune(max_rows={"topics": 5})
        assert gone == 2 + 4
        assert cache.count("topics") == 5 and cache.count("note-vector") == 9
        assert cache.get("topics", "k0") is None and cache.get("note-vector", "n0") is None


def test_in_memory_store_writes_nothing(tmp_path):
    with ResultCache(None) as cache:
        cache.put("topics", "k", b"v")
        assert cache.get("topics", "k") == b"v" and cache.path is None


def test_note_digest_follows_what_the_parser_found_not_only_the_text():
    """Renamed marker words change which lines are card syntax without changing the note's text."""
    from notes2anki.model import Note
    from notes2anki.semantic.note_cache import note_digest

    text = "TARGET DECK: Bio\nMitochondria make ATP.\n"
    plain, marked = Note("a.md", text), Note("a.md", text, syntax_lines={1})
    spans = Note("a.md", text, inline_spans={2: [(0, 5)]})
    digests = {note_digest(n, "base") for n in (plain, marked, spans)}
    assert len(digests) == 3
    assert note_digest(plain, "base") != note_digest(plain, "other model")
    assert note_digest(Note("a.md", text), "base") == note_digest(plain, "base")


def test_plain_digest_depends_on_values_only_and_tells_shapes_apart():
    """plain_digest (note keys of related / topics, issue 13: a marshal instead of a repr) gives equal keys
    for equal values whatever their identity or interning, different keys for different values or shapes,
    and falls back to digest's repr for values marshal cannot write exactly."""
    import sys

    from notes2anki.semantic.result_cache import digest, plain_digest

    word = "".join(["Bas", "ic"])  # equal to "Basic" but another object, not interned
    assert plain_digest("k", [("Basic", 1)], {"a": "b"}) == plain_digest("k", [(word, 1)], {"a": "b"})
    assert plain_digest("k", [(sys.intern(word), 1)]) == plain_digest("k", [("Basic", 1)])
    assert len({plain_digest("k", x) for x in (["a", "b"], ["ab"], [["a"], "b"], ("a", "b"), [1], [True], [1.0],
                                                 ["1"], [None], [b"a"])}) == 10
    assert plain_digest("a", "bc") != plain_digest("ab", "c") != digest("a", "bc")

    class Marked(str):
        pass

    assert plain_digest("k", Marked("v")) == digest("k", Marked("v"))  # not marshalled: repr, as before
