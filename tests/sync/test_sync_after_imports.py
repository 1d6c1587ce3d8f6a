"""The first `sync` into a collection that this vault's packages filled (build, import in Anki): a card deleted
from the vault between the last import and that sync left its note in Anki, and only `build` ever named it
(tester 12-03). The build state on this machine holds the GUIDs of the vault's packages, so sync counts
those notes as the vault's own: deleted when their card is gone (with --yes), kept while it may be there."""
from __future__ import annotations

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from tests.conftest import import_into, notes_by_field, review_all

from .plugin_users import empty_collection

CAPITALS = "".join(f"START\nBasic\nWhat is the capital of {c}?\nBack: {a}\nEND\n\n"
                   for c, a in (("France", "Paris"), ("Spain", "Madrid"), ("Italy", "Rome")))


def _imported(make_vault, tmp_path, files: dict[str, str]):
    """A vault built into a package, imported into a new collection and reviewed: (vault root, collection path)."""
    root = make_vault(files)
    apkg = tmp_path / "v.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(apkg), "--no-dupes"])
    assert result.exit_code == 0, result.output
    col_path = empty_collection(tmp_path)
    col = Collection(str(col_path))
    try:
        import_into(col, apkg)
        review_all(col)
        assert col.note_count() == 3
    finally:
        col.close()
    return root, col_path


def test_a_card_deleted_before_the_first_sync_has_its_imported_note_deleted(make_vault, sync_cli, tmp_path):
    root, col_path = _imported(make_vault, tmp_path, {"Geo.md": CAPITALS})
    (root / "Geo.md").write_text(CAPITALS.replace("START\nBasic\nWhat is the capital of Italy?\nBack: Rome\nEND\n\n", ""))
    dry = sync_cli(root, col_path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "To delete (1 note of this vault)" in dry.output and "Geo.md:13" in dry.output, dry.output
    assert "What is the capital of Italy?" in dry.output
    done = sync_cli(root, col_path, "--yes")
    assert done.exit_code == 0, done.output
    assert "1 deleted, 2 unchanged" in done.output, done.output
    col = Collection(str(col_path))
    try:
        notes = notes_by_field(col, "Back")
        assert set(notes) == {"Paris", "Madrid"}
        assert all(reviews == 1 for _, reviews in notes.values())  # the others kept their history
    finally:
        col.close()
    again = sync_cli(root, col_path, "--dry-run")  # recorded now: nothing more to do
    assert "0 new, 0 updated, 0 moved, 0 retyped, 0 deleted, 2 unchanged" in again.output, again.output


def test_an_imported_note_whose_file_is_left_out_is_held_not_deleted(make_vault, sync_cli, tmp_path):
    root, col_path = _imported(make_vault, tmp_path, {"Geo.md": CAPITALS.split("END\n\n", 1)[0] + "END\n",
                                                      "Archive/Old.md": CAPITALS.split("END\n\n", 1)[1]})
    (root / ".notes2anki.toml").write_text('ignore = ["Archive/**"]\n')
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0, result.output
    assert "0 deleted" in result.output and "the settings leave those files out" in result.output, result.output
    col = Collection(str(col_path))
    try:
        assert col.note_count() == 3
    finally:
        col.close()



def _build_import(root, col_path, apkg, *args: str):
    """A plain build of ``root`` (with ``args``, e.g. --collection) imported into the collection at ``col_path``."""
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(apkg), "--no-dupes", *args])
    assert result.exit_code == 0, result.output
    col = Collection(str(col_path))
    try:
        import_into(col, apkg)
    finally:
        col.close()


def _all_kept(col_path, count: int) -> None:
    """The collection holds ``count`` notes, each with its one review (none lost, none added)."""
    col = Collection(str(col_path))
    try:
        assert col.note_count() == count and all(n == 1 for _, n in notes_by_field(col, "Back").values())
    finally:
        col.close()


