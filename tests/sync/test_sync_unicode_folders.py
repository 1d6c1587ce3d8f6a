"""A plugin user's folder deck survives a folder name kept in another Unicode normal form (tester r2): the
folder "Café" decomposed on disk (macOS, git, rsync), the plugin's FOLDER_DECKS / FOLDER_TAGS key composed
(as Obsidian writes it), or the reverse. `sync` moved the plugin's note from its folder deck to Default and
took its folder tag, with no warning; now the note is unchanged."""
from __future__ import annotations

import json
import unicodedata

import pytest
from anki.collection import Collection

from .plugin_users import snapshot

NFC, NFD = unicodedata.normalize("NFC", "Café"), unicodedata.normalize("NFD", "Café")
PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
NID = 1700000000201


def _plugin_note(col_path) -> None:
    """The note the plugin made for the card: in its folder deck, with its folder tag."""
    col_path.parent.mkdir(parents=True)
    col = Collection(str(col_path))
    try:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"], note.tags = "Q cafe", "a", ["cafetag"]
        col.add_note(note, col.decks.id("CafeDeck"))
        col.db.execute("update notes set id = ? where id = ?", NID, note.id)
        col.db.execute("update cards set nid = ? where nid = ?", NID, note.id)
    finally:
        col.close()


@pytest.mark.parametrize("disk, typed", [(NFD, NFC), (NFC, NFD)], ids=["disk-NFD", "disk-NFC"])
def test_sync_leaves_the_plugin_note_in_its_folder_deck(make_vault, sync_cli, tmp_path, disk, typed):
    settings = {"settings": {"FOLDER_DECKS": {typed: "CafeDeck"}, "FOLDER_TAGS": {typed: "cafetag"}}}
    root = make_vault({f"{disk}/n.md": f"START\nBasic\nQ cafe\nBack: a\n<!--ID: {NID}-->\nEND\n",
                       PLUGIN: json.dumps(settings)})
    col_path = tmp_path / "prof" / "collection.anki2"
    _plugin_note(col_path)
    dry = sync_cli(root, col_path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "0 moved" in dry.output and "1 unchanged" in dry.output, dry.output
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0, result.output
    note = snapshot(col_path)["notes"][NID]
    assert note["decks"] == ["CafeDeck"] and note["tags"] == ["cafetag"]
