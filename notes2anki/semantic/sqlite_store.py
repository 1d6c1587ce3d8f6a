"""The one way notes2anki opens a SQLite cache file: :class:`SQLiteStore`, the base of the embedding cache
(:mod:`~notes2anki.semantic.cache`) and the result store (:mod:`~notes2anki.semantic.result_cache`).

A cache file is re-computable data, so opening one never raises and never prints; what went wrong is a
string in :attr:`SQLiteStore.warnings`:

- a file that cannot be used as this store (not SQLite, truncated, another program's database, another
  ``app``/``schema`` in its ``meta`` table, a failed ``PRAGMA quick_check`` where the store asks for one —
  at most once a day, as the ``meta`` key ``checked`` records: it reads the whole file, 0.4–0.8 s for the
  embedding cache of a 10,000-card vault, too much for every run; damage a read meets in between is
  :meth:`SQLiteStore.damaged`) is
  deleted with its ``-wal``/``-shm``/``-journal`` files and rebuilt empty: ``"<label> <path> <why>;
  rebuilding it"``;
- a file another process holds locked is never taken for corrupt: opening waits ``busy_timeout`` seconds,
  then this run works in memory and leaves the file alone (``"... is locked by another process ...; left
  as it is"``);
- a location that cannot be written (no folder, read-only) also gives an in-memory store for the run.

Damage found later, when a read or write fails, can rebuild the file then (:meth:`SQLiteStore.damaged`).
Pruning runs by itself at most once a day when the file is opened: the ``meta`` key ``pruned`` holds the
last time (:func:`due_for_pruning`); a subclass says what pruning deletes (:meth:`SQLiteStore.prune`,
ending with :meth:`SQLiteStore.mark_pruned`).
"""
from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

