"""Issue 10's syntax faults, each as its minimal input with the value the vault's owner expects."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from notes2anki.config import Config, Syntax
from notes2anki.model import BUILTIN_FIELDS, cloze_type, is_cloze, note_type_fields
from notes2anki.parsers.blocks import RULES, scan
from notes2anki.parsers.syntax import markers

RENAMED = Syntax(begin_note="START_CARD", end_note="END_CARD", begin_inline_note="STARTINL",
                 end_inline_note="ENDINL", target_deck_line="TARGET_DECK", file_tags_line="FILE_TAGS",
                 delete_note_line="DELETE", frozen_fields_line="FROZEN")


def scan_text(text, syntax=None, types=None, first_line=1):
    diags: list = []
    found = scan(text, "n.md", types or note_type_fields(), diags, first_line=first_line, syntax=syntax)
    return found, diags


def test_rules_are_listed_by_name_in_order():
    names = [r.name for r in RULES]
    assert names[0] == "frontmatter" and names[-1] == "text"
    assert names.index("fenced_code") < names.index("block") < names.index("inline_cards")


# --- F1: the plugin's Syntax settings --------------------------------------------------------------


NOLTOUR = """TARGET_DECK: Flight mechanics::1 Trim and Static Stability
FILE_TAGS: aero trim

START_CARD
Basic

How do flaps work? How do they effect the characteristics of the aircraft?

Back:
- Flaps serve to increase lift coefficient of an aircraft when deployed
<!--ID: 1684493022048-->
END_CARD

STARTINL [Basic] What is trim? Back: Zero pitching moment. ENDINL
"""


def test_renamed_markers_are_read():
    found, diags = scan_text(NOLTOUR, syntax=RENAMED)
    assert diags == []
    block, inline = found.cards
    assert block.id == 1684493022048 and block.kind == "block"
    assert block.fields == {"Front": "How do flaps work? How do they effect the characteristics of the aircraft?",
                            "Back": "- Flaps serve to increase lift coefficient of an aircraft when deployed"}
    assert inline.fields == {"Front": "What is trim?", "Back": "Zero pitching moment."}
    assert found.target_deck == "Flight mechanics::1 Trim and Static Stability"
    assert found.file_tags == ["aero", "trim"]


def test_default_markers_are_plain_text_when_renamed():
    found, _ = scan_text("START\nBasic\nQ\nEND\n", syntax=RENAMED)
    assert found.cards == []


def test_renamed_markers_reach_parse_through_config(make_vault):
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": NOLTOUR})
    vault = load_vault(root, replace(Config(), syntax=RENAMED))
    assert len(vault.cards) == 2
    assert {c.deck for c in vault.cards} == {"Flight mechanics::1 Trim and Static Stability"}
    assert vault.cards[0].tags == ["aero", "trim"]


def test_renamed_delete_and_frozen_markers():
    syntax = replace(Syntax(), delete_note_line="REMOVE", frozen_fields_line="FIXED")
    found, _ = scan_text("FIXED - Basic:\nBack: (vocab)\n\nSTART\nBasic\nQ\nBack: A\nREMOVE\n<!--ID: 9-->\nEND\n",
                         syntax=syntax)
    (card,) = found.cards
    assert card.delete and card.id == 9 and card.fields["Back"] == "A"
    assert found.frozen == {"Basic": {"Back": "(vocab)"}}


# --- F2/F3: file-level lines inside frontmatter ----------------------------------------------------


MEDU4 = """---
TARGET DECK: Public_Health
FILE TAGS: medu4 Public_Health
FROZEN - medu4ClozeHL:
 : 
