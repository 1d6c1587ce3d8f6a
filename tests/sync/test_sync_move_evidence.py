"""A vault moved needs content as evidence, never file names alone (tester C, 2026-12-02: r4, r6), on real
Anki collections."""
from __future__ import annotations

import shutil

from .plugin_users import empty_collection
from .test_sync_vault_identity import _notes, _review


def _card(front: str, back: str) -> str:
    return f"START\nBasic\n{front}\nBack: {back}\nEND\n\n"


def test_a_shared_file_name_is_no_evidence_of_a_move(tmp_path, sync_cli):
    """r4: vaults A and B both "Notes", A unmounted; B shares only the file name Untitled.md (no card):
    refused, A's 9 reviewed notes kept (they were deleted as "gone from the vault")."""
    a, b = tmp_path / "a" / "Notes", tmp_path / "b" / "Notes"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    (a / "Chemistry.md").write_text("".join(_card(f"School {i}", f"s{i}") for i in range(1, 9)), "utf-8")
    (a / "Untitled.md").write_text(_card("School u", "su"), "utf-8")
    (b / "Untitled.md").write_text(_card("Personal u", "pu"), "utf-8")
    (b / "Diary.md").write_text("".join(_card(f"Personal {i}", f"p{i}") for i in range(1, 4)), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(a, col, "--yes").exit_code == 0
    _review(col)
    before = _notes(col)
    shutil.move(tmp_path / "a", tmp_path / "a_unmounted")
    for args in (("--dry-run",), ("--yes",)):
        result = sync_cli(b, col, *args)
        assert result.exit_code != 0, result.output
        assert "holds none of its 9 notes" in result.output and "nothing was written" in result.output
    assert _notes(col) == before


def test_a_vault_moved_with_its_files_renamed_is_that_vault(tmp_path, sync_cli):
    """r6: moved to another disk and every file renamed ("a.md" → "01 - a.md"), text unchanged: the same
    text in any file is evidence; the sync goes on with the reviewed notes (was refused: "holds none")."""
    old = tmp_path / "old" / "V"
    old.mkdir(parents=True)
    for f in "abc":
        (old / f"{f}.md").write_text(_card(f"Q {f} 1", f"A {f} 1") + _card(f"Q {f} 2", f"A {f} 2"), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(old, col, "--yes").exit_code == 0
    _review(col)
    before = _notes(col)
    new = tmp_path / "new" / "V"
    new.parent.mkdir()
    shutil.move(old, new)
    for f in "abc":
        (new / f"{f}.md").rename(new / f"01 - {f}.md")
    result = sync_cli(new, col, "--yes")
    assert result.exit_code == 0, result.output
    assert "6 unchanged" in result.output and "0 new" in result.output
    assert _notes(col) == before


def test_another_vault_in_the_recorded_folder_is_not_that_vault(tmp_path, sync_cli):
    """r10: "Obsidian Vault" (8 reviewed notes) moved to a USB disk, Obsidian made a new default vault of the
    same name at the old place: its sync deleted the 8 notes (below the mass-delete guard). Refused now:
    it holds no ID, front or text of them and none of their files."""
    old = tmp_path / "docs" / "Obsidian Vault"
    old.mkdir(parents=True)
    (old / "Chemistry.md").write_text("".join(_card(f"Chem {i}", f"c{i}") for i in range(1, 9)), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(old, col, "--yes").exit_code == 0
    _review(col)
    before = _notes(col)
    (tmp_path / "usb").mkdir()
    shutil.move(old, tmp_path / "usb" / "Obsidian Vault")
    old.mkdir()
    (old / "Cooking.md").write_text(_card("Recipe 1", "r"), "utf-8")
    for args in (("--dry-run",), ("--yes",)):
        result = sync_cli(old, col, *args)
        assert result.exit_code != 0, result.output
        said = " ".join(result.output.split())
        assert "holds none of that vault's 8 notes" in said and "nothing was written" in said
    assert _notes(col) == before
    # the same vault with every card's front edited but its file kept is that vault (no refusal)
    shutil.rmtree(old)
    shutil.move(tmp_path / "usb" / "Obsidian Vault", old)
    (old / "Chemistry.md").write_text("".join(_card(f"Chem {i}?", f"c{i}") for i in range(1, 9)), "utf-8")
    assert sync_cli(old, col, "--dry-run").exit_code == 0


def test_a_vault_folder_and_files_renamed_at_once_is_told_its_old_name(tmp_path, sync_cli):
    """r6b: folder V -> V2 (old gone) and every file renamed, text unchanged, no IDs: the dry run planned 6
    new notes without a word. Stopped now with the `vault_id = "V"` line; given it, the notes stay."""
    old = tmp_path / "old" / "V"
    old.mkdir(parents=True)
    for f in "abc":
        (old / f"{f}.md").write_text(_card(f"Q {f} 1", f"A {f} 1") + _card(f"Q {f} 2", f"A {f} 2"), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(old, col, "--yes").exit_code == 0
    _review(col)
    before = _notes(col)
    new = tmp_path / "new" / "V2"
    new.parent.mkdir()
    shutil.move(old, new)
    for f in "abc":
        (new / f"{f}.md").rename(new / f"01 - {f}.md")
    result = sync_cli(new, col, "--dry-run")
    assert result.exit_code != 0 and 'vault_id = "V"' in result.output, result.output
    (new / ".notes2anki.toml").write_text('[sync]\nvault_id = "V"\n', "utf-8")
    result = sync_cli(new, col, "--yes")
    assert result.exit_code == 0 and "6 unchanged" in result.output, result.output
    assert _notes(col) == before
