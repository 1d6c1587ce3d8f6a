"""A SQLite cache of embedding vectors (and of per-pair verdicts), so a run recomputes only what changed.

One row per (model, text version, SHA-256 of the text) holds the float32 vector and when it was last used.
The file is re-computable data: one that cannot be read as this cache (corrupt, truncated, another
program's database, an unknown schema) is deleted and rebuilt, and the reason is reported as a warning
string; it never raises. A file that another process holds locked is never taken for corrupt: opening
waits up to ``busy_timeout`` seconds, then the run uses an in-memory cache (with a warning) and leaves
the file alone. When the cache location cannot be written at all, the cache lives in memory for the run.

Pruning (:meth:`EmbeddingCache.prune`, run by itself at most once a day when the cache is opened):
entries not used for ``max_age_days`` (default 60) are deleted, i.e. the texts of no vault built or queried
in that time; then, while the file holds more than ``max_rows`` vectors (default 500,000, about 0.9 GB),
the least recently used go. ``NOTES2ANKI_CACHE_MAX_AGE_DAYS`` and ``NOTES2ANKI_CACHE_MAX_ROWS`` override.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from .sqlite_store import DAY, LOCKED, SQLiteStore, due_for_pruning, env_number, is_busy  # noqa: F401 (re-exported)

APP_ID = "notes2anki-embeddings"
SCHEMA_VERSION = "2"  # 2: vectors.used, the verdicts table (1 is migrated in place)
CACHE_FILE_NAME = "embeddings.sqlite"
_BATCH = 500  # keys per SELECT ... IN (...)
_PAIR_BATCH = 50_000  # pairs per lookup of get_pairs (its temporary table and key lists stay bounded)
DEFAULT_MAX_AGE_DAYS = 60.0
DEFAULT_MAX_ROWS = 500_000


def default_cache_path() -> Path:
    """``notes2anki.paths.cache_dir() / "embeddings.sqlite"`` (``NOTES2ANKI_CACHE_DIR`` overrides the dir)."""
    from notes2anki.paths import cache_dir

    return cache_dir() / CACHE_FILE_NAME


def text_hash(text: str) -> str:
    """The cache key of a text: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL,
    used REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (model, text_version, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verdicts (
    kind TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    value TEXT NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (kind, a, b)
) WITHOUT ROWID;
"""


class EmbeddingCache(SQLiteStore):
    """Vectors by (model, text version, text hash). Use as a context manager or call :meth:`close`.

    ``path=None`` keeps the cache in memory (nothing persists). :attr:`warnings` lists what went wrong
    with the file (rebuilt, locked, not writable); the cache itself keeps working either way. Opening,
    checking and rebuilding: :class:`~notes2anki.semantic.sqlite_store.SQLiteStore`.
    """

    APP_ID = APP_ID
    SCHEMA_VERSION = SCHEMA_VERSION
    READABLE_SCHEMAS = ("1",)
    SCHEMA = _SCHEMA
    LABEL = "embedding cache"
    IN_MEMORY = "using an in-memory embedding cache for this run"
    TABLES = frozenset({"vectors"})
    PROBE = "SELECT model, text_version, hash, dim, vector FROM vectors LIMIT 1"
    QUICK_CHECK = True

    def migrate(self, conn: sqlite3.Connection) -> None:
        """Schema 1 had no ``used`` column: add it, counting every vector as used now."""
        columns = {row[1] for row in conn.execute("PRAGMA table_info(vectors)")}
        if "used" not in columns:
            conn.execute("ALTER TABLE vectors ADD COLUMN used REAL NOT NULL DEFAULT 0")
            conn.execute("UPDATE vectors SET used = ?", (time.time(),))

    # -- use -----------------------------------------------------------------------------------------
    def get(self, model: str, text_version: int, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` (missing or unreadable entries are left out)."""
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        try:
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start:start + _BATCH]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT hash, dim, vector FROM vectors WHERE model = ? AND text_version = ? "
                    f"AND hash IN ({marks})", (model, text_version, *chunk))
                for key, dim, blob in rows:
                    if isinstance(blob, bytes) and dim > 0 and len(blob) == 4 * dim:
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as exc:
            if is_busy(exc):
                self.warnings.append(f"embedding cache read failed ({exc}); re-encoding")
            else:  # damage the daily quick_check has not seen yet: rebuilt now, not met on every run
                self.damaged(exc, "read")
            return {}
        self._touch(model, text_version, list(found))
        return found

    def _touch(self, model: str, text_version: int, hashes: list[str]) -> None:
        """Mark ``hashes`` as used now; rows already marked within the last day are not rewritten."""
        now = time.time()
        try:
            with self._conn:
                for start in range(0, len(hashes), _BATCH):
                    chunk = hashes[start:start + _BATCH]
                    self._conn.execute(
                        f"UPDATE vectors SET used = ? WHERE model = ? AND text_version = ? AND used < ? "
                        f"AND hash IN ({','.join('?' * len(chunk))})", (now, model, text_version, now - DAY, *chunk))
        except sqlite3.Error:
            pass  # e.g. locked by another run: the marks are a pruning hint only

    def put(self, model: str, text_version: int, vectors: dict[str, np.ndarray]) -> None:
        """Store ``vectors`` (hash -> vector). A write failure becomes a warning, not an error."""
        if not vectors:
            return
        now = time.time()
        # a generator: one row's bytes at a time (300,000 vectors as a list of rows: another 460 MB)
        rows = ((model, text_version, key, int(vec.shape[0]),
                 np.ascontiguousarray(vec, dtype=np.float32).tobytes(), now, now) for key, vec in vectors.items())
        try:
            with self._conn:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors (model, text_version, hash, dim, vector, created, used) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self.warnings.append(f"embedding cache write failed ({exc}); vectors not saved")

    # -- per-pair results (see PairVerdictCache) --------------------------------------------------------
    def get_pairs(self, kind: str, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """Stored values (JSON-decoded) of the unordered ``pairs`` of text hashes under ``kind``.

        The wanted pairs go into a temporary table joined on the primary key: one index lookup per pair
        (a row-value ``IN (VALUES ...)`` made SQLite scan every row of ``kind`` per chunk: 45 s for 100k
        pairs)."""
        pairs = list(pairs)
        found: dict[tuple[str, str], Any] = {}
        if not pairs:
            return {}
        try:
            for start in range(0, len(pairs), _PAIR_BATCH):  # bounded: a cold run asks for a million pairs
                wanted = list(dict.fromkeys(_ordered(a, b) for a, b in pairs[start:start + _PAIR_BATCH]))
                with self._conn:
                    self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_pairs (a TEXT NOT NULL, b TEXT NOT NULL)")
                    self._conn.execute("DELETE FROM wanted_pairs")
                    self._conn.executemany("INSERT INTO wanted_pairs (a, b) VALUES (?, ?)", wanted)
                hits = []
                for a, b, value in self._conn.execute(
                        "SELECT v.a, v.b, v.value FROM wanted_pairs AS w CROSS JOIN verdicts AS v "
                        "ON v.kind = ? AND v.a = w.a AND v.b = w.b", (kind,)):
                    if isinstance(value, bytes):  # a float row (see put_pairs); a damaged one is judged again
                        if len(value) % 8:
                            continue
                        found[(a, b)] = np.frombuffer(value, dtype="<f8").tolist()
                    else:
                        found[(a, b)] = json.loads(value)
                    hits.append((a, b))
                now = time.time()
                with self._conn:
                    self._conn.executemany("UPDATE verdicts SET used = ? WHERE kind = ? AND a = ? AND b = ? AND used < ?",
                                           [(now, kind, a, b, now - DAY) for a, b in hits])
                    self._conn.execute("DELETE FROM wanted_pairs")
        except (sqlite3.Error, ValueError) as exc:
            self.warnings.append(f"verdict cache read failed ({exc}); judging again")
        return {pair: found[_ordered(*pair)] for pair in pairs if _ordered(*pair) in found}

    def put_pairs(self, kind: str, values: Mapping[tuple[str, str], Any] | Iterable[tuple[tuple[str, str], Any]]) -> None:
        """Store JSON-serialisable ``values`` by unordered pair of text hashes under ``kind``: a mapping, or
        an iterable of (pair, value) items, read one at a time (a million feature rows are never all held as
        lists and JSON strings at once).

        A value that is a numpy array (a feature row) is stored as its float64 bytes, and read back by
        :meth:`get_pairs` as the list of its floats, the same numbers (writing 100,000 rows as JSON cost 3 s of
        a cold run's main process; bytes cost nothing); rows stored as JSON text before are still read."""
        now = time.time()
        items = values.items() if isinstance(values, Mapping) else values
        rows = ((kind, *_ordered(a, b), _stored(value), now) for (a, b), value in items)
        try:
            with self._conn:
                self._conn.executemany("INSERT OR REPLACE INTO verdicts (kind, a, b, value, used) VALUES (?, ?, ?, ?, ?)",
                                       rows)
        except sqlite3.Error as exc:
            self.warnings.append(f"verdict cache write failed ({exc}); verdicts not saved")

    # -- pruning -------------------------------------------------------------------------------------
    def prune(self, *, max_age_days: float | None = None, max_rows: int | None = None,
              now: float | None = None) -> int:
        """Delete vectors and verdicts unused for ``max_age_days``, then the least recently used vectors
        beyond ``max_rows``; returns how many rows went. Defaults: see the module doc."""
        age = max_age_days if max_age_days is not None else env_number("NOTES2ANKI_CACHE_MAX_AGE_DAYS",
                                                                        DEFAULT_MAX_AGE_DAYS)
        limit = int(max_rows if max_rows is not None else env_number("NOTES2ANKI_CACHE_MAX_ROWS", DEFAULT_MAX_ROWS))
        cutoff = (now if now is not None else time.time()) - age * DAY
        try:
            with self._conn:
                gone = self._conn.execute("DELETE FROM vectors WHERE used < ?", (cutoff,)).rowcount
                gone += self._conn.execute("DELETE FROM verdicts WHERE used < ?", (cutoff,)).rowcount
                extra = len(self) - limit
                if extra > 0:
                    gone += self._conn.execute(
                        "DELETE FROM vectors WHERE (model, text_version, hash) IN (SELECT model, text_version, hash "
                        "FROM vectors ORDER BY used LIMIT ?)", (extra,)).rowcount
                extra = self._conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0] - 4 * limit
                if extra > 0:
                    gone += self._conn.execute(
                        "DELETE FROM verdicts WHERE (kind, a, b) IN (SELECT kind, a, b FROM verdicts "
                        "ORDER BY used LIMIT ?)", (extra,)).rowcount
                self.mark_pruned()
        except sqlite3.Error as exc:
            self.warnings.append(f"embedding cache pruning failed ({exc})")
            return 0
        return gone

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


