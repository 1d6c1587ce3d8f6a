"""`notes2anki sync` into collections that look like a plugin user's (real `anki` collections)."""
from __future__ import annotations

import json

from anki.collection import Collection

from .plugin_users import hold_open, snapshot

NOTE = """\
TARGET DECK
Languages::German

START
Basic
What is "der Hund"?
Back: the dog
<!--ID: 1690000000001-->
END

START
Basic
What is "die Katze"?
Back: the cat
<!--ID: 1690000000002-->
END

START
Basic
What is "das Pferd"?
Back: the horse
<!--ID: 1690000000003-->
END

START
Basic
What is "der Vogel"?
Back: the bird
END
"""


def _vault(make_vault, extra=None):
    return make_vault({"German/Animals.md": NOTE, **(extra or {})})


def test_adopts_plugin_notes_keeps_ids_and_history(make_vault, plugin_collection, sync_cli, tmp_path):
    root = _vault(make_vault)
    pc = plugin_collection(root, tmp_path / "User 1" / "collection.anki2", review_every=2)
    before = snapshot(pc.path)
    assert len(before["notes"]) == 3 and pc.revlog == 2

    note = root / "German" / "Animals.md"
    note.write_text(note.read_text("utf-8").replace("the dog", "the dog (m.)"), "utf-8")  # edited since
    result = sync_cli(root, pc.path, "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert [i["nid"] for i in plan["updated"]] == [pc.nids[0]]  # the plugin's note, updated in place
    assert plan["updated"][0]["fields"] == ["Back"] and plan["unchanged"] == 2
    assert len(plan["new"]) == 1 and plan["new"][0]["line"] == 25  # the card without an ID
    assert plan["backup"] and (tmp_path / "User 1" / "backups").is_dir()

    after = snapshot(pc.path)
    assert len(after["notes"]) == 4  # 3 adopted + 1 new, no duplicate
    for nid in pc.nids:  # same note ids, same GUIDs, fields now notes2anki's rendering
        assert after["notes"][nid]["guid"] == before["notes"][nid]["guid"]
        assert after["notes"][nid]["decks"] == ["Languages::German"]
    assert after["notes"][pc.nids[0]]["fields"][1] == "the dog (m.)"
    assert after["revlog"] == before["revlog"]  # review history intact
    for cid, sched in before["scheduling"].items():
        assert after["scheduling"][cid] == sched

    again = sync_cli(root, pc.path, "--json")
    assert again.exit_code == 0, again.output
    second = json.loads(again.output)
    assert (len(second["new"]), len(second["updated"]), len(second["moved"]), len(second["deleted"])) == (0, 0, 0, 0)
    assert second["unchanged"] == 4 and second["backup"] is None
    assert snapshot(pc.path) == after


def test_edit_move_and_dry_run(make_vault, plugin_collection, sync_cli, tmp_path):
    root = _vault(make_vault)
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    assert sync_cli(root, pc.path).exit_code == 0
    note = root / "German" / "Animals.md"
    text = note.read_text("utf-8").replace("the cat", "the cat (f.)")
    text = text.replace("TARGET DECK\nLanguages::German", "TARGET DECK\nLanguages::Deutsch")
    note.write_text(text, "utf-8")
    before = snapshot(pc.path)

    dry = sync_cli(root, pc.path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "German/Animals.md:11  nid:1690000000002" in dry.output
    assert "Would sync 4 cards" in dry.output and "4 moved" in dry.output and "1 updated" in dry.output
    assert snapshot(pc.path) == before  # a dry run writes nothing

    result = sync_cli(root, pc.path)
    assert result.exit_code == 0, result.output
    after = snapshot(pc.path)
    assert after["notes"][1690000000002]["fields"][1].count("the cat (f.)") == 1
    assert all(n["decks"] == ["Languages::Deutsch"] for n in after["notes"].values())
    assert after["revlog"] == before["revlog"] and set(after["notes"]) == set(before["notes"])


def test_refuses_collection_open_in_anki(make_vault, plugin_collection, sync_cli, tmp_path):
    root = _vault(make_vault)
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    holder = hold_open(pc.path)
    try:
        result = sync_cli(root, pc.path)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    assert "is open in Anki" in result.output and "Nothing was changed" in result.output
    col = Collection(str(pc.path))
    try:
        assert col.note_count() == 3
    finally:
        col.close()
