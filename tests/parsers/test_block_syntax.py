"""notes2anki.parsers.blocks.scan: the START/END and STARTI/ENDI syntax, one note's text at a time."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notes2anki.model import BUILTIN_FIELDS, note_type_fields
from notes2anki.parsers.blocks import scan


def scan_text(text: str, rel: str = "note.md", note_types=None):
    diags: list = []
    found = scan(text, rel, note_types or note_type_fields(), diags)
    return found, diags


def one_card(text: str):
    found, diags = scan_text(text)
    assert [d for d in diags if d.severity == "error"] == []
    assert len(found.cards) == 1, [c.fields for c in found.cards]
    return found.cards[0]


# --- START / END -------------------------------------------------------------------------------


def test_basic_block_with_implicit_first_field():
    card = one_card("intro\n\nSTART\nBasic\nWhat is 2+2?\nsecond line\nBack: 4\nmore back\nEND\n")
    assert card.note_type == "Basic"
    assert card.fields == {"Front": "What is 2+2?\nsecond line", "Back": "4\nmore back"}
    assert (card.line, card.end_line) == (3, 9)
    assert card.id is None and not card.delete and card.tags == []


def test_front_and_back_prefixes_switch_fields_in_any_order():
    card = one_card("START\nBasic\nFront: Q\nBack: A\nFront: more Q\nEND\n")
    assert card.fields == {"Front": "Q\nmore Q", "Back": "A"}


def test_field_prefix_without_a_space_still_switches():
    card = one_card("START\nBasic\nFront:Capital of France?\nBack:Paris\nEND\n")
    assert card.fields == {"Front": "Capital of France?", "Back": "Paris"}


def test_fields_are_trimmed_and_missing_fields_are_empty():
    card = one_card("START\nBasic\n\n   Only a front   \n\nEND\n")
    assert card.fields == {"Front": "Only a front", "Back": ""}


def test_cloze_back_extra_and_reversed_types():
    cloze = one_card("START\nCloze\nThe {{c1::mitochondrion}} makes ATP.\nBack Extra: see cell.md\nEND\n")
    assert cloze.fields == {"Text": "The {{c1::mitochondrion}} makes ATP.", "Back Extra": "see cell.md"}
    rev = one_card("START\nBasic (optional reversed card)\nFront: BERT\nBack: encoder\nAdd Reverse: y\nEND\n")
    assert rev.fields == {"Front": "BERT", "Back": "encoder", "Add Reverse": "y"}


def test_start_with_trailing_spaces_and_end_with_trailing_spaces():
    card = one_card("START   \nBasic  \nQ\nBack: A\nEND \t\n")
    assert card.note_type == "Basic"
    assert card.fields == {"Front": "Q", "Back": "A"}


def test_line_beginning_with_END_does_not_close_the_block():
    card = one_card("START\nBasic\nWhat identifies a TCP connection?\nBack: The 4-tuple.\n"
                    "ENDpoints are (IP, port) pairs.\nEND\n")
    assert card.fields["Back"] == "The 4-tuple.\nENDpoints are (IP, port) pairs."
    assert card.end_line == 6


@pytest.mark.parametrize("fence", ["```", "~~~", "````markdown"])
def test_blocks_inside_fenced_code_are_examples_not_cards(fence):
    close = fence.rstrip("markdown")
    text = (f"Example:\n{fence}\nSTART\nBasic\nWhat is the capital of France?\nBack: Paris\nEND\n{close}\n"
            "START\nBasic\nThe real card\nEND\n")
    found, diags = scan_text(text)
    assert diags == []
    assert [c.front for c in found.cards] == ["The real card"]
    assert found.cards[0].line == 9


def test_longer_fence_holding_a_shorter_one_stays_code():
    text = "````md\n```\nSTART\nBasic\nexample\nEND\n```\n````\nSTART\nBasic\nreal\nEND\n"
    found, _ = scan_text(text)
    assert [c.front for c in found.cards] == ["real"]


def test_END_inside_fenced_code_of_a_card_does_not_close_it():
    text = ("START\nBasic\nHow do you write a heredoc?\nBack:\n```bash\ncat <<END\nhello\nEND\n```\n"
            "Tags: shell\nEND\n\nSTART\nBasic\nnext card\nEND\n")
    found, diags = scan_text(text)
    assert diags == []
    assert [c.front for c in found.cards] == ["How do you write a heredoc?", "next card"]
    heredoc = found.cards[0]
    assert heredoc.fields["Back"] == "```bash\ncat <<END\nhello\nEND\n```"
    assert heredoc.tags == ["shell"] and heredoc.end_line == 11


def test_code_fence_left_open_in_a_card_ends_with_the_card():
    text = "START\nBasic\nQ1\nBack:\n```python\nx = 1\nEND\n\nSTART\nBasic\nQ2\nEND\n"
    found, diags = scan_text(text)
    assert diags == []
    assert [c.front for c in found.cards] == ["Q1", "Q2"]


def test_field_names_inside_fenced_code_are_code():
    card = one_card("START\nBasic\nWhat does this print?\nBack:\n```python\nText: str = 'a'\nFront = 1\n"
                    "Back: x\n```\nEND\n")
    assert card.fields["Front"] == "What does this print?"
    assert card.fields["Back"] == "```python\nText: str = 'a'\nFront = 1\nBack: x\n```"


def test_inline_code_with_triple_backticks_at_line_start_is_not_a_fence():
    found, _ = scan_text("```python``` opens a Python block.\n\nSTART\nBasic\nQ\nEND\n")
    assert [c.front for c in found.cards] == ["Q"]


# --- ID, DELETE, Tags ----------------------------------------------------------------------------


def test_id_comment_last_line():
    card = one_card("START\nBasic\nQ\nBack: A\n<!--ID: 1768062256217-->\nEND\n")
    assert card.id == 1768062256217 and card.id_line == 5
    assert card.fields["Back"] == "A"


@pytest.mark.parametrize("id_line", ["ID: 1768062256999", "<!-- ID: 1768062256999 -->", "ID: 1768062256999  "])
def test_id_line_forms(id_line):
    card = one_card(f"START\nBasic\nQ\nBack: A\n{id_line}\nEND\n")
    assert card.id == 1768062256999
    assert card.fields["Back"] == "A"


@pytest.mark.parametrize("last", ["Student ID: 12", "ID: twelve", "The ID: 12 is mine", "ID: 12 and more"])
def test_last_line_that_merely_mentions_an_id_is_content(last):
    card = one_card(f"START\nBasic\nQ\nBack: A\n{last}\nEND\n")
    assert card.id is None
    assert card.fields["Back"] == f"A\n{last}"


def test_delete_above_id():
    card = one_card("START\nBasic\nWhat does TCP stand for?\nBack: Transmission Control Protocol\nDELETE\n"
                    "<!--ID: 1768062256107-->\nEND\n")
    assert card.delete and card.id == 1768062256107
    assert card.fields["Back"] == "Transmission Control Protocol"


def test_delete_without_an_id_is_the_cards_text_with_a_warning():
    """Tester U1: as in the plugin, DELETE marks a card only above its ID line; an answer that is SQL's
    DELETE stays the answer (the card was dropped and its note deleted by sync)."""
    found, diags = scan_text("START\nBasic\nWhich SQL keyword removes rows?\nBack:\nDELETE\nEND\n")
    card, = found.cards
    assert not card.delete and card.fields["Back"] == "DELETE"
    assert [(d.line, d.severity, d.kind) for d in diags] == [(5, "warning", "delete-without-id")]


def test_delete_a_blank_line_above_the_id_is_the_cards_text_with_a_warning():
    """Tester V: the plugin's EMPTY_REGEXP allows at most one newline between DELETE and the ID line, so
    a blank line between them marks nothing: DELETE stays the card's text, with a warning."""
    found, diags = scan_text("START\nBasic\nQ\nBack: A\nDELETE\n\n<!--ID: 1768062256107-->\nEND\n")
    card, = found.cards
    assert not card.delete and card.id == 1768062256107 and card.fields["Back"] == "A\nDELETE"
    assert [(d.line, d.severity, d.kind) for d in diags] == [(5, "warning", "delete-without-id")]


