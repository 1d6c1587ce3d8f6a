"""A small SQLite store of computed results (note vectors, topic clusterings, the report's map), so a warm
`related`, `topics` or `report` recomputes only what its changed inputs need.

Entries are ``(kind, key) -> bytes``: ``kind`` says what is stored (``"note-vector"``, ``"topics"``...),
``key`` is a digest of *everything* the value was computed from (texts, settings, model, the computing
code's source and library versions; see :func:`digest` and :func:`code_digest`), so an entry is never
stale: change an input and the key changes; the old entry is simply not asked for any more and ages out.

The file, ``results.sqlite``, sits beside the embedding cache (``NOTES2ANKI_CACHE_DIR``, default
``~/.cache/notes2anki``; see :meth:`ResultCache.beside`), never in the vault. It is re-computable data:
a file that is not a readable store of this kind (corrupt, truncated, another program's database, another
schema) is deleted and rebuilt, with a warning in :attr:`ResultCache.warnings`; one that another process
holds locked is waited for ``busy_timeout`` seconds and then left alone (this run keeps its results in
memory). Nothing here raises on a cache problem, nothing prints.

Pruning (:meth:`ResultCache.prune`, by itself at most once a day when the file is opened): entries not used
for ``NOTES2ANKI_CACHE_MAX_AGE_DAYS`` days (default 60), then per kind the least recently used beyond
:data:`MAX_ROWS` (e.g. the 64 latest topic clusterings: each vault, setting and edit state makes one).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Iterable

from .cache import _is_busy, due_for_pruning  # one rule for both SQLite caches

APP_ID = "notes2anki-results"
SCHEMA_VERSION = "1"
FILE_NAME = "results.sqlite"
DAY = 86400.0
DEFAULT_MAX_AGE_DAYS = 60.0
MAX_ROWS = {"note-vector": 100_000, "note-headings": 100_000}  # per kind (~150 MB of vectors); others: DEFAULT_MAX_ROWS
DEFAULT_MAX_ROWS = 64
_BATCH = 500
_LOCKED = "is locked by another process"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (kind, key)
);
"""


def digest(*parts: object) -> str:
    """Hex SHA-256 of ``parts``: str, bytes, ints, floats, bools, None, and lists/tuples of them, nested.
    Their ``repr`` is hashed: strings are quoted and escaped there, so two different sequences of parts
    never give the same text."""
    return hashlib.sha256(repr(parts).encode("utf-8", "backslashreplace")).hexdigest()


def code_digest(modules: Iterable[str], packages: Iterable[str] = ()) -> str:
    """A digest of the source of ``modules`` (file paths relative to ``notes2anki/semantic/``, e.g.
    ``"topics.py"``, ``"../report/data.py"``)
    and of the installed versions of ``packages`` (distribution names, e.g. ``"scikit-learn"``): results
    computed by other code or other library versions are not reused."""
    here = Path(__file__).resolve().parent
    parts: list[object] = []
    for name in sorted(modules):
        try:
            parts.append((name, (here / name).read_bytes()))
        except OSError:
            parts.append((name, None))
    if packages:
        from importlib.metadata import PackageNotFoundError, version

        for name in sorted(packages):
            try:
                parts.append((name, version(name)))
            except PackageNotFoundError:
                parts.append((name, None))
    return digest(parts)


