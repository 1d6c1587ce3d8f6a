"""A card that comes back with its ID after `build --collection` adopted its plugin note gets that note's GUID
again from a plain build, and a card in the vault is never listed as gone (tester, fix-adopt #1).

Before: cut from the vault during a `build --collection`, pasted back (ID line and all) and built without the
flag, the card was packaged as new under a fresh GUID (the import added a duplicate with no review history)
and the same build told the student to delete the original, reviewed note."""
from __future__ import annotations

import time

from anki.collection import Collection

from notes2anki.config import load_config
from notes2anki.decks.build import build_package
from notes2anki.parsers import load_vault

from .plugin_users import snapshot

FRANCE = "START\nBasic\nWhat is the capital of France?\nBack: Paris\n<!--ID: 1700000000001-->\nEND\n"
ITALY = "START\nBasic\nWhat is the capital of Italy?\nBack: Rome\n<!--ID: 1700000000003-->\nEND\n"
ITALY_NID = 1700000000003
GONE = "no longer in the vault"


def _setup(make_vault, plugin_collection, tmp_path):
    """The tester's vault (France, Italy) and the plugin's collection (Italy reviewed), after a `build
    --collection` imported into it."""
    root = make_vault({"a.md": FRANCE + "\n" + ITALY})
    pc = plugin_collection(root, tmp_path / "prof" / "collection.anki2", review_every=2)
    assert pc.reviewed == [ITALY_NID]
    return root, pc


def _import(pc, apkg):
    col = Collection(str(pc.path))
    try:
        from tests.conftest import import_into

        return import_into(col, apkg)
    finally:
        col.close()


def _built(cli_build, root, *args):
    result, apkg = cli_build(root, *args)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()), apkg


def _unchanged_anki(pc, before):
    """The plugin's notes are as they were: the same ids and GUIDs, no note added, the reviews kept."""
    after = snapshot(pc.path)
    assert {n: v["guid"] for n, v in after["notes"].items()} == {n: v["guid"] for n, v in before["notes"].items()}
    assert after["revlog"] == before["revlog"] and len(after["revlog"]) == 2


def test_a_card_cut_during_build_collection_and_pasted_back_keeps_its_note(make_vault, plugin_collection, cli_build,
                                                                            tmp_path):
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    before = snapshot(pc.path)
    said, apkg = _built(cli_build, root, "--collection", str(pc.path))
    assert len(_import(pc, apkg).updated) == 2
    (root / "a.md").write_text(FRANCE, "utf-8")  # Italy cut
    said, apkg = _built(cli_build, root, "--collection", str(pc.path))
    assert GONE in said and f"nid:{ITALY_NID}" in said  # gone now: listed, rightly
    _import(pc, apkg)
    (root / "a.md").write_text(FRANCE + "\n" + ITALY, "utf-8")  # pasted back unchanged, ID line and all
    said, apkg = _built(cli_build, root)  # the flag forgotten
    assert GONE not in said and f"nid:{ITALY_NID}" not in said, said
    assert "(0 new," in said and "2 cards (a.md:1, a.md:8) were last built with --collection" in said
    log = _import(pc, apkg)
    assert not log.new and len(log.conflicting) == 2  # (the package's note type is not the plugin's Basic)
    _unchanged_anki(pc, before)


def _italy_cut_by_collection_builds(root, pc, cli_build):
    """Two `build --collection` runs imported into the plugin's collection, Italy cut from the vault before
    the second: the card is gone from the last --collection build."""
    _import(pc, _built(cli_build, root, "--collection", str(pc.path))[1])
    (root / "a.md").write_text(FRANCE, "utf-8")
    _import(pc, _built(cli_build, root, "--collection", str(pc.path))[1])


def test_a_card_moved_to_another_file_keeps_its_note(make_vault, plugin_collection, cli_build, tmp_path):
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    before = snapshot(pc.path)
    _italy_cut_by_collection_builds(root, pc, cli_build)
    (root / "b.md").write_text(ITALY, "utf-8")  # the card back, in another file
    said, apkg = _built(cli_build, root)
    assert GONE not in said and "(0 new," in said, said
    assert not _import(pc, apkg).new
    _unchanged_anki(pc, before)


