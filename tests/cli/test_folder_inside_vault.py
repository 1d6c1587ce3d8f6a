"""A command run on a folder inside an Obsidian vault (tester 12-03): the vault's settings (its plugin's
custom regular expressions) are not read from there, and a card's identity depends on the vault. `build`
refuses as `ids` and `sync` do; `check` and the other commands that only read warn first, and `check`
does not advise deleting ID lines that may well be cards' the vault's settings read."""
from __future__ import annotations

import json

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
SETTINGS = {"settings": {"CUSTOM_REGEXPS": {"Basic": "^(.*[^\\n:]{1}):{2}([^\\n:]{1}.*)"}},
            "Defaults": {"Deck": "Default"}}
NOTE = "# Adverbios\n\nrápido::quickly\n<!--ID: 1777000000001-->\n"


def _vault(make_vault):
    return make_vault({PLUGIN: json.dumps(SETTINGS), "Karteikarten/Adverbios.md": NOTE})


def test_the_whole_vault_reads_the_card_by_its_regex(make_vault):
    root = _vault(make_vault)
    result = CliRunner().invoke(cli_main, ["check", str(root)])
    assert result.exit_code == 0, result.output
    assert "inside the Obsidian vault" not in result.output and "orphan-id" not in result.output


def test_build_on_a_folder_inside_a_vault_stops_and_writes_nothing(make_vault, tmp_path):
    root = _vault(make_vault)
    package = tmp_path / "sub.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root / "Karteikarten"), "-o", str(package), "--no-dupes"])
    assert result.exit_code == 2, result.output
    assert "inside the Obsidian vault" in result.output and f"notes2anki build {root.resolve()}" in result.output
    assert "nothing written" in result.output
    assert not package.exists()


def test_check_on_a_folder_inside_a_vault_warns_first_and_never_says_delete(make_vault):
    root = _vault(make_vault)
    for args in ([], ["-q"], ["--json"]):
        result = CliRunner().invoke(cli_main, ["check", str(root / "Karteikarten"), *args])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("vault: warning: ") and "inside the Obsidian vault" in result.output
        assert f"notes2anki check {root.resolve()}" in result.output.splitlines()[0]
        assert "delete the line" not in result.output and "or the note in Anki" not in result.output
        assert "1777000000001 belongs to no card read in this folder" in result.output  # said, without the advice


def test_dupes_on_a_folder_inside_a_vault_warns_first(make_vault, monkeypatch):
    """dupes, topics, related and report load through common.load_for_command: the warning comes first."""
    root = _vault(make_vault)
    import notes2anki.cli.dupes as dupes_cli

    monkeypatch.setattr(dupes_cli, "load_for_command", _loaded)  # stops once loaded: no model needed
    result = CliRunner().invoke(cli_main, ["dupes", str(root / "Karteikarten")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("vault: warning: "), result.output
    assert f"notes2anki dupes {root.resolve()}" in result.output


def _loaded(vault):
    from notes2anki.cli.common import load_for_command

    load_for_command(vault)
    raise SystemExit(0)


def test_a_folder_that_is_a_vault_of_its_own_is_unaffected(make_vault, tmp_path):
    root = _vault(make_vault)
    for marker in (".obsidian/app.json", ".notes2anki.toml"):
        sub = root / f"Own{marker[1:4]}"
        (sub / marker).parent.mkdir(parents=True, exist_ok=True)
        (sub / marker).write_text("{}" if marker.endswith("json") else "", "utf-8")
        (sub / "a.md").write_text("START\nBasic\nWhat is a vault?\nBack: a folder\nEND\n", "utf-8")
        check = CliRunner().invoke(cli_main, ["check", str(sub)])
        assert check.exit_code == 0 and "inside the Obsidian vault" not in check.output, check.output
        build = CliRunner().invoke(cli_main, ["build", str(sub), "-o", str(tmp_path / f"{sub.name}.apkg"), "--no-dupes"])
        assert build.exit_code == 0 and "inside the Obsidian vault" not in build.output, build.output
        assert (tmp_path / f"{sub.name}.apkg").exists()


def _card(front: str) -> str:
    return f"START\nBasic\nFront: {front}\nBack: a\nEND\n"


def _outer_with_inner_vaults(tmp_path):
    outer = tmp_path / "o"
    for folder in (".obsidian", "Inner/.obsidian", "Own"):
        (outer / folder).mkdir(parents=True)
    (outer / "Inner" / "a.md").write_text(_card("X"), "utf-8")
    (outer / "Own" / "b.md").write_text(_card("Y"), "utf-8")
    (outer / "c.md").write_text(_card("Z"), "utf-8")
    (outer / "Own" / ".notes2anki.toml").write_text("", "utf-8")
    return outer


def test_a_vault_holding_vaults_of_its_own_warns_and_builds_the_same(tmp_path):
    outer = _outer_with_inner_vaults(tmp_path)
    build = CliRunner().invoke(cli_main, ["build", str(outer), "-o", str(tmp_path / "o.apkg"), "--no-dupes"])
    assert build.exit_code == 0, build.output
    text = " ".join(build.output.split())
    assert f"{outer / 'Inner'}, {outer / 'Own'}" in text and "second identity" in text
    assert 'ignore = ["/Inner/", "/Own/"]' in text and "3 cards packaged" in text  # built as before
    for command in (["check", str(outer)], ["ids", str(outer), "--dry-run"]):
        result = CliRunner().invoke(cli_main, command)
        assert result.exit_code == 0, result.output
        assert 'ignore = ["/Inner/", "/Own/"]' in " ".join(result.output.split()), result.output
    (outer / ".notes2anki.toml").write_text('ignore = ["/Inner/", "/Own/"]\n', "utf-8")
    build = CliRunner().invoke(cli_main, ["build", str(outer), "-o", str(tmp_path / "o2.apkg"), "--no-dupes"])
    assert build.exit_code == 0 and "second identity" not in build.output, build.output
    assert "1 card packaged" in " ".join(build.output.split())


def test_a_parent_with_only_a_notes2anki_toml_is_a_vault(tmp_path):
    vault = tmp_path / "v4"
    (vault / "sub").mkdir(parents=True)
    (vault / "sub" / "n.md").write_text(_card("A4"), "utf-8")
    (vault / ".notes2anki.toml").write_text("", "utf-8")
    build = CliRunner().invoke(cli_main, ["build", str(vault / "sub"), "-o", str(tmp_path / "s.apkg"), "--no-dupes"])
    assert build.exit_code == 2 and "inside the Obsidian vault" in build.output, build.output
    assert not (tmp_path / "s.apkg").exists()
    ids = CliRunner().invoke(cli_main, ["ids", str(vault / "sub")])
    assert ids.exit_code == 2 and "nothing written" in ids.output, ids.output
    assert "<!--ID" not in (vault / "sub" / "n.md").read_text("utf-8")
    assert CliRunner().invoke(cli_main, ["build", str(vault), "-o", str(tmp_path / "v.apkg"), "--no-dupes"]).exit_code == 0


def test_check_inside_a_vault_names_the_vault_root_for_ids(tmp_path):
    vault = tmp_path / "v"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "sub").mkdir()
    (vault / "sub" / "n.md").write_text(_card("A"), "utf-8")
    result = CliRunner().invoke(cli_main, ["check", str(vault / "sub")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "notes2anki ids VAULT" not in text and f"`notes2anki ids {vault.resolve()}` (the vault root)" in text
