"""notes2anki.parsers.load_vault on small tmp vaults: files, encodings, frontmatter, decks and tags."""
from __future__ import annotations

import pytest

from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.parsers.rules import normalise_tag, unique_tags


def load(root, **overrides):
    return load_vault(root, load_config(root, **overrides))


def only_card(vault):
    assert vault.errors == [], vault.errors
    assert len(vault.cards) == 1, [c.fields for c in vault.cards]
    return vault.cards[0]


def test_crlf_file(make_vault):
    text = "# TCP\r\n\r\nSTART\r\nBasic\r\nWhat is TCP?\r\nBack: A transport protocol\r\nline two\r\nID: 7\r\nEND\r\n"
    card = only_card(load(make_vault({"TCP.md": text})))
    assert card.fields == {"Front": "What is TCP?", "Back": "A transport protocol\nline two"}
    assert card.id == 7 and card.line == 3
    assert "\r" not in card.html["Back"]


def test_old_mac_line_endings(make_vault):
    card = only_card(load(make_vault({"a.md": "START\rBasic\rQ\rBack: A\rEND\r"})))
    assert card.fields == {"Front": "Q", "Back": "A"}


def test_utf8_bom_before_target_deck(make_vault):
    text = "\ufeffTARGET DECK: Machine Learning::Embeddings\nFILE TAGS: ml ws2526\n\nSTART\nBasic\nQ\nEND\n"
    card = only_card(load(make_vault({"ML/emb.md": text})))
    assert card.deck == "Machine Learning::Embeddings"
    assert card.tags == ["ml", "ws2526"]


def test_bom_and_crlf_and_frontmatter_together(make_vault):
    text = "\ufeff---\r\ntags: [ml]\r\n---\r\nSTART   \r\nBasic\r\nQ\r\nEND\r\n"
    card = only_card(load(make_vault({"a.md": text})))
    assert card.tags == ["ml"] and card.line == 4


def test_frontmatter_list_and_string_tags(make_vault):
    vault = load(make_vault({
        "list.md": "---\ntags:\n  - cs\n  - linux\n---\nSTART\nBasic\nQ1\nEND\n",
        "flow.md": "---\ntags: [ml, transformers]\naliases: [T]\n---\nSTART\nBasic\nQ2\nEND\n",
        "string.md": "---\ntags: linalg math\n---\nSTART\nBasic\nQ3\nEND\n",
    }))
    assert {c.front: c.tags for c in vault.cards} == {
        "Q1": ["cs", "linux"], "Q2": ["ml", "transformers"], "Q3": ["linalg", "math"]}


def test_frontmatter_deck_and_target_deck_precedence(make_vault):
    vault = load(make_vault({
        "fm.md": "---\ndeck: Biology::Cells\n---\nSTART\nBasic\nfm only\nEND\n",
        "both.md": "---\ndeck: From Frontmatter\n---\nTARGET DECK: From Line\nSTART\nBasic\nboth\nEND\n",
        "none.md": "START\nBasic\nneither\nEND\n",
    }))
    assert {c.front: c.deck for c in vault.cards} == {
        "fm only": "Biology::Cells", "both": "From Line", "neither": "Default"}


def test_cards_in_frontmatter_are_not_read(make_vault):
    vault = load(make_vault({"a.md": "---\nnote: |\n  START\n  Basic\n  not a card\n  END\n---\nbody\n"}))
    assert vault.cards == []


def test_target_deck_next_line_and_first_one_wins(make_vault):
    vault = load(make_vault({
        "next.md": "TARGET DECK\nMachine Learning::Optimization\n\nSTART\nBasic\nQ1\nEND\n",
        "two.md": "TARGET DECK: First\n\nSTART\nBasic\nQ2\nEND\nTARGET DECK: Second\nSTART\nBasic\nQ3\nEND\n",
    }))
    assert {c.front: c.deck for c in vault.cards} == {
        "Q1": "Machine Learning::Optimization", "Q2": "First", "Q3": "First"}


def test_file_tags_both_forms_added_to_every_card(make_vault):
    vault = load(make_vault({
        "same.md": "FILE TAGS: Maths School\nSTART\nBasic\nQ1\nTags: own\nEND\nSTARTI [Basic] Q2 Back: A ENDI\n",
        "next.md": "FILE TAGS\nPhysics\n\nSTART\nBasic\nQ3\nEND\n",
    }))
    assert {c.front: c.tags for c in vault.cards} == {
        "Q1": ["own", "Maths", "School"], "Q2": ["Maths", "School"], "Q3": ["Physics"]}


def test_tag_normalisation(make_vault):
    text = ("---\ntags: ['#topic/sub', Übung]\n---\nFILE TAGS: #cs/networking\n"
            "START\nBasic\nQ\nTags: #a/b/c Begriffe übung ml\nEND\n")
    card = only_card(load(make_vault({"a.md": text})))
    # '/' nests, '#' dropped, Unicode kept, duplicates (Anki compares case-insensitively) merged
    assert card.tags == ["a::b::c", "Begriffe", "übung", "ml", "cs::networking", "topic::sub"]


def test_normalise_tag_unit():
    assert normalise_tag("#nested/tag") == "nested::tag"
    assert normalise_tag("Übung") == "Übung"
    assert normalise_tag("two words") == "two_words"
    assert normalise_tag("kebab-case") == "kebab-case"
    assert unique_tags(["#x", "X", "y", "", "#"]) == ["x", "y"]


