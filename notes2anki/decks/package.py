"""Writing the .apkg: reproducible, with per-card modification times, never over a file it should not.

The package is a zip of the SQLite collection (``anki_collection.py``: the rows genanki cannot write
for us), the media files and the media index (written last, so a file that cannot be read is left
out of it), with fixed entry times and sorted entries, so an
unchanged vault gives a byte-identical package; when the new package is byte-identical to the file
already there, that file is left untouched (its modification time too).

``output_problem`` says when a path must not be written without ``--force``: inside the vault, or an
existing file that is not an Anki package. ``-o`` onto a symlink writes the link's target.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import sqlite3
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import genanki

from ..fileio import MAX_MEDIA_BYTES, atomic_write, is_inside, read_bounded
from ..model import Diagnostic
from .anki_collection import NoteRow, stable_id, write_collection
from .notetypes import MODIFIED

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_DECK_ID = 1  # Anki's own "Default": a package deck with id 1 named Default merges with it
COLLECTION_NAMES = ("collection.anki2", "collection.anki21", "collection.anki21b")  # what Anki packages hold


def deck_id(name: str) -> int:
    """The Anki deck id for a deck name: 1 for "Default", else a stable hash of the name."""
    if name == "Default":
        return DEFAULT_DECK_ID
    return stable_id(f"notes2anki/deck/{name}")


@dataclass
class PackagedNote:
    """One Anki note as it goes into the package: its genanki note type, field HTML in field order, tags,
    GUID, deck name, note id (ms) and modification time (s).
    """

    model: genanki.Model
    fields: list[str]  # HTML, in the model's field order
    tags: list[str]
    guid: str
    deck: str
    nid: int  # Anki note id (ms)
    mod: int  # modification time (s)


@dataclass
class MediaFile:
    """A file to package: ``name`` in Anki's media folder, read from ``source`` (inside the vault)."""

    name: str  # name in Anki's media folder
    source: Path


@dataclass
class PackageContent:
    """All that :func:`write_apkg` writes: notes, media files, and the vault root media must lie in."""

    notes: list[PackagedNote] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    root: Path | None = None  # the vault: media must resolve inside it


def media_names(paths: set[str], root: Path) -> dict[str, str]:
    """Vault path → name in Anki. Files sharing a base name but not their bytes get ``stem-<hash>.ext``."""
    by_name: dict[str, list[str]] = {}
    for p in sorted(paths):
        by_name.setdefault(posixpath.basename(p), []).append(p)
    names: dict[str, str] = {}
    for base, group in by_name.items():
        if len(group) == 1:
            names[group[0]] = base
            continue
        digests = {p: _digest(root / p, root) for p in group}
        if len(set(digests.values())) == 1:
            for p in group:
                names[p] = base
            continue
        stem, dot, ext = base.rpartition(".")
        for p in group:
            names[p] = f"{stem}-{digests[p][:8]}.{ext}" if dot else f"{base}-{digests[p][:8]}"
    return names


def _digest(path: Path, root: Path) -> str:
    try:
        return hashlib.sha256(read_bounded(path, MAX_MEDIA_BYTES, root=root)).hexdigest()
    except OSError:
        return "missing"


PACKAGE_MARK = b"notes2anki"  # the zip comment of every package build writes: one it may replace unasked
ANKI_EXPORT_NAMES = ("collection.anki21", "collection.anki21b", "meta")  # only Anki's own exports and backups
MAX_CHECKED_COLLECTION = 256 * 1024 * 1024  # an unmarked package's collection read to look for review history


