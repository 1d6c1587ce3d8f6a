"""The plugin's "ID Comments" off: `ids` writes the plain `ID: n` for every kind of card, regex styles too
(the plugin writes "\\n" + `ID: n` after a regex match with the setting off, and reads it back with its
ID regex), and the plain line after a match is read as the card's ID."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.parsers import load_vault

PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
STYLES = {  # the plugin wiki's styles: the answer runs on over lines / one line / a paragraph with a tag
    "Q/A": (r"^Q: ((?:.+\n)*)\n*A: (.+(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)", "Q: {q}\nA: {a}\n"),
    "one line": (r"^Q: (.+)\nA: (.+)", "Q: {q}\nA: {a}\n"),
    "flashcard": (r"((?:[^\n][\n]?)+) #flashcard ?\n*((?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))+)", "{q} #flashcard\n{a}\n"),
}


@pytest.mark.parametrize("style", list(STYLES))
def test_ids_writes_plain_id_lines_under_regex_cards_when_id_comments_are_off(make_vault, style):
    regex, card = STYLES[style]
    text = card.format(q="First?", a="one") + "\n" + card.format(q="Second?", a="two")
    root = make_vault({"a.md": text, PLUGIN: json.dumps({"settings": {"Defaults": {"ID Comments": False},
                                                                      "CUSTOM_REGEXPS": {"Basic": regex}}})})
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    assert "Added 2 IDs in 1 file" in result.output
    written = (root / "a.md").read_text("utf-8")
    assert "<!--" not in written
    vault = load_vault(root, load_config(root))
    ids = [line[4:] for line in written.splitlines() if line.startswith("ID: ")]
    assert [(c.fields["Back"], str(c.id)) for c in vault.cards] == [("one", ids[0]), ("two", ids[1])]
    assert vault.diagnostics == []
    again = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert again.exit_code == 0 and "Added 0 IDs" in again.output


def test_a_plain_id_line_right_after_a_one_line_match_is_the_cards(make_vault):
    """A pattern that ends at its answer's line (`A: (.+)`) never takes the ID line in: the plain `ID: n`
    below it was an ID 'of no card'. The plugin reads it (its ID regex takes `ID: n` with or without the
    comment)."""
    root = make_vault({"a.md": "Q: q?\nA: a\nID: 1768062256107\n\nQ: r?\nA: b\nDELETE\nID: 1768062256108\n"})
    vault = load_vault(root, load_config(root).with_overrides(custom_regexps={"Basic": STYLES["one line"][0]}))
    assert [(c.id, c.delete) for c in vault.cards] == [(1768062256107, False), (1768062256108, True)]
    assert vault.diagnostics == []
