"""Folder names in another Unicode normal form than the settings that name them (tester r2).

A folder "Café" can be kept decomposed on disk ("Cafe" + U+0301: macOS HFS+, git, rsync) while Obsidian
and a keyboard write it composed (U+00E9) in data.json or .notes2anki.toml, or the reverse. Obsidian treats
both as one name; so does notes2anki wherever a configured folder, path or pattern meets a vault path:
folder_decks, folder_tags, scan_directory, ignore (ours and the plugin's IGNORED_FILE_GLOBS), template
folders, [related] exclude and [dupes] ignore references. Each test runs both ways round."""
from __future__ import annotations

import json
import unicodedata

import pytest
from click.testing import CliRunner

from notes2anki.cli import main
from notes2anki.config import load_config
from notes2anki.parsers import load_vault

NFC, NFD = unicodedata.normalize("NFC", "Café"), unicodedata.normalize("NFD", "Café")
PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
CARD = "START\nBasic\n{front}\nBack: a\n<!--ID: {nid}-->\nEND\n"
# (the folder's name on disk, the name the settings give)
WAYS = pytest.mark.parametrize("disk, typed", [(NFD, NFC), (NFC, NFD)], ids=["disk-NFD", "disk-NFC"])


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def vault_files(disk: str) -> dict[str, str]:
    return {f"{disk}/n.md": CARD.format(front="Q cafe", nid=1700000000201),
            f"{disk}/Sub/deep.md": CARD.format(front="Q deep", nid=1700000000202),
            "Other/o.md": CARD.format(front="Q other", nid=1700000000203)}


def decks_and_tags(imported) -> dict[str, tuple[str, list[str]]]:
    col = imported.col
    return {n.fields[0]: (col.decks.name(n.cards()[0].did), sorted(n.tags)) for n in imported.notes()}


@WAYS
def test_the_plugins_folder_decks_and_tags_apply(make_vault, cli_build, anki_import, disk, typed):
    settings = {"settings": {"FOLDER_DECKS": {typed: "CafeDeck"}, "FOLDER_TAGS": {typed: "cafetag"}}}
    root = make_vault({**vault_files(disk), PLUGIN: json.dumps(settings)})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    got = decks_and_tags(anki_import(apkg))
    assert got["Q cafe"] == ("CafeDeck", ["cafetag"])
    assert got["Q deep"] == ("CafeDeck", ["cafetag"])  # subfolders inherit
    assert got["Q other"] == ("Default", [])


@WAYS
def test_our_folder_decks_and_tags_apply_without_a_warning(make_vault, cli_build, anki_import, disk, typed):
    toml = f'[folder_decks]\n"{typed}" = "CafeDeck"\n"{typed}/Sub" = "Inner"\n[folder_tags]\n"{typed}" = ["cafetag"]\n'
    root = make_vault({**vault_files(disk), ".notes2anki.toml": toml})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert "not a folder of the vault" not in result.output
    got = decks_and_tags(anki_import(apkg))
    assert got["Q cafe"] == ("CafeDeck", ["cafetag"])
    assert got["Q deep"] == ("Inner", ["cafetag"])
    check = run("check", root)
    assert check.exit_code == 0 and "0 warnings" in check.output, check.output


@WAYS
@pytest.mark.parametrize("where", ["toml", "plugin"])
def test_scan_directory_reads_the_folder(make_vault, cli_build, anki_import, disk, typed, where):
    settings = ({".notes2anki.toml": f'scan_directory = "{typed}"\n'} if where == "toml" else
                {PLUGIN: json.dumps({"settings": {"Defaults": {"Scan Directory": typed}}})})
    root = make_vault({**vault_files(disk), **settings})
    check = run("check", root)
    assert check.exit_code == 0, check.output
    assert "2 notes, 2 cards" in check.output
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert sorted(decks_and_tags(anki_import(apkg))) == ["Q cafe", "Q deep"]


@WAYS
@pytest.mark.parametrize("setting", [
    {".notes2anki.toml": 'ignore = ["{typed}"]\n'},
    {".notes2anki.toml": 'ignore = ["/{typed}/Sub/*.md"]\n'},
    {PLUGIN: '{{"settings": {{"IGNORED_FILE_GLOBS": ["{typed}/**"]}}}}'},
], ids=["name", "anchored-glob", "plugin-glob"])
def test_ignore_patterns_skip_the_folder(make_vault, disk, typed, setting):
    (name, text), = setting.items()
    root = make_vault({**vault_files(disk), name: text.format(typed=typed)})
    vault = load_vault(root, load_config(root))
    fronts = sorted(c.fields["Front"] for c in vault.cards)
    if "Sub" in text:
        assert fronts == ["Q cafe", "Q other"]
    else:
        assert fronts == ["Q other"]
    assert all(n.path.startswith((disk + "/", "Other/")) for n in vault.notes)  # files keep their names on disk


@WAYS
def test_a_template_folder_named_in_either_form(make_vault, tmp_path, anki_import, disk, typed):
    root = make_vault({**vault_files(disk), ".obsidian/templates.json": json.dumps({"folder": typed})})
    result = run("build", root, "-o", tmp_path / "t.apkg", "--no-dupes")
    assert result.exit_code == 0, result.output
    assert "2 cards in 2 notes not built" in result.output
    assert [n.fields[0] for n in anki_import(tmp_path / "t.apkg").notes()] == ["Q other"]


@WAYS
def test_related_exclude_matches_the_folder(make_vault, disk, typed):
    from notes2anki.semantic.related import excluded_notes

    root = make_vault(vault_files(disk))
    vault = load_vault(root, load_config(root))
    assert set(excluded_notes(vault, [typed])) == {f"{disk}/n.md", f"{disk}/Sub/deep.md"}
    assert set(excluded_notes(vault, [f"/{typed}/n.md"])) == {f"{disk}/n.md"}


@WAYS
def test_dupes_ignore_references_name_the_cards(make_vault, disk, typed):
    from notes2anki.semantic.dupe_settings import _ignored_pairs, moved_line_refs, parse_ignore, \
        unmatched_references

    root = make_vault(vault_files(disk))
    cards = load_vault(root, load_config(root)).cards
    entries, problems = parse_ignore([[f"{typed}/n.md:1", f"{typed}/Sub/deep.md:3"]])
    pairs = _ignored_pairs(entries, cards)
    assert not problems
    assert len(pairs) == 1
    assert not unmatched_references([[f"{typed}/n.md:1", f"{typed}/Sub/deep.md:3"]], cards)
    (root / ".notes2anki.toml").write_text(f'[dupes]\nignore = [["{typed}/n.md:3", "Other/o.md:1"]]\n', "utf-8")
    config = load_config(root)
    moved = moved_line_refs(config, cards, {f"{disk}/n.md": {1: 1700000000201}})
    assert len(moved) == 1 and "1700000000201" in moved[0].message


@WAYS
def test_init_keeps_the_plugins_folder_decks(make_vault, disk, typed):
    settings = {"settings": {"FOLDER_DECKS": {typed: "CafeDeck"}, "FOLDER_TAGS": {typed: "cafetag"}}}
    root = make_vault({**vault_files(disk), PLUGIN: json.dumps(settings)})
    result = run("init", root, "--stdout")
    assert result.exit_code == 0, result.output
    assert "folder not found in the vault" not in result.output
    assert f'"{typed}" = "CafeDeck"' in result.output.splitlines()
