"""The SQLite collection inside an .apkg (Anki schema 11), written row by row: what genanki cannot do.

genanki (public API only) gives each note type's JSON (``Model.to_json``), each deck's JSON
(``Deck.to_json``), and which cards a note has (``Note.cards``, ``Note.sort_field``). It cannot give each
note its own id and modification time (it stamps one package-wide time; Anki updates a note on import
only when the package's time is newer, README "Identity"), nor deterministic card ids, nor a
reproducible file. So this module owns the schema and writes the rows itself; every row's columns are
named where it is written. Schema and column meanings: Anki's legacy collection format (schema 11),
which every current Anki imports (checked with the official ``anki`` package in the tests).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import genanki

SCHEMA_VERSION = 11
COLLECTION_TIME = 1_411_124_400  # crt/mod of the package's own collection row: fixed, never read on import

SCHEMA = """
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
    scm integer not null, ver integer not null, dty integer not null, usn integer not null,
    ls integer not null, conf text not null, models text not null, decks text not null,
    dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
    mod integer not null, usn integer not null, tags text not null, flds text not null,
    sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
    ord integer not null, mod integer not null, usn integer not null, type integer not null,
    queue integer not null, due integer not null, ivl integer not null, factor integer not null,
    reps integer not null, lapses integer not null, left integer not null, odue integer not null,
    odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
    ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
    time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
