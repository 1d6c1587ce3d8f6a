"""S16 (tester 01:20): a notes2anki note type renamed in Anki (and given a field of the user's own) is
still the vault's: sync neither makes a new `notes2anki: Basic` nor retypes the notes, and the field the
user added keeps its content."""
from __future__ import annotations

import json

from anki.collection import Collection

from .plugin_users import empty_collection


def _rename_and_add_field(col_path, new_name: str) -> int:
    col = Collection(str(col_path))
    try:
        notetype = col.models.by_name("notes2anki: Basic")
        notetype["name"] = new_name
        col.models.add_field(notetype, col.models.new_field("Mnemonic"))
        col.models.update_dict(notetype)
        nid = col.find_notes('"Front:Question a?"')[0]
        note = col.get_note(nid)
        note["Mnemonic"] = "my own mnemonic typed in Anki"
        col.update_note(note)
        return notetype["id"]
    finally:
        col.close()


def test_a_note_type_renamed_in_anki_is_still_the_vaults(make_vault, sync_cli, tmp_path):
    root = make_vault({f"{n}.md": f"START\nBasic\nQuestion {n}?\nBack: ans {n}\nEND\n" for n in "ab"})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    mid = _rename_and_add_field(col_path, "My Basic 2")
    (root / "b.md").write_text("START\nBasic\nQuestion b?\nBack: edited answer b\nEND\n", "utf-8")
    (root / "c.md").write_text("START\nBasic\nQuestion c?\nBack: ans c\nEND\n", "utf-8")
    planned = sync_cli(root, col_path, "--dry-run", "--json")
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["retyped"] == []
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["retyped"] == [] and [c["front"] for c in report["new"]] == ["Question c?"]
    col = Collection(str(col_path))
    try:
        names = sorted(n.name for n in col.models.all_names_and_ids())
        assert "notes2anki: Basic" not in names and "My Basic 2" in names
        notes = {col.get_note(nid)["Front"]: col.get_note(nid) for nid in col.find_notes("")}
        assert sorted(notes) == ["Question a?", "Question b?", "Question c?"]
        assert {n.mid for n in notes.values()} == {mid}  # the new card too went to the user's renamed type
        assert notes["Question a?"]["Mnemonic"] == "my own mnemonic typed in Anki"
        assert notes["Question b?"]["Back"] == "edited answer b"
    finally:
        col.close()


def test_the_collections_own_basic_is_not_taken_for_notes2ankis(make_vault, sync_cli, tmp_path):
    """A plugin user's notes live in the collection's stock "Basic": they are recognised (not retyped),
    but new cards still go to notes2anki's own type, as before."""
    root = make_vault({"a.md": "START\nBasic\nQuestion a?\nBack: ans a\nEND\n"})
    col_path = empty_collection(tmp_path)
    col = Collection(str(col_path))
    try:
        note = col.new_note(col.models.by_name("Basic"))
        note["Front"], note["Back"] = "Question a?", "ans a"
        col.add_note(note, col.decks.id("Default"))
        nid = note.id
    finally:
        col.close()
    (root / "a.md").write_text(f"START\nBasic\nQuestion a?\nBack: ans a\n<!--ID: {nid}-->\nEND\n", "utf-8")
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / "b.md").write_text("START\nBasic\nQuestion b?\nBack: ans b\nEND\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    col = Collection(str(col_path))
    try:
        kinds = {col.get_note(n)["Front"]: col.get_note(n).note_type()["name"] for n in col.find_notes("")}
        assert kinds == {"Question a?": "Basic", "Question b?": "notes2anki: Basic"}
    finally:
        col.close()