def test_tags_line_above_id_and_as_last_line():
    with_id = one_card("START\nBasic\nQ\nBack: A\nTags: ml sbert\n<!--ID: 5-->\nEND\n")
    assert with_id.tags == ["ml", "sbert"] and with_id.id == 5 and with_id.fields["Back"] == "A"
    last = one_card("START\nBasic\nQ\nBack: A\nTags: cs/networking Übung\nEND\n")
    assert last.tags == ["cs/networking", "Übung"] and last.fields["Back"] == "A"


def test_tags_line_that_is_not_last_is_content():
    card = one_card("START\nBasic\nQ\nBack: A\nTags: x\nmore text\nEND\n")
    assert card.tags == []
    assert card.fields["Back"] == "A\nTags: x\nmore text"


def test_tags_delete_and_id_together():
    card = one_card("START\nBasic\nQ\nBack: A\nTags: old\nDELETE\nID: 42\nEND\n")
    assert (card.tags, card.delete, card.id) == (["old"], True, 42)


# --- inline cards --------------------------------------------------------------------------------


def test_inline_card_without_id():
    found, diags = scan_text("Quick one:\n\nSTARTI [Basic] What is SBERT? Back: Sentence-BERT. ENDI\n")
    assert diags == []
    (card,) = found.cards
    assert (card.note_type, card.kind, card.inline, card.line) == ("Basic", "inline", True, 3)
    assert card.fields == {"Front": "What is SBERT?", "Back": "Sentence-BERT."}
    assert card.id is None


