"""Tester A r4 and r6, with the official `anki` package.

r6: two lesson files each hold an ID-less card with the same text (``Translate: the dog`` / ``el perro``);
only L1's is studied. Both files renamed and L1's answer edited: vault-wide matching by text gave L2's card
L1's note (the first equal one), the edited card the note left: the history swapped. Renamed files are
now paired file to file first (file_pairs.py), in sync, in `ids` then sync, and in build.

r4: `ids` on a second machine (no sync record) wrote, for a card that kept its note through a fallback
(its file renamed after the first sync), the card's implicit ID; the next sync deleted the reviewed note.
Now sync keeps a card whose ID line names no note on the unclaimed note that holds its text, and `ids`
without a record in a vault synced before writes nothing unless given the collection (`--collection`)."""
from __future__ import annotations

import json
import os

from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .plugin_users import empty_collection
from .test_sync_ids_identity import _clean_sync, _ids, _written_ids
from .test_sync_tester_0430 import CARD

DOG = CARD.format(q="Translate: the dog", a="el perro")


def _lessons(make_vault, sync_cli, tmp_path):
    files = {f"Lessons/{f}.md": DOG + "\n" + CARD.format(q=f"Unique card in {f}", a="x") for f in ("L1", "L2")}
    root = make_vault(files)
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        l1, l2 = sorted(col.find_notes("dog"))  # L1's added first
        for _ in range(5):
            card = col.get_card(col.card_ids_of_note(l1)[0])
            card.start_timer()
            col.sched.answerCard(card, 3)
    finally:
        col.close()
    os.rename(root / "Lessons/L1.md", root / "Lessons/Lesson1.md")
    os.rename(root / "Lessons/L2.md", root / "Lessons/Lesson2.md")
    lesson1 = root / "Lessons/Lesson1.md"
    lesson1.write_text(lesson1.read_text("utf-8").replace("el perro", "el perro (m)"), "utf-8")
    return root, col_path, l1, l2


def _dogs(col_path):
    col = Collection(str(col_path))
    try:
        return {col.get_note(nid)["Back"]: (nid, col.db.scalar("select sum(reps) from cards where nid = ?", nid))
                for nid in col.find_notes("dog")}
    finally:
        col.close()


def test_renamed_lessons_keep_their_own_dog_card_through_sync(make_vault, sync_cli, tmp_path):
    root, col_path, l1, l2 = _lessons(make_vault, sync_cli, tmp_path)
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == []
    assert [u["file"] for u in report["updated"]] == ["Lessons/Lesson1.md"]
    assert _dogs(col_path) == {"el perro (m)": (l1, 5), "el perro": (l2, 0)}
    _clean_sync(sync_cli, root, col_path)


def test_renamed_lessons_keep_their_own_dog_card_through_ids(make_vault, sync_cli, tmp_path):
    root, col_path, l1, l2 = _lessons(make_vault, sync_cli, tmp_path)
    result = _ids(root)
    assert result.exit_code == 0, result.output
    assert len(_written_ids(root / "Lessons/Lesson1.md")) == 2
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == [] and json.loads(result.stdout)["deleted"] == []
    assert _dogs(col_path) == {"el perro (m)": (l1, 5), "el perro": (l2, 0)}


def test_renamed_lessons_are_built_under_their_own_guids(make_vault, tmp_path):
    files = {f"Lessons/{f}.md": DOG + "\n" + CARD.format(q=f"Unique card in {f}", a="x") for f in ("L1", "L2")}
    root = make_vault(files)
    first = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "a.apkg"), "-q"])
    assert first.exit_code == 0, first.output
    from notes2anki.decks.build import default_state_path

    def guids():
        state = json.loads(default_state_path(root).read_text("utf-8"))["cards"]
        return {c["where"]: g for g, c in state.items() if not c.get("removed")}

    before = guids()
    os.rename(root / "Lessons/L1.md", root / "Lessons/Lesson1.md")
    os.rename(root / "Lessons/L2.md", root / "Lessons/Lesson2.md")
    lesson1 = root / "Lessons/Lesson1.md"
    lesson1.write_text(lesson1.read_text("utf-8").replace("el perro", "el perro (m)"), "utf-8")
    second = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "b.apkg"), "-q"])
    assert second.exit_code == 0, second.output
    after = guids()
    assert after["Lessons/Lesson1.md:1"] == before["Lessons/L1.md:1"]
    assert after["Lessons/Lesson2.md:1"] == before["Lessons/L2.md:1"]


ATP = CARD.format(q="What does ATP stand for?", a="Adenosine triphosphate")


def _renamed_after_sync(make_vault, sync_cli, tmp_path, other=""):
    root = make_vault({"Untitled.md": ATP, **({"other.md": other} if other else {})})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    os.rename(root / "Untitled.md", root / "ATP.md")
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        (nid,) = col.find_notes("ATP")
        for _ in range(3):
            card = col.get_card(col.card_ids_of_note(nid)[0])
            card.start_timer()
            col.sched.answerCard(card, 3)
    finally:
        col.close()
    return root, col_path, nid


def _reps(col_path):
    col = Collection(str(col_path))
    try:
        return {nid: col.db.scalar("select sum(reps) from cards where nid = ?", nid) for nid in col.find_notes("")}
    finally:
        col.close()


def test_an_id_written_on_another_machine_does_not_delete_the_reviewed_note(make_vault, sync_cli, tmp_path,
                                                                              monkeypatch):
    root, col_path, nid = _renamed_after_sync(make_vault, sync_cli, tmp_path)
    machine1 = os.environ["NOTES2ANKI_STATE_DIR"]
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine2"))
    result = _ids(root)  # no record, nothing in the vault says it was synced: the implicit ID
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", machine1)
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == []
    assert _reps(col_path) == {nid: 3}
    said = " ".join(sync_cli(root, col_path, "--dry-run").output.split())  # and it says which ID line to write
    assert "names no note of the collection" in said and f"<!--ID: {nid}-->" in said
    assert said.count("names no note of the collection") == 1  # once (tester C t4: twice in --dry-run)


def test_ids_without_a_record_in_a_synced_vault_writes_nothing_unless_given_the_collection(
        make_vault, sync_cli, tmp_path, monkeypatch):
    root, col_path, nid = _renamed_after_sync(make_vault, sync_cli, tmp_path,
                                              other=CARD.format(q="Other", a="o").replace("END", "<!--ID: 5000000000001-->\nEND"))
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine2"))
    result = _ids(root)
    assert result.exit_code == 2
    assert "no record of this vault's last sync" in result.output and "--collection" in result.output
    assert _written_ids(root / "ATP.md") == []
    result = _ids(root, "--collection", str(col_path))
    assert result.exit_code == 0, result.output
    assert _written_ids(root / "ATP.md") == [f"<!--ID: {nid}-->"]
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == [] and json.loads(result.stdout)["deleted"] == []
    assert _reps(col_path)[nid] == 3
