"""The user's Anki collection: where Anki keeps it, opening it safely, backing it up.

Anki keeps one folder per profile under its base folder (``ANKI_BASE`` when set, as Anki itself
honours; else ``~/.local/share/Anki2`` on Linux, ``~/Library/Application Support/Anki2`` on macOS,
``%APPDATA%\\Anki2`` on Windows), each with a ``collection.anki2`` and a ``backups`` folder.

The official ``anki`` package (the optional ``sync`` extra) is imported here only, when a collection
is opened: ``build`` works without it. While Anki has a profile open it holds the collection's SQLite
database in exclusive locking mode, so a second opener gets "database is locked": that is how a
running Anki is detected, and sync then refuses with a message instead of waiting or failing later.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

COLLECTION_FILE = "collection.anki2"
ANKI_MISSING = ("the official `anki` package is not installed: install it with "
                "`pip install 'notes2anki[sync]'` (or `pip install anki`)")
LEGACY_SCHEMA = 11  # collections at this schema version (older Anki) are closed downgraded to it again


class CollectionError(Exception):
    """The collection cannot be found or opened; ``str(exc)`` is a message for the user."""


class CollectionLocked(CollectionError):
    """Anki (or another program) has the collection open."""


def anki_base() -> Path:
    """Anki's base folder on this system (``ANKI_BASE`` overrides, as in Anki)."""
    env = os.environ.get("ANKI_BASE")
    if env:
        return Path(env)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") / "Anki2"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "Anki2"


def profiles(base: Path | None = None) -> list[str]:
    """Names of the profiles under Anki's base folder (folders holding a collection), sorted."""
    base = base or anki_base()
    try:
        return sorted(p.name for p in base.iterdir() if (p / COLLECTION_FILE).is_file())
    except OSError:
        return []


def find_collection(collection: str | Path | None = None, profile: str | None = None,
                    settings: dict | None = None) -> Path:
    """The collection file to use: ``collection`` (a file, or a profile folder), else ``profile``, else
    ``settings`` (``[sync] collection`` / ``profile`` of the configuration), else the only profile.

    Raises ``CollectionError`` naming the profiles found when the choice is ambiguous or missing.
    """
    settings = settings or {}
    collection = collection or (None if profile else settings.get("collection"))
    profile = profile or settings.get("profile")
    if collection:
        path = Path(os.path.expanduser(str(collection)))
        path = path / COLLECTION_FILE if path.is_dir() else path
        if not path.is_file():
            raise CollectionError(f"no Anki collection at {path}")
        return path
    base = anki_base()
    names = profiles(base)
    if profile:
        path = base / str(profile) / COLLECTION_FILE
        if not path.is_file():
            raise CollectionError(f"no Anki profile {json.dumps(str(profile), ensure_ascii=False)} in {base} "
                                  f"(profiles: {', '.join(names) or 'none'})")
        return path
    if len(names) == 1:
        return base / names[0] / COLLECTION_FILE
    if not names:
        raise CollectionError(f"no Anki profile found in {base}: give the collection with "
                              "--collection PATH (or set ANKI_BASE)")
    raise CollectionError(f"several Anki profiles in {base} ({', '.join(names)}): choose one with "
                          "--profile NAME, or set `profile` under [sync] in .notes2anki.toml")


def schema_version(path: Path) -> int:
    """The collection's schema version (``col.ver``), read without opening it in Anki.

    Raises ``CollectionLocked`` while another program holds it, ``CollectionError`` when it is not a
    readable Anki collection.
    """
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=0)
    except sqlite3.Error as exc:
        raise CollectionError(f"cannot read {path}: {exc}") from None
    try:
        (ver,) = conn.execute("select ver from col").fetchone()
        return int(ver)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise CollectionLocked(_locked_message(path)) from None
        raise CollectionError(f"{path} is not a readable Anki collection ({exc})") from None
    except (sqlite3.Error, TypeError, ValueError) as exc:
        raise CollectionError(f"{path} is not a readable Anki collection ({exc})") from None
    finally:
        conn.close()


