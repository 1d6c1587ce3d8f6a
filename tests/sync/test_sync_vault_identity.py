"""Which vault a sync is for, and copies of cards (tester A, 2026-12-02: r1, r2, r7), on real Anki collections."""
from __future__ import annotations

import json
import shutil

from anki.collection import Collection

from .plugin_users import empty_collection


def _review(col_path, times: int = 1, search: str = "") -> None:
    col = Collection(str(col_path))
    try:
        for cid in col.find_cards(search):
            for _ in range(times):
                card = col.get_card(cid)
                card.start_timer()
                col.sched.answerCard(card, 3)
    finally:
        col.close()


def _notes(col_path) -> dict[int, tuple[list[str], int]]:
    col = Collection(str(col_path))
    try:
        return {nid: (list(col.get_note(nid).fields), col.db.scalar("select sum(reps) from cards where nid = ?", nid))
                for nid in col.find_notes("")}
    finally:
        col.close()


def _cards(prefix: str, n: int = 3) -> str:
    return "".join(f"START\nBasic\n{prefix} question {i}\nBack: answer {i}\nEND\n\n" for i in range(1, n + 1))


def test_another_vault_of_the_same_name_is_not_that_vault_moved(tmp_path, sync_cli):
    """r1: vault A ("Notes") synced and reviewed, its drive unplugged; vault B, also "Notes", holds none of
    A's cards or files: refused (as when A's folder is there), A's notes and review history kept."""
    a = tmp_path / "a" / "Notes"
    b = tmp_path / "b" / "Notes"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    (a / "school.md").write_text(_cards("School"), "utf-8")
    (b / "personal.md").write_text(_cards("Personal"), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(a, col, "--yes").exit_code == 0
    _review(col)
    before = _notes(col)
    shutil.move(tmp_path / "a", tmp_path / "a_unmounted")
    for args in (("--dry-run", "--yes"), ("--yes",)):
        result = sync_cli(b, col, *args)
        assert result.exit_code != 0, result.output
        assert "another vault named \"Notes\"" in result.output and "vault_id" in result.output
        assert "nothing was written" in result.output
    assert _notes(col) == before
    # with its own name, B syncs beside A's notes
    (b / ".notes2anki.toml").write_text('[sync]\nvault_id = "personal"\n', "utf-8")
    result = sync_cli(b, col, "--yes")
    assert result.exit_code == 0, result.output
    after = _notes(col)
    assert len(after) == 6 and all(after[nid] == before[nid] for nid in before)


def test_a_vault_moved_with_its_cards_syncs_on(tmp_path, sync_cli):
    """The move that the r1 guard must let through: the same vault at a new path (cards edited, one deleted)."""
    old = tmp_path / "old" / "Notes"
    old.mkdir(parents=True)
    (old / "school.md").write_text(_cards("School", 4), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(old, col, "--yes").exit_code == 0
    _review(col)
    new = tmp_path / "new" / "Notes"
    new.parent.mkdir()
    shutil.move(old, new)
    (new / "school.md").write_text(_cards("School", 3), "utf-8")  # the 4th card deleted
    result = sync_cli(new, col, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(d["file"], d["line"]) for d in report["deleted"]] == [("school.md", 19)]
    assert len(_notes(col)) == 3


def test_a_copy_of_a_vault_whose_original_exists_is_refused_before_writing(tmp_path, sync_cli):
    """r2: the vault copied ("vault copy") while the original still exists: its ID cards name the
    original's notes, so nothing is written (its ID-less cards were added again as duplicates), with one
    message naming the original."""
    root = tmp_path / "vault"
    root.mkdir()
    (root / "cards.md").write_text("START\nBasic\nWith id\nBack: a\n<!--ID: 1700000000001-->\nEND\n\n"
                                   "START\nBasic\nNo id card\nBack: b\nEND\n", "utf-8")
    col_path = empty_collection(tmp_path)
    col = Collection(str(col_path))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "With id", "a"
    col.add_note(note, 1)
    col.db.execute("update cards set nid = 1700000000001 where nid = ?", note.id)
    col.db.execute("update notes set id = 1700000000001 where id = ?", note.id)
    col.close()
    assert sync_cli(root, col_path).exit_code == 0
    before = _notes(col_path)
    copy = tmp_path / "vault copy"
    shutil.copytree(root, copy)
    result = sync_cli(copy, col_path, "--yes")
    assert result.exit_code != 0
    assert "looks like a copy of that vault" in result.output and str(root) in result.output
    assert "nothing was written" in result.output
    assert _notes(col_path) == before
    # the copy replaces the original: the old folder removed, the copy syncs under the original's name
    shutil.rmtree(root)
    (copy / ".notes2anki.toml").write_text('[sync]\nvault_id = "vault"\n', "utf-8")
    result = sync_cli(copy, col_path, "--yes")
    assert result.exit_code == 0, result.output
    assert _notes(col_path) == before


def test_a_note_copied_in_with_its_id_line_is_still_one_error(tmp_path, sync_cli):
    """A few cards naming another live vault's notes (a note copied in) are errors at the card, as before:
    the rest of the vault syncs."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.md").write_text("START\nBasic\nShared\nBack: s\nEND\n", "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(one, col, "--write-ids").exit_code == 0
    (two / "mine.md").write_text(_cards("Own"), "utf-8")
    (two / "copied.md").write_text((one / "a.md").read_text("utf-8"), "utf-8")
    for n in range(3):  # this vault's own cards with an ID
        (two / f"id{n}.md").write_text(f"START\nBasic\nQ{n}\nBack: a\n<!--ID: {2100000000000 + n}-->\nEND\n", "utf-8")
    result = sync_cli(two, col, "--yes")
    assert result.exit_code == 1
    assert "copied.md:1: error: this card matches the note" in result.output
    assert "looks like a copy" not in result.output
    assert len(_notes(col)) == 1 + 3 + 3


CELL = ("START\nBasic\nWhat is the Krebs cycle?\nBack: citric acid cycle\nEND\n\n"
        "START\nBasic\nWhere does glycolysis happen?\nBack: cytoplasm\nEND\n")


def test_copied_cards_are_warned_and_the_reviewed_notes_kept_when_the_original_goes(tmp_path, sync_cli):
    """r7: "Make a copy" of a note with ID-less cards: the sync adding the copies warns; when the original
    is deleted, its reviewed notes are held (--yes is not enough) with the remaining card's place and the ID
    line that keeps the history; given that line, the copy's unreviewed note goes and the history stays."""
    root = tmp_path / "vault"
    root.mkdir()
    (root / "Cell.md").write_text(CELL, "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(root, col).exit_code == 0
    _review(col, times=4)
    reviewed = set(_notes(col))
    shutil.copy(root / "Cell.md", root / "Cell 1.md")
    result = sync_cli(root, col)
    assert result.exit_code == 0
    assert "2 cards added as new notes are exact copies" in result.output
    assert "Cell 1.md:1 = Cell.md:1" in result.output
    (root / "Cell.md").unlink()
    for args in (("--dry-run", "--yes"), ("--yes",)):
        result = sync_cli(root, col, *args)
        assert result.exit_code == 0, result.output
        assert "2 reviewed notes whose cards left their files are not deleted, --yes or not" in result.output
        assert "is the card at Cell 1.md:1" in result.output
    notes = _notes(col)
    assert len(notes) == 4 and all(notes[nid][1] == 4 for nid in reviewed)
    first = min(reviewed)
    assert f"<!--ID: {first}-->" in result.output
    text = (root / "Cell 1.md").read_text("utf-8")
    (root / "Cell 1.md").write_text(text.replace("citric acid cycle\n", f"citric acid cycle\n<!--ID: {first}-->\n"),
                                    "utf-8")
    result = sync_cli(root, col, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["deleted"]) == 1 and report["deleted"][0]["nid"] not in reviewed
    notes = _notes(col)
    assert first in notes and notes[first][1] == 4 and len(notes) == 3



def _synced_with_ids(tmp_path, sync_cli, files: dict[str, str]):
    """A vault of ``files`` synced with --write-ids into a new collection: (vault, collection, its notes)."""
    vault = tmp_path / "vault"
    for rel, text in files.items():
        (vault / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault / rel).write_text(text, "utf-8")
    col = empty_collection(tmp_path)
    first = sync_cli(vault, col, "--write-ids")
    assert first.exit_code == 0, first.output
    return vault, col, _notes(col)


def test_notes_of_a_folder_scan_directory_leaves_out_are_kept_for_that_reason(tmp_path, sync_cli):
    """Tester A r3: with scan_directory narrowed, the plugin notes of the other folder were kept, but those with
    ID lines were explained as "the card is mistyped or inside a code block: see the near-miss, orphan-id and
    duplicate-id messages" — no such message existed; the settings leave the file out."""
    vault, col, before = _synced_with_ids(tmp_path, sync_cli, {
        "Bio/cards.md": "START\nBasic\nWith id\nBack: a\nEND\n\nSTART\nBasic\nNo id card\nBack: b\nEND\n",
        "Chem/water.md": "START\nBasic\nWhat is H2O?\nBack: water\nEND\n"})
    assert "<!--ID: " in (vault / "Bio" / "cards.md").read_text("utf-8")
    (vault / ".notes2anki.toml").write_text('scan_directory = "Chem"\n', "utf-8")
    result = sync_cli(vault, col, "--yes")
    said = " ".join(result.output.split())
    assert _notes(col) == before  # nothing deleted
    assert "the settings leave those files out now" in said
    assert "mistyped or inside a code block" not in said


def test_notes_whose_file_moved_out_of_scan_directory_are_kept_for_that_reason(tmp_path, sync_cli):
    """Tester 12-03 (Spanisch): `git mv Karteikarten/Vokabeln/x.md raw/` (outside scan_directory): the notes
    were kept, but explained as "the card is mistyped or inside a code block"; their ID lines are in a file
    the settings leave out."""
    vault, col, before = _synced_with_ids(tmp_path, sync_cli, {
        ".notes2anki.toml": 'scan_directory = "cards"\n',
        "cards/x.md": "START\nBasic\nla mesa\nBack: the table\nEND\n\nSTART\nBasic\nla silla\nBack: the chair\nEND\n",
        "cards/y.md": "START\nBasic\nel perro\nBack: the dog\nEND\n"})
    (vault / "raw").mkdir()
    (vault / "cards" / "x.md").rename(vault / "raw" / "x.md")
    result = sync_cli(vault, col, "--yes")
    said = " ".join(result.output.split())
    assert _notes(col) == before  # nothing deleted
    assert "2 notes whose cards were not found are not deleted: their ID lines are in files the settings leave " \
           "out" in said, said
    assert "mistyped or inside a code block" not in said


def test_a_sync_that_would_delete_every_note_of_a_vault_holds_them(tmp_path, sync_cli):
    """Tester C r10: the vault moved to a USB disk and Obsidian made a new default vault at its old path; syncing
    the new one planned the 8 reviewed notes as gone (below the 10 notes of the mass-delete guard)."""
    vault = tmp_path / "Obsidian Vault"
    vault.mkdir()
    (vault / "Chemistry.md").write_text(_cards("Chem", 8), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col).exit_code == 0
    _review(col)
    shutil.move(str(vault), str(tmp_path / "usb"))
    vault.mkdir()
    (vault / "Cooking.md").write_text("START\nBasic\nRecipe 1\nBack: r\nEND\n", "utf-8")
    result = sync_cli(vault, col, "--yes")
    said = " ".join(result.output.split())  # refused as another vault at that folder (r10), else held whole
    assert "8 notes whose cards were not found are not deleted" in said or "delete their notes in Anki first" in said
    notes = _notes(col)
    assert sum(1 for fields, reps in notes.values() if fields[0].startswith("Chem") and reps) == 8


def test_deleting_every_card_of_a_small_vault_is_held_as_a_mass_deletion(tmp_path, sync_cli):
    """Every note of a vault gone at once (two or more, below the 10-note guard) is held unless
    --allow-mass-delete: what a vault not mounted or not yet downloaded looks like."""
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "a.md").write_text(_cards("A", 3), "utf-8")
    (vault / "b.md").write_text("# notes without cards now\n", "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col).exit_code == 0
    (vault / "a.md").write_text("START\nBasic\nSomething else\nBack: new\nEND\n", "utf-8")  # every old card gone
    held = sync_cli(vault, col, "--yes")
    assert "3 notes whose cards were not found are not deleted" in " ".join(held.output.split())
    assert len(_notes(col)) == 4
    released = sync_cli(vault, col, "--yes", "--allow-mass-delete")
    assert released.exit_code == 0, released.output
    assert [fields[0] for fields, _ in _notes(col).values()] == ["Something else"]
