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
    ('[folder_decks]\nsub = "A::::B"\nnope = "X"\n', "folder_decks.sub: deck name 'A::::B'", 4),
    ('[folder_decks]\nsub = "A::::B"\nnope = "X"\n', "folder_decks.nope: 'nope' is not a folder", 5),
    ('[folder_tags]\nsub = ["y"]\nnope = ["x"]\n', "folder_tags.nope: 'nope' is not a folder", 5),
    ('default_deck = "A::::B"\n', "default_deck: deck name 'A::::B'", 3),
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
