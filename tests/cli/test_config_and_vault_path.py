"""Issue 14: a broken configuration, a wrong or empty vault path stop every command with exit 2 and a
message; nothing is written."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

NOTE = "STARTI [Basic] What is TCP? Back: A transport protocol ENDI\n"


def run(*args: str):
    return CliRunner().invoke(cli_main, list(args))


@pytest.mark.parametrize("command", ["build", "ids", "dupes", "related", "topics"])
def test_a_toml_file_that_is_not_valid_stops_every_command(make_vault, helpers, tmp_path, command):
    root = make_vault({"a.md": NOTE, ".notes2anki.toml": "[build\ndefault_deck = 'x'\n"})
    before = helpers.tree_digest(root)
    extra = {"build": ["-o", str(tmp_path / "d.apkg"), "--no-dupes"], "related": ["--all"]}.get(command, [])
    result = run(command, str(root), *extra)
    assert result.exit_code == 2, result.output
    assert ".notes2anki.toml:1: error: not valid TOML" in result.stderr
    assert "Stopped: 1 configuration problem in .notes2anki.toml" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "d.apkg").exists() and helpers.tree_digest(root) == before


def test_a_value_that_cannot_be_used_stops_the_build(make_vault, tmp_path):
    root = make_vault({"sub/a.md": NOTE, ".notes2anki.toml": "folder_decks = {sub = 5}\n"})
    result = run("build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes")
    assert result.exit_code == 2
    assert ".notes2anki.toml:1: error: folder_decks.sub: should be text in quotes (\"…\"), got 5" in result.stderr
    assert not (tmp_path / "d.apkg").exists()


def test_a_data_json_problem_names_data_json(make_vault, tmp_path):
    root = make_vault({"a.md": NOTE, ".obsidian/plugins/obsidian-to-anki-plugin/data.json": "[1, 2]"})
    result = run("build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes")
    assert result.exit_code == 2
    assert ".obsidian/plugins/obsidian-to-anki-plugin/data.json: error: should be a JSON object" in result.stderr


@pytest.mark.parametrize("scan, said", [
    ("../..", 'scan_directory: "../.." leaves the vault'),
    ("/etc", 'scan_directory: "/etc" is not a folder of the vault'),
])
def test_a_scan_directory_outside_the_vault_is_not_a_silent_empty_build(make_vault, tmp_path, scan, said):
    root = make_vault({"a.md": NOTE, ".notes2anki.toml": f'scan_directory = "{scan}"\n'})
    result = run("build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes")
    assert result.exit_code == 2 and said in result.stderr
    assert not (tmp_path / "d.apkg").exists()


def test_a_vault_path_that_is_a_file_or_missing_is_exit_2(tmp_path):
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    for path, said in ((note, "is a file"), (tmp_path / "missing", "does not exist")):
        result = run("build", str(path), "-o", str(tmp_path / "d.apkg"), "--no-dupes")
        assert result.exit_code == 2 and said in result.output
    assert not (tmp_path / "d.apkg").exists()


def test_a_folder_without_a_note_is_exit_2_unless_allowed(tmp_path, anki_import):
    empty = tmp_path / "empty"
    (empty / "img").mkdir(parents=True)
    (empty / "img" / "x.png").write_bytes(b"\x89PNG")
    out = tmp_path / "d.apkg"
    result = run("build", str(empty), "-o", str(out), "--no-dupes")
    assert result.exit_code == 2
    assert f"No note (.md file) to build in {empty}; nothing written (--allow-empty writes an empty deck)." \
        in " ".join(result.stderr.split())
    assert not out.exists()
    result = run("build", str(empty), "-o", str(out), "--no-dupes", "--allow-empty")
    assert result.exit_code == 0, result.output
    assert anki_import(out).col.note_count() == 0


def test_notes_all_ignored_or_outside_the_scan_directory_is_an_empty_vault(make_vault, tmp_path):
    root = make_vault({"Templates/t.md": NOTE, "notes/.keep": "", ".notes2anki.toml": 'ignore = ["Templates"]\n'})
    result = run("build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes")
    assert result.exit_code == 2
    assert "(after the ignore patterns of .notes2anki.toml)" in " ".join(result.stderr.split())
    (root / ".notes2anki.toml").write_text('scan_directory = "notes"\n', encoding="utf-8")
    result = run("build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes")
    assert result.exit_code == 2 and "under 'notes'" in result.stderr