def test_obsidian_tags_in_fields_and_math_makes_no_tag(make_vault):
    text = ("START\nBasic\nWhat is $f'(x)$ for #calculus/derivatives and #Übung?\n"
            "Back: $f'(x) = 2x$ and `#include` stays code\nEND\n")
    card = only_card(load(make_vault({"a.md": text}), add_obsidian_tags=True))
    assert sorted(card.tags) == ["calculus::derivatives", "Übung"]
    assert r"\(f'(x)\)" in card.html["Front"]
    assert "<code>#include</code>" in card.html["Back"]
    assert not [t for t in card.tags if "039" in t or "'" in t]


def test_without_obsidian_tags_setting_math_with_apostrophe_makes_no_tag(make_vault):
    card = only_card(load(make_vault({"a.md": "START\nBasic\nQ\nBack: $f'(x)$ and $g''(y)$\nEND\n"})))
    assert card.tags == []


def test_student_id_last_line_is_not_an_id(make_vault):
    card = only_card(load(make_vault({"a.md": "START\nBasic\nWho?\nBack: Anna\nStudent ID: 12\nEND\n"})))
    assert card.id is None
    assert card.fields["Back"] == "Anna\nStudent ID: 12"
    assert "Student ID: 12" in card.html["Back"]


def test_non_markdown_and_hidden_folders_are_not_notes(make_vault):
    vault = load(make_vault({
        "a.md": "START\nBasic\nreal\nEND\n",
        "notes.txt": "START\nBasic\ntxt\nEND\n",
        ".obsidian/x.md": "START\nBasic\nhidden\nEND\n",
        ".trash/old.md": "START\nBasic\ntrashed\nEND\n",
        "drawing.excalidraw.md": "START\nBasic\nexcalidraw\nEND\n",
    }))
    assert [c.front for c in vault.cards] == ["real"]
    assert [n.path for n in vault.notes] == ["a.md"]


def test_heading_context_of_a_card(make_vault):
    text = "# TCP\n\n## Handshake\n\n### Details\n\n## Flow\n\nSTART\nBasic\nQ\nEND\n"
    card = only_card(load(make_vault({"net/TCP.md": text})))
    assert card.context == "net/TCP.md > TCP > Flow"


def test_notes_without_any_card_get_one_warning_naming_the_syntax(make_vault):
    """Tester B r7: notes written as `Question #flashcard` / `Q :: A` without the plugin's settings were built
    into an empty package with exit 0 and no word. One vault-wide warning says what was looked for."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"bio.md": "# Biology\n\nWhat do mitochondria do? #flashcard\nThey make ATP.\n",
                       "geo.md": "Capital of France :: Paris\n"})
    vault = load_vault(root, load_config(root))
    (warning,) = [d for d in vault.diagnostics if d.kind == "no-cards"]
    assert warning.severity == "warning" and warning.file == ""
    assert "no card found in the 2 notes read" in warning.message
    assert "START … END blocks" in warning.message and "custom_regexps" in warning.message
    root2 = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n", "b.md": "plain note\n"})
    assert not [d for d in load_vault(root2, load_config(root2)).diagnostics if d.kind == "no-cards"]


@pytest.mark.parametrize("text, said", [
    ("START\nBaisc\nq\nBack: a\nEND\n", "unknown note type 'Baisc' (known: Basic"),
    ("START\nbasic\nq\nBack: a\nEND\n", "unknown note type 'basic' (known: Basic"),
    ("STARTI [Clzoe] {{c1::x}} ENDI\n", "unknown note type 'Clzoe' in inline card"),
])
def test_a_note_type_typo_gets_a_did_you_mean(make_vault, text, said):
    """Tester B r11 (c): `related` suggested close note names, an unknown note type line did not."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": text})
    (error,) = load_vault(root, load_config(root)).diagnostics
    assert said in error.message and error.kind == "unknown-note-type"
    assert error.message.endswith(f"did you mean {'Cloze' if 'Clzoe' in text else 'Basic'!r}?")


def test_a_utf16_note_is_named_as_such(make_vault):
    """Tester B r11 (d): a UTF-16 file was only "not UTF-8 text (byte 0xff)"."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"ok.md": "START\nBasic\nq\nBack: a\nEND\n"})
    (root / "u16.md").write_bytes("START\nBasic\nq\nBack: a\nEND\n".encode("utf-16"))
    vault = load_vault(root, load_config(root))
    (error,) = vault.diagnostics
    assert (error.file, error.line, error.severity) == ("u16.md", 1, "error")
    assert "UTF-16 text" in error.message and "save it as UTF-8" in error.message
    assert len(vault.cards) == 1


def test_a_folder_named_like_templates_is_warned_once_while_its_cards_are_built(make_vault):
    """Tester B r8: `ids` warned about Templates/ (it writes no ID there) but check and build packaged the
    placeholder card (FIT-Statnice: OTÁZKA / ODPOVĚĎ) without a word."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"Templates/Card.md": "START\nBasic\nQUESTION\nBack: ANSWER\nEND\n",
                       "Templates/Other.md": "START\nBasic\nQ2\nBack: A2\nEND\n",
                       "real.md": "START\nBasic\nWhat is ATP?\nBack: energy\nEND\n"})
    vault = load_vault(root, load_config(root))
    assert len(vault.cards) == 3  # built, as before
    (warning,) = [d for d in vault.diagnostics if d.kind == "template-like"]
    assert (warning.file, warning.line) == ("Templates/Card.md", 1)
    assert "its 2 notes hold 2 cards, which are built" in warning.message
    assert 'add template_folders = ["Templates"] to .notes2anki.toml' in warning.message
    (root / ".notes2anki.toml").write_text("template_folders = []\n", "utf-8")
    settled = load_vault(root, load_config(root))
    assert len(settled.cards) == 3 and not [d for d in settled.diagnostics if d.kind == "template-like"]
