"""The plain text of a card that gets embedded (TEXT_VERSION rules)."""
from __future__ import annotations

from notes2anki.model import Card
from notes2anki.semantic.text import TEXT_VERSION, card_text, is_cloze, plain_text, question_and_answer


def test_text_version_is_an_int():
    assert isinstance(TEXT_VERSION, int) and TEXT_VERSION >= 1


def test_markdown_and_html_are_stripped_words_kept():
    text = plain_text("# Heading\n> **bold** and *it* and ==hl== and ~~gone~~\n- item one\n1. item two\n"
                      "<b>html</b><br>line &amp; more `code` here")
    assert text == "Heading bold and it and hl and gone item one item two html line & more code here"


def test_wiki_links_keep_what_obsidian_shows():
    assert plain_text("see [[Note|the alias]], [[Other#Heading]] and [[X#^block1]]") == \
        "see the alias, Other Heading and X"
    assert plain_text("[a link](https://example.org/x) and https://example.org bare") == "a link and bare"


def test_media_ids_and_tags_are_dropped():
    source = ("What is pooling?\n![[pooling.png|300]] ![alt](img/a.png) [sound:clip.mp3] <img src='x.png'>\n"
              "#ml #nested/tag\n<!--ID: 1768062256217-->")
    assert plain_text(source) == "What is pooling?"
    assert plain_text("ID: 1768062256217") == ""
    assert plain_text("Student ID: 12") == "Student ID: 12"  # not an ID line


def test_clozes_are_unwrapped():
    assert plain_text("{{c1::Paris::city}} is the capital of {{c2::France}}") == "Paris is the capital of France"
    assert plain_text("{c1|one} and {2:two}") == "one and two"


def test_math_keeps_its_content_without_layout_commands():
    assert plain_text(r"$O(\log n)$ and $6.022 \times 10^{23}$ and $2\pi$") == "O(log n) and 6.022 × 10^23 and 2π"
    assert plain_text("P(A | B) stays") == "P(A | B) stays"
    assert plain_text("| a | b |\n|---|---|\n| 1 | 2 |") == "a b 1 2"


def test_card_text_joins_non_empty_fields():
    card = Card("Basic", {"Front": "What is **SBERT**?", "Back": "Sentence-BERT ![[x.png]]"}, "a.md", 3)
    assert card_text(card) == "What is SBERT? | Sentence-BERT"
    empty_back = Card("Basic", {"Front": "Q?", "Back": ""}, "a.md", 3)
    assert card_text(empty_back) == "Q?"


def test_cloze_question_and_answer():
    card = Card("Cloze", {"Text": "The {{c1::mitochondrion}} makes {{c2::ATP}}.", "Back Extra": "see [[Cell]]"},
                "a.md", 1)
    assert is_cloze(card)
    assert question_and_answer(card) == ("The [...] makes [...] .", "mitochondrion | ATP | see Cell")
    assert card_text(card) == "The mitochondrion makes ATP. | see Cell"
    basic = Card("Basic", {"Front": "Q?", "Back": "A"}, "a.md", 1)
    assert not is_cloze(basic) and question_and_answer(basic) == ("Q?", "A")
