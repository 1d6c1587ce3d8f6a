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
