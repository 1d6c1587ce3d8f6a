"""A message about `.notes2anki.toml` is at the line the key or entry is written, read from the TOML's
structure (notes2anki/toml_positions.py), never from a same-named key of another table (tester r5, r22)."""
from __future__ import annotations

import pytest

from notes2anki.config import CONFIG_FILE, load_config
from notes2anki.config_lines import line_of
from notes2anki.toml_positions import positions


def _messages(tmp_path, toml: str) -> list[str]:
    root = tmp_path / "v"
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(toml, encoding="utf-8")
    diags = []
    load_config(root, diags)
    return [str(d) for d in diags if d.file == CONFIG_FILE]


@pytest.mark.parametrize("toml, said", [
    # r5: the folder_decks key `sub` on line 5 is not folder_tags' `sub`
    ('[build]\nfolder_tags = { sub = [1, "x"] }\n\n[build.folder_decks]\nsub = "Deck"\n',
     ':2: error: build.folder_tags.sub, entry 1: should be text in quotes ("…"), got 1'),
    ('[folder_decks]\nsub = "Deck"\n\n[folder_tags]\nsub = [1, "x"]\n',
     ':5: error: folder_tags.sub, entry 1: should be text in quotes ("…"), got 1'),
    ('[folder_tags]\n"sub" = [1]\n[folder_decks]\nsub = "Deck"\n',
     ':2: error: folder_tags.sub, entry 1'),
    # r22: an entry of a list inside an inline table spread over lines
    ('[build]\nfolder_tags = { sub = [\n  "ok",\n  2] }\n',
     ':4: error: build.folder_tags.sub, entry 2: should be text in quotes ("…"), got 2'),
    # marker words that clash: at the later key's line, naming the first one's
    ('[syntax]\nbegin_note = "BEGIN"\nend_note = "BEGIN"\n',
     ':3: error: syntax: begin_note (line 2) and end_note are both "BEGIN"; each marker word must differ'),
    # a word never written is named as a default, not as a value the user wrote
    ('[syntax]\nbegin_note = ""\nend_note = "START"\n',
     ':3: error: syntax.end_note: "START" is the word begin_note has by default (its value is not used)'),
    ('[syntax]\nend_note = "START"\n', ':2: error: syntax.end_note: "START" is the word begin_note has by default'),
])
def test_a_message_is_at_the_line_its_key_or_entry_is_written(tmp_path, toml, said):
    messages = _messages(tmp_path, toml)
    assert any(m.startswith(CONFIG_FILE + said) for m in messages), messages


def test_positions_follow_the_toml_structure():
    text = ('top = 1  # "x = 2"\n[build]\nfolder_tags = { sub = [1, "x"], "a.b" = { c = 1 } }\n'
            '[build.folder_decks]\n"./s\\u0075b" = \'\'\'lit\n\'\'\'\n[dupes]\nignore = [\n  [1, 2],  # c\n'
            '  ["a.md:3", """b\n"""],\n]\n[[arr]]\nx = 1\n[[arr]]\ny.z = 2001-01-01 10:00:00\n')
    found = positions(text)
    assert found[("top",)] == 1 and ("x",) not in found
    assert found[("build", "folder_tags", "a.b", "c")] == 3
    assert found[("build", "folder_decks", "./sub")] == 5
    assert found[("dupes", "ignore", "1", "1")] == 10
    assert found[("arr", "1", "y", "z")] == 16
    assert line_of(text, ["folder_tags", "sub", 1]) == 3  # a build key: under [build]
    assert line_of(text, ["folder_tags", "sub"], exact=True) == 0
    assert line_of(text, ["dupes", "ignore", "list[str]", 1, 0]) == 10  # a validator's name passed over


def test_a_build_key_set_at_the_top_level_and_under_build_is_a_warning_saying_which_is_used(tmp_path):
    """Tester r21: `default_deck` at the top level and under [build]: [build] won silently."""
    from notes2anki.config import load_config

    (tmp_path / CONFIG_FILE).write_text('default_deck = "Top"\nignore = ["a"]\n[build]\ndefault_deck = "Build"\n'
                                        'ignore = ["b"]\n', encoding="utf-8")
    diags = []
    config = load_config(tmp_path, diags)
    assert config.default_deck == "Build"
    assert [str(d) for d in diags] == [
        '.notes2anki.toml:4: warning: build.default_deck: also set at the top level (line 1); the value under '
        '[build], "Build", is used']  # ignore: both lists are used


def test_a_note_type_template_problem_is_at_its_key_and_names_the_type_as_written(tmp_path):
    """The template check had its own header regex: `[build.note_types."My type"]` or an inline table gave
    no line, and a name with spaces was shown bare."""
    messages = _messages(tmp_path, '[build.note_types."My type"]\nfields = ["A", "B"]\nfront = "{{A}}"\n'
                                   'back = "{{C}}"\n')
    assert [m.split(" in ")[0] for m in messages] == [
        '.notes2anki.toml:4: error: note_types."My type".back: unknown field "C"'], messages
