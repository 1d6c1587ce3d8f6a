"""`build --collection`: the package carries the GUIDs of the notes the collection already has, so a
plain import (File > Import) updates the plugin's notes instead of adding every card twice."""
from __future__ import annotations

from anki.collection import Collection

from .plugin_users import snapshot
from .test_sync import NOTE


def test_import_updates_plugin_notes_instead_of_duplicating(make_vault, plugin_collection, cli_build, helpers,
                                                             tmp_path):
    root = make_vault({"German/Animals.md": NOTE.replace("the dog", "the dog (m.)")})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2", review_every=1)
    before = snapshot(pc.path)
    col_bytes = pc.path.read_bytes()

    result, apkg = cli_build(root, "--collection", str(pc.path))
    assert result.exit_code == 0, result.output
    assert pc.path.read_bytes() == col_bytes  # the collection was only read

    col = Collection(str(pc.path))
    try:
        log = helpers.import_into(col, apkg)
        assert len(log.new) == 1  # only the card without an ID
        assert len(log.updated) == 3 and not log.conflicting
        assert col.note_count() == 4
    finally:
        col.close()
    after = snapshot(pc.path)
    for nid in pc.nids:
        assert after["notes"][nid]["guid"] == before["notes"][nid]["guid"]
    assert after["notes"][pc.nids[0]]["fields"][1] == "the dog (m.)"
    assert after["revlog"] == before["revlog"]


def test_without_collection_the_plugin_notes_would_be_duplicated(make_vault, plugin_collection, cli_build, helpers,
                                                                  tmp_path):
    """The problem --collection solves, measured: a plain build gives every card with an ID a second note."""
    root = make_vault({"German/Animals.md": NOTE})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    col = Collection(str(pc.path))
    try:
        log = helpers.import_into(col, apkg)
        assert len(log.new) == 4 and col.note_count() == 7
    finally:
        col.close()


def test_missing_collection_is_a_clear_error(make_vault, cli_build, tmp_path):
    root = make_vault({"German/Animals.md": NOTE})
    result, apkg = cli_build(root, "--collection", str(tmp_path / "nowhere.anki2"))
    assert result.exit_code == 2 and "no Anki collection at" in result.output and not apkg.exists()


def test_a_plain_build_after_build_collection_keeps_the_adopted_guids_and_says_so(make_vault, plugin_collection,
                                                                                 cli_build, helpers, tmp_path):
    """Tester 12-01: `build --collection` once, then the weekly plain build (the flag forgotten) to the same
    package: the import added every plugin note again (383 duplicates on BenAgro), the summary silent."""
    root = make_vault({"German/Animals.md": NOTE})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2", review_every=1)
    result, apkg = cli_build(root, "--collection", str(pc.path))
    assert result.exit_code == 0, result.output
    col = Collection(str(pc.path))
    try:
        helpers.import_into(col, apkg)
        count = col.note_count()
    finally:
        col.close()
    before = snapshot(pc.path)
    note = root / "German" / "Animals.md"
    note.write_text(note.read_text("utf-8").replace("the dog", "the dog (m.)"), "utf-8")
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert "3 cards" in result.output and "were last built with --collection" in result.output
    col = Collection(str(pc.path))
    try:
        log = helpers.import_into(col, apkg)
        assert not log.new and col.note_count() == count  # no duplicates
    finally:
        col.close()
    after = snapshot(pc.path)
    assert after["revlog"] == before["revlog"]
    assert {nid: n["guid"] for nid, n in after["notes"].items()} == {nid: n["guid"] for nid, n in before["notes"].items()}