def test_notes_another_vaults_build_still_holds_are_not_this_vaults(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 2: an ID line's GUID does not depend on the vault. A file moved with its ID lines
    into vault B (built and imported, never synced), then `sync A --yes`, deleted those reviewed notes; so did
    a vault copied for a new term and pruned (`Sem2`), while `Sem1` still held every card. A GUID another
    vault's build state gives a card still there is not this vault's."""
    chem = ("START\nBasic\nWhat is H2O?\nBack: water\n<!--ID: 1768062256301-->\nEND\n\n"
            "START\nBasic\nWhat is NaCl?\nBack: salt\n<!--ID: 1768062256302-->\nEND\n")
    root, col_path = _imported(make_vault, tmp_path, {"Bio.md": CAPITALS.split("END\n\n", 1)[0] + "END\n",
                                                      "Chem.md": chem})
    other = make_vault({"Chem.md": chem, "Phys.md": "START\nBasic\nWhat is F?\nBack: ma\nEND\n"}, name="B")
    (root / "Chem.md").unlink()
    _build_import(other, col_path, tmp_path / "b.apkg")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0, result.output
    assert "0 deleted" in result.output, result.output
    col = Collection(str(col_path))
    try:
        assert {"water", "salt"} <= set(notes_by_field(col, "Back"))
        assert all(n == 1 for b, (_, n) in notes_by_field(col, "Back").items() if b in ("water", "salt"))
    finally:
        col.close()


def test_a_plugin_notes_copy_from_a_plain_build_is_not_this_vaults_to_delete(make_vault, plugin_collection,
                                                                             sync_cli, tmp_path):
    """Tester 12-03 round 2: a plain build imported into the plugin's collection adds copies of the plugin's
    notes (the README warns); sync then held those copies "their ID lines are still in the vault (the card is
    mistyped …)". The copies are no notes of the vault's own: not listed, not held."""
    cell = ("START\nBasic\nWhat is the powerhouse of the cell?\nBack: Mitochondria\n<!--ID: 1700000000001-->\nEND\n\n"
            "START\nBasic\nWhat does ATP stand for?\nBack: Adenosine triphosphate\n<!--ID: 1700000000002-->\nEND\n")
    root = make_vault({"Cell.md": cell})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    _build_import(root, pc.path, tmp_path / "plain.apkg")
    result = sync_cli(root, pc.path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "mistyped" not in result.output and "To delete" not in result.output, result.output


def test_a_note_moved_into_an_ignored_archive_without_id_lines_keeps_its_note(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 2: a note without IDs moved into `Archive/`, which the settings ignore, was listed
    "gone from the vault" and deleted with --yes (the README promised it only for ID lines). A note whose file
    is gone while a file of that name is in a folder the settings leave out is held, as a file left out is."""
    root, col_path = _imported(make_vault, tmp_path, {
        ".notes2anki.toml": 'ignore = ["Archive/"]\n',
        "Notes/Main.md": CAPITALS.split("END\n\n", 1)[0] + "END\n",
        "Notes/OldTopic.md": CAPITALS.split("END\n\n", 1)[1]})
    (root / "Archive").mkdir()
    (root / "Notes/OldTopic.md").rename(root / "Archive/OldTopic.md")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "0 deleted" in said and "a file moved into a folder they leave out, such as an Archive/, counts" in said
    built = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "again.apkg"), "--no-dupes"])
    assert built.exit_code == 0 and "OldTopic" not in built.output, built.output  # not listed to delete either
    col = Collection(str(col_path))
    try:
        assert col.note_count() == 3
    finally:
        col.close()


def _ided(make_vault, name: str, n: int):
    """A vault of ``n`` Basic cards, each with its ID line (written by `ids`)."""
    root = make_vault({"a.md": "".join(f"START\nBasic\nQuestion {i} {name}?\nBack: Answer {i}\nEND\n\n"
                                       for i in range(n))}, name=name)
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    return root


def test_a_card_moved_with_its_id_line_into_another_built_vault_keeps_its_note(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 3: V1 and V2 built and imported (IDs written), a card moved with its ID line from V1
    into V2, V2 not rebuilt: `sync V1 --yes` deleted the reviewed note (the card's GUID was in V1's build
    state), and V2's sync then added it as new. A package's note is the vault's own only for a card built
    without an ID line; and once V2 is synced, V1 reads its folder for the ID line, synced itself or not."""
    col_path = empty_collection(tmp_path)
    v1, v2 = _ided(make_vault, "V1", 3), _ided(make_vault, "V2", 2)
    col = Collection(str(col_path))
    try:
        for root in (v1, v2):
            result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / f"{root.name}.apkg"),
                                                   "--no-dupes"])
            assert result.exit_code == 0, result.output
            import_into(col, tmp_path / f"{root.name}.apkg")
        review_all(col)
    finally:
        col.close()
    text = (v1 / "a.md").read_text("utf-8")
    first, rest = text.split("END\n\n", 1)
    (v1 / "a.md").write_text(rest, "utf-8")
    (v2 / "moved.md").write_text(first + "END\n", "utf-8")
    for vault in (v1, v2, v1):
        result = sync_cli(vault, col_path, "--yes")
        assert result.exit_code == 0, result.output
        assert "0 new" in result.output and "0 deleted" in result.output, result.output
    col = Collection(str(col_path))
    try:
        notes = notes_by_field(col, "Back")
        assert col.note_count() == 5 and all(reviews == 1 for _, reviews in notes.values())
    finally:
        col.close()


