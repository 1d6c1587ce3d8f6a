"""A configuration value in a message is shown as the file writes it (TOML/JSON: "x", true, ["a"]), never
in Python's form ('x', True, ['a'])."""
from __future__ import annotations

import json

import pytest

from notes2anki.config import CONFIG_FILE, PLUGIN_SETTINGS, load_config
from notes2anki.config_lines import shown


def _messages(root, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    diags = []
    load_config(root, diags)
    return [str(d) for d in diags]


@pytest.mark.parametrize("toml, message", [
    ('default_deck = ["a", "b"]', '.notes2anki.toml:1: error: default_deck: should be text in quotes ("…"), got ["a", "b"]'),
    ('default_tag = true', '.notes2anki.toml:1: error: default_tag: should be text in quotes ("…"), got true'),
    ('[topics]\nthreshold = "it\'s"', '.notes2anki.toml:2: error: topics.threshold: should be a number, got "it\'s"'),
    ('[related]\nexclude = ["[z-a]"]', '.notes2anki.toml:2: error: related.exclude, entry 1: pattern "[z-a]" not '
                                       'used: bad character set: bad character range z-a'),
    ('[syntax]\nbegin_note = "X"\nend_note = "X"', '.notes2anki.toml:3: error: syntax: begin_note (line 2) and end_note are both "X"; '
                                                   'each marker word must differ'),
])
def test_toml_values_are_shown_as_toml_writes_them(tmp_path, toml, message):
    said = _messages(tmp_path, {CONFIG_FILE: toml})
    assert message in said, said
    assert not any("True" in m or "['" in m or "got '" in m for m in said), said


def test_plugin_values_are_shown_as_json_writes_them(tmp_path):
    data = {"settings": {"Defaults": {"CurlyCloze": "yes", "Add Context": ["x"]}}}
    said = _messages(tmp_path, {PLUGIN_SETTINGS: json.dumps(data)})
    assert f'{PLUGIN_SETTINGS}: error: settings.Defaults.CurlyCloze: should be true or false, got "yes"' in said
    assert f'{PLUGIN_SETTINGS}: error: settings.Defaults.Add Context: should be true or false, got ["x"]' in said


def test_shown_values():
    assert [shown(v) for v in ("x", True, False, 5, 0.5, ["a", 1], {"Basic": "Front"}, 'a"b\n')] == \
        ['"x"', "true", "false", "5", "0.5", '["a", 1]', '{ Basic = "Front" }', '"a\\"b\\n"']
    assert shown("x" * 100) == '"' + "x" * 29 + "…" + "x" * 29 + '"'
    assert shown(list(range(10))) == "[0, 1, 2, 3, 4, 5, …]"
