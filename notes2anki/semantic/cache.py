"""A SQLite cache of embedding vectors, so a run re-encodes only new or changed texts.

One row per (model, text version, SHA-256 of the text) holds the float32 vector. The file is re-computable
data: one that cannot be read as this cache (corrupt, truncated, another program's database, an older
schema) is deleted and rebuilt, and the reason is reported as a warning string; it never raises. When the
cache location cannot be written at all, the cache lives in memory for the run (with a warning).
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Iterable

import numpy as np

APP_ID = "notes2anki-embeddings"
SCHEMA_VERSION = "1"
CACHE_FILE_NAME = "embeddings.sqlite"
_BATCH = 500  # keys per SELECT ... IN (...)


def default_cache_path() -> Path:
    """``notes2anki.paths.cache_dir() / "embeddings.sqlite"`` (``NOTES2ANKI_CACHE_DIR`` overrides the dir)."""
    from notes2anki.paths import cache_dir

    return cache_dir() / CACHE_FILE_NAME


def text_hash(text: str) -> str:
    """The cache key of a text: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    text_version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (model, text_version, hash)
) WITHOUT ROWID;
"""


class EmbeddingCache:
    """Vectors by (model, text version, text hash). Use as a context manager or call :meth:`close`.

    ``path=None`` keeps the cache in memory (nothing persists). :attr:`warnings` lists what went wrong
    with the file (rebuilt, not writable); the cache itself keeps working either way.
    """

    def __init__(self, path: Path | str | None):
        self.path = Path(path) if path is not None else None
        self.warnings: list[str] = []
        self._conn = self._open()

    # -- opening -------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._in_memory(f"cannot create the cache directory {self.path.parent}: {exc}")
        if self.path.exists():
            problem = self._check(self.path)
            if problem is None:
                try:
                    return self._connect(str(self.path))
                except sqlite3.Error as exc:
                    problem = f"cannot open it ({exc})"
            self.warnings.append(f"embedding cache {self.path} {problem}; rebuilding it")
            if not self._remove(self.path):
                return self._in_memory(f"cannot remove the unusable cache file {self.path}")
        try:
            return self._connect(str(self.path))
        except (sqlite3.Error, OSError) as exc:
            return self._in_memory(f"cannot write the embedding cache {self.path}: {exc}")

    @staticmethod
    def _check(path: Path) -> str | None:
        """Why the file at ``path`` is not a usable cache, or None when it is."""
        try:
            with open(path, "rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            return f"cannot be read ({exc})"
        if not header:
            return None  # an empty file is an empty database
        if header != b"SQLite format 3\x00":
            return "is not a SQLite database (corrupt or foreign file)"
        conn = None
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return "is corrupt (quick_check failed)"
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"meta", "vectors"} <= tables:
                return "is not a notes2anki embedding cache"
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != APP_ID:
                return "is not a notes2anki embedding cache"
            if meta.get("schema") != SCHEMA_VERSION:
                return f"has schema {meta.get('schema')!r}, expected {SCHEMA_VERSION!r}"
            conn.execute("SELECT model, text_version, hash, dim, vector FROM vectors LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            return f"is corrupt ({exc})"
        finally:
            if conn is not None:
                conn.close()
        return None

    @staticmethod
    def _remove(path: Path) -> bool:
        ok = True
        for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                          path.with_name(path.name + "-journal")):
            try:
                candidate.unlink(missing_ok=True)
            except OSError:
                ok = ok and candidate != path
        return ok

    def _connect(self, target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=30)
        try:
            conn.executescript(_SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('app', ?)", (APP_ID,))
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            conn.commit()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _in_memory(self, why: str) -> sqlite3.Connection:
        self.warnings.append(f"{why}; using an in-memory embedding cache for this run")
        self.path = None
        return self._connect(":memory:")

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
            self.warnings.append(f"embedding cache read failed ({exc}); re-encoding")
            return {}
        return found

    def put(self, model: str, text_version: int, vectors: dict[str, np.ndarray]) -> None:
        """Store ``vectors`` (hash -> vector). A write failure becomes a warning, not an error."""
        if not vectors:
            return
        now = time.time()
        rows = [(model, text_version, key, int(vec.shape[0]),
                 np.ascontiguousarray(vec, dtype=np.float32).tobytes(), now) for key, vec in vectors.items()]
        try:
            with self._conn:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors (model, text_version, hash, dim, vector, created) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self.warnings.append(f"embedding cache write failed ({exc}); vectors not saved")

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "EmbeddingCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