def test_a_file_of_the_same_name_in_an_ignored_folder_holds_only_the_notes_whose_text_it_has(make_vault, sync_cli,
                                                                                          tmp_path):
    """Tester 12-03 round 3: an unrelated `Archive/Untitled.md` (no cards) kept the notes of a deleted
    `Untitled.md` forever, and so did a moved file whose cards were then removed. The file of that name must
    hold the note's front."""
    root, col_path = _imported(make_vault, tmp_path, {
        ".notes2anki.toml": 'ignore = ["Archive/"]\n', "Archive/Untitled.md": "just some unrelated archived note\n",
        "Keep.md": CAPITALS.split("END\n\n", 1)[0] + "END\n", "Untitled.md": CAPITALS.split("END\n\n", 1)[1]})
    (root / "Untitled.md").unlink()
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0 and "2 deleted" in result.output, result.output
    col = Collection(str(col_path))
    try:
        assert set(notes_by_field(col, "Back")) == {"Paris"}
    finally:
        col.close()


@pytest.mark.parametrize("rebuilt", [False, True])
def test_the_first_sync_after_renaming_a_file_of_same_front_cards_keeps_their_notes(make_vault, sync_cli, tmp_path,
                                                                                    rebuilt):
    """Tester 12-03 round 3: `Translate:` cards built and imported, their file renamed (rebuilt and imported
    or not), then the first sync: "3 new", the reviewed notes left beside them. The imported notes are the
    vault's own, so sync follows the renamed file to them."""
    lesson = "".join(f"START\nBasic\nTranslate:\nBack: {b}\nEND\n\n" for b in ("el perro", "el gato", "la casa"))
    root, col_path = _imported(make_vault, tmp_path, {"L.md": lesson})
    (root / "L.md").rename(root / "M.md")
    if rebuilt:
        _build_import(root, col_path, tmp_path / "again.apkg")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0 and "0 new" in result.output and "0 deleted" in result.output, result.output
    _all_kept(col_path, 3)


