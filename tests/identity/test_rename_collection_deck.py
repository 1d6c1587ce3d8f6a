"""`build --collection` following a card without an ID through a rename (tester r9's rule) into a file that
maps to another deck: Anki's import does not move a card it has to another deck (shared/spec/ANKI-IMPORT.md),
so the build says so, as for the other cards whose note Anki has in another deck."""
from __future__ import annotations

import os

import pytest
from anki.collection import Collection

from tests.conftest import notes_by_field, review_all

from .test_rename_edit_build import FILES

TOML = '[folder_decks]\nOld = "Old deck"\nNew = "New deck"\n'


@pytest.mark.parametrize("edit", [False, True])
@pytest.mark.parametrize("to", ["New/ATP.md", "Old/ATP.md"])
def test_a_renamed_card_in_another_deck_is_said_not_to_move(make_vault, cli_build, tmp_path, edit, to):
    """Built with --collection and imported (no sync record), reviewed; the file moved from `Old/` to `New/`
    (another folder deck), its back edited or not: the build follows both cards to their notes and warns,
    once, that Anki keeps them in the old deck (and the import indeed leaves them there). Renamed within
    its folder (same deck): no such warning."""
    from tests.conftest import import_apkg, import_into

    root = make_vault({".notes2anki.toml": TOML, "Old/Untitled.md": FILES["Untitled.md"], "o.md": FILES["o.md"]})
    col_path = tmp_path / "anki" / "collection.anki2"
    Collection(str(col_path.parent.mkdir(parents=True) or col_path)).close()
    result, apkg = cli_build(root, "--collection", str(col_path))
    assert result.exit_code == 0, result.output
    col, _ = import_apkg(apkg, col_path)
    review_all(col)
    before = notes_by_field(col)
    col.close()
    (root / to).parent.mkdir(exist_ok=True)
    os.rename(root / "Old/Untitled.md", root / to)
    if edit:
        (root / to).write_text(FILES["Untitled.md"].replace("triphosphte", "triphosphate"), "utf-8")
    result, apkg = cli_build(root, "--collection", str(col_path))
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    warning = (f"2 cards whose note Anki has in another deck ({to}:1 in 'Old deck', the vault says 'New deck', "
               f"{to}:7 in 'Old deck', the vault says 'New deck'): importing the package updates a note where it "
               "is and does not move it — `notes2anki sync` moves them (or, in Anki: Browse → Change Deck)")
    assert (warning in output) == ("in another deck" in output) == to.startswith("New/"), output
    # the collection's notes are this vault's (their GUIDs in its build state): matched as sync matches them
    assert "0 new" in output, output
    col = Collection(str(col_path))
    try:
        assert len(import_into(col, apkg).new) == 0
        after = notes_by_field(col)
        decks = {col.get_note(nid).fields[-1]: col.decks.name(col.get_card(col.card_ids_of_note(nid)[0]).did)
                 for nid, _ in after.values()}
    finally:
        col.close()
    back = "adenosine triphosphate" if edit else "adenosine triphosphte"
    assert after[back] == before["adenosine triphosphte"] and after["x"] == before["x"]
    assert decks[back] == decks["x"] == "Old deck"  # the import did not move them
    result, _ = cli_build(root, "--collection", str(col_path))  # said once, not at every build
    assert result.exit_code == 0, result.output
    assert "in another deck" not in result.output
