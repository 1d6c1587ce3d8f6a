"""The SQLite-store base both caches share: opening, corrupt → rebuilt with one warning, locked → left alone,
pruning at most once a day (a store of its own, no model)."""
from __future__ import annotations

import sqlite3
import time

from notes2anki.semantic.cache import EmbeddingCache
from notes2anki.semantic.result_cache import ResultCache
from notes2anki.semantic.sqlite_store import DAY, SQLiteStore, env_number


class Notes(SQLiteStore):
    """A minimal store: one table of strings, pruning counted."""

    APP_ID = "test-notes"
    SCHEMA = "CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY);"
    LABEL = "note store"
    IN_MEMORY = "notes kept in memory"
    TABLES = frozenset({"items"})
    PROBE = "SELECT name FROM items LIMIT 1"
    prunes = 0

    def prune(self) -> int:
        type(self).prunes += 1
        with self._conn:
            self.mark_pruned()
        return 0

    def add(self, name: str) -> None:
        with self._conn:
            self._conn.execute("INSERT OR REPLACE INTO items VALUES (?)", (name,))

    def names(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT name FROM items ORDER BY name")]


def test_a_new_store_is_made_and_reopened_without_a_warning(tmp_path):
    path = tmp_path / "sub" / "notes.sqlite"
    with Notes(path) as store:
        store.add("a")
        assert store.warnings == [] and store.path == path
    with Notes(path) as store:
        assert store.warnings == [] and store.names() == ["a"]


def test_a_corrupt_or_foreign_file_is_rebuilt_with_one_warning_naming_it(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"garbage " * 200)
    with Notes(path) as store:
        assert store.warnings == [f"note store {path} is not a SQLite database (corrupt or foreign file); "
                                  f"rebuilding it"]
        store.add("b")
    with ResultCache(path) as other:  # another kind of store on this file: not its own, rebuilt
        assert other.warnings == [f"result cache {path} is not a notes2anki result cache; rebuilding it"]
    with Notes(path) as store:
        assert store.warnings == [f"note store {path} is not a notes2anki note store; rebuilding it"]
        assert store.names() == []


def test_a_store_of_another_schema_is_rebuilt(tmp_path):
    path = tmp_path / "notes.sqlite"
    with Notes(path) as store:
        store.add("a")
        with store._conn:
            store._conn.execute("UPDATE meta SET value = '9' WHERE key = 'schema'")
    with Notes(path) as store:
        assert store.warnings == [f"note store {path} has schema '9', expected '1'; rebuilding it"]


def test_a_locked_file_is_left_alone_and_the_run_works_in_memory(tmp_path):
    path = tmp_path / "notes.sqlite"
    with Notes(path) as store:
        store.add("a")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with Notes(path, busy_timeout=0.2) as store:
            assert store.path is None
            assert store.warnings == [f"note store {path} is locked by another process (waited 0.2 s); left as it is; "
                                      f"notes kept in memory"]
            store.add("x")
            assert store.names() == ["x"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Notes(path) as store:
        assert store.warnings == [] and store.names() == ["a"]


def test_damage_found_after_opening_rebuilds_the_file(tmp_path):
    path = tmp_path / "notes.sqlite"
    with Notes(path) as store:
        store.add("a")
        try:
            store._conn.execute("SELECT * FROM no_such_table")
        except sqlite3.Error as exc:
            store.damaged(exc, "read")
        assert store.warnings == [f"note store {path} is corrupt (no such table: no_such_table); rebuilding it"]
        assert store.names() == [] and store.path == path


def test_pruning_runs_when_opened_at_most_once_a_day(tmp_path):
    path = tmp_path / "notes.sqlite"
    Notes.prunes = 0
    Notes(path).close()
    Notes(path).close()
    assert Notes.prunes == 1  # the first opening pruned; the second, the same day, did not
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'pruned'", (str(time.time() - DAY - 60),))
    conn.commit()
    conn.close()
    Notes(path).close()
    assert Notes.prunes == 2
    Notes(path, auto_prune=False).close()
    Notes(None).close()  # in memory: nothing to prune
    assert Notes.prunes == 2


def test_an_unwritable_folder_gives_an_in_memory_store(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with Notes(blocker / "notes.sqlite") as store:
        assert store.path is None and len(store.warnings) == 1
        assert store.warnings[0].startswith("cannot create the cache directory")
        assert store.warnings[0].endswith("; notes kept in memory")


def test_both_caches_are_stores_with_their_own_names(tmp_path):
    assert issubclass(EmbeddingCache, SQLiteStore) and issubclass(ResultCache, SQLiteStore)
    path = tmp_path / "x.sqlite"
    path.write_bytes(b"\x00" * 64)
    with EmbeddingCache(path) as cache:
        assert cache.warnings == [f"embedding cache {path} is not a SQLite database (corrupt or foreign file); "
                                  f"rebuilding it"]


def test_env_number_takes_only_positive_numbers(monkeypatch):
    monkeypatch.setenv("N2A_TEST_N", "7.5")
    assert env_number("N2A_TEST_N", 3) == 7.5
    for bad in ("", "x", "0", "-2"):
        monkeypatch.setenv("N2A_TEST_N", bad)
        assert env_number("N2A_TEST_N", 3) == 3


def test_a_fifo_or_folder_in_place_of_the_file_is_no_hang(tmp_path):
    # tester 19:35 F6/F7: sqlite3 opening a FIFO blocked topics, related and dupes for ever; a folder was
    # "rebuilding it" and then "cannot remove" on every run
    import os

    fifo = tmp_path / "results.sqlite"
    os.mkfifo(fifo)
    with ResultCache(fifo) as store:
        assert store.warnings == [f"result cache {fifo} is not a regular file (a FIFO, device or socket); rebuilding it"]
    assert fifo.is_file() and not fifo.is_fifo()  # replaced by a real cache
    with ResultCache(fifo) as store:
        assert store.warnings == []
    folder = tmp_path / "embeddings.sqlite"
    folder.mkdir()
    with EmbeddingCache(folder) as cache:
        assert cache.path is None and len(cache.warnings) == 1
        assert cache.warnings[0].startswith(f"embedding cache {folder} is a folder, not a cache file; remove it; ")


def test_a_store_file_is_opened_in_wal_mode_with_normal_sync(tmp_path):
    from notes2anki.semantic.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    try:
        conn = cache._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        cache.close()


def test_a_read_only_store_is_kept_not_rebuilt(tmp_path):
    """A whole cache that cannot be written (a read-only file or mount) was called corrupt and deleted
    (tester 12-02: 'result cache … is corrupt (attempt to write a readonly database); rebuilding it'). Now it
    is left as it is, with one warning, and what it holds is still read."""
    path = tmp_path / "results.sqlite"
    with ResultCache(path) as cache:
        cache.put("k", "a", b"kept")
    with ResultCache(path) as cache:
        cache._conn.execute("PRAGMA query_only = 1")  # every write now fails as on a read-only file
        cache.put("k", "b", b"new")
        cache.put("k", "c", b"new")
        assert cache.get("k", "a") == b"kept" and cache.get("k", "b") is None
        assert len(cache.warnings) == 1 and "cannot be written" in cache.warnings[0]
        assert "corrupt" not in cache.warnings[0] and cache.path == path
    with ResultCache(path) as cache:
        assert cache.get("k", "a") == b"kept" and cache.warnings == []
