"""A plain `build` of a vault that `sync` writes into a collection on this machine (tester A r8): importing
its package there would add the plugin notes sync adopted again, so the build says so; on real collections."""
from __future__ import annotations

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

CELL = ("TARGET DECK: Bio\n\nSTART\nBasic\nWhat is the powerhouse of the cell?\nBack: Mitochondria\n"
        "<!--ID: 1700000000001-->\nEND\n\nSTART\nBasic\nWhat does ATP stand for?\nBack: Adenosine triphosphate\n"
        "<!--ID: 1700000000002-->\nEND\n\nSTART\nBasic\nNew card without an ID\nBack: x\nEND\n")


def _build(root, out):
    return CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])


def test_plain_build_after_sync_warns_of_the_duplicates_an_import_would_add(make_vault, plugin_collection,
                                                                            sync_cli, tmp_path):
    root = make_vault({"Bio/Cell.md": CELL})
    out = tmp_path / "plain.apkg"
    before = _build(root, out)  # never synced: no warning
    assert before.exit_code == 0 and "sync record" not in before.output
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    assert sync_cli(root, pc.path, "--yes").exit_code == 0
    for _ in range(2):  # the first build and its replay (nothing changed) both say it
        result = _build(root, out)
        assert result.exit_code == 0, result.output
        assert "2 cards of this package (Bio/Cell.md:3, Bio/Cell.md:10) are notes that sync adopted" in result.output
        assert "notes2anki sync" in result.output
    # what the warning is about: the import adds the two adopted notes again
    col = Collection(str(pc.path))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(out), options=ImportAnkiPackageOptions()))
        assert col.note_count() == 5
    finally:
        col.close()


def test_build_with_collection_after_sync_does_not_warn(make_vault, plugin_collection, sync_cli, tmp_path):
    root = make_vault({"Bio/Cell.md": CELL})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    assert sync_cli(root, pc.path, "--yes").exit_code == 0
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "c.apkg"), "--no-dupes",
                                           "--collection", str(pc.path)])
    assert result.exit_code == 0, result.output
    assert "sync record" not in result.output


def test_no_warning_when_the_synced_notes_came_from_this_vaults_own_package(make_vault, sync_cli, tmp_path):
    """Tester 12-03 (deutsch-matura): build, import the package into a new collection, `sync` into it, build
    again: the build warned that 408 cards "are notes that sync adopted or matched under another GUID" and
    an import would add them again, though those notes carry the package's own GUIDs (an import added
    nothing). The sync record now keeps which written IDs sync found under a foreign GUID; only those warn."""
    from .plugin_users import empty_collection

    root = make_vault({"Bio/Cell.md": CELL})
    first = tmp_path / "first.apkg"
    assert _build(root, first).exit_code == 0
    col_path = empty_collection(tmp_path)
    col = Collection(str(col_path))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(first), options=ImportAnkiPackageOptions()))
        assert col.note_count() == 3
    finally:
        col.close()
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    again = tmp_path / "again.apkg"
    result = _build(root, again)
    assert result.exit_code == 0, result.output
    assert "sync adopted" not in result.output and "sync record" not in result.output, result.output
    col = Collection(str(col_path))
    try:  # what a warning would have been about: the import adds nothing
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(again), options=ImportAnkiPackageOptions()))
        assert col.note_count() == 3
    finally:
        col.close()


def test_no_warning_for_cards_of_a_renamed_file_that_sync_kept_on_their_notes(make_vault, sync_cli, tmp_path):
    """Tester 12-03 (round 2): build, import, sync, rename `Untitled.md` → `Bio.md` (one back edited), sync,
    build: the build warned that the 3 cards "would add them again as duplicate notes", though importing
    added none: sync kept them on their notes, whose GUIDs (of the old path) no ID of theirs gives. The sync
    record keeps each note's GUID."""
    from .plugin_users import empty_collection

    cards = ("START\nBasic\nWhat is ATP?\nBack: energy\nEND\n\nSTART\nBasic\nTranslate: dog\nBack: Hund\nEND\n\n"
             "START\nBasic\nTranslate: cat\nBack: Katze\nEND\n")
    root = make_vault({"Untitled.md": cards})
    assert _build(root, tmp_path / "p1.apkg").exit_code == 0
    col_path = empty_collection(tmp_path)
    col = Collection(str(col_path))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "p1.apkg"),
                                                         options=ImportAnkiPackageOptions()))
    finally:
        col.close()
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / "Untitled.md").rename(root / "Bio.md")
    (root / "Bio.md").write_text(cards.replace("Katze", "Katze (f)"), "utf-8")
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    result = _build(root, tmp_path / "p3.apkg")
    assert result.exit_code == 0 and "sync adopted" not in result.output, result.output
    col = Collection(str(col_path))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "p3.apkg"),
                                                         options=ImportAnkiPackageOptions()))
        assert col.note_count() == 3
    finally:
        col.close()
