"""Collections that look like an Obsidian_to_Anki plugin user's, built with the official `anki` package.

The plugin adds each card through AnkiConnect: Anki gives the note its id (which the plugin writes into
the vault as ``<!--ID: n-->``) and a random GUID, and the note uses the collection's own note types
("Basic", "Cloze", ...). Some notes have been reviewed: their cards are review cards with revlog rows.
"""
from __future__ import annotations

import html
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.model import note_type_fields
from notes2anki.parsers import load_vault


@dataclass
class PluginCollection:
    path: Path
    nids: list[int]  # note ids (= the vault's IDs)
    reviewed: list[int]  # note ids whose cards have review history
    revlog: int  # revlog rows written


def make_plugin_collection(vault_root: Path, col_path: Path, review_every: int = 3,
                           seed: int = 7) -> PluginCollection:
    """One note per card with ``<!--ID: n-->`` in the vault: note id n, a random GUID, the collection's
    stock note type of the card's type name, the card's deck and tags, plain text fields. Every
    ``review_every``-th note is reviewed (its cards are review cards with two revlog rows each)."""
    rng = random.Random(seed)
    config = load_config(vault_root)
    vault = load_vault(vault_root, config)
    types = note_type_fields(config.note_types)
    col_path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(col_path))
    nids, reviewed, revlog = [], [], 0
    try:
        seen = set()
        for card in vault.cards:
            if card.id is None or card.id in seen or card.delete:
                continue
            seen.add(card.id)
            notetype = col.models.by_name(card.note_type) or _user_notetype(col, card.note_type, types)
            note = col.new_note(notetype)
            for i, name in enumerate(note.keys()):
                values = list(card.fields.values())
                if i < len(values):
                    note[name] = html.escape(values[i])
            note.tags = list(card.tags)
            col.add_note(note, col.decks.id(card.deck))
            old = note.id
            note_guid = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEF0123456789") for _ in range(10))
            col.db.execute("update notes set id = ?, guid = ? where id = ?", card.id, note_guid, old)
            col.db.execute("update cards set nid = ? where nid = ?", card.id, old)
            nids.append(card.id)
            if len(nids) % review_every == 0:
                reviewed.append(card.id)
                for cid in col.db.list("select id from cards where nid = ?", card.id):
                    for ease in (3, 4):  # answered twice with Anki's own scheduler: revlog rows, a due date
                        anki_card = col.get_card(cid)
                        anki_card.start_timer()
                        col.sched.answerCard(anki_card, ease)
                        revlog += 1
    finally:
        col.close()
    return PluginCollection(col_path, nids, reviewed, revlog)



def plugin_collection_deleted(vault_root: Path, col_path: Path, deleted: list[int], **options) -> PluginCollection:
    """:func:`make_plugin_collection`, then the notes ``deleted`` removed in Anki (leeches and obsolete cards
    a plugin user deleted there while the vault kept their blocks and IDs)."""
    made = make_plugin_collection(vault_root, col_path, **options)
    col = Collection(str(made.path))
    try:
        col.remove_notes(deleted)
    finally:
        col.close()
    return made

def _user_notetype(col, name: str, types: dict[str, list[str]]) -> dict:
    """A note type of the user's own (e.g. "Einfach", German Anki's Basic), with the fields the plugin
    recorded for it (data.json fields_dict)."""
    fields = types.get(name) or ["Front", "Back"]
    notetype = col.models.new(name)
    for field_name in fields:
        col.models.add_field(notetype, col.models.new_field(field_name))
    template = col.models.new_template("Card 1")
    template["qfmt"] = "{{%s}}" % fields[0]
    template["afmt"] = "{{FrontSide}}<hr id=answer>" + "<br>".join("{{%s}}" % f for f in fields[1:])
    col.models.add_template(notetype, template)
    return col.models.get(col.models.add_dict(notetype).id)


def empty_collection(tmp_path: Path) -> Path:
    """A new, empty Anki collection file at ``tmp_path/prof/collection.anki2`` (its folder as Anki's profile)."""
    path = tmp_path / "prof" / "collection.anki2"
    path.parent.mkdir(parents=True)
    Collection(str(path)).close()
    return path


def run_sync(vault: Path, collection: Path, *args: str):
    """`notes2anki sync VAULT --collection PATH ...` through the click CLI; the click Result."""
    return CliRunner().invoke(cli_main, ["sync", str(vault), "--collection", str(collection), *args])


def snapshot(col_path: Path) -> dict:
    """What a user would check: notes (id → guid, type, fields, tags), card homes, revlog rows."""
    col = Collection(str(col_path))
    try:
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            decks = sorted({col.decks.name(c.odid or c.did) for c in note.cards()})
            notes[nid] = {"guid": note.guid, "type": note.note_type()["name"], "fields": list(note.fields),
                          "tags": sorted(note.tags), "decks": decks, "cards": len(note.cards())}
        revlog = col.db.all("select id, cid, ease, ivl from revlog order by id")
        scheduling = {cid: (t, q, ivl) for cid, t, q, ivl in col.db.all("select id, type, queue, ivl from cards")}
    finally:
        col.close()
    return {"notes": notes, "revlog": revlog, "scheduling": scheduling}


def hold_open(col_path: Path, seconds: float = 60):
    """A separate process holding the collection open (as Anki does); call .kill() when done."""
    code = ("import sys, time\nfrom anki.collection import Collection\n"
            "col = Collection(sys.argv[1])\nprint('open', flush=True)\ntime.sleep(float(sys.argv[2]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(col_path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc
