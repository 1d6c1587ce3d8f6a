"""Issue 11: no input makes the card-syntax parser hang. Each pathological note must parse to the end.

Measured locally (2 shared cores): each scan below takes < 0.5 s; the old patterns were cubic or
quadratic on the same inputs. The guard is a thread joined with a generous timeout, not a timing
assert, so a busy machine does not fail the test — only a hang does.
"""
from __future__ import annotations

import threading

import pytest

from notes2anki.model import note_type_fields
from notes2anki.parsers.blocks import scan

GUARD_S = 10


def finishes(fn) -> object:
    """Run ``fn`` in a thread; fail if it has not returned within GUARD_S seconds; its result."""
    box: dict = {}

    def target():
        box["value"] = fn()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(GUARD_S)
    assert not thread.is_alive(), f"still running after {GUARD_S} s"
    return box["value"]


CASES = {
    "inline start then 10,000 spaces, no ENDI": "STARTI [Basic]" + " " * 10_000 + "\n",
    "'STARTI [Basic] ' x 20,000 on one line": "STARTI [Basic] " * 20_000 + "\n",
    "250,000 unclosed [[a in a field": "START\nBasic\nQ\nBack: " + "[[a" * 250_000 + "\nEND\n",
    "250,000 unclosed ![[a in a field": "START\nBasic\nQ\nBack: " + "![[a" * 250_000 + "\nEND\n",
    "heading with 20,000 spaces before a word": "# a" + " " * 20_000 + "b\n",
    "20,000 backticks then a backtick later": "`" * 20_000 + "a`\n",
    "inline card with 20,000 Tags: words": "STARTI [Basic] q " + "Tags: " * 20_000 + "ENDI\n",
    "20,000 START lines": "START\n" * 20_000,
    "FROZEN line of 20,000 colons": "FROZEN - " + ": " * 20_000 + "x\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_pathological_note_parses(name):
    diags: list = []
    found = finishes(lambda: scan(CASES[name], "n.md", note_type_fields(), diags))
    assert isinstance(found.cards, list)


def test_inline_cards_after_a_long_unclosed_run_are_not_invented():
    diags: list = []
    found = finishes(lambda: scan("STARTI [Basic] " * 20_000 + "\n", "n.md", note_type_fields(), diags))
    assert found.cards == []
    assert [d.kind for d in diags] == ["no-end"]
