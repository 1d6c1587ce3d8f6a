"""`notes2anki sync` into collections that look like a plugin user's (real `anki` collections)."""
from __future__ import annotations

import json
from pathlib import Path

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
    plan = json.loads(result.stdout)
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
    second = json.loads(again.stdout)
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
    # each card counted once in the summary (moved before updated: tester 12-02, the numbers add up to 4);
    # the list of updated notes still names the edited one
    assert "Would sync 4 cards" in dry.output and "0 updated, 4 moved" in dry.output and "Updated (1):" in dry.output
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


def _notes(col_path):
    return snapshot(col_path)["notes"]


def test_delete_marked_and_removed_cards_only_with_yes(make_vault, plugin_collection, sync_cli, tmp_path):
    other = "START\nBasic\nKept elsewhere\nBack: x\nEND\n"
    root = _vault(make_vault, {"Other.md": other})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    # a note the user made in Anki by hand: never this vault's, never deleted
    col = Collection(str(pc.path))
    hand = col.new_note(col.models.by_name("Basic"))
    hand["Front"] = "made in Anki"
    col.add_note(hand, 1)
    col.close()
    assert sync_cli(root, pc.path).exit_code == 0
    nids = set(_notes(pc.path))
    other_nid = next(n for n, v in _notes(pc.path).items() if v["fields"][0] == "Kept elsewhere")

    note = root / "German" / "Animals.md"
    note.write_text(note.read_text("utf-8").replace("<!--ID: 1690000000002-->", "DELETE\n<!--ID: 1690000000002-->"),
                    "utf-8")
    (root / "Other.md").unlink()

    dry = sync_cli(root, pc.path, "--dry-run", "--json")
    deleted = json.loads(dry.stdout)["deleted"]
    assert {(d["nid"], d["reason"]) for d in deleted} == {(1690000000002, "DELETE"), (other_nid, "removed")}
    assert [d["file"] for d in deleted if d["reason"] == "removed"] == ["Other.md"]

    declined = sync_cli(root, pc.path)  # not a terminal, no --yes: listed, not deleted
    assert declined.exit_code == 0, declined.output
    assert "To delete (2 notes" in declined.output and "2 notes not deleted" in declined.output
    assert set(_notes(pc.path)) == nids

    done = sync_cli(root, pc.path, "--yes")
    assert done.exit_code == 0, done.output
    assert set(_notes(pc.path)) == nids - {1690000000002, other_nid}
    assert hand.id in _notes(pc.path)
    again = json.loads(sync_cli(root, pc.path, "--json").stdout)
    assert again["deleted"] == [] and again["updated"] == [] and again["new"] == []


def test_note_type_change_keeps_history_of_mapped_cards(make_vault, plugin_collection, sync_cli, tmp_path):
    root = _vault(make_vault)
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2", review_every=1)
    before = snapshot(pc.path)
    # the first sync records each card's note type: a later edit of a type line is then the vault's wish
    # (on the first sync a type differing from the card's is taken as chosen in Anki: test_sync_retype.py)
    assert sync_cli(root, pc.path, "--yes").exit_code == 0
    note = root / "German" / "Animals.md"
    text = note.read_text("utf-8")
    text = text.replace("Basic\nWhat is \"der Hund\"", "Basic (and reversed card)\nWhat is \"der Hund\"")
    text = text.replace("Basic\nWhat is \"die Katze\"?\nBack: the cat", "Cloze\nThe cat is {{c1::die Katze}}")
    note.write_text(text, "utf-8")

    result = sync_cli(root, pc.path, "--json")
    assert result.exit_code == 1  # the Cloze change cannot be made: an error, the rest synced
    plan = json.loads(result.stdout)
    assert [(r["nid"], r["from"], r["to"]) for r in plan["retyped"]] == [
        (1690000000001, "Basic", "Basic (and reversed card)")]
    assert any("nid:1690000000002" in e and "no field has the same name" in e for e in plan["errors"])
    after = snapshot(pc.path)
    dog = after["notes"][1690000000001]
    assert dog["type"] == "notes2anki: Basic (and reversed card)" and dog["cards"] == 2
    assert dog["guid"] == before["notes"][1690000000001]["guid"]
    assert after["revlog"] == before["revlog"]  # card 1 kept its history
    for cid, sched in before["scheduling"].items():  # the same cards, same scheduling (card 2 is new)
        assert after["scheduling"][cid] == sched
    assert len(after["scheduling"]) == len(before["scheduling"]) + 2  # a reverse card, the new note's card
    assert after["notes"][1690000000002]["type"] == "Basic"  # left as it was
    again = json.loads(sync_cli(root, pc.path, "--json").stdout)
    assert again["retyped"] == [] and again["updated"] == []