Context: 公衆衛生/医療活動における重要法規/薬物関連法規
CreatedDay: 2022-09-26
---
body
"""


def test_target_deck_file_tags_frozen_inside_frontmatter():
    types = note_type_fields({"medu4ClozeHL": {"fields": ["テキスト", "裏面補足"]}})
    found, diags = scan_text(MEDU4, types=types, first_line=9)
    assert found.target_deck == "Public_Health"
    assert found.file_tags == ["medu4", "Public_Health"]
    assert found.frozen == {"medu4ClozeHL": {"テキスト": ": \nContext: 公衆衛生/医療活動における重要法規/薬物関連法規\n"
                                                         "CreatedDay: 2022-09-26"}}
    assert found.syntax_lines == {2, 3, 4, 5, 6, 7}
    assert diags == []


def test_frontmatter_markers_are_case_insensitive_and_valid_yaml_too(make_vault):
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": "---\ntarget deck: DeckA\nFile Tags: a b\n---\nSTART\nBasic\nQ\nEND\n"})
    (card,) = load_vault(root, load_config(root)).cards
    assert card.deck == "DeckA" and card.tags == ["a", "b"]


def test_cards_in_frontmatter_still_not_read():
    found, _ = scan_text("---\nx: |\n  START\n  Basic\n  Q\n  END\n---\nbody\n", first_line=8)
    assert found.cards == []


# --- F4: one cloze rule -----------------------------------------------------------------------------


def test_cloze_rule_is_the_plugins():
    assert is_cloze("Cloze") and is_cloze("medu4ClozeHL") and is_cloze("Obsidian-cloze") is False
    assert not is_cloze("Basic")
    config = Config(note_types={"Lückentext": {"fields": ["Text"], "cloze": True},
                                "ClozeLike": {"fields": ["A", "B"], "cloze": False}})
    assert is_cloze("Lückentext", config) and not is_cloze("ClozeLike", config)
    assert cloze_type("medu4Clozetest", {"fields": ["テキスト"]})


def test_user_cloze_type_builds_as_anki_cloze(make_vault, tmp_path, collection, helpers):
    from notes2anki.config import load_config
    from notes2anki.decks.build import build_package
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": "- 腎集合管の ADH 反応性が低下する。==高==Ca血症、==低==K血症\n"})
    config = replace(load_config(root), highlights_to_cloze=True,
                     note_types={"medu4ClozeHL": {"fields": ["テキスト", "裏面補足"]}},
                     custom_regexps={"medu4ClozeHL": r"((?:.+\n)*(?:.*==.*)(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)"})
    vault = load_vault(root, config)
    (card,) = vault.cards
    assert "{{c1::高}}" in card.html["テキスト"] and "{{c2::低}}" in card.html["テキスト"]
    build_package(vault, config, tmp_path / "out.apkg")
    helpers.import_into(collection, tmp_path / "out.apkg")
    (nid,) = collection.find_notes("")
    note = collection.get_note(nid)
    assert note.note_type()["type"] == 1  # MODEL_CLOZE
    assert len(note.cards()) == 2
    shown = re.sub(r"<[^>]+>", "", note.cards()[0].question().split("</style>")[-1])
    assert "高" not in shown and "[...]Ca血症" in shown


# --- F6: one span claimed twice ----------------------------------------------------------------------


def test_two_regexes_matching_one_paragraph_give_one_card_and_no_error(make_vault):
    from notes2anki.parsers import load_vault

    root = make_vault({"2.4 生命表.md": "intro\n\n平均余命は $e_{x}$ で ==表す==。\n<!--ID: 1664685325405-->\n"})
    config = Config(curly_cloze=True, highlights_to_cloze=True,
                    note_types={"medu4Clozetest": {"fields": ["テキスト", "裏面補足"]},
                                "medu4ClozeHL": {"fields": ["テキスト", "裏面補足"]}},
                    custom_regexps={
                        "medu4Clozetest": r"((?:.+\n)*(?:.*{.*)(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)",
                        "medu4ClozeHL": r"((?:.+\n)*(?:.*==.*)(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)"})
    vault = load_vault(root, config)
    assert not [d for d in vault.diagnostics if "also used by" in d.message]
    assert [c.id for c in vault.cards] == [1664685325405]


def test_duplicate_id_error_names_the_other_card_never_itself(make_vault):
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": "START\nBasic\nQ1\n<!--ID: 5-->\nEND\nSTART\nBasic\nQ2\n<!--ID: 5-->\nEND\n"})
    vault = load_vault(root, Config())
    first, second = sorted(vault.errors, key=lambda d: d.line)
    assert (first.line, first.kind) == (1, "duplicate-id") and "a.md:6" in first.message
    assert (second.line, second.kind) == (6, "duplicate-id") and "a.md:1" in second.message
    assert vault.cards == []  # both skipped


# --- F9 / F10: ID lines that belong to no card, and IDs after blank lines ---------------------------


PARAGRAPH = {"Basic": r"^Q: (.+)\nA: (.+)"}


def test_orphan_id_line_is_a_warning_at_its_line(make_vault):
    from notes2anki.parsers import load_vault

    root = make_vault({"fu.md": "## Warum Raten?\n<!--ID: 1675279229177-->\n\ntext\n"})
    vault = load_vault(root, Config())
    (d,) = vault.diagnostics
    assert (d.file, d.line, d.severity, d.kind) == ("fu.md", 2, "warning", "orphan-id")
    assert "1675279229177" in d.message


def test_cards_without_blank_lines_between_each_end_at_their_own_id_line(make_vault):
    """A pattern whose answer runs on over lines (`((?:.+\\n?)+)`) matched both cards and their ID lines as one
    card, both IDs reported as inside its text. The plugin tries the pattern followed by an ID line first, so a
    card ends at an ID line; each card now ends at its own (the plugin's greedy match would end at the last one
    and make one card of both, leaving the first note behind)."""
    from notes2anki.parsers import load_vault

    text = "Q: one\nA: uno\n<!--ID: 1-->\nQ: two\nA: dos\n<!--ID: 2-->\n"
    root = make_vault({"s.md": text})
    vault = load_vault(root, Config(custom_regexps={"Basic": r"^Q: (.+)\nA: ((?:.+\n?)+)"}))
    assert [(c.line, c.id, c.id_line, c.fields["Front"], c.fields["Back"]) for c in vault.cards] == [
        (1, 1, 3, "one", "uno"), (4, 2, 6, "two", "dos")]
    assert not [d for d in vault.diagnostics if d.kind == "orphan-id"]


def test_id_after_blank_line_is_the_cards_with_a_warning(make_vault):
    from notes2anki.decks.write_ids import plan_ids
    from notes2anki.parsers import load_vault

    root = make_vault({"1.14 斜位と斜視.md": "Q: 視力低下は?\nA: みられない。\n\n<!--ID: 1654066266925-->\n"})
    vault = load_vault(root, Config(custom_regexps=PARAGRAPH))
    (card,) = vault.cards
    assert (card.id, card.id_line) == (1654066266925, 4)
    ((d),) = vault.diagnostics
    assert (d.line, d.severity) == (4, "warning") and "blank lines" in d.message
    assert plan_ids(vault).edits == []  # ids mints no second ID


def test_indented_id_comment_under_a_list_item_is_read(make_vault):
    from notes2anki.parsers import load_vault

    text = "- item\n    - Mitose :: Zellteilung\n      <!--ID: 1700000000001-->\n"
    root = make_vault({"l.md": text})
    vault = load_vault(root, Config(custom_regexps={"Basic": r"^[ \t]*- (.+?) :: (.+)$"}))
    (card,) = vault.cards
    assert card.id == 1700000000001 and vault.diagnostics == []


def test_two_id_lines_in_a_row_the_second_is_an_orphan(make_vault):
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": "Q: q\nA: a\n<!--ID: 11-->\n<!--ID: 12-->\n"})
    vault = load_vault(root, Config(custom_regexps=PARAGRAPH))
    assert [c.id for c in vault.cards] == [11]
    assert [(d.line, d.kind) for d in vault.diagnostics] == [(4, "orphan-id")]


def test_blank_lines_between_trailing_lines_of_a_block():
    found, diags = scan_text("START\nBasic\nQ\nBack: A\nTags: biology\n\nDELETE\n<!--ID: 7-->\n\nEND\n")
    (card,) = found.cards
    assert (card.tags, card.delete, card.id, card.fields["Back"]) == (["biology"], True, 7, "A")
    assert diags == []
    # DELETE marks a card only directly above its ID line (the plugin's EMPTY_REGEXP): after a blank line
    # it is the card's text, with a warning
    found, diags = scan_text("START\nBasic\nQ\nBack: A\nTags: biology\n\nDELETE\n\n<!--ID: 7-->\n\nEND\n")
    (card,) = found.cards
    assert (card.delete, card.id, card.fields["Back"]) == (False, 7, "A\nTags: biology\n\nDELETE")
    assert [(d.line, d.kind) for d in diags] == [(7, "delete-without-id")]


def test_indented_id_line_in_a_block():
    found, _ = scan_text("START\nBasic\nQ\nBack: A\n    <!--ID: 1700000000001-->\nEND\n")
    assert found.cards[0].id == 1700000000001 and found.cards[0].fields["Back"] == "A"


def test_id_comment_inside_a_block_that_is_not_its_id_is_reported():
    found, diags = scan_text("START\nBasic\nQ\n<!--ID: 3-->\nBack: A\n<!--ID: 4-->\nEND\n")
    assert found.cards[0].id == 4
    assert [(d.line, d.kind) for d in diags] == [(4, "orphan-id")]


# --- F11: empty cards; Tags with commas --------------------------------------------------------------


@pytest.mark.parametrize("text", ["START\nBI-SZZ\n\nBack:\n\nEND\n", "START\nBasic\nFront:\nBack:\nTags:\nEND\n"])
def test_empty_card_is_skipped_with_a_warning(make_vault, text):
    from notes2anki.parsers import load_vault

    root = make_vault({"e.md": text})
    vault = load_vault(root, Config(note_types={"BI-SZZ": {"fields": ["Front", "Back"]}}))
    assert vault.cards == []
    assert [(d.line, d.severity, d.kind) for d in vault.diagnostics] == [(1, "warning", "empty-card")]
    assert "empty card" in vault.diagnostics[0].message and "skipped" in vault.diagnostics[0].message


def test_empty_front_is_skipped_with_a_warning(make_vault):
    from notes2anki.parsers import load_vault

    vault = load_vault(make_vault({"e.md": "START\nBasic\nBack: the answer\nEND\n"}), Config())
    assert vault.cards == [] and [d.kind for d in vault.diagnostics] == ["empty-front"]


@pytest.mark.parametrize("line", ["Tags: grammar, verbs, tenses", "Tags: grammar,verbs tenses"])
def test_comma_separated_tags(line):
    found, _ = scan_text(f"START\nBasic\nQ\nBack: A\n{line}\nEND\nSTARTI [Basic] q Back: a {line} ENDI\n")
    assert [c.tags for c in found.cards] == [["grammar", "verbs", "tenses"]] * 2


def test_markers_are_cached_per_syntax():
    assert markers(RENAMED) is markers(RENAMED) and markers() is markers(Syntax())
    assert BUILTIN_FIELDS["Basic"] == ["Front", "Back"]
