"""Custom-regex cards: the plugin's JavaScript regexes, bounded in time, with the plugin's claiming rules."""
from __future__ import annotations

import time

import pytest

from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.parsers import regex_notes
from notes2anki.parsers.js_regex import compile_js, required_literals, translate_js

# The plugin wiki's tag style, as BenAgro314 / SAM-yuan-shan / Supre-le-sucre use it
TAG_STYLE = r"((?:[^\n][\n]?)+) #fc ?\n*((?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))+)"


def load(make_vault, files: dict[str, str], regexps: dict[str, str]):
    root = make_vault(files)
    return load_vault(root, load_config(root, custom_regexps=regexps))


def test_a_card_whose_answer_contains_a_fenced_code_block_is_a_card(make_vault):
    # issue 10 F5, BenAgro314 engsci_vault: the plugin made this card (it has an ID)
    note = ("Pseudocode for a simple falling ball animation. #fc\n"
            "```\n"
            "v0 = 0, x0 = 100;\n"
            "while t < tmax:\n"
            "\tv[n+1] = v[n] + h*a[n]\n"
            "```\n"
            "<!--ID: 1623255160684-->\n")
    vault = load(make_vault, {"n.md": note}, {"Basic": TAG_STYLE})
    assert vault.diagnostics == []
    (card,) = vault.cards
    assert card.id == 1623255160684
    assert card.fields["Front"] == "Pseudocode for a simple falling ball animation."
    assert "<pre><code>v0 = 0, x0 = 100;" in card.html["Back"]
    assert "<!--" not in card.html["Back"]


def test_a_match_inside_fenced_code_is_an_example_not_a_card(make_vault):
    note = "Real question #fc\n\nreal answer\n\n```\nExample question #fc\n\nexample answer\n```\n"
    vault = load(make_vault, {"n.md": note}, {"Basic": TAG_STYLE})
    assert [c.fields["Front"] for c in vault.cards] == ["Real question"]


def test_two_regexes_matching_one_paragraph_make_one_card_of_the_first_type(make_vault):
    # issue 10 F6 (medu4): the first type in settings order claims the span; no false "ID used twice"
    note = "Capital of France :: Paris\n<!--ID: 1664685325405-->\n"
    vault = load(make_vault, {"n.md": note}, {"Basic": r"^(.+) :: (.+)$",
                                               "Basic (and reversed card)": r"^(.+?) :: (.+)$"})
    assert vault.diagnostics == []
    (card,) = vault.cards
    assert (card.note_type, card.id) == ("Basic", 1664685325405)


def test_indented_id_under_an_indented_list_item_is_read(make_vault):
    note = ("- Topic\n"
            "    - Capital of France :: Paris\n"
            "    <!--ID: 1700000000001-->\n"
            "    - Capital of Spain :: Madrid\n")
    vault = load(make_vault, {"n.md": note}, {"Basic": r"^[ \t]*- (.+?) :: (.+)$"})
    first, second = vault.cards
    assert (first.fields["Front"], first.id, first.id_line) == ("Capital of France", 1700000000001, 3)
    assert (second.fields["Front"], second.id) == ("Capital of Spain", None)


def test_id_after_blank_lines_is_taken_with_a_warning(make_vault):
    # issue 10 F10 (medu4 1.14 斜位と斜視.md): not an orphan, and `ids` must not mint a second ID
    note = "Capital of France :: Paris\n\n<!--ID: 1654066266925-->\n"
    vault = load(make_vault, {"n.md": note}, {"Basic": r"^(.+) :: (.+)$"})
    (card,) = vault.cards
    assert (card.id, card.id_line) == (1654066266925, 3)
    (warning,) = vault.warnings
    assert (warning.file, warning.line) == ("n.md", 3)
    assert "blank lines" in warning.message


def test_id_of_a_block_card_is_not_taken_by_a_regex_card(make_vault):
    note = "Capital of France :: Paris\n\nSTART\nBasic\nQ\nBack: A\n<!--ID: 1654066266925-->\nEND\n"
    vault = load(make_vault, {"n.md": note}, {"Basic": r"^(.+) :: (.+)$"})
    ids = {c.fields["Front"]: c.id for c in vault.cards}
    assert ids == {"Capital of France": None, "Q": 1654066266925}


def test_a_catastrophic_pattern_times_out_with_a_message_and_the_rest_builds(make_vault, monkeypatch):
    monkeypatch.setattr(regex_notes, "REGEX_TIMEOUT_S", 0.3)
    files = {"slow.md": "a" * 40 + "b\n", "ok.md": "START\nBasic\nQ\nBack: A\nEND\n"}
    started = time.monotonic()
    vault = load(make_vault, files, {"Basic": r"^(a|a)+$"})
    assert time.monotonic() - started < 5
    assert [c.fields["Front"] for c in vault.cards] == ["Q"]
    (warning,) = vault.warnings
    assert warning.file == "slow.md"
    assert 'custom_regexps["Basic"]' in warning.message and "0.3 s" in warning.message