def test_a_card_given_its_id_by_ids_after_the_build_then_moved_keeps_its_note(make_vault, sync_cli, tmp_path):
    """Built without IDs and imported, then `ids`, then one card moved with its new ID line into another vault:
    the build state still said "no ID line" for it until `ids` recorded it there; V1's first sync must not
    delete the note, and V2's sync takes it over (its review kept)."""
    root, col_path = _imported(make_vault, tmp_path, {"Geo.md": CAPITALS})
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    text = (root / "Geo.md").read_text("utf-8")
    first, rest = text.split("END\n\n", 1)
    (root / "Geo.md").write_text(rest, "utf-8")
    other = make_vault({"moved.md": first + "END\n"}, name="V2")
    for vault in (root, other):
        result = sync_cli(vault, col_path, "--yes")
        assert result.exit_code == 0 and "0 new" in result.output and "0 deleted" in result.output, result.output
    _all_kept(col_path, 3)


def test_a_moved_vaults_old_build_state_holds_none_of_its_notes(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 4: a vault built and imported, moved to another folder (same name), built again there,
    then a file renamed: its first sync added every card again, because the state left at the old path still
    held their GUIDs "for a present card". A state names its vault's folder now; a folder gone holds nothing."""
    import shutil

    root, col_path = _imported(make_vault, tmp_path, {"a.md": CAPITALS})
    moved = tmp_path / "new" / root.name
    moved.parent.mkdir()
    shutil.move(str(root), str(moved))
    _build_import(moved, col_path, tmp_path / "moved.apkg")
    (moved / "a.md").rename(moved / "b.md")
    result = sync_cli(moved, col_path, "--yes")
    assert result.exit_code == 0 and "0 new" in result.output, result.output
    _all_kept(col_path, 3)


def test_a_file_archived_and_started_afresh_keeps_the_archived_cards_notes(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 4: `notes/chem.md` moved into the ignored `Archive/`, a new `notes/chem.md` started
    with other cards: the archived cards' reviewed notes were deleted, their fronts still in Archive/chem.md."""
    root, col_path = _imported(make_vault, tmp_path, {
        ".notes2anki.toml": 'ignore = ["Archive/"]\n', "keep.md": CAPITALS.split("END\n\n", 1)[0] + "END\n",
        "notes/chem.md": CAPITALS.split("END\n\n", 1)[1]})
    (root / "Archive").mkdir()
    (root / "notes/chem.md").rename(root / "Archive/chem.md")
    (root / "notes/chem.md").write_text("START\nBasic\nWhat does ATP stand for?\nBack: Adenosine triphosphate\nEND\n",
                                        "utf-8")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0 and "1 new" in result.output and "0 deleted" in result.output, result.output
    col = Collection(str(col_path))
    try:
        assert col.note_count() == 4
    finally:
        col.close()


def test_a_card_moved_with_an_id_written_on_another_machine_keeps_its_note(make_vault, sync_cli, tmp_path,
                                                                           monkeypatch):
    """Tester 12-03 round 5: two machines share a collection. On A, V1 and V2 built and imported; on B, `ids V1`
    and a card moved with its ID line into V2 (B builds V2: the same note). A's build states still say the card
    had no ID line, so `sync V1 --yes` on A deleted its reviewed note. A note taken from the build state is kept
    while the folder of another vault this machine built holds its ID line."""
    a, b = tmp_path / "stateA", tmp_path / "stateB"
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(a))
    root, col_path = _imported(make_vault, tmp_path, {"Geo.md": CAPITALS})
    other = make_vault({"x.md": "START\nBasic\nWhat is F?\nBack: ma\nEND\n"}, name="V2")
    _build_import(other, col_path, tmp_path / "v2.apkg")
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(b))
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    first, rest = (root / "Geo.md").read_text("utf-8").split("END\n\n", 1)
    (root / "Geo.md").write_text(rest, "utf-8")
    (other / "moved.md").write_text(first + "END\n", "utf-8")
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(a))
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0 and "0 deleted" in result.output, result.output
    col = Collection(str(col_path))
    try:
        assert notes_by_field(col, "Back")["Paris"][1] == 1  # its review kept
    finally:
        col.close()
