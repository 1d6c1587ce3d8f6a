"""Tester V12: an inline card whose field name is almost right (``back:``, ``Back :``, ``Back:dog``, a field
of another note type) gives a card whose front swallows the back, as in the plugin (its inline cards
switch field only at a word that is exactly ``Name:``). Each now gets a near-miss warning at file:line;
text that the plugin reads as a correct card gets none."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.model import note_type_fields
from notes2anki.parsers.blocks import scan


def lint(text: str):
    diags: list = []
    found = scan(text, "n.md", note_type_fields(), diags)
    return found, [(d.line, d.severity, d.kind, d.message) for d in diags]


@pytest.mark.parametrize("body, written, meant", [
    ("What is TCP? back: a protocol", "back:", "Back:"),
    ("What is TCP? BACK: a protocol", "BACK:", "Back:"),
    ("What is TCP? Back : a protocol", "Back :", "Back:"),
    ("What is TCP? Back:a protocol", "Back:a", "Back:"),
    ("What is TCP? Text: a protocol", "Text:", "Back:"),
    ("What is TCP? Extra: a protocol", "Extra:", "Back:"),
])
def test_a_near_miss_field_name_in_an_inline_card_is_named(body, written, meant):
    found, diags = lint(f"intro\n\nSTARTI [Basic] {body} ENDI\n")
    (card,) = found.cards
    assert card.fields["Back"] == ""  # as the plugin reads it: the front swallows the back
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (3, "warning", "near-miss")
    assert repr(written) in message and f"Did you mean {meant!r}?" in message


def test_a_field_of_another_type_in_a_cloze_inline_card():
    _, diags = lint("STARTI [Cloze] The {{c1::mitochondria}} makes ATP Back: the powerhouse ENDI\n")
    ((line, _, kind, message),) = diags
    assert (line, kind) == (1, "near-miss") and "'Back:'" in message and "'Back Extra:'" in message


@pytest.mark.parametrize("text", [
    "STARTI [Basic] What is TCP? Back: a protocol ENDI\n",
    "STARTI [Basic] What does back: mean in CSS? Back: nothing ENDI\n",  # the back is there: a correct card
    "STARTI [Basic] What does `Back :` do? Back: nothing ENDI\n",
    "STARTI [Basic] Remember: drink water ENDI\n",  # no field name: a front-only card
    "STARTI [Basic] See `text: x` in YAML ENDI\n",  # inside code
    "STARTI [Cloze] The {{c1::mitochondria}} makes ATP Back Extra: the powerhouse ENDI\n",
    "STARTI [Basic (and reversed card)] Hund Back: dog ENDI\n",
])
def test_a_correct_inline_card_gets_no_warning(text):
    found, diags = lint(text)
    assert len(found.cards) == 1 and diags == []


def test_check_names_the_line(make_vault):
    root = make_vault({"Deutsch.md": "# Vokabeln\n\nSTARTI [Basic] Hund back: dog ENDI\n"})
    result = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "Deutsch.md:3: warning: 'back:' does not start the field 'Back'" in result.output, result.output
