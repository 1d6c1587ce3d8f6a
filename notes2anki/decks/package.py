"""Writing the .apkg: reproducible, with per-card modification times.

genanki provides the schema and the note type / deck JSON; we write the rows ourselves so each note
carries its own id and modification time, and we zip with fixed entry times and sorted entries so an
unchanged vault gives a byte-identical package.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .notetypes import MODIFIED

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_DECK_ID = 1  # Anki's own "Default": a package deck with id 1 named Default merges with it


def deck_id(name: str) -> int:
    if name == "Default":
        return DEFAULT_DECK_ID
    return 1_000_000_000 + int(hashlib.sha256(f"notes2anki/deck/{name}".encode()).hexdigest()[:10], 16)


@dataclass
class PackagedNote:
    model: genanki.Model
    fields: list[str]
    tags: list[str]
    guid: str
    deck: str
    nid: int
    mod: int


class _Note(genanki.Note):
    """A genanki note written with its own note id and modification time."""

    def __init__(self, packaged: PackagedNote):
        super().__init__(model=packaged.model, fields=packaged.fields, tags=packaged.tags,
                         guid=packaged.guid)
        self.nid, self.mod = packaged.nid, packaged.mod

    def _cloze_cards(self):
        cards = sorted(super()._cloze_cards(), key=lambda c: c.ord)
        return cards or [genanki.Card(0)]  # Anki keeps a cloze note without clozes as one card

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):
        self._check_number_model_fields_matches_num_fields()
        cursor.execute("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", (
            self.nid, self.guid, self.model.model_id, self.mod, -1, self._format_tags(),
            self._format_fields(), self.sort_field, 0, 0, ""))
        for card in sorted(self.cards, key=lambda c: c.ord):
            cursor.execute("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", (
                self.nid + card.ord, self.nid, deck_id, card.ord, self.mod, -1, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, ""))


@dataclass
class MediaFile:
    name: str  # name in Anki's media folder
    source: Path


@dataclass
class PackageContent:
    notes: list[PackagedNote] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)


def media_names(paths: set[str], root: Path) -> dict[str, str]:
    """Vault path → name in Anki. Files sharing a base name but not their bytes get ``stem-<hash>.ext``."""
    by_name: dict[str, list[str]] = {}
    for p in sorted(paths):
        by_name.setdefault(posixpath.basename(p), []).append(p)
    names: dict[str, str] = {}
    for base, group in by_name.items():
        digests = {p: _digest(root / p) for p in group}
        if len(set(digests.values())) == 1:
            for p in group:
                names[p] = base
            continue
        stem, dot, ext = base.rpartition(".")
        for p in group:
            names[p] = f"{stem}-{digests[p][:8]}.{ext}" if dot else f"{base}-{digests[p][:8]}"
    return names


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return "missing"
    return h.hexdigest()


def write_apkg(content: PackageContent, output: Path) -> None:
    """Write the package atomically: a temp file next to ``output``, renamed when complete."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "collection.anki2"
        _write_db(content, db_path)
        fd, tmp_zip = tempfile.mkstemp(dir=output.parent, prefix=".notes2anki-", suffix=".apkg")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp_zip, "w") as zf:
                _add(zf, "collection.anki2", db_path.read_bytes())
                media = sorted(content.media, key=lambda m: m.name)
                index = {str(i): m.name for i, m in enumerate(media)}
                _add(zf, "media", json.dumps(index, sort_keys=True, separators=(",", ":")).encode())
                for i, m in enumerate(media):
                    _add(zf, str(i), m.source.read_bytes())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_zip, 0o666 & ~umask)  # mkstemp makes 0600; a deck is an ordinary file
            os.replace(tmp_zip, output)
        except BaseException:
            Path(tmp_zip).unlink(missing_ok=True)
            raise


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _write_db(content: PackageContent, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        cursor = conn.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        decks: dict[str, genanki.Deck] = {}
        for note in sorted(content.notes, key=lambda n: n.nid):
            deck = decks.get(note.deck)
            if deck is None:
                deck = decks[note.deck] = genanki.Deck(deck_id(note.deck), note.deck)
            deck.add_note(_Note(note))
        for name in sorted(decks):
            decks[name].write_to_db(cursor, MODIFIED, iter(()))
        # genanki mixes str and int keys when several decks share a note type: normalise, sorted
        for column in ("models", "decks"):
            (raw,) = cursor.execute(f"SELECT {column} FROM col").fetchone()
            cursor.execute(f"UPDATE col SET {column} = ?", (json.dumps(json.loads(raw), sort_keys=True),))
        conn.commit()
    finally:
        conn.close()
