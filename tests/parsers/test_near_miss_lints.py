"""Near-miss syntax (issue 10): each gets a file:line warning saying what was probably meant; prose
that merely looks similar gets none."""
from __future__ import annotations

import pytest

from notes2anki.config import Config
from notes2anki.model import note_type_fields
from notes2anki.parsers.blocks import scan


def lint(text: str):
    diags: list = []
    found = scan(text, "n.md", note_type_fields(), diags)
    return found, [(d.line, d.severity, d.kind, d.message) for d in diags]


@pytest.mark.parametrize("marker", ["Start", "start", "START:", "START -", "start:"])
def test_mistyped_start(marker):
    found, diags = lint(f"intro\n{marker}\nBasic\nWhat is TCP?\nBack: a protocol\nEND\n")
    assert found.cards == []
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (2, "warning", "near-miss")
    assert f"{marker!r} does not start a card" in message and "'START'" in message


def test_note_type_on_the_start_line():
    _, diags = lint("START Basic\nWhat is TCP?\nBack: a protocol\nEND\n")
    ((line, _, kind, message),) = diags
    assert (line, kind) == (1, "near-miss") and "the note type goes on the line after 'START'" in message


def test_mistyped_end_is_named_in_the_no_end_error():
    found, diags = lint("START\nBasic\nQ\nBack: A\nEnd\n")
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (1, "error", "no-end")
    assert "line 5 'End' looks like its 'END'" in message


def test_end_closing_an_inline_card():
    found, diags = lint("STARTI [Basic] What is SBERT? Back: Sentence-BERT. END\n")
    assert found.cards == []
    ((line, _, kind, message),) = diags
    assert (line, kind) == (1, "near-miss") and "closed by 'END'; did you mean 'ENDI'?" in message


def test_inline_card_without_any_end():
    _, diags = lint("STARTI [Basic] What is SBERT? Back: Sentence-BERT.\n")
    ((line, _, kind, message),) = diags
    assert (line, kind) == (1, "no-end") and "no 'ENDI'" in message


@pytest.mark.parametrize("line,meant", [("back: 4", "'Back:'"), ("BACK: 4", "'Back:'"), ("Back : 4", "'Back:'")])
def test_field_name_in_the_wrong_case(line, meant):
    found, diags = lint(f"START\nBasic\nWhat is 2+2?\n{line}\nEND\n")
    assert found.cards[0].fields["Front"] == f"What is 2+2?\n{line}"
    ((no, _, kind, message),) = diags
    assert (no, kind) == (4, "near-miss") and f"Did you mean {meant}?" in message


def test_block_indented_inside_a_list_item_is_read_with_a_warning():
    text = "- Networking\n    START\n    Basic\n    What is TCP?\n    Back: a protocol\n    END\n"
    found, diags = lint(text)
    (card,) = found.cards
    assert card.fields == {"Front": "What is TCP?", "Back": "a protocol"}
    ((line, _, kind, message),) = diags
    assert (line, kind) == (2, "near-miss") and "indented" in message


def test_missing_back_line_where_the_answer_is_there():
    found, diags = lint("START\nBasic\nWhat is the capital of France?\nParis\nEND\n")
    assert found.cards[0].fields["Back"] == ""
    ((line, _, kind, message),) = diags
    assert (line, kind) == (1, "near-miss") and "did you mean 'Back:' before 'Paris'?" in message


def test_back_without_colon():
    _, diags = lint("START\nBasic\nCapital of France\nBack\nParis\nEND\n")
    ((line, _, kind, message),) = diags
    assert (line, kind) == (1, "near-miss") and "'Back' is read as part of 'Front'" in message


def test_empty_front_is_reported_at_the_vault_level(make_vault):
    from notes2anki.parsers import load_vault

    vault = load_vault(make_vault({"a.md": "What is 2+2?\nSTART\nBasic\nBack: 4\nEND\n"}), Config())
    ((d),) = vault.diagnostics
    assert (d.line, d.kind) == (2, "empty-front") and "is the question above the START line" in d.message


@pytest.mark.parametrize("text", [
    "Start here.\nThen go on.\n",
    "Start\n\nThe race begins at noon. We end at six.\nEND of story\n",
    "START: the engine warms up first.\nBasic rules apply.\n",
    "Starting values\nBasic\n",
    "The STARTI button and the ENDI key.\n",
    "STARTI is the inline marker; write it before [Basic]\n",
    "We start with back: pain and its causes.\n",
    "START\nBasic\nA single-sided card about life.\nEND\n",
    "START\nBasic\nWhat is 2+2? And 3+3?\nBack: 4 and 6\nEND\n",
    "START\nBasic\nList the layers:\n- physical\n- link\nBack: 2 of 7\nEND\n",
])
def test_ordinary_prose_and_cards_stay_quiet(text):
    _, diags = lint(text)
    assert diags == []


def test_missing_note_type_line_is_named():
    found, diags = lint("START\nDefinice: **tranzitivní závislost**\nBack: A\nEND\n")
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (2, "error", "unknown-note-type")
    assert "is the note type line missing?" in message


def test_a_card_inside_a_callout_is_said():
    """Tester S22: a card written inside an Obsidian callout (`> START`, `> Basic`, …) gave no card and
    no message; prose quoting the word START stays quiet."""
    found, diags = lint("> [!note] Card\n> START\n> Basic\n> callout q\n> Back: a\n> END\n\n> START is a word here\n")
    assert found.cards == []
    ((line, severity, kind, message),) = diags
    assert (line, severity, kind) == (2, "warning", "near-miss")
    assert "inside a quote or callout ('> START')" in message