def test_nested_quantifier_on_a_long_line_finishes(make_vault):
    # issue 11: a user's ^(a+)+$ on aaaa…b never finished under Python's re
    started = time.monotonic()
    vault = load(make_vault, {"n.md": "a" * 5000 + "b\n"}, {"Basic": r"^(a+)+$"})
    assert time.monotonic() - started < 2 * regex_notes.REGEX_TIMEOUT_S + 3
    assert vault.cards == []


def test_tag_style_on_a_long_paragraph_without_the_tag_is_fast(make_vault):
    # issue 10 F8 (SAM-yuan-shan `#1`): 53 s under re for a 70 KB transcript without a card
    text = ("这是一个很长的讲稿段落，没有任何卡片标记。" * 40 + "\n") * 60
    started = time.monotonic()
    vault = load(make_vault, {"transcript.md": text, "n.md": "Question #1\n\nAnswer\n",
                              "both.md": text + "\nOther question #1\n\nOther answer\n"},
                 {"Basic": TAG_STYLE.replace("#fc", "#1")})
    assert time.monotonic() - started < 5
    assert vault.warnings == []
    assert sorted(c.fields["Back"] for c in vault.cards) == ["Answer", "Other answer"]


@pytest.mark.parametrize("pattern, literals", [
    (TAG_STYLE, (" #fc", "\n")),
    (r"^(.*[^\n:]{1}):{2}([^\n:]{1}.*)", ("::",)),
    (r"^Q: ((?:.+\n)*)\n*A: (.+)", ("Q: ", "A: ")),
    (r"(?:x|y)z?", ()),  # nothing required outside alternatives/optional parts
    (r"(?i)abc", ()),  # case-insensitive: no shortcut
])
def test_required_literals(pattern, literals):
    assert set(required_literals(translate_js(pattern))) == set(literals)


def test_javascript_only_syntax_is_translated():
    any_char, _ = compile_js(r"a[^]b")
    assert any_char.search("a\nb")
    never, _ = compile_js(r"a[]b")
    assert not never.search("ab")
    control, _ = compile_js(r"x\cJy")
    assert control.search("x\ny")
    space, _ = compile_js(r"^a\sb$")  # JavaScript's \s includes the ideographic space
    assert space.search("a\u3000b")
    word, _ = compile_js(r"^\w+$")  # JavaScript's \w is ASCII
    assert word.search("abc") and not word.search("日本")


# --- anchored search: only the paragraphs holding the literal are searched --------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from notes2anki.parsers.regex_anchor import anchor, start_regions  # noqa: E402


@pytest.mark.parametrize("pattern, literal", [
    (TAG_STYLE, " #fc"),  # the plugin wiki's tag style: the tag's paragraph only
    (r"^Q: ((?:.+\n)*)\n*A: (.+)", "Q: "),
    (r"((?:.+\n)+) #x", " #x"),  # each line starts with a non-newline: never a blank line
    (r"([\s\S]+?) #fc", None),  # may span blank lines: whole text searched
    (r"((?:a|\n)+) #fc", None),
    (r"(.+)\1 #fc", None),  # a back-reference: not analysed
    (r"(?s)(.+) #fc", None),
])
def test_anchor(pattern, literal):
    assert anchor(translate_js(pattern)) == literal


def test_start_regions_begin_after_the_last_blank_line():
    text = "intro\n\nlong paragraph\nwith the tag #fc\n\nother #fc"
    first, second = text.index(" #fc"), text.rindex(" #fc")
    assert start_regions(text, " #fc", 0) == [(6, first), (text.index("\n\nother") + 1, second)]


def _anchored_spans(pattern: str, text: str) -> list[tuple[int, int]]:
    compiled, _ = compile_js(pattern)
    literal = anchor(compiled.pattern)
    regions = start_regions(text, literal, 0) if literal else None
    spans, pos = [], 0
    while pos <= len(text):
        m = regex_notes._next_match(compiled, text, pos, regions, time.monotonic() + 30)
        if m is None:
            break
        spans.append(m.span())
        pos = m.end() if m.end() > m.start() else m.end() + 1
    return [s for s in spans if s[0] != s[1]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "#", "fc", "Q: ", "A: ", "\n", "<!--"]), max_size=40).map("".join),
       st.sampled_from([TAG_STYLE, r"^Q: ((?:.+\n)*)\n*A: (.+(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)",
                        r"((?:.+\n)+) #fc"]))
def test_anchored_search_finds_exactly_what_a_full_search_finds(text, pattern):
    compiled, _ = compile_js(pattern)
    full = [m.span() for m in compiled.finditer(text) if m.end() > m.start()]
    assert _anchored_spans(pattern, text) == full
