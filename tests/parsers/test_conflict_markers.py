"""Unresolved git merge conflicts inside cards (tester suggestion): a ``conflict-marker`` warning at the
marker's file:line; the card is still built as written. A lone ``=======`` (a setext heading) and markers
inside fenced code are not conflicts."""
from __future__ import annotations

import time

import pytest

from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.parsers.conflicts import conflicts

CONFLICTED = (
    "START\nBasic\nWhat is the capital of Australia?\n"  # 1-3
    "<<<<<<< HEAD\n"  # 4
    "Back: Canberra\n"  # 5
    "=======\n"  # 6
    "Back: Canberra (since 1913)\n"  # 7
    ">>>>>>> other-branch\n"  # 8
    "<!--ID: 1700000000301-->\nEND\n"  # 9-10
)


def _load(make_vault, files):
    root = make_vault(files)
    vault = load_vault(root, load_config(root))
    return vault, [d for d in vault.diagnostics if d.kind == "conflict-marker"]


def test_a_conflict_inside_a_card_is_a_warning_and_the_card_is_built(make_vault, cli_build, anki_import):
    vault, found = _load(make_vault, {"geo.md": "# Geo\n\n" + CONFLICTED})
    assert [(d.file, d.line, d.severity) for d in found] == [("geo.md", 6, "warning")]
    assert "lines 6–10" in found[0].message and "built as written" in found[0].message
    card, = vault.cards
    assert card.id == 1700000000301 and "Canberra (since 1913)" in card.fields["Back"]
    result, apkg = cli_build(make_vault({"geo.md": CONFLICTED}, name="v2"))
    assert result.exit_code == 0, result.output
    assert "geo.md:4: warning: unresolved merge conflict in this card" in result.output
    note, = anki_import(apkg).notes()
    # as written, nothing silently dropped: the marker line ends the front, "=======" underlines a
    # heading, ">>>>>>>" is seven quote levels: what the warning is for
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; HEAD" in note.fields[0]
    assert "<h1>Canberra</h1>" in note.fields[1] and "other-branch" in note.fields[1]


def test_conflict_around_an_id_line_diff3_style(make_vault):
    text = ("START\nBasic\nQ\nBack: A\n<<<<<<< ours\n<!--ID: 1700000000301-->\n||||||| base\n=======\n"
            "<!--ID: 1700000000302-->\n>>>>>>> theirs\nEND\n")
    _, found = _load(make_vault, {"n.md": text})
    assert [d.line for d in found] == [5]


def test_a_whole_card_on_one_side_is_warned_about(make_vault):
    side = "START\nBasic\nQ {n}\nBack: A\n<!--ID: 170000000030{n}-->\nEND\n"
    text = "<<<<<<< HEAD\n" + side.format(n=1) + "=======\n" + side.format(n=2) + ">>>>>>> b\n"
    vault, found = _load(make_vault, {"n.md": text})
    assert [d.line for d in found] == [2, 9]
    assert all("cards of both sides are built" in d.message for d in found)
    assert len(vault.cards) == 2


@pytest.mark.parametrize("text", [
    "START\nBasic\nSetext heading?\nBack: Title\n=======\n\nmore\nEND\n",  # a heading underline
    "START\nBasic\nQ\nBack: <<<<<<< HEAD is how git starts a conflict\nEND\n",  # not at the line's start
    "START\nBasic\nQ\nBack: a\n<<<<<<< HEAD\nb\n=======\nEND\n",  # no closing line: not a whole conflict
    "START\nBasic\nWhat does a conflict look like?\nBack:\n```\n<<<<<<< HEAD\nmine\n=======\ntheirs\n"
    ">>>>>>> main\n```\nEND\n",  # an example in fenced code
    "START\nBasic\nQ\nBack: a\n<<<<<<<< HEAD\nb\n========\nc\n>>>>>>>> x\nEND\n",  # 8 characters: not git's
    "<<<<<<< HEAD\nprose\n=======\nother prose\n>>>>>>> b\n\nSTART\nBasic\nQ\nBack: a\nEND\n",  # not in a card
])
def test_not_a_conflict_in_a_card(make_vault, text):
    vault, found = _load(make_vault, {"n.md": text})
    assert found == [] and len(vault.cards) == 1


def test_regex_cards_are_checked_too(make_vault):
    config = '[custom_regexps]\nBasic = "^Q: (.+)\\\\n((?:[^\\\\n][\\\\n]?)+)"\n'
    text = "Q: Capital?\n<<<<<<< HEAD\nCanberra\n=======\nSydney\n>>>>>>> b\n"
    _, found = _load(make_vault, {"n.md": text, ".notes2anki.toml": config})
    assert [d.line for d in found] == [2]


def test_the_scan_is_linear():
    lines = ["<<<<<<< x", "=======" * 1] * 100_000 + [">>>>>>> y"]
    started = time.perf_counter()
    found = conflicts(lines)
    assert time.perf_counter() - started < 2
    assert len(found) == 1 and found[0][0] == 199_999 and len(found[0]) == 3
    long = ["<" * 7 + " " + "<" * 200_000, ">" * 7]
    assert conflicts(long) == [[1, 2]]
