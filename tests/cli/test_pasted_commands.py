"""Commands the CLI prints for pasting name their paths shell-quoted (tester 12-03 B: `init "/tmp/x/Мой vault ü"`
printed `notes2anki build /tmp/x/Мой vault ü`, which fails when pasted)."""
from __future__ import annotations

import shlex

from click.testing import CliRunner

from notes2anki.cli import main as cli_main


def test_init_suggests_a_build_command_that_pastes(tmp_path):
    vault = tmp_path / "x" / "Мой vault ü"
    vault.mkdir(parents=True)
    (vault / "a.md").write_text("START\nBasic\nWhat is a vault?\nBack: a folder\nEND\n", "utf-8")
    result = CliRunner().invoke(cli_main, ["init", str(vault)])
    assert result.exit_code == 0, result.output
    command = result.output.split("Check it, then: ", 1)[1].splitlines()[0]
    assert shlex.split(command) == ["notes2anki", "build", str(vault)]


def test_the_folder_inside_a_vault_message_quotes_its_paths(tmp_path):
    vault = tmp_path / "My vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Sub folder").mkdir()
    (vault / "Sub folder" / "a.md").write_text("START\nBasic\nWhat is a vault?\nBack: a folder\nEND\n", "utf-8")
    result = CliRunner().invoke(cli_main, ["build", str(vault / "Sub folder"), "-o", str(tmp_path / "b.apkg")])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"`notes2anki build {shlex.quote(str(vault.resolve()))}`" in text
    assert f"`notes2anki init {shlex.quote(str(vault / 'Sub folder'))}`" in text


def test_a_path_starting_with_a_dash_is_pasted_with_dot_slash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-dash").mkdir()
    (tmp_path / "-dash" / "a.md").write_text("START\nBasic\nWhat is a vault?\nBack: a folder\nEND\n", "utf-8")
    result = CliRunner().invoke(cli_main, ["init", "--", "-dash"])
    assert result.exit_code == 0, result.output
    command = result.output.split("Check it, then: ", 1)[1].splitlines()[0]
    assert shlex.split(command) == ["notes2anki", "build", "./-dash"]
    vault = tmp_path / "v"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "-sub").mkdir()
    (vault / "-sub" / "a.md").write_text("START\nBasic\nWhat is a vault?\nBack: a folder\nEND\n", "utf-8")
    monkeypatch.chdir(vault)
    result = CliRunner().invoke(cli_main, ["build", "-o", str(tmp_path / "b.apkg"), "--", "-sub"])
    assert result.exit_code == 2, result.output
    assert "`notes2anki init ./-sub`" in " ".join(result.output.split())


def test_pasted_path_keeps_absolute_and_quotes():
    from notes2anki.cli.vault_place import pasted_path

    assert pasted_path("/a b/-c") == "'/a b/-c'" and pasted_path("-x y") == "'./-x y'" and pasted_path("x") == "x"