DAY = 86400.0
LOCKED = "is locked by another process"
UNWRITABLE = "cannot be written"  # a read-only file, folder or mount: never deleted; the run keeps results in memory
SQLITE_HEADER = b"SQLite format 3\x00"
META_TABLE = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class SQLiteStore:
    """A SQLite file with a ``meta`` table (``app``, ``schema``, ``pruned``) opened as the module doc says.

    Subclasses set :attr:`APP_ID`, :attr:`SCHEMA_VERSION`, :attr:`SCHEMA` (``CREATE TABLE IF NOT EXISTS``
    statements of their tables; the ``meta`` table is the base's), :attr:`LABEL` (``"embedding cache"``),
    :attr:`IN_MEMORY` (what the warning says when the run falls back to memory), :attr:`TABLES` (the tables
    a usable file has besides ``meta``), :attr:`PROBE` (a query that must run on a usable file), and may set
    :attr:`READABLE_SCHEMAS` (older schemas :meth:`migrate` upgrades in place) and :attr:`QUICK_CHECK` (run
    SQLite's integrity check when opening, at most once a day; costs a read of the whole file). ``path=None`` keeps the store
    in memory (nothing persists).
    Use as a context manager or call :meth:`close`.
    """

    APP_ID = ""
    SCHEMA_VERSION = "1"
    READABLE_SCHEMAS: tuple[str, ...] = ()
    SCHEMA = ""
    LABEL = "cache"
    IN_MEMORY = "using an in-memory cache for this run"
    TABLES: frozenset[str] = frozenset()
    PROBE = "SELECT key, value FROM meta LIMIT 1"
    QUICK_CHECK = False

    def __init__(self, path: Path | str | None, *, busy_timeout: float = 5.0, auto_prune: bool = True):
        self.path = Path(path) if path is not None else None
        self._checked_now = False  # check() ran quick_check on the file: record it once connected
        self.warnings: list[str] = []
        self.busy_timeout = busy_timeout
        self._conn = self._open()
        if auto_prune and self.path is not None and due_for_pruning(self._conn):
            self.prune()

    # -- opening -------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._connect(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._in_memory(f"cannot create the cache directory {self.path.parent}: {exc}")
        if self.path.is_dir():  # cannot be rebuilt in place: say so, not "rebuilding it"
            return self._in_memory(f"{self.LABEL} {self.path} is a folder, not a cache file; remove it")
        if not (self.path.exists() or self.path.is_symlink()):
            self._checked_now = True  # a file made now is whole: its first daily integrity check is due tomorrow
        else:
            problem = self.check(self.path)
            if problem is not None and problem.startswith(UNWRITABLE):
                return self._in_memory(f"{self.LABEL} {self.path} {problem}; left as it is")
            if problem == LOCKED:
                return self._in_memory(f"{self.LABEL} {self.path} {LOCKED} (waited {self.busy_timeout:g} s); "
                                       f"left as it is")
            if problem is None:
                try:
                    return self._connect(str(self.path))
                except sqlite3.Error as exc:
                    if is_busy(exc):
                        return self._in_memory(f"{self.LABEL} {self.path} {LOCKED}; left as it is")
                    if is_unwritable(exc):  # a read-only file or folder: never "rebuilt" (deleted)
                        return self._in_memory(f"{self.LABEL} {self.path} cannot be written ({exc}); "
                                               "left as it is")
                    problem = f"cannot be opened ({exc})"
            self.warnings.append(f"{self.LABEL} {self.path} {problem}; rebuilding it")
            if not remove_database(self.path):
                return self._in_memory(f"cannot remove the unusable {self.LABEL} {self.path}")
            self._checked_now = True
        try:
            return self._connect(str(self.path))
        except (sqlite3.Error, OSError) as exc:
            return self._in_memory(f"cannot write the {self.LABEL} {self.path}: {exc}")

    def check(self, path: Path) -> str | None:
        """Why the file at ``path`` is not a usable store of this kind (:data:`LOCKED` when another process
        holds it locked: not a fault), or None when it is. Reads the file only (``mode=ro``)."""
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block open() and SQLite for ever
                return "is not a regular file (a FIFO, device or socket)"
            with open(path, "rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            return f"cannot be read ({exc})"
        if not header:
            return None  # an empty file is an empty database
        if header != SQLITE_HEADER:
            return "is not a SQLite database (corrupt or foreign file)"
        conn = None
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=self.busy_timeout)
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if self.QUICK_CHECK and _due(conn, "checked"):
                if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    return "is corrupt (quick_check failed)"
                self._checked_now = True
            if not {"meta", *self.TABLES} <= tables:
                return f"is not a notes2anki {self.LABEL}"
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("app") != self.APP_ID:
                return f"is not a notes2anki {self.LABEL}"
            if meta.get("schema") not in (*self.READABLE_SCHEMAS, self.SCHEMA_VERSION):
                return f"has schema {meta.get('schema')!r}, expected {self.SCHEMA_VERSION!r}"
            conn.execute(self.PROBE).fetchall()
        except sqlite3.Error as exc:
            if is_unwritable(exc):  # a WAL file in a read-only place cannot even be read without its -shm
                return f"{UNWRITABLE} ({exc})"
            return LOCKED if is_busy(exc) else f"is corrupt ({exc})"
        finally:
            if conn is not None:
                conn.close()
        return None

    def _connect(self, target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=self.busy_timeout)
        try:
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")  # readers do not block a writer, nor it them
                # a commit appends to the WAL without an fsync (SQLite's advice for WAL): still consistent after
                # a crash, only the last commits may be lost, which these re-computable caches redo
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(META_TABLE + self.SCHEMA)
            self.migrate(conn)
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('app', 'schema')").fetchall())
            if meta.get("app") is None:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('app', ?)", (self.APP_ID,))
            if meta.get("schema") != self.SCHEMA_VERSION:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (self.SCHEMA_VERSION,))
            if self._checked_now and target != ":memory:":
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('checked', ?)", (str(time.time()),))
            conn.commit()
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def migrate(self, conn: sqlite3.Connection) -> None:
        """Upgrade a file of one of :attr:`READABLE_SCHEMAS` in place (called on every connection, after
        :attr:`SCHEMA` ran; the default does nothing)."""

    def _in_memory(self, why: str) -> sqlite3.Connection:
        self.warnings.append(f"{why}; {self.IN_MEMORY}")
        self.path = None
        return self._connect(":memory:")

    def damaged(self, exc: sqlite3.Error, what: str) -> None:
        """A ``what`` ("read", "write") failed with ``exc`` after opening: a busy file is left alone (a
        warning, ``recomputing``); a damaged one is deleted and rebuilt empty, with a warning."""
        if is_busy(exc) or self.path is None or isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
            self.warnings.append(f"{self.LABEL} {what} failed ({exc}); recomputing")
            return
        if is_unwritable(exc):  # a whole file in a read-only place (tester 12-02: it was deleted as "corrupt")
            note = f"{self.LABEL} {self.path} cannot be written ({exc}); left as it is, results not saved"
            if note not in self.warnings:
                self.warnings.append(note)
            return
        self.warnings.append(f"{self.LABEL} {self.path} is corrupt ({exc}); rebuilding it")
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        remove_database(self.path)
        try:
            self._conn = self._connect(str(self.path))
        except (sqlite3.Error, OSError) as again:
            self._conn = self._in_memory(f"cannot write the {self.LABEL} {self.path}: {again}")

    # -- pruning -------------------------------------------------------------------------------------
    def prune(self) -> int:
        """Delete what is no longer worth keeping; returns how many rows went. The base deletes nothing
        (subclasses define it and end with :meth:`mark_pruned` inside their transaction)."""
        return 0

    def mark_pruned(self) -> None:
        """Record now as the last pruning time (in the caller's transaction)."""
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('pruned', ?)", (str(time.time()),))

    def close(self) -> None:
        """Close the SQLite connection."""
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_database(path: Path) -> bool:
    """Delete the SQLite file ``path`` and its ``-wal``/``-shm``/``-journal`` companions; False when the file
    itself could not be removed (a companion that stays is harmless once the file is gone)."""
    ok = True
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        except OSError:
            ok = ok and bool(suffix)
    return ok


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether a SQLite error means another process holds the file (locked / busy)."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def is_unwritable(exc: sqlite3.Error) -> bool:
    """Whether a SQLite error means the file or its folder cannot be written (read-only, no permission,
    the journal files cannot be made), not that the file is damaged."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or "readonly" in text \
        or "read-only" in text or "unable to open database file" in text


def due_for_pruning(conn: sqlite3.Connection) -> bool:
    """Whether a cache database (with a ``meta`` table whose key ``pruned`` holds the last pruning time, Unix
    seconds) was last pruned a day or more ago; unreadable or missing counts as never."""
    return _due(conn, "pruned")


def _due(conn: sqlite3.Connection, key: str) -> bool:
    """Whether the time (Unix seconds) under ``key`` of the ``meta`` table is a day or more ago; unreadable,
    missing or in the future counts as due."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        last = float(row[0]) if row else 0.0
    except (sqlite3.Error, ValueError):
        last = 0.0
    return not 0.0 <= time.time() - last < DAY


def env_number(name: str, default: float) -> float:
    """The positive number in environment variable ``name`` (e.g. ``NOTES2ANKI_CACHE_MAX_AGE_DAYS``), else
    ``default`` (unset, not a number, zero or negative)."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default
