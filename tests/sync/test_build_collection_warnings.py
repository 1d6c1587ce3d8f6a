"""`build --collection` says, from its first build, when the collection has a note in another deck or note type
than the card's: an import updates the note where it is and as it is (tester, fix-adopt #2).

Before: the first `build --collection` after the plugin's last sync, the card moved under `TARGET DECK: Geo` and
made a `Basic (and reversed card)`, printed "Geo 1", "1 card packaged (1 new …)" and 0 warnings; the import left
the note in Default as a Basic. The build state's warning ("does not move or retype") needs a build before."""
from __future__ import annotations

import json

from anki.collection import Collection

from .plugin_users import snapshot

PLUGIN = "START\nBasic\nWhat is the capital of France?\nBack: Paris\n<!--ID: 1700000000001-->\nEND\n"
MOVED = "TARGET DECK: Geo\n\n" + PLUGIN.replace("START\nBasic\n", "START\nBasic (and reversed card)\n")
NID = 1700000000001


def _setup(make_vault, plugin_collection, tmp_path):
    root = make_vault({"a.md": PLUGIN})
    pc = plugin_collection(root, tmp_path / "prof" / "collection.anki2", review_every=1)
    (root / "a.md").write_text(MOVED, "utf-8")  # since the plugin's last sync
    return root, pc


def _build(cli_build, root, pc):
    result, apkg = cli_build(root, "--collection", str(pc.path))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()), apkg


def test_the_first_build_collection_warns_about_deck_and_note_type(make_vault, plugin_collection, cli_build,
                                                                   helpers, tmp_path, sync_cli):
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    before = snapshot(pc.path)
    said, apkg = _build(cli_build, root, pc)
    assert "1 card packaged (0 new, 1 updating a note Anki has, 0 changed, 0 unchanged)" in said, said
    assert "2 warnings" in said
    assert ("1 card whose note Anki has in another deck (a.md:3 in 'Default', the vault says 'Geo'): importing the "
            "package updates a note where it is and does not move it — `notes2anki sync` moves it") in said
    assert ("1 card whose note has another note type in Anki (a.md:3: 'Basic', the card says 'Basic (and reversed "
            "card)'): the package updates a note in its own note type and importing it does not change the type — "
            "`notes2anki sync --retype` changes it") in said
    col = Collection(str(pc.path))
    try:
        log = helpers.import_into(col, apkg)
        assert not log.new and len(log.updated) == 1
    finally:
        col.close()
    after = snapshot(pc.path)  # what the warnings said: Anki keeps the note where it was, as it was
    assert after["notes"][NID]["decks"] == ["Default"] and after["notes"][NID]["type"] == "Basic"
    assert after["notes"][NID]["guid"] == before["notes"][NID]["guid"] and after["revlog"] == before["revlog"]

    said, _ = _build(cli_build, root, pc)  # said once: the next build of the same card is quiet
    assert "(0 new, 0 changed, 1 unchanged)" in said and "0 warnings" in said, said

    result = sync_cli(root, pc.path, "--retype", "--yes", "--json")  # what the warnings point to
    assert result.exit_code == 0, result.output
    assert [i["nid"] for i in json.loads(result.stdout)["moved"]] == [NID]
    synced = snapshot(pc.path)
    assert synced["notes"][NID]["decks"] == ["Geo"] and synced["notes"][NID]["cards"] == 2
    assert synced["notes"][NID]["type"] == "notes2anki: Basic (and reversed card)"
    assert synced["revlog"] == before["revlog"]


def test_a_deck_changed_after_build_collection_is_said_again(make_vault, plugin_collection, cli_build, tmp_path):
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    _build(cli_build, root, pc)
    (root / "a.md").write_text(MOVED.replace("TARGET DECK: Geo", "TARGET DECK: History"), "utf-8")
    said, _ = _build(cli_build, root, pc)
    assert "(a.md:3 in 'Default', the vault says 'History')" in said and "1 warning." in said, said
    assert "does not move or retype" not in said  # the collection's word, not the build state's


def test_a_note_where_the_vault_says_gives_no_warning(make_vault, plugin_collection, cli_build, tmp_path):
    root = make_vault({"a.md": PLUGIN})
    pc = plugin_collection(root, tmp_path / "prof" / "collection.anki2")
    said, _ = _build(cli_build, root, pc)
    assert "(0 new, 1 updating a note Anki has, 0 changed, 0 unchanged)" in said and "0 warnings" in said, said