def test_a_card_deleted_and_restored_between_plain_builds_keeps_its_note(make_vault, plugin_collection, cli_build,
                                                                          tmp_path):
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    before = snapshot(pc.path)
    _import(pc, _built(cli_build, root, "--collection", str(pc.path))[1])
    (root / "a.md").write_text(FRANCE, "utf-8")
    said, apkg = _built(cli_build, root)  # a plain build while the card is gone: listed with the plugin's nid
    assert GONE in said and f"search by Anki note id: nid:{ITALY_NID}" in said, said
    _import(pc, apkg)
    (root / "a.md").write_text(FRANCE + "\n" + ITALY, "utf-8")
    said, apkg = _built(cli_build, root)
    assert GONE not in said and "(0 new," in said, said
    assert not _import(pc, apkg).new
    _unchanged_anki(pc, before)


def test_the_adopted_guid_outlives_the_listing_of_the_removed_card(make_vault, plugin_collection, cli_build, tmp_path):
    """A card gone for longer than the 30 days a build lists it still comes back to its note."""
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    before = snapshot(pc.path)
    _italy_cut_by_collection_builds(root, pc, cli_build)
    config = load_config(root)
    later = time.time() + 40 * 86400
    report = build_package(load_vault(root, config), config, tmp_path / "later.apkg", now=later)
    assert report.gone == []  # no longer listed
    (root / "a.md").write_text(FRANCE + "\n" + ITALY, "utf-8")
    report = build_package(load_vault(root, config), config, tmp_path / "back.apkg", now=later + 86400)
    assert report.new == 0 and report.gone == []
    assert not _import(pc, tmp_path / "back.apkg").new
    _unchanged_anki(pc, before)


def test_a_plain_build_before_build_collection_lists_nothing_as_gone(make_vault, plugin_collection, cli_build,
                                                                      tmp_path):
    """The build state knows the cards under their own GUIDs from a plain build; `--collection` then packages
    them under the plugin's: the old entries are the same cards, in the vault, not notes to delete."""
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    _built(cli_build, root)
    said, apkg = _built(cli_build, root, "--collection", str(pc.path))
    assert GONE not in said and "(0 new, 2 updating notes Anki has, 0 changed, 0 unchanged)" in said, said
    assert len(_import(pc, apkg).updated) == 2
    (root / "a.md").write_text(FRANCE, "utf-8")
    said, _ = _built(cli_build, root, "--collection", str(pc.path))
    assert f"search by Anki note id: nid:{ITALY_NID}" in said and said.count("What is the capital of Italy?") == 1, said


def test_one_card_kept_under_its_adopted_guid_is_said_in_the_singular(make_vault, plugin_collection, cli_build,
                                                                      tmp_path):
    """Tester (fix-adopt #4): "1 card (a.md:1) were last built with --collection"."""
    root = make_vault({"a.md": FRANCE})
    pc = plugin_collection(root, tmp_path / "prof" / "collection.anki2")
    _built(cli_build, root, "--collection", str(pc.path))
    said, _ = _built(cli_build, root)
    assert ("1 card (a.md:1) was last built with --collection, under the GUID of the Anki note it updates (the "
            "plugin's note): this package keeps that GUID") in said and "changes to this card reach Anki only" in said, said


def test_a_delete_marked_card_is_listed_with_the_note_id_of_its_adopted_note(make_vault, plugin_collection,
                                                                             cli_build, tmp_path):
    root, pc = _setup(make_vault, plugin_collection, tmp_path)
    _built(cli_build, root, "--collection", str(pc.path))
    (root / "a.md").write_text(FRANCE + "\n" + ITALY.replace("<!--ID:", "DELETE\n<!--ID:"), "utf-8")
    said, _ = _built(cli_build, root)
    assert f"search by Anki note id: nid:{ITALY_NID}" in said and said.count("What is the capital of Italy?") == 1, said
