"""`notes2anki build VAULT -o deck.apkg --no-dupes` through click: exit codes, messages, the deck."""
from __future__ import annotations

import os
from pathlib import Path

CLEAN = {
    "net/TCP.md": "# TCP\n\nSTART\nBasic\nWhat does TCP stand for?\nBack: Transmission Control Protocol\n"
                  "Tags: cs/networking\n<!--ID: 1768062256106-->\nEND\n",
    "bio.md": "TARGET DECK: Biology\n\nSTART\nCloze\nGlycolysis runs in the {{c1::cytosol}}.\nEND\n",
}

BROKEN = {
    **CLEAN,
    "bad.md": "START\nBasic\nunclosed card\n\nSTART\nBasic\nthe good one in bad.md\nEND\n\nSTART\nBasik\nx\nEND\n",
}


def test_clean_vault_exits_0_and_writes_the_deck(make_vault, cli_build, anki_import):
    result, apkg = cli_build(make_vault(CLEAN))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert ": error:" not in result.output
    assert "2 cards packaged" in " ".join(result.output.split())
    imp = anki_import(apkg)
    assert imp.col.note_count() == 2 and imp.col.card_count() == 2
    assert imp.note("What does TCP stand for?").tags == ["cs::networking"]
    assert len(imp.col.find_notes('deck:"Biology"')) == 1


def test_errors_exit_1_name_file_and_line_and_the_deck_is_still_written(make_vault, cli_build, anki_import):
    result, apkg = cli_build(make_vault(BROKEN))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "bad.md:1: error:" in result.output  # START followed by START
    assert "bad.md:11: error:" in result.output  # unknown note type 'Basik' on line 11
    assert "Basik" in result.output
    assert apkg.is_file()
    imp = anki_import(apkg)
    fronts = sorted(n.fields[0] for n in imp.notes())
    assert fronts == ["Glycolysis runs in the {{c1::cytosol}}.", "What does TCP stand for?",
                      "the good one in bad.md"]


def test_non_utf8_file_and_duplicate_id_are_reported_with_lines(make_vault, cli_build, anki_import):
    root = make_vault({
        **CLEAN,
        "latin1.md": "Notiz\n\nSTART\nBasic\nW\xe4rme\nEND\n".encode("latin-1"),
        "copy.md": "START\nBasic\nA copy of the TCP card\n<!--ID: 1768062256106-->\nEND\n",
    })
    result, apkg = cli_build(root)
    assert result.exit_code == 1
    assert "latin1.md:5: error: not UTF-8" in result.output
    # a copy of a card with its ID: neither keeps it (which one the Anki note is cannot be told), both named
    assert "net/TCP.md:3: error:" in result.output and "copy.md:1: error:" in result.output
    assert "Traceback" not in result.output
    imp = anki_import(apkg)
    assert sorted(n.fields[0] for n in imp.notes()) == ["Glycolysis runs in the {{c1::cytosol}}."]


def test_missing_image_is_a_warning_only(make_vault, cli_build, anki_import):
    root = make_vault({"img.md": "START\nBasic\nWhat does the figure show?\nBack: ![[gone.png]]\n"
                                 "<!--ID: 1768062256500-->\nEND\n"})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert "img.md:" in result.output and "gone.png" in result.output and "warning" in result.output
    imp = anki_import(apkg)
    assert imp.note("What does the figure show?")


def test_build_only_reads_the_vault(make_vault, cli_build, helpers):
    root = make_vault(BROKEN)
    before = helpers.tree_digest(root)
    result, apkg = cli_build(root)
    assert result.exit_code == 1
    assert helpers.tree_digest(root) == before
    # the build state goes to NOTES2ANKI_STATE_DIR (a tmp dir here), never into the vault
    state_files = list(Path(os.environ["NOTES2ANKI_STATE_DIR"]).glob("*.json"))
    assert len(state_files) == 1
    assert not apkg.is_relative_to(root)


def test_deck_tag_and_wikilink_options(make_vault, cli_build, anki_import):
    root = make_vault({"Other.md": "# Other\n",
                       "a.md": "START\nBasic\nSee [[Other]]\nBack: x\nEND\n"})
    result, apkg = cli_build(root, "--deck", "Inbox::New", "--tag", "imported", "--wikilinks", "text")
    assert result.exit_code == 0, result.output
    imp = anki_import(apkg)
    note = imp.note("See Other")
    assert note.fields[0] == "See Other"
    assert note.tags == ["imported"]
    assert imp.col.find_notes('deck:"Inbox::New"') == [note.id]


def test_missing_vault_folder_is_a_usage_error(tmp_path, cli_build):
    result, apkg = cli_build(tmp_path / "does-not-exist")
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert not apkg.exists()


def test_default_output_never_inside_the_vault(tmp_path, monkeypatch):
    from notes2anki.cli.build import default_output

    vault = tmp_path / "My Vault"
    (vault / "sub").mkdir(parents=True)
    monkeypatch.chdir(vault / "sub")
    assert default_output(vault) == tmp_path / "My Vault.apkg"
    monkeypatch.chdir(tmp_path)
    assert default_output(vault).resolve() == (tmp_path / "My Vault.apkg").resolve()