"""


def stable_id(key: str) -> int:
    """A stable Anki object id for ``key``, e.g. ``"notes2anki/deck/Biology"``: 1,000,000,000 plus the first
    40 bits of the key's SHA-256, so ``10**9 <= id < 10**9 + 2**40`` (positive, far below Anki's 2**63,
    never Anki's default deck id 1). The same key always gives the same id, so a rebuilt package reuses
    its decks and note types; the callers prefix the key with the kind of object (deck, note type).
    """
    return 1_000_000_000 + int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:10], 16)


# The collection settings ("conf") and the default deck options ("dconf" id 1) of a new collection.
COLLECTION_CONF = {
    "activeDecks": [1], "addToCur": True, "collapseTime": 1200, "curDeck": 1, "curModel": None,
    "dueCounts": True, "estTimes": True, "newBury": True, "newSpread": 0, "nextPos": 1,
    "sortBackwards": False, "sortType": "noteFld", "timeLim": 0,
}
DECK_OPTIONS = {"1": {
    "autoplay": True, "id": 1, "maxTaken": 60, "mod": 0, "name": "Default", "replayq": True, "timer": 0,
    "usn": 0,
    "lapse": {"delays": [10], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0},
    "new": {"bury": True, "delays": [1, 10], "initialFactor": 2500, "ints": [1, 4, 7], "order": 1,
            "perDay": 20, "separate": True},
    "rev": {"bury": True, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1, "maxIvl": 36500, "minSpace": 1,
            "perDay": 100},
}}


@dataclass
class NoteRow:
    """One note to write: its model, HTML fields (in the model's order), tags, GUID, deck, Anki note
    id (ms) and modification time (s)."""

    model: genanki.Model
    fields: list[str]
    tags: list[str]
    guid: str
    deck_id: int
    nid: int
    mod: int


def card_ords(row: NoteRow) -> list[int]:
    """The template ordinals of the cards Anki makes for the note, ascending (``genanki.Note.cards``;
    a Cloze note without any cloze still has one card, as Anki keeps it)."""
    import genanki

    note = genanki.Note(model=row.model, fields=row.fields, guid=row.guid)
    return sorted({card.ord for card in note.cards}) or [0]


def write_collection(db_path: Path, notes: list[NoteRow], deck_names: dict[int, str],
                     models_mod: int) -> None:
    """Write ``notes`` (in the decks ``deck_names``: id → name) as a new schema-11 collection at
    ``db_path``. Deterministic: the same arguments give the same rows in the same order.

    Card ids: each note's cards take the next free ids from its note id up (notes in note-id order),
    so a note's cards are ``nid``, ``nid+1``… unless an earlier note (a Cloze note with more clozes
    than the gap between note ids) already took them. Card ids stay ms-like (Anki reads a card's
    creation time from its id) and are unique however many cards a note has.
    """
    import genanki

    notes = sorted(notes, key=lambda n: n.nid)
    conn = sqlite3.connect(db_path)
    try:
        cursor = conn.cursor()
        # a scratch file, zipped into the package afterwards: no journal, no fsync (each CREATE of the schema
        # synced the disk: 0.25 s a build); the file's bytes are the same
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.executescript(SCHEMA)
        models = {}
        for note in notes:  # each note type's default deck: the deck of its first note
            models.setdefault(str(note.model.model_id), note.model.to_json(models_mod, note.deck_id))
        decks = {str(i): genanki.Deck(i, name).to_json() for i, name in deck_names.items()}
        if "1" not in decks:  # Anki's own Default deck, present in every collection
            decks["1"] = genanki.Deck(1, "Default").to_json()
        cursor.execute(
            "INSERT INTO col VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (1,                        # id: the one collection row
             COLLECTION_TIME,          # crt: creation time (s)
             COLLECTION_TIME * 1000,   # mod: modification time (ms)
             COLLECTION_TIME * 1000,   # scm: schema modification time (ms)
             SCHEMA_VERSION,           # ver
             0,                        # dty: dirty flag (unused)
             0,                        # usn: update sequence number
             0,                        # ls: last sync time
             _json(COLLECTION_CONF),   # conf: collection settings
             _json(models),            # models: note type id → note type JSON
             _json(decks),             # decks: deck id → deck JSON
             _json(DECK_OPTIONS),      # dconf: deck options id → options
             "{}"))                    # tags: tag cache (empty)
        next_card_id = 0
        note_rows, card_rows = [], []
        ords_of: dict[tuple, list[int]] = {}  # non-cloze note types: the cards depend on which fields are empty
        for note in notes:
            if note.model.model_type == note.model.FRONT_BACK:
                shape = (id(note.model), tuple(bool(f) for f in note.fields))
                ords = ords_of.get(shape)
                if ords is None:
                    ords = ords_of[shape] = card_ords(note)
            else:
                ords = card_ords(note)
            note_rows.append(
                (note.nid,                          # id: note id (creation time, ms)
                 note.guid,                         # guid: what Anki matches notes on
                 note.model.model_id,               # mid: note type id
                 note.mod,                          # mod: modification time (s)
                 -1,                                # usn: -1 = not synced yet
                 " " + " ".join(note.tags) + " ",   # tags: space-separated, padded with spaces
                 "\x1f".join(note.fields),          # flds: fields joined by the unit separator
                 _sort_field(note),                 # sfld: the sort field's text
                 0,                                 # csum: first-field checksum (Anki recomputes)
                 0,                                 # flags
                 ""))                               # data: unused
            next_card_id = max(next_card_id, note.nid)
            for ord_ in ords:
                card_rows.append(
                    (next_card_id,  # id: card id (ms-like, unique in the package)
                     note.nid,      # nid: its note
                     note.deck_id,  # did: deck id
                     ord_,          # ord: template (or cloze number - 1)
                     note.mod,      # mod: modification time (s)
                     -1,            # usn
                     0,             # type: 0 = new
                     0,             # queue: 0 = new
                     0,             # due: position in the new queue
                     0,             # ivl: interval (days)
                     0,             # factor: ease (permille)
                     0,             # reps
                     0,             # lapses
                     0,             # left: learning steps left
                     0,             # odue: original due (filtered decks)
                     0,             # odid: original deck (filtered decks)
                     0,             # flags
                     ""))           # data: unused
                next_card_id += 1
        cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows)
        cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows)
        conn.commit()
    finally:
        conn.close()


def _sort_field(note: NoteRow) -> str:
    return note.fields[note.model.sort_field_index]


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
