"""Tester L6 (23:00): a custom regex that cannot be used is a configuration error naming the file, the key
and its line (exit 2, nothing written), like every other value that cannot be used."""
from __future__ import annotations

import json

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

NOTE = "START\nBasic\nWhat is a regex?\nBack: a pattern\nEND\n"
PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"


def _run(*args):
    return CliRunner().invoke(cli_main, [str(a) for a in args])


def test_a_regex_that_does_not_compile_stops_every_command_with_file_and_line(make_vault, tmp_path):
    root = make_vault({"a.md": NOTE, ".notes2anki.toml": '[custom_regexps]\nBasic = "(("\n'})
    check = _run("check", root)
    assert check.exit_code == 2, check.output
    assert (".notes2anki.toml:2: error: custom_regexps.Basic: not a valid regular expression: missing ): the "
            "'(' at column 2 is never closed") in check.output
    out = tmp_path / "x.apkg"
    build = _run("build", root, "-o", out, "--no-dupes")
    assert build.exit_code == 2 and not out.exists()


def test_the_plugins_data_json_is_named_for_its_regex(make_vault, tmp_path):
    settings = {"settings": {"CUSTOM_REGEXPS": {"Basic": "((", "Cloze": ""}}}
    root = make_vault({"a.md": NOTE, PLUGIN: json.dumps(settings)})
    check = _run("check", root)
    assert check.exit_code == 2
    assert f"{PLUGIN}: error: CUSTOM_REGEXPS.Basic: not a valid regular expression" in check.output


def test_a_regex_for_an_unknown_note_type_is_one_warning_and_the_rest_builds(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": NOTE, "b.md": NOTE.replace("regex", "pattern"),
                       ".notes2anki.toml": '[custom_regexps]\nNoSuchType = "^Q: (.*)$"\n'})
    out = tmp_path / "x.apkg"
    build = _run("build", root, "-o", out, "--no-dupes")
    assert build.exit_code == 0, build.output
    warnings = [line for line in build.stderr.splitlines() if "NoSuchType" in line]
    assert warnings == [".notes2anki.toml:2: warning: custom_regexps.NoSuchType: no note type \"NoSuchType\"; "
                        "this regex is not used"]
    assert len(anki_import(out).notes()) == 2