def test_inline_card_with_id_and_tags():
    found, _ = scan_text("STARTI [Basic] What does TLS stand for? Back: Transport Layer Security. "
                         "Tags: tls cs/networking <!--ID: 1768062256300--> ENDI\n")
    (card,) = found.cards
    assert card.fields == {"Front": "What does TLS stand for?", "Back": "Transport Layer Security."}
    assert card.id == 1768062256300
    assert card.tags == ["tls", "cs/networking"]


def test_inline_card_of_another_type_and_text_around_it():
    found, _ = scan_text("See: STARTI [Basic (and reversed card)] Front: port of HTTPS Back: 443 ENDI done\n")
    (card,) = found.cards
    assert card.note_type == "Basic (and reversed card)"
    assert card.fields == {"Front": "port of HTTPS", "Back": "443"}


# --- file-level lines ----------------------------------------------------------------------------


def test_target_deck_same_line_first_one_wins():
    found, _ = scan_text("TARGET DECK: Machine Learning::SBERT\nTARGET DECK: Other\nSTART\nBasic\nQ\nEND\n")
    assert found.target_deck == "Machine Learning::SBERT"


def test_target_deck_next_line():
    found, _ = scan_text("# Optimization\n\nTARGET DECK\nMachine Learning::Optimization\n\nSTART\nBasic\nQ\nEND\n")
    assert found.target_deck == "Machine Learning::Optimization"
    assert len(found.cards) == 1


def test_target_deck_inside_fenced_code_is_ignored():
    found, _ = scan_text("```\nTARGET DECK: Example\n```\nTARGET DECK: Real\n")
    assert found.target_deck == "Real"


@pytest.mark.parametrize("text", ["FILE TAGS: ml ws2526\n", "FILE TAGS\nml ws2526\n"])
def test_file_tags_both_forms(text):
    found, _ = scan_text(text + "START\nBasic\nQ\nEND\n")
    assert found.file_tags == ["ml", "ws2526"]


# --- errors --------------------------------------------------------------------------------------


def test_unclosed_start_is_an_error_at_its_line():
    found, diags = scan_text("START\nBasic\nok\nEND\n\nSTART\nBasic\nnever closed\n")
    assert [c.front for c in found.cards] == ["ok"]
    assert [(d.line, d.severity) for d in diags] == [(6, "error")]
    assert "no END" in diags[0].message


def test_start_followed_by_start_skips_only_the_first():
    found, diags = scan_text("START\nBasic\nbroken\n\nSTART\nBasic\ngood\nEND\n")
    assert [c.front for c in found.cards] == ["good"]
    assert [(d.file, d.line, d.severity) for d in diags] == [("note.md", 1, "error")]
    assert "line 5" in diags[0].message


def test_unknown_note_type_is_an_error_at_the_type_line():
    found, diags = scan_text("START\nBasik\nQ\nEND\nSTART\nBasic\nok\nEND\n")
    assert [c.front for c in found.cards] == ["ok"]
    assert [(d.line, d.severity) for d in diags] == [(2, "error")]
    assert "Basik" in diags[0].message


def test_field_the_type_lacks_is_an_error_at_that_line():
    found, diags = scan_text("START\nBasic\nQ\nText: a cloze field in a Basic card\nEND\nSTART\nBasic\nok\nEND\n")
    assert [c.front for c in found.cards] == ["ok"]
    assert [(d.line, d.severity) for d in diags] == [(4, "error")]
    assert "'Text'" in diags[0].message


