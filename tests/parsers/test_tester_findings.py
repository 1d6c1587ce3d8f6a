"""The tester's findings on odd input (issue 15): each with its minimal input and the right behaviour,
checked in what Anki shows after importing the package."""
from __future__ import annotations

from notes2anki.parsers import load_vault


def _warnings(vault, kind):
    return [d for d in vault.diagnostics if d.kind == kind]


# --- a stray byte order mark / zero-width character at a line start ----------------------------------

def test_a_stray_bom_at_line_start_does_not_hide_the_card_syntax(make_vault, build, anki_import):
    """U+FEFF before START, the note type, Back:, Tags: and END (a note glued from two files, a paste):
    the card is read as if it were not there. A content line keeps its characters."""
    text = ("Intro\n\ufeffSTART\n\ufeffBasic\n\ufeffcontent line\n\ufeffBack: the answer\n"
            "\ufeffTags: bom\n\ufeffEND\n")
    root = make_vault({"n.md": text})
    built = build(root)
    assert built.vault.diagnostics == []
    [card] = built.vault.cards
    assert card.fields == {"Front": "\ufeffcontent line", "Back": "the answer"}
    assert card.tags == ["bom"] and (card.line, card.end_line) == (2, 7)
    note = anki_import(built.apkg).note("content line")
    assert "the answer" in note.fields[1] and "Back:" not in note.fields[0]
    assert note.tags == ["bom"]


def test_zero_width_space_before_an_inline_card_and_a_target_deck(make_vault):
    text = "\u200bTARGET DECK: Zero::Width\n\u200bSTARTI [Basic] Q? Back: A ENDI\n"
    vault = load_vault(make_vault({"n.md": text}))
    [card] = vault.cards
    assert card.deck == "Zero::Width"
    assert card.fields == {"Front": "Q?", "Back": "A"}
    assert card.col == 1  # the inline card's column is the file's (ids writes at it)


# --- {{c0::x}} ---------------------------------------------------------------------------------------

def test_a_c0_cloze_gets_a_warning_with_its_line(make_vault, build, anki_import):
    """Anki numbers clozes from 1: a c0 is never hidden. The warning names the line of the c0."""
    text = "START\nCloze\nThe sky is\n{{c0::blue}} on a clear day.\nEND\n"
    built = build(make_vault({"n.md": text}))
    [warning] = _warnings(built.vault, "cloze-zero")
    assert (warning.file, warning.line, warning.severity) == ("n.md", 4, "warning")
    assert "from 1" in warning.message and "{{c1::" in warning.message
    assert str(warning).startswith("n.md:4: warning: ")
    imported = anki_import(built.apkg)
    note = imported.note("The sky is")
    assert "{{c0::blue}}" in note.fields[0]  # written as given: the user decides


def test_c1_and_basic_cards_get_no_c0_warning(make_vault):
    text = ("START\nCloze\n{{c1::blue}} and {{c10::red}}\nEND\n\n"
            "START\nBasic\nWhat is {{c0::x}} in a Basic card?\nBack: text\nEND\n")
    assert _warnings(load_vault(make_vault({"n.md": text})), "cloze-zero") == []


# --- TARGET DECK: A:::: ------------------------------------------------------------------------------

def test_empty_deck_name_parts_are_dropped_with_a_warning(make_vault, build, anki_import):
    """Anki would call each empty level "blank" (A::blank::blank); the vault meant A."""
    text = "TARGET DECK: A::::\n\nSTART\nBasic\nQ?\nBack: A\nEND\n"
    built = build(make_vault({"n.md": text}))
    [warning] = _warnings(built.vault, "deck-name")
    assert (warning.file, warning.line) == ("n.md", 1)
    assert '"A::::"' in warning.message and 'read as "A"' in warning.message
    assert built.vault.cards[0].deck == "A"
    names = anki_import(built.apkg).deck_names()
    assert "A" in names and not any("blank" in n for n in names)


def test_deck_name_levels_are_trimmed_and_an_all_empty_name_falls_through(make_vault):
    files = {"a.md": "TARGET DECK: Lang :: French \nSTARTI [Basic] Q1 Back: A ENDI\n",
             "b.md": "TARGET DECK: ::\nSTARTI [Basic] Q2 Back: A ENDI\n",
             "c.md": "---\ntitle: c\ndeck: X::::Y\n---\nSTARTI [Basic] Q3 Back: A ENDI\n"}
    vault = load_vault(make_vault(files))
    decks = {c.file: c.deck for c in vault.cards}
    assert decks == {"a.md": "Lang::French", "b.md": "Default", "c.md": "X::Y"}
    warned = {(d.file, d.line) for d in _warnings(vault, "deck-name")}
    assert warned == {("b.md", 1), ("c.md", 3)}  # trimming spaces is Anki's own reading: no warning


def test_empty_deck_levels_in_the_settings_are_named_by_key(make_vault):
    from notes2anki.config import load_config

    root = make_vault({".notes2anki.toml": 'default_deck = "Inbox::::"\n[folder_decks]\n"bio" = "::Biology"\n',
                       "bio/n.md": "STARTI [Basic] Q1 Back: A ENDI\n", "top.md": "STARTI [Basic] Q2 Back: A ENDI\n"})
    diags: list = []
    config = load_config(root, diags)
    said = sorted(str(d) for d in diags)
    assert said == [".notes2anki.toml:1: warning: default_deck: deck name \"Inbox::::\" has empty parts between '::' "
                    "(Anki would name them 'blank'); read as \"Inbox\"",
                    ".notes2anki.toml:3: warning: folder_decks.bio: deck name \"::Biology\" has empty parts between "
                    "'::' (Anki would name them 'blank'); read as \"Biology\""]
    decks = {c.file: c.deck for c in load_vault(root, config).cards}
    assert decks == {"bio/n.md": "Biology", "top.md": "Inbox"}