def is_anki_package(path: Path) -> bool:
    """Whether ``path`` is a zip holding an Anki collection."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(name in COLLECTION_NAMES for name in zf.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def anki_export_problem(path: Path) -> str | None:
    """Why the Anki package at ``path`` is not one `build` may replace unasked, or None: a package that
    Anki itself exported or backed up (``.colpkg``, or one holding ``collection.anki21``/``.anki21b``/
    ``meta``), or an unmarked one (not written by notes2anki: by genanki, the plugin or an older Anki)
    whose collection holds review history. A package carrying :data:`PACKAGE_MARK` is never read
    further. Bounded: a collection over :data:`MAX_CHECKED_COLLECTION` counts as holding history."""
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.comment == PACKAGE_MARK:
                return None
            names = set(zf.namelist())
            own = sorted(names & set(ANKI_EXPORT_NAMES))
            if own or path.suffix.lower() == ".colpkg":
                return f"is a package or backup that Anki made ({own[0] if own else 'colpkg'})"
            if "collection.anki2" not in names:
                return None
            if zf.getinfo("collection.anki2").file_size > MAX_CHECKED_COLLECTION:
                return "holds a large collection not written by notes2anki"
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "collection.anki2"
                db.write_bytes(zf.read("collection.anki2"))
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                try:
                    reviews = con.execute("select count() from revlog").fetchone()[0]
                finally:
                    con.close()
    except (OSError, zipfile.BadZipFile, ValueError, KeyError, sqlite3.Error):
        return "could not be read as a package notes2anki wrote"
    return f"holds review history ({reviews} reviews): a deck exported from Anki" if reviews else None


def output_problem(output: Path, vault_root: Path) -> str | None:
    """Why the package must not be written to ``output`` unless forced (``--force``), as a message
    naming ``output``; None when it may be written.

    Refused: a path inside the vault (the vault is the user's data; a symlink is judged by its
    target), and an existing file that is not an Anki package (a note, any other file), or that is
    not a regular file.
    """
    target = Path(os.path.realpath(output))
    if is_inside(vault_root, target):
        return f"{output}: is inside the vault (build only reads the vault); use --force to write there anyway"
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{output}: cannot be checked: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return f"{output}: exists and is not a regular file; not overwritten"
    if not is_anki_package(target):
        return (f"{output}: exists and is not an Anki package (a zip holding collection.anki2); not "
                "overwritten — use --force to replace it")
    export = anki_export_problem(target)
    if export:
        return f"{output}: exists and {export}; not overwritten — use --force to replace it"
    return None


def write_apkg(content: PackageContent, output: Path) -> list[Diagnostic]:
    """Write the package to ``output`` atomically (``fileio.atomic_write``); a symlink at ``output``
    stays and its target is written. Unchanged content leaves the existing file untouched.

    Media are read with ``fileio.read_bounded`` (regular files inside the vault, at most
    ``MAX_MEDIA_BYTES``): one that vanished or became unsafe since the vault was read is left out,
    with a warning in the returned list. Raises ``OSError`` when the package cannot be written.
    """
    target = Path(os.path.realpath(output))
    target.parent.mkdir(parents=True, exist_ok=True)
    warnings: list[Diagnostic] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        _write_db(content, db_path)

        def write_zip(fh: BinaryIO) -> None:
            warnings.clear()  # (one call per write)
            with zipfile.ZipFile(fh, "w") as zf:
                zf.comment = PACKAGE_MARK
                _add(zf, "collection.anki2", db_path.read_bytes())
                index: dict[str, str] = {}
                for m in sorted(content.media, key=lambda m: m.name):  # one file in memory at a time
                    data = _read_media(m, content.root, warnings)
                    if data is not None:
                        index[str(len(index))] = m.name
                        _add(zf, str(len(index) - 1), data)
                _add(zf, "media", json.dumps(index, sort_keys=True, separators=(",", ":")).encode())

        atomic_write(target, write_zip, keep_if_identical=True)
    return warnings


def _read_media(m: MediaFile, root: Path | None, warnings: list[Diagnostic]) -> bytes | None:
    """The media file's bytes, or None (and a warning) if it vanished or became unsafe."""
    try:
        return read_bounded(m.source, MAX_MEDIA_BYTES, root=root)
    except OSError as exc:
        warnings.append(Diagnostic(_vault_path(m.source, root), 0, "warning",
                                   f"embedded file left out of the deck: {exc.strerror or exc}"))
        return None


def _vault_path(path: Path, root: Path | None) -> str:
    try:
        return Path(path).relative_to(root).as_posix() if root else str(path)
    except ValueError:
        return str(path)


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _write_db(content: PackageContent, db_path: Path) -> None:
    rows = [NoteRow(n.model, n.fields, n.tags, n.guid, deck_id(n.deck), n.nid, n.mod) for n in content.notes]
    decks = {deck_id(n.deck): n.deck for n in content.notes}
    write_collection(db_path, rows, decks, MODIFIED)