def _too_new(path: Path, exc: BaseException) -> CollectionError | None:
    """The error to raise when ``exc`` (from opening ``path`` with the ``anki`` package) says the file was
    saved by a newer Anki than that package reads (its ``DbError`` kind ``FileTooNew``) or by one too old to
    open (``FileTooOld``), else None."""
    if "FileTooOld" in str(exc):
        return CollectionError(f"the collection {path} was saved by a very old Anki (before 2.1): open it once in "
                               "a current Anki, which upgrades it, then run this again. Nothing was changed.")
    if "FileTooNew" not in str(exc) and "too new" not in str(exc).lower():
        return None
    try:
        from anki.buildinfo import version
    except ImportError:  # (the package is there: it raised the error)
        version = "installed"
    return CollectionError(f"the collection {path} was saved by a newer Anki than the anki package notes2anki "
                           f"uses ({version}) can read: update that package (`pip install -U anki` in "
                           "notes2anki's environment), then run this again. Nothing was changed.")


def _locked_message(path: Path) -> str:
    return (f"the collection {path} is open in Anki (or another program): close Anki, or switch Anki to "
            "another profile, then run this again. Nothing was changed.")


@dataclass
class Opened:
    """An open collection and how to close it again."""

    col: object  # anki.collection.Collection
    path: Path
    schema: int  # schema version before opening
    temporary: Path | None = None  # the private copy opened read-only (build --collection)

    def close(self) -> None:
        """Close; a collection of an older Anki (schema 11) is written back in that schema."""
        try:
            self.col.close(downgrade=self.schema <= LEGACY_SCHEMA)
        finally:
            if self.temporary is not None:
                shutil.rmtree(self.temporary, ignore_errors=True)


def open_collection(path: Path) -> Opened:
    """Open the collection for writing. Raises ``CollectionLocked`` while Anki has it open,
    ``CollectionError`` when the ``anki`` package is missing or the file is not a collection."""
    schema = schema_version(path)
    Collection, DBError = _anki()
    try:
        col = Collection(str(path))
    except DBError as exc:
        raise (_too_new(path, exc) or CollectionLocked(_locked_message(path))) from None
    except Exception as exc:  # the anki package's errors carry no common base we could name
        raise CollectionError(f"cannot open {path}: {exc or type(exc).__name__}") from None
    return Opened(col, Path(path), schema)


def media_folder(path: Path) -> Path:
    """The media folder Anki keeps beside the collection file ``path`` (``collection.anki2`` →
    ``collection.media``, as ``anki.collection.Collection`` names it)."""
    path = Path(path).resolve()
    return path.with_name(re.sub(r"(?i)\.anki2$", "", path.name) + ".media")


def open_copy(path: Path) -> Opened:
    """Open a private copy of the collection (the user's file is only read, never written): for
    ``build --collection``. Works while Anki has the collection open only if SQLite lets it be read."""
    schema_version(path)
    Collection, _ = _anki()
    folder = Path(tempfile.mkdtemp(prefix="notes2anki-col-"))
    copy = folder / COLLECTION_FILE
    try:
        src = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=0)
        try:
            dst = sqlite3.connect(copy)
            with dst:
                src.backup(dst)  # a consistent snapshot, WAL included
            dst.close()
        finally:
            src.close()
        col = Collection(str(copy))
    except sqlite3.OperationalError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if "locked" in str(exc).lower():
            raise CollectionLocked(_locked_message(path)) from None
        raise CollectionError(f"cannot read {path}: {exc}") from None
    except Exception as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise (_too_new(path, exc) or CollectionError(f"cannot read {path}: {exc or type(exc).__name__}")) from None
    return Opened(col, Path(path), LEGACY_SCHEMA + 1, temporary=folder)


def backup(opened: Opened) -> Path:
    """Back the collection up with Anki's own backup (a ``.colpkg`` in the profile's ``backups``
    folder, where Anki's "Open Backup…" finds it; media are not included, as in Anki's backups).

    Returns the backup file: the one just written, or the newest one already there when Anki reports
    nothing changed since it. Raises ``CollectionError`` when no backup could be made.
    """
    folder = opened.path.parent / "backups"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        opened.col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    except Exception as exc:
        raise CollectionError(f"no backup could be made in {folder} ({exc}); nothing was changed") from None
    made = sorted(folder.glob("*.colpkg"), key=lambda p: p.stat().st_mtime)
    if not made:
        raise CollectionError(f"no backup could be made in {folder}; nothing was changed")
    return made[-1]


def _anki():
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise CollectionError(ANKI_MISSING) from None
    return Collection, DBError
