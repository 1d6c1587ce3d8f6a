"""Every problem with a key of `.notes2anki.toml` names the key's line (a table entry: the entry's line)."""
from __future__ import annotations

import pytest

from notes2anki.config import CONFIG_FILE, load_config

HEAD = "# my settings\n\n"


def _problems(tmp_path, toml: str):
    root = tmp_path / "v"
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(HEAD + toml, encoding="utf-8")
    diags = []
    load_config(root, diags)
    return [d for d in diags if d.file == CONFIG_FILE]


@pytest.mark.parametrize("toml, words, line", [
    ('scan_directory = "../"\n', "leaves the vault", 3),
    ('scan_directory = "nope"\n', "is not a folder of the vault", 3),
    ('[build]\nscan_directory = "nope"\n', "is not a folder of the vault", 4),
    ('[folder_decks]\nsub = "A::::B"\nnope = "X"\n', "folder_decks.sub: deck name \"A::::B\"", 4),
    ('[folder_decks]\nsub = "A::::B"\nnope = "X"\n', "folder_decks.nope: not a folder", 5),
    ('[folder_tags]\nsub = ["y"]\nnope = ["x"]\n', "folder_tags.nope: not a folder", 5),
    ('default_deck = "A::::B"\n', "default_deck: deck name \"A::::B\"", 3),
])
def test_the_problem_names_its_line(tmp_path, toml, words, line):
    found = [d for d in _problems(tmp_path, toml) if words in d.message]
    assert len(found) == 1, _problems(tmp_path, toml)
    assert found[0].line == line
    assert str(found[0]).startswith(f"{CONFIG_FILE}:{line}: ")


# -- a regex's error names the 1-based column of the character at fault -------------------------------------
@pytest.mark.parametrize("pattern, says", [
    ("a)b", "unbalanced parenthesis at column 2"),
    ("ab[c", "unterminated character set: the '[' at column 3 is never closed"),
    ("(unclosed", "missing ): the '(' at column 1 is never closed"),
    ("a**", "multiple repeat at column 3"),
    (r"\\s[z-a]", "bad character range at column 4"),  # \s is translated to a longer class: still column 4
])
def test_a_custom_regex_error_names_its_column(tmp_path, pattern, says):
    found = _problems(tmp_path, f'[custom_regexps]\nBasic = "{pattern}"\n')
    assert [d.message for d in found] == [f"custom_regexps.Basic: not a valid regular expression: {says}"]
    assert found[0].line == 4


def test_a_plugin_custom_regex_error_names_its_column():
    from notes2anki.parsers.js_regex import JsRegexError, compile_js

    with pytest.raises(JsRegexError, match=r"^unbalanced parenthesis at column 2$"):
        compile_js("a)b")
    with pytest.raises(JsRegexError, match=r"at the end$"):
        compile_js("(?<n>a")


def test_a_folder_named_like_the_configuration_is_called_a_folder(tmp_path):
    root = tmp_path / "v"
    (root / CONFIG_FILE).mkdir(parents=True)
    diags = []
    load_config(root, diags)
    assert [d.message for d in diags] == ["configuration not read: is a folder, not a file; not read"]


# -- a folder key written "./sub", "sub/", "sub\\" or "/sub" is the folder sub, and its warning finds its line --
@pytest.mark.parametrize("written, shown", [
    ('"./sub"', '"./sub"'), ('"sub/"', '"sub/"'), ('"sub\\\\"', '"sub\\\\"'), ("'/sub'", '"/sub"'), ("sub", "sub"),
])
def test_a_folder_deck_key_spelled_any_way_gets_its_line(tmp_path, written, shown):
    found = [d for d in _problems(tmp_path, f'[folder_decks]\n{written} = "A::::B"\n') if "deck name" in d.message]
    assert [(d.line, d.message) for d in found] == [
        (4, f'folder_decks.{shown}: deck name "A::::B" has empty parts between \'::\' (Anki would name them '
            f'\'blank\'); read as "A::B"')]


def test_two_spellings_of_one_folder_key_are_a_warning_at_the_second(tmp_path):
    found = _problems(tmp_path, '[folder_decks]\nsub = "A"\n"./sub" = "B"\n')
    assert [(d.line, d.severity, d.message) for d in found] == [
        (5, "warning", 'folder_decks."./sub": names the same folder as folder_decks.sub (line 4); "B" is used')]
    root = tmp_path / "v"
    config = load_config(root, [])
    assert config.folder_decks == {"sub": "B"}


# -- context_fields / file_link_fields naming a field the note type does not have: a warning at its line ------
def test_a_context_field_the_note_type_lacks_is_a_warning_at_its_line(tmp_path):
    found = _problems(tmp_path, 'add_context = true\n[context_fields]\nBasic = "Context"\nCloze = "Text"\n'
                                '[file_link_fields]\n"Basic (and reversed card)" = "Link"\nVocab = "Word"\n')
    assert [(d.line, d.severity, d.message) for d in found] == [
        (5, "warning", 'context_fields.Basic: note type "Basic" has no field "Context" (its fields: "Front", '
                       '"Back"); the context is not added to its cards'),
        (8, "warning", 'file_link_fields."Basic (and reversed card)": note type "Basic (and reversed card)" has '
                       'no field "Link" (its fields: "Front", "Back"); the file link is not added to its cards'),
        (9, "warning", 'file_link_fields.Vocab: no note type "Vocab" (known: Basic, Basic (and reversed card), '
                       'Basic (optional reversed card), Basic (type in the answer), Cloze); not used')]


def test_a_plugin_context_field_is_checked_while_add_context_is_on(tmp_path):
    import json

    from notes2anki.config import PLUGIN_SETTINGS

    root = tmp_path / "v"
    (root / PLUGIN_SETTINGS).parent.mkdir(parents=True)
    settings = {"CONTEXT_FIELDS": {"Basic": "Obsidian Context"}, "FILE_LINK_FIELDS": {"Basic": "Obsidian Link"}}
    for on in (False, True):
        data = {"settings": {**settings, "Defaults": {"Add Context": on}}}
        (root / PLUGIN_SETTINGS).write_text(json.dumps(data), encoding="utf-8")
        diags = []
        load_config(root, diags)
        assert [str(d) for d in diags] == ([
            f'{PLUGIN_SETTINGS}: warning: CONTEXT_FIELDS.Basic: note type "Basic" has no field "Obsidian Context" '
            '(its fields: "Front", "Back"); the context is not added to its cards'] if on else [])