class ResultCache:
    """``(kind, key) -> bytes`` in a SQLite file (``path``; None: in memory, nothing persists).

    Use as a context manager or call :meth:`close`. :attr:`warnings` says what went wrong with the file
    (rebuilt, locked, not writable); the store keeps working in every case.
    """

    def __init__(self, path: Path | str | None, *, busy_timeout: float = 5.0, auto_prune: bool = True):
        self.path = Path(path) if path is not None else None
        self.busy_timeout = busy_timeout
        self.warnings: list[str] = []
        self._conn = self._open()
        if auto_prune and self.path is not None:
            self._prune_daily()

    @classmethod
    def beside(cls, embedder) -> "ResultCache":
        """The store in the folder of ``embedder``'s embedding cache (in memory when that cache is)."""
        path = getattr(getattr(embedder, "cache", None), "path", None)
        return cls(Path(path).with_name(FILE_NAME) if path is not None else None)

    # -- opening -------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._in_memory(f"cannot create the cache directory {self.path.parent}: {exc}")
        if self.path.exists():
            problem = self._check()
            if problem == _LOCKED:
                return self._in_memory(f"result cache {self.path} {_LOCKED} (waited {self.busy_timeout:g} s); "
                                       f"left as it is")
            if problem is None:
                try:
                    return self._connect(str(self.path))
                except sqlite3.Error as exc:
                    if _is_busy(exc):
                        return self._in_memory(f"result cache {self.path} {_LOCKED}; left as it is")
                    problem = f"cannot be opened ({exc})"
            self.warnings.append(f"result cache {self.path} {problem}; rebuilding it")
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                except OSError:
                    if not suffix:
                        return self._in_memory(f"cannot remove the unusable result cache {self.path}")
        try:
            return self._connect(str(self.path))
        except (sqlite3.Error, OSError) as exc:
            return self._in_memory(f"cannot write the result cache {self.path}: {exc}")

    def _check(self) -> str | None:
        """Why the file is not a usable store (:data:`_LOCKED`: held by another process), or None. Cheap (no
        integrity scan of a file that may hold many MB): damage found later, when a read or write fails,
        rebuilds the file then (:meth:`_damaged`)."""
        assert self.path is not None
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            return f"cannot be read ({exc})"
        if not header:
            return None
        if header != b"SQLite format 3\x00":
            return "is not a SQLite database (corrupt or foreign file)"
        conn = None
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=self.busy_timeout)
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != APP_ID:
                return "is not a notes2anki result cache"
            if meta.get("schema") != SCHEMA_VERSION:
                return f"has schema {meta.get('schema')!r}, expected {SCHEMA_VERSION!r}"
            conn.execute("SELECT kind, key, value, used FROM results LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            return _LOCKED if _is_busy(exc) else f"is corrupt ({exc})"
        finally:
            if conn is not None:
                conn.close()
        return None

    def _connect(self, target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=self.busy_timeout)
        try:
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            if conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone() is None:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('app', ?)", (APP_ID,))
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            conn.commit()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _damaged(self, exc: sqlite3.Error, what: str) -> None:
        """A read or write failed: a busy file is left alone (a warning); a damaged one is rebuilt empty."""
        if _is_busy(exc) or self.path is None or isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
            self.warnings.append(f"result cache {what} failed ({exc}); recomputing")
            return
        self.warnings.append(f"result cache {self.path} is corrupt ({exc}); rebuilding it")
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            except OSError:
                pass
        try:
            self._conn = self._connect(str(self.path))
        except (sqlite3.Error, OSError) as again:
            self._conn = self._in_memory(f"cannot write the result cache {self.path}: {again}")

    def _in_memory(self, why: str) -> sqlite3.Connection:
        self.warnings.append(f"{why}; results are kept in memory for this run")
        self.path = None
        return self._connect(":memory:")

    # -- use -----------------------------------------------------------------------------------------
    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored values of ``keys`` under ``kind`` (keys never stored are left out)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, bytes] = {}
        try:
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start:start + _BATCH]
                rows = self._conn.execute(f"SELECT key, value FROM results WHERE kind = ? AND key IN "
                                          f"({','.join('?' * len(chunk))})", (kind, *chunk))
                found.update((key, bytes(value)) for key, value in rows)
            self._touch(kind, list(found))
        except sqlite3.Error as exc:
            self._damaged(exc, "read")
            return {}
        return found

    def get(self, kind: str, key: str) -> bytes | None:
        """The stored value of ``key`` under ``kind``, or None."""
        return self.get_many(kind, [key]).get(key)

    def put_many(self, kind: str, values: dict[str, bytes]) -> None:
        """Store ``values`` (key -> bytes) under ``kind``; a write failure becomes a warning."""
        if not values:
            return
        now = time.time()
        try:
            with self._conn:
                self._conn.executemany("INSERT OR REPLACE INTO results (kind, key, value, used) VALUES (?, ?, ?, ?)",
                                       [(kind, key, sqlite3.Binary(value), now) for key, value in values.items()])
        except sqlite3.Error as exc:
            self._damaged(exc, "write")

    def put(self, kind: str, key: str, value: bytes) -> None:
        """Store one value."""
        self.put_many(kind, {key: value})

    def _touch(self, kind: str, keys: list[str]) -> None:
        """Mark ``keys`` used now (rows marked within the last day are not rewritten)."""
        now = time.time()
        try:
            with self._conn:
                for start in range(0, len(keys), _BATCH):
                    chunk = keys[start:start + _BATCH]
                    self._conn.execute(f"UPDATE results SET used = ? WHERE kind = ? AND used < ? AND key IN "
                                       f"({','.join('?' * len(chunk))})", (now, kind, now - DAY, *chunk))
        except sqlite3.Error:
            pass  # e.g. locked by another run: the marks only guide pruning

    # -- pruning -------------------------------------------------------------------------------------
    def prune(self, *, max_age_days: float | None = None, max_rows: dict[str, int] | None = None,
              now: float | None = None) -> int:
        """Delete entries unused for ``max_age_days`` (default: ``NOTES2ANKI_CACHE_MAX_AGE_DAYS`` or 60), then
        per kind the least recently used beyond ``max_rows[kind]`` (default :data:`MAX_ROWS`, else
        :data:`DEFAULT_MAX_ROWS`). Returns how many entries went."""
        age = max_age_days if max_age_days is not None else _env_days()
        limits = dict(MAX_ROWS, **(max_rows or {}))
        cutoff = (now if now is not None else time.time()) - age * DAY
        gone = 0
        try:
            with self._conn:
                gone += self._conn.execute("DELETE FROM results WHERE used < ?", (cutoff,)).rowcount
                for kind, count in self._conn.execute("SELECT kind, COUNT(*) FROM results GROUP BY kind").fetchall():
                    extra = count - limits.get(kind, DEFAULT_MAX_ROWS)
                    if extra > 0:
                        gone += self._conn.execute(
                            "DELETE FROM results WHERE kind = ? AND key IN (SELECT key FROM results WHERE kind = ? "
                            "ORDER BY used, key LIMIT ?)", (kind, kind, extra)).rowcount
                self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('pruned', ?)", (str(time.time()),))
        except sqlite3.Error as exc:
            self.warnings.append(f"result cache pruning failed ({exc})")
        return gone

    def _prune_daily(self) -> None:
        if due_for_pruning(self._conn):
            self.prune()

    def count(self, kind: str | None = None) -> int:
        """How many entries there are (of ``kind``, or in all)."""
        if kind is None:
            return self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        return self._conn.execute("SELECT COUNT(*) FROM results WHERE kind = ?", (kind,)).fetchone()[0]

    def close(self) -> None:
        """Close the SQLite connection."""
        self._conn.close()

    def __enter__(self) -> "ResultCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _env_days() -> float:
    try:
        value = float(os.environ.get("NOTES2ANKI_CACHE_MAX_AGE_DAYS", ""))
    except ValueError:
        return DEFAULT_MAX_AGE_DAYS
    return value if value > 0 else DEFAULT_MAX_AGE_DAYS