class PairVerdictCache:
    """Results per unordered pair of texts, e.g. duplicate verdicts, stored beside the vectors.

    ``kind`` names what is stored and everything it depends on, e.g.
    ``f"dupes:{model_key}:{TEXT_VERSION}:{SCORING_VERSION}:{threshold}"``: change any part and old values
    are not seen (they age out by pruning). Pairs are keyed by the texts' :func:`text_hash` values, in either
    order. Values must be JSON-serialisable (e.g. ``dataclasses.asdict(verdict)``)::

        verdicts = PairVerdictCache(embedder.cache, kind)
        known = verdicts.get([(ha, hb), ...])          # {(ha, hb): value} for the pairs already judged
        verdicts.put({(ha, hb): value, ...})            # after judging the others
    """

    def __init__(self, cache: EmbeddingCache, kind: str):
        self.cache = cache
        self.kind = kind

    def get(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """Stored values of ``pairs`` (keys as asked); pairs never stored are left out."""
        return self.cache.get_pairs(self.kind, list(pairs))

    def put(self, values: Mapping[tuple[str, str], Any] | Iterable[tuple[tuple[str, str], Any]]) -> None:
        """Store ``values`` (pair of text hashes -> JSON-serialisable value; or an iterable of such items,
        consumed as they are written)."""
        self.cache.put_pairs(self.kind, values)


def _stored(value: Any) -> str | bytes:
    """What :meth:`EmbeddingCache.put_pairs` writes for ``value``: a numpy array's float64 bytes
    (little-endian), anything else as JSON text."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value, dtype="<f8").tobytes()
    return json.dumps(value, sort_keys=True)


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)
