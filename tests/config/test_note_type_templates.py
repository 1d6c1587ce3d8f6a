"""Tester U21: a mistake in a user note type's template (or two types with one id) was no configuration
error: `check` was clean, `build` / `sync` ended in an internal error (or Anki refused the package)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config_templates import template_problems

CARD = "START\nVocab\nperro\nMeaning: dog\nEND\n"
HEAD = '[note_types."Vocab"]\nfields = ["Word", "Meaning"]\n'


@pytest.mark.parametrize("templates, expected", [
    ('front = "{{Word}}"\nback = "{{FrontSide}}<hr>{{Meening}}"\n',
     ".notes2anki.toml:4: error: note_types.Vocab.back: unknown field \"Meening\""),
    ('front = "no fields here"\n', ".notes2anki.toml:3: error: note_types.Vocab.front: shows no field"),
    ('front = "{{#Word}}{{Word}}"\n', ".notes2anki.toml:3: error: note_types.Vocab.front: section {{#Word}} is never closed"),
    ('front = "{{Word}}{{/Word}}"\n', "note_types.Vocab.front: {{/Word}} closes no open section"),
    ('front = "{{FrontSide}}"\n', "note_types.Vocab.front: unknown field \"FrontSide\""),
    ('id = 12345\n\n[note_types."B"]\nfields = ["G1", "G2", "G3"]\nid = 12345\n',
     ".notes2anki.toml:7: error: note_types.B.id: 12345 is also note_types.Vocab's id"),
])
def test_a_template_mistake_stops_every_command_naming_the_key(make_vault, tmp_path, templates, expected):
    root = make_vault({"a.md": CARD, ".notes2anki.toml": HEAD + templates})
    for args in (["check", str(root)], ["build", str(root), "-o", str(tmp_path / "x.apkg"), "--no-dupes"]):
        result = CliRunner().invoke(cli_main, args)
        assert result.exit_code == 2, result.output
        assert expected in result.output and "internal error" not in result.output
    assert not (tmp_path / "x.apkg").exists()


def test_good_templates_pass():
    spec = {"fields": ["Word", "Meaning"], "front": "{{#Word}}{{text:Word}}{{/Word}}{{^Meaning}}-{{/Meaning}}",
            "back": "{{FrontSide}}<hr>{{Meaning}} {{Tags}} {{Deck}}{{! a comment }}"}
    assert template_problems("Vocab", spec) == []
    assert template_problems("C", {"fields": ["Text", "Extra"], "cloze": True, "front": "{{cloze:Text}}"}) == []
    assert template_problems("C", {"fields": ["Text"], "cloze": True, "front": "{{Text}}"})[0][1].startswith(
        "a cloze type's front needs")


def test_a_good_user_type_builds_and_imports(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": CARD, ".notes2anki.toml": HEAD + 'front = "{{Word}}"\nback = "{{FrontSide}}<hr>{{Meaning}}"\n'})
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "x.apkg"), "--no-dupes"])
    assert result.exit_code == 0, result.output
    note = anki_import(tmp_path / "x.apkg").note("perro")
    assert note["Meaning"] == "dog"
