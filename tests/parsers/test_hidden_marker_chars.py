"""A marker line with an invisible character inside (`ST\\0ART`: a NUL byte; a zero-width space, a BOM, a soft
hyphen, another control or format character) is not a marker, for the plugin nor for notes2anki: the card
silently vanished. Now the START line gets a near-miss warning at its file:line naming the character, and a
START whose END hides one says which line and character; renamed markers (`START_CARD`) too. Never a
traceback, whatever the character."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config_syntax import Syntax
from notes2anki.model import note_type_fields
from notes2anki.parsers.blocks import scan

HIDDEN = [("\x00", "U+0000 NULL"), ("\u200b", "U+200B ZERO WIDTH SPACE"), ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
          ("\u00ad", "U+00AD SOFT HYPHEN"), ("\x07", "U+0007 BELL"), ("\x7f", "U+007F DELETE"),
          ("\x1b", "U+001B ESCAPE"), ("\u2060", "U+2060 WORD JOINER"), ("\ufe0f", "U+FE0F VARIATION SELECTOR-16")]


def lint(text: str, syntax: Syntax | None = None):
    diags: list = []
    found = scan(text, "n.md", note_type_fields(), diags, syntax=syntax)
    return found, [(d.line, d.severity, d.kind, d.message) for d in diags]


@pytest.mark.parametrize("char, name", HIDDEN)
@pytest.mark.parametrize("begin, end", [("START", "END"), ("START_CARD", "END_CARD")])
def test_a_start_line_with_an_invisible_character_inside_is_warned(char, name, begin, end):
    syntax = Syntax(begin_note=begin, end_note=end) if begin != "START" else None
    marker = begin[:2] + char + begin[2:]
    found, diags = lint(f"intro\n\n{marker}\nBasic\nWhat is TCP?\nBack: a protocol\n{end}\n", syntax)
    assert found.cards == []
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (3, "warning", "near-miss")
    assert message == f"this line reads {begin!r} but holds an invisible character ({name}); not read as a card " \
                      f"(type {begin!r} again)"


@pytest.mark.parametrize("char, name", HIDDEN)
def test_an_end_line_with_an_invisible_character_inside_is_named_in_the_no_end_error(char, name):
    found, diags = lint(f"START\nBasic\nWhat is TCP?\nBack: a protocol\nEN{char}D\n")
    assert found.cards == []
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (1, "error", "no-end")
    assert f"(line 5 {'EN' + char + 'D'!r} looks like its 'END': it holds an invisible character ({name}))" in message


@pytest.mark.parametrize("text", [
    "ST\x00ART is how a NUL byte looks in prose\n",  # not alone on its line
    "intro\nST\x00ART\nno card follows\n",  # no block body after it
    "ST\tART\nBasic\nQ\nBack: A\nEND\n",  # a tab is seen (the END's own warning says the START is mistyped)
])
def test_prose_and_visible_gaps_get_no_invisible_character_warning(text):
    _, diags = lint(text)
    assert not any("invisible" in m for *_, m in diags)


def test_a_lone_end_is_warned_in_each_file_whatever_the_warnings_of_other_files(make_vault):
    """The lone-END lint kept quiet when a near-miss stood above its line in *another* file (it looked at
    the vault's warnings, not the file's): `ST\\tART` in b.md was silent because a.md had one at line 3."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": "x\n\nST\u200bART\nBasic\nQ a\nBack: A\nEND\n",
                       "b.md": "x\n\nST\tART\nBasic\nQ b\nBack: B\nEND\n"})
    vault = load_vault(root, load_config(root, []))
    assert [(d.file, d.line) for d in vault.diagnostics if d.kind == "near-miss"] == [("a.md", 3), ("b.md", 7)]


def test_check_says_it_at_file_line_without_a_traceback(make_vault):
    root = make_vault({"a.md": b"intro\n\nST\x00ART\nBasic\nWhat is TCP?\nBack: a protocol\nEND\n",
                       "o.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    result = CliRunner().invoke(cli_main, ["check", str(root), "-q"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "a.md:3: warning: this line reads 'START' but holds an invisible character (U+0000 NULL)" in result.output