def test_unknown_inline_type_is_an_error():
    found, diags = scan_text("a\nSTARTI [Nope] Q Back: A ENDI\n")
    assert found.cards == []
    assert [(d.line, d.severity) for d in diags] == [(2, "error")]


def test_custom_note_type_from_configuration():
    types = note_type_fields({"Vocab": {"fields": ["Word", "Meaning", "Example"]}})
    assert "Vocab" in types and BUILTIN_FIELDS["Basic"] == types["Basic"]
    found, diags = scan_text("START\nVocab\nHund\nMeaning: dog\nExample: Der Hund bellt.\nEND\n", note_types=types)
    assert diags == []
    assert found.cards[0].fields == {"Word": "Hund", "Meaning": "dog", "Example": "Der Hund bellt."}


# --- properties ----------------------------------------------------------------------------------

_WORDS = st.sampled_from(["START", "END", "ENDpoint", "STARTI [Basic] a Back: b ENDI", "Basic", "Cloze",
                          "Back: x", "Front: y", "Text: z", "Tags: t u", "DELETE", "ID: 12", "<!--ID: 34-->",
                          "```", "~~~", "```python", "TARGET DECK: D", "FILE TAGS", "# H", "", "  ",
                          "plain words", "$x$", "{{c1::a}}", "START ", "END\t"])
_LINE = st.one_of(_WORDS, st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                                  max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=30))
def test_scan_never_fails_and_every_place_is_inside_the_file(lines):
    text = "\n".join(lines)
    found, diags = scan_text(text)
    count = len(text.split("\n"))
    for card in found.cards:
        assert 1 <= card.line <= card.end_line <= count
        assert card.note_type in BUILTIN_FIELDS
        assert list(card.fields) == BUILTIN_FIELDS[card.note_type]
    for d in diags:
        assert 1 <= d.line <= count and d.file == "note.md"
    # blocks never overlap
    spans = sorted((c.line, c.end_line) for c in found.cards if c.kind == "block")
    assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


_TEXT_LINE = st.text(st.characters(whitelist_categories=("L", "N", "Zs"), whitelist_characters=".,?!()-+*'"),
                     min_size=1, max_size=30).filter(
    lambda s: s.strip() and s.strip() not in ("START", "END", "DELETE") and ":" not in s
    and not s.lstrip().startswith(("Tags", "ID")))


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT_LINE, min_size=1, max_size=4), st.lists(_TEXT_LINE, max_size=4),
       st.lists(st.sampled_from(["ml", "cs/networking", "Übung", "a-b"]), max_size=3, unique=True),
       st.one_of(st.none(), st.integers(1, 10**13)), st.booleans())
def test_written_card_parses_back(front, back, tags, card_id, explicit_front):
    lines = ["START", "Basic", ("Front: " if explicit_front else "") + front[0], *front[1:]]
    if back:
        lines += ["Back: " + back[0], *back[1:]]
    if tags:
        lines.append("Tags: " + " ".join(tags))
    if card_id is not None:
        lines.append(f"<!--ID: {card_id}-->")
    card = one_card("\n".join(lines + ["END", ""]))
    assert card.fields == {"Front": "\n".join(front).strip(), "Back": "\n".join(back).strip()}
    assert card.tags == tags and card.id == card_id


def test_inline_card_with_plain_id_before_endi():
    """The plugin writes 'ID: n' without a comment when its ID-comments setting is off."""
    from notes2anki.model import BUILTIN_FIELDS
    from notes2anki.parsers.blocks import scan

    diags = []
    found = scan("STARTI [Basic] Q? Back: A ID: 1768062256217 ENDI\n"
                 "STARTI [Basic] Who? Back: Student ID: 12 ENDI\n", "n.md", dict(BUILTIN_FIELDS), diags)
    first, second = found.cards
    assert first.id == 1768062256217 and first.fields == {"Front": "Q?", "Back": "A"}
    assert second.id is None and second.fields["Back"] == "Student ID: 12"
    assert not diags


def test_a_sample_card_in_a_code_block_keeps_its_id_line_as_code():
    """Tester 08:45 V13: a card showing a plugin card in a code block (START … ID … END): the sample's ID
    line was taken as the card's ID (the U31 rule) and left the code."""
    text = ("START\nBasic\nHow does a plugin card look?\nBack:\n```\nSTART\nBasic\nQ\n<!--ID: 1700000000123-->\nEND\n```\n"
            "END\n")
    card = one_card(text)
    assert card.id is None and "<!--ID: 1700000000123-->" in card.fields["Back"]