def test_media_added_and_shown(make_vault, plugin_collection, sync_cli, tmp_path, png_bytes):
    card = "START\nBasic\nWhich flag?\nBack: ![[flag.png]]\nEND\n"
    root = make_vault({"Flags.md": card, "flag.png": png_bytes(1)})
    col_path = tmp_path / "c" / "collection.anki2"
    Collection(str(col_path)).close() if col_path.parent.mkdir(parents=True) is None else None
    result = sync_cli(root, col_path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["media"] == ["flag.png"]
    col = Collection(str(col_path))
    try:
        assert (Path(col.media.dir()) / "flag.png").read_bytes() == png_bytes(1)
        note = col.get_note(col.find_notes("")[0])
        assert 'src="flag.png"' in note["Back"]
    finally:
        col.close()
    assert json.loads(sync_cli(root, col_path, "--json").stdout)["media"] == []
    (root / "flag.png").write_bytes(png_bytes(2))  # changed image: Anki gets it under a new name
    changed = json.loads(sync_cli(root, col_path, "--json").stdout)
    assert changed["media"] == ["flag.png"] and len(changed["updated"]) == 1
    col = Collection(str(col_path))
    try:
        note = col.get_note(col.find_notes("")[0])
        name = note["Back"].split('src="')[1].split('"')[0]
        assert name != "flag.png" and (Path(col.media.dir()) / name).read_bytes() == png_bytes(2)
    finally:
        col.close()


def test_two_vaults_same_cards_never_collide(make_vault, sync_cli, tmp_path):
    files = {"Spanish/Vocab.md": "START\nBasic\nhola\nBack: hello\nEND\n"}
    a = make_vault(files, name="school")
    b = make_vault({"Spanish/Vocab.md": "START\nBasic\nhola\nBack: hi (informal)\nEND\n"}, name="travel")
    col_path = tmp_path / "c" / "collection.anki2"
    col_path.parent.mkdir()
    Collection(str(col_path)).close()
    assert sync_cli(a, col_path).exit_code == 0
    second = sync_cli(b, col_path, "--json")
    assert second.exit_code == 0, second.output
    assert len(json.loads(second.stdout)["new"]) == 1
    backs = sorted(n["fields"][1] for n in _notes(col_path).values())
    assert backs == ["hello", "hi (informal)"]
    # removing vault b's card deletes b's note only
    (b / "Spanish" / "Vocab.md").write_text("START\nBasic\nadiós\nBack: bye\nEND\n", "utf-8")
    assert sync_cli(b, col_path, "--yes").exit_code == 0
    assert sorted(n["fields"][1] for n in _notes(col_path).values()) == ["bye", "hello"]
    # a copy of vault a's ID-carrying card in vault b cannot take a's note
    sync_cli(a, col_path, "--write-ids")
    (b / "Spanish" / "Vocab.md").write_bytes((a / "Spanish" / "Vocab.md").read_bytes())
    clash = sync_cli(b, col_path, "--json")
    assert clash.exit_code == 1 and "which vault 'school' synced" in " ".join(json.loads(clash.stdout)["errors"])
    assert sorted(n["fields"][1] for n in _notes(col_path).values()) == ["bye", "hello"]


def test_write_ids_writes_only_when_asked(make_vault, plugin_collection, sync_cli, tmp_path, helpers):
    root = _vault(make_vault)
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    before = helpers.tree_digest(root)
    assert sync_cli(root, pc.path).exit_code == 0
    assert helpers.tree_digest(root) == before  # sync never writes into the vault by itself
    result = sync_cli(root, pc.path, "--write-ids")
    assert result.exit_code == 0 and "IDs written: German/Animals.md" in result.output
    text = (root / "German" / "Animals.md").read_text("utf-8")
    assert text.count("<!--ID: ") == 4
    again = json.loads(sync_cli(root, pc.path, "--json").stdout)  # the written ID keeps the same note
    assert again["new"] == [] and again["unchanged"] == 4


KILLED_SYNC = """
import sys, time
from pathlib import Path
from notes2anki.config import load_config
from notes2anki.decks.sync import sync_vault
from notes2anki.parsers import load_vault

root, col, marker = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
config = load_config(root)

def progress(done, total):
    if done == total // 2:  # half the notes written inside the transaction: wait to be killed
        marker.write_text("half")
        time.sleep(120)

sync_vault(load_vault(root, config), config, col, progress=progress)
"""


def test_killed_mid_sync_leaves_collection_as_it_was(make_vault, plugin_collection, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    cards = "".join(f"START\nBasic\nQuestion {i}\nBack: answer {i}\nEND\n\n" for i in range(40))
    root = _vault(make_vault, {"Many.md": cards})
    note = root / "German" / "Animals.md"
    note.write_text(note.read_text("utf-8").replace("the dog", "the dog (m.)"), "utf-8")
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    before = snapshot(pc.path)
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SYNC, str(root), str(pc.path), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the sync never reached the middle of its transaction"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    col = Collection(str(pc.path))
    try:
        problems, ok = col.fix_integrity()
        assert ok, problems
    finally:
        col.close()
    assert snapshot(pc.path) == before  # nothing half-written: the transaction never committed


def test_unreadable_file_or_empty_vault_deletes_nothing(make_vault, sync_cli, tmp_path):
    root = make_vault({"a.md": "START\nBasic\none\nBack: 1\nEND\n", "b.md": "START\nBasic\ntwo\nBack: 2\nEND\n"})
    col_path = tmp_path / "c" / "collection.anki2"
    col_path.parent.mkdir()
    Collection(str(col_path)).close()
    assert sync_cli(root, col_path).exit_code == 0
    (root / "b.md").write_bytes(b"START\nBasic\ntwo \xff\nBack: 2\nEND\n")  # not UTF-8: the file is skipped
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [] and len(_notes(col_path)) == 2
    assert "1 note whose card was not found is not deleted: its file has errors" in result.output
    (root / "a.md").write_text("no cards\n", "utf-8")
    (root / "b.md").write_text("no cards\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [] and len(_notes(col_path)) == 2
    assert "the vault gave no cards at all" in result.output


def test_hand_edited_registry_does_not_stop_a_sync(make_vault, plugin_collection, sync_cli, tmp_path):
    root = _vault(make_vault)
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    col = Collection(str(pc.path))
    col.set_config("notes2anki:vaults", {"vault": {"notes": {"abc": 5, "12": None}}, "other": 3, "x": {"notes": []}})
    col.close()
    result = sync_cli(root, pc.path, "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["new"]) == 1
    col = Collection(str(pc.path))
    try:
        assert sorted(map(int, col.get_config("notes2anki:vaults")["vault"]["notes"])) == sorted(col.find_notes(""))
    finally:
        col.close()


def test_text_anki_stores_in_nfc_is_not_updated_again(make_vault, sync_cli, tmp_path):
    """Anki saves fields in Unicode NFC; a vault in NFD (macOS file names, some editors) must not look
    changed on every sync (seen on a Japanese vault: 3371 of 3914 notes re-updated each time)."""
    root = make_vault({"fr.md": "START\nBasic\nCafe\u0301 ?\nBack: de\u0301ja\u0300 vu\nEND\n"})
    col_path = tmp_path / "c" / "collection.anki2"
    col_path.parent.mkdir()
    Collection(str(col_path)).close()
    assert sync_cli(root, col_path).exit_code == 0
    assert list(_notes(col_path).values())[0]["fields"][1] == "déjà vu"  # stored composed
    again = json.loads(sync_cli(root, col_path, "--json").stdout)
    assert again["updated"] == [] and again["unchanged"] == 1


def test_deck_named_in_another_case_is_not_moved_again(make_vault, sync_cli, tmp_path):
    root = make_vault({"a.md": "TARGET DECK\nSpanish::Verbs\n\nSTART\nBasic\nser\nBack: to be\nEND\n"})
    col_path = tmp_path / "c" / "collection.anki2"
    col_path.parent.mkdir()
    col = Collection(str(col_path))
    col.decks.id("spanish::verbs")  # the user's deck, as Anki already has it
    col.close()
    first = json.loads(sync_cli(root, col_path, "--json").stdout)
    assert len(first["new"]) == 1
    assert [n["decks"] for n in _notes(col_path).values()] == [["spanish::verbs"]]  # Anki's deck, matched
    again = json.loads(sync_cli(root, col_path, "--json").stdout)
    assert again["moved"] == [] and again["unchanged"] == 1
