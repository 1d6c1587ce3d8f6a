"""Frontmatter: bounded YAML (billion laughs, size), keys in any case, the plugin's deck/tag lines."""
from __future__ import annotations

import time

from notes2anki.config import Syntax, load_config
from notes2anki.parsers import load_vault
from notes2anki.parsers.frontmatter import (MAX_FRONTMATTER_BYTES, frontmatter_deck, frontmatter_tags,
                                            split_frontmatter)

CARD = "STARTI [Basic] What is TCP? Back: A transport protocol ENDI\n"


def laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghij"
    for prev, name in zip(names, names[1:levels]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + f"\ntags: *{names[levels - 1]}\n---\n" + CARD


def test_a_billion_laughs_frontmatter_is_refused_quickly(make_vault):
    root = make_vault({"lol.md": laughs()})
    start = time.monotonic()
    vault = load_vault(root, load_config(root))
    assert time.monotonic() - start < 5
    (card,) = vault.cards
    assert card.tags == []
    (diag,) = vault.diagnostics
    assert (diag.file, diag.severity) == ("lol.md", "warning")
    assert "YAML aliases" in diag.message and diag.message.endswith("; ignored")


def test_few_aliases_but_a_huge_expansion_is_refused():
    # 3 levels × 9 aliases = 27 aliases > 20: refused by the count; 10 aliases of a 2,000-item list pass
    # the count but expand to 20,000 values: refused by the expanded size
    diags: list = []
    assert split_frontmatter(laughs(4), "x.md", diags)[0] == {}  # a + 3 aliased levels
    assert "more than 20 YAML aliases" in diags[0].message
    wide = "---\na: &a [" + ",".join(["1"] * 2000) + "]\nb: [" + ",".join(["*a"] * 10) + "]\n---\n"
    diags = []
    assert split_frontmatter(wide, "x.md", diags) == ({}, 5)
    assert "more than 10000 values once its YAML aliases are expanded" in diags[0].message


def test_a_few_aliases_are_fine():
    diags: list = []
    data, _ = split_frontmatter("---\nbase: &b biology\ntags: [*b, cells]\n---\n", "x.md", diags)
    assert diags == [] and frontmatter_tags(data) == ["biology", "cells"]


def test_frontmatter_over_the_size_limit_is_ignored_with_a_warning():
    text = "---\ntags: [a]\nnote: " + "x" * MAX_FRONTMATTER_BYTES + "\n---\nbody\n"
    diags: list = []
    assert split_frontmatter(text, "big.md", diags) == ({}, 5)
    assert str(diags[0]) == "big.md:1: warning: frontmatter larger than 64 KiB; ignored"


def test_keys_are_matched_case_insensitively():
    assert frontmatter_tags({"Tags": ["a"], "TAG": "b c"}) == ["a", "b", "c"]
    assert frontmatter_deck({"Deck": "Bio"}) == "Bio"
    assert frontmatter_deck({"TARGET DECK": "Public_Health"}) == "Public_Health"
    assert frontmatter_tags({"FILE TAGS": "medu4 Public_Health"}) == ["medu4", "Public_Health"]
    assert frontmatter_tags({"tags": [["nested"], {"a": 1}, True, None, 3, " x "]}) == ["3", "x"]


def test_renamed_deck_and_tag_words_count_in_frontmatter():
    syntax = Syntax(target_deck_line="DECK LINE", file_tags_line="TAG LINE")
    assert frontmatter_deck({"Deck Line": "X"}, syntax) == "X"
    assert frontmatter_tags({"tag line": "p q"}, syntax) == ["p", "q"]


def test_the_plugins_lines_in_frontmatter_that_is_not_yaml_still_count(make_vault):
    """RESULTS.md F3 (medu4): 1,565 notes whose frontmatter is not valid YAML but holds the plugin's lines."""
    note = ("---\nTARGET DECK: Public_Health\nFILE TAGS: medu4 Public_Health\nFROZEN - medu4ClozeHL:\n :\n"
            "Context: 公衆衛生\n---\n" + CARD)
    root = make_vault({"n.md": note})
    vault = load_vault(root, load_config(root))
    (card,) = vault.cards
    assert card.deck == "Public_Health"
    assert card.tags == ["medu4", "Public_Health"]
    assert "its deck and file tags lines are read as the plugin reads them" in vault.diagnostics[0].message


def test_valid_yaml_with_the_plugins_keys_in_capitals(make_vault):
    root = make_vault({"n.md": "---\nTARGET DECK: DeckA\nFILE TAGS: a b\nTags: [c]\n---\n" + CARD})
    vault = load_vault(root, load_config(root))
    (card,) = vault.cards
    assert (card.deck, sorted(card.tags)) == ("DeckA", ["a", "b", "c"])
    assert vault.diagnostics == []
