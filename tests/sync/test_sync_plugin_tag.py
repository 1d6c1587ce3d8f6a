"""The plugin's default tag: Obsidian_to_Anki tags every note it makes (its "Tag" setting, default
`Obsidian_to_Anki`). A vault without the plugin's data.json (the plugin uninstalled: Obsidian deletes its
folder; `.obsidian` not synced) sets no default tag, and `sync` / `build --collection` took the tag off every
adopted note. A note that has it keeps it while no default tag is set; a card never gets it added."""
from __future__ import annotations

import json

from anki.collection import Collection

from .plugin_users import snapshot
from .test_sync import NOTE

PLUGIN_TAG = "Obsidian_to_Anki"
PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"


def _tag_plugin_notes(col_path, nids):
    """Give the notes the tag the plugin gives every note it adds."""
    col = Collection(str(col_path))
    try:
        col.tags.bulk_add(list(nids), PLUGIN_TAG)
    finally:
        col.close()


def _tags(col_path) -> dict[int, list[str]]:
    return {nid: note["tags"] for nid, note in snapshot(col_path)["notes"].items()}


def test_sync_keeps_the_plugin_tag_on_adopted_notes_without_data_json(make_vault, plugin_collection, sync_cli,
                                                                      tmp_path):
    root = make_vault({"German/Animals.md": NOTE.replace("the dog", "the dog (m.)")})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    _tag_plugin_notes(pc.path, pc.nids)
    result = sync_cli(root, pc.path, "--yes")
    assert result.exit_code == 0, result.output
    tags = _tags(pc.path)
    assert all(PLUGIN_TAG in tags[nid] for nid in pc.nids)  # kept, the edited note's too
    new = [nid for nid in tags if nid not in pc.nids]
    assert len(new) == 1 and PLUGIN_TAG not in tags[new[0]]  # not added to a note notes2anki made
    again = sync_cli(root, pc.path, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["updated"] == []  # a settled tag, not a change


def test_a_default_tag_set_in_the_settings_replaces_the_plugin_tag(make_vault, plugin_collection, sync_cli,
                                                                    tmp_path):
    """The plugin's own Tag setting renamed (`study`): the plugin too clears a note's tags and writes its
    Tag, so the notes carry `study`, not `Obsidian_to_Anki`."""
    root = make_vault({"German/Animals.md": NOTE,
                       PLUGIN: json.dumps({"settings": {"Defaults": {"Tag": "study"}}})})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    _tag_plugin_notes(pc.path, pc.nids)
    result = sync_cli(root, pc.path, "--yes")
    assert result.exit_code == 0, result.output
    tags = _tags(pc.path)
    assert all(PLUGIN_TAG not in tags[nid] and "study" in tags[nid] for nid in pc.nids)


def test_build_collection_keeps_the_plugin_tag_on_adopted_notes(make_vault, plugin_collection, cli_build, helpers,
                                                                tmp_path):
    root = make_vault({"German/Animals.md": NOTE.replace("the dog", "the dog (m.)")})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    _tag_plugin_notes(pc.path, pc.nids)
    result, apkg = cli_build(root, "--collection", str(pc.path))
    assert result.exit_code == 0, result.output
    col = Collection(str(pc.path))
    try:
        log = helpers.import_into(col, apkg)
        assert len(log.updated) == 3 and len(log.new) == 1
    finally:
        col.close()
    tags = _tags(pc.path)
    assert all(PLUGIN_TAG in tags[nid] for nid in pc.nids)
    assert [t for nid, t in tags.items() if nid not in pc.nids and PLUGIN_TAG in t] == []
