"""Copies of cards without IDs: the held-deletion remedy ends (tester C, 2026-12-02: r3), on real Anki
collections."""
from __future__ import annotations

import re
import shutil

from .plugin_users import empty_collection
from .test_sync_vault_identity import _notes, _review


def test_both_copies_reviewed_the_remedy_ends_with_the_note_the_id_names(tmp_path, sync_cli):
    """r3: a note copied ("a 1.md"), both notes reviewed, the original file deleted: the original's note is
    held, and the message says the copy's note is reviewed too; following it (the original's ID line below
    the remaining card) keeps that note and deletes the copy's — no second hold of the copy's note."""
    vault = tmp_path / "V"
    vault.mkdir()
    (vault / "a.md").write_text("START\nBasic\nQ1\nBack: A1\nEND\n", "utf-8")
    (vault / "o.md").write_text("START\nBasic\nOther\nBack: x\nEND\n", "utf-8")
    col = empty_collection(tmp_path)
    first = sync_cli(vault, col)
    assert first.exit_code == 0, first.output
    _review(col)
    (vault / "a 1.md").write_text((vault / "a.md").read_text("utf-8"), "utf-8")
    assert sync_cli(vault, col).exit_code == 0
    _review(col)
    (vault / "a.md").unlink()
    result = sync_cli(vault, col, "--yes")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "reviewed too" in said and "without its review" not in said
    [line] = set(re.findall(r"<!--ID: \d+-->", said))
    kept = int(line[8:-3])
    q1 = [nid for nid, (fields, _) in _notes(col).items() if fields[0] == "Q1"]
    assert len(q1) == 2 and kept in q1
    (vault / "a 1.md").write_text(f"START\nBasic\nQ1\nBack: A1\n{line}\nEND\n", "utf-8")
    result = sync_cli(vault, col, "--yes")
    assert result.exit_code == 0, result.output
    assert "not deleted, --yes or not" not in result.output and "1 deleted" in result.output
    notes = _notes(col)
    assert [nid for nid, (fields, _) in notes.items() if fields[0] == "Q1"] == [kept] and notes[kept][1] == 2
    again = sync_cli(vault, col, "--yes")
    assert again.exit_code == 0 and "not deleted" not in again.output and "0 deleted" in again.output


def test_a_copy_of_a_live_vault_without_ids_stops_like_one_with_ids(tmp_path, sync_cli):
    """r5: "V backup", a folder copy of the live vault V whose cards have no ID: its first sync added 6 exact
    duplicates of V's reviewed notes without a word. Stopped now (same files and fronts as V, whose folder
    holds them), nothing written; with a `vault_id` of its own it syncs as a vault of its own."""
    vault = tmp_path / "V"
    vault.mkdir()
    for f in "abc":
        (vault / f"{f}.md").write_text(f"START\nBasic\nQ {f} 1\nBack: A {f} 1\nEND\n\n"
                                       f"START\nBasic\nQ {f} 2\nBack: A {f} 2\nEND\n", "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col).exit_code == 0
    _review(col)
    before = _notes(col)
    copy = tmp_path / "V backup"
    shutil.copytree(vault, copy)
    for args in (("--dry-run",), ("--yes",)):
        result = sync_cli(copy, col, *args)
        assert result.exit_code != 0, result.output
        said = " ".join(result.output.split())
        assert "6 of this vault's 6 cards are notes that vault \"V\" syncs" in said and "nothing was written" in said
    assert _notes(col) == before
    (copy / ".notes2anki.toml").write_text('[sync]\nvault_id = "backup"\n', "utf-8")
    result = sync_cli(copy, col, "--yes")
    assert result.exit_code == 0 and "6 new" in result.output, result.output
    assert len(_notes(col)) == 12


def test_two_held_notes_of_twin_cards_are_named_with_two_cards(tmp_path, sync_cli):
    """r7: a file holding the same card twice (both reviewed) copied, then the original deleted: the held
    warning named the same remaining card for both notes, so following it for one left the other pointing
    at a card that now has an ID line. Each held note is named with a card of its own."""
    vault = tmp_path / "V"
    vault.mkdir()
    twin = "START\nBasic\nTranslate: the dog\nBack: el perro\nEND\n\n"
    (vault / "a.md").write_text(twin * 2, "utf-8")
    (vault / "o.md").write_text("START\nBasic\nOther\nBack: o\nEND\n", "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col).exit_code == 0
    _review(col)
    (vault / "a 1.md").write_text(twin * 2, "utf-8")
    assert sync_cli(vault, col).exit_code == 0
    (vault / "a.md").unlink()
    result = sync_cli(vault, col, "--yes")
    said = " ".join(result.output.split())
    assert "is the card at a 1.md:1" in said and "is the card at a 1.md:7" in said, said


def test_a_reviewed_note_whose_edited_copy_remains_is_held(tmp_path, sync_cli):
    """r8: "Make a copy" (Untitled.md -> ATP.md) synced, the copy's typo fixed, the original deleted: the
    reviewed original was deleted with --yes (only exact copies were held). Held now; following the warning
    (its ID line below the copy's card) keeps the reviewed note with the fixed text."""
    vault = tmp_path / "V"
    vault.mkdir()
    card = "START\nBasic\nWhat does ATP stand for?\nBack: adenosine triphosphat\nEND\n"
    (vault / "Untitled.md").write_text(card, "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col).exit_code == 0
    _review(col)
    [first] = _notes(col)
    (vault / "ATP.md").write_text(card, "utf-8")
    assert sync_cli(vault, col).exit_code == 0
    (vault / "ATP.md").write_text(card.replace("triphosphat\n", "triphosphate\n"), "utf-8")
    (vault / "Untitled.md").unlink()
    result = sync_cli(vault, col, "--yes")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "0 deleted" in said and f"<!--ID: {first}-->" in said, said
    assert first in _notes(col)
    (vault / "ATP.md").write_text(card.replace("triphosphat\n", f"triphosphate\n<!--ID: {first}-->\n"), "utf-8")
    result = sync_cli(vault, col, "--yes")
    assert result.exit_code == 0 and "1 deleted" in result.output, result.output
    assert _notes(col) == {first: (["What does ATP stand for?", "adenosine triphosphate"], 1)}
