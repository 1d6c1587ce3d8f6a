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
import marshal
import sqlite3
import time
from pathlib import Path
from typing import Iterable

from .sqlite_store import DAY, SQLiteStore, env_number  # one opening/checking/pruning rule for both SQLite caches

APP_ID = "notes2anki-results"
SCHEMA_VERSION = "1"
FILE_NAME = "results.sqlite"
DEFAULT_MAX_AGE_DAYS = 60.0
MAX_ROWS = {"note-vector": 100_000, "note-headings": 100_000}  # per kind (~150 MB of vectors); others: DEFAULT_MAX_ROWS
DEFAULT_MAX_ROWS = 64
_BATCH = 500

_SCHEMA = """
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


def plain_digest(*parts: object) -> str:
    """As :func:`digest` (a different value), for parts of plain built-in values, about 5× faster on long
    texts: one :mod:`marshal` of the parts (format 2: no back-references or interning flags, so equal values
    give equal bytes, whatever their identity) instead of their ``repr``. Anything marshal cannot write
    exactly (a ``str`` subclass, an object) falls back to :func:`digest`. 1,000 notes' keys for ``related``
    and ``topics``: 0.05–0.1 s → about 0.015 s."""
    try:
        data = marshal.dumps(parts, 2)
    except ValueError:  # not a plain value somewhere (or nested too deep)
        return digest(*parts)
    return hashlib.sha256(b"marshal-2\0" + data).hexdigest()


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


class ResultCache(SQLiteStore):
    """``(kind, key) -> bytes`` in a SQLite file (``path``; None: in memory, nothing persists).

    Use as a context manager or call :meth:`close`. :attr:`warnings` says what went wrong with the file
    (rebuilt, locked, not writable); the store keeps working in every case. Opening, checking and
    rebuilding: :class:`~notes2anki.semantic.sqlite_store.SQLiteStore` (no integrity scan when opening, of a
    file that may hold many MB: damage found when a read or write fails rebuilds the file then).
    """

    APP_ID = APP_ID
    SCHEMA_VERSION = SCHEMA_VERSION
    SCHEMA = _SCHEMA
    LABEL = "result cache"
    IN_MEMORY = "results are kept in memory for this run"
    TABLES = frozenset({"results"})
    PROBE = "SELECT kind, key, value, used FROM results LIMIT 1"

    @classmethod
    def beside(cls, embedder) -> "ResultCache":
        """The store in the folder of ``embedder``'s embedding cache (in memory when that cache is)."""
        path = getattr(getattr(embedder, "cache", None), "path", None)
        return cls(Path(path).with_name(FILE_NAME) if path is not None else None)

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
            self.damaged(exc, "read")
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
            self.damaged(exc, "write")

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
        age = max_age_days if max_age_days is not None else env_number("NOTES2ANKI_CACHE_MAX_AGE_DAYS",
                                                                        DEFAULT_MAX_AGE_DAYS)
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
                self.mark_pruned()
        except sqlite3.Error as exc:
            self.warnings.append(f"result cache pruning failed ({exc})")
        return gone

    def count(self, kind: str | None = None) -> int:
        """How many entries there are (of ``kind``, or in all)."""
        if kind is None:
            return self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        return self._conn.execute("SELECT COUNT(*) FROM results WHERE kind = ?", (kind,)).fetchone()[0]
