"""Leftover tester findings on ID lines and the Delete Note Line: every ID form checked alike, IDs of any
length, a DELETE-marked regex card that ends where the plugin ends it, an indented DELETE line."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.parsers import load_vault


def empty_collection(tmp_path, nid: int | None = None):
    """The collection holding the note this file's ID line names (conftest.collection_holding)."""
    from tests.conftest import collection_holding

    return collection_holding(tmp_path, nid or NID)

# the plugin wiki's styles, as in its end-to-end suites (neuracache_sync, question_answer)
FLASHCARD = r"((?:[^\n][\n]?)+) #flashcard ?\n*((?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))+)"
QA = r"^Q: ((?:.+\n)*)\n*A: (.+(?:\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)"
ID = 1768062256107
NID = ID


def _vault(make_vault, files, regex=None):
    """The vault folder, with ``regex`` as the Basic custom regex in its .notes2anki.toml (the CLI reads it)."""
    config = {".notes2anki.toml": f"[custom_regexps]\nBasic = '''{regex}'''\n"} if regex else {}
    return make_vault({**files, **config})


def _load(root):
    return load_vault(root, load_config(root))


@pytest.mark.parametrize("regex, text", [
    (FLASHCARD, f"Old #flashcard\nold answer\nDELETE\n<!--ID: {ID}-->\nNew #flashcard\nnew answer\n"),
    (QA, f"Q: Old\nA: old answer\nDELETE\n<!--ID: {ID}-->\nQ: New\nA: new answer\n"),
], ids=["flashcard", "Q/A"])
def test_a_delete_marked_regex_card_ends_at_its_id_line_and_the_next_card_stays_a_card(make_vault, regex, text,
                                                                                       tmp_path):
    """Without a blank line below the marked card's ID line, the match ran on into the next card: one card
    holding both texts (the ID 'inside its text'), the mark lost, the next card gone. The plugin tries the
    pattern followed by an ID line first, so the marked card ends at its ID and the next is a card."""
    root = _vault(make_vault, {"a.md": text}, regex)
    vault = _load(root)
    assert [(c.line, c.id, c.delete, c.fields["Back"]) for c in vault.cards] == [
        (1, ID, True, "old answer"), (5, None, False, "new answer")]
    assert [c.fields["Front"].replace(" #flashcard", "") for c in vault.cards] == ["Old", "New"]
    assert not [d for d in vault.diagnostics if d.kind == "orphan-id"]
    # `ids` gives the next card its own ID and leaves the marked one's alone
    result = CliRunner().invoke(cli_main, ["ids", str(root), "--collection", str(empty_collection(tmp_path))])
    assert result.exit_code == 0, result.output
    after = _load(root)
    assert [(c.line, c.delete) for c in after.cards] == [(1, True), (5, False)]
    assert after.cards[0].id == ID and after.cards[1].id not in (None, ID)


@pytest.mark.parametrize("text, line", [
    ("STARTI [Basic] q Back: b ID: 0000000000 ENDI\n", 1),
    ("STARTI [Basic] q Back: b ID: 9223372036854775808 ENDI\n", 1),
    ("STARTI [Basic] q Back: b <!--ID: 0--> ENDI\n", 1),
    ("START\nBasic\nq\nBack: b\nID: 0\nEND\n", 5),
    ("START\nBasic\nq\nBack: b\n<!--ID: 0-->\nEND\n", 5),
    ("Q: q\nA: b\nID: 0000000000\n", 3),
    ("Q: q\nA: b\n<!--ID: 0-->\n", 3),
    (f"START\nBasic\nq\nBack: b\n<!--ID: {'0' * 30}1768062256107-->\nEND\n", 5),
], ids=["inline plain 0", "inline plain 2^63", "inline comment 0", "block plain 0", "block comment 0",
        "regex plain 0", "regex comment 0", "41+ digits led by zeros"])
def test_every_id_form_with_an_impossible_number_is_a_bad_id_error(make_vault, text, line):
    """The inline card's plain `ID: 0` stayed field text ("b ID: 0") while `<!--ID: 0-->` was a bad-id error,
    and a regex card's `ID: 0` line was both its text and an ID 'inside its text'."""
    vault = _load(_vault(make_vault, {"a.md": text}, QA))
    assert vault.cards == []
    (bad,) = [d for d in vault.diagnostics if d.kind == "bad-id"]
    assert (bad.file, bad.line, bad.severity) == ("a.md", line, "error")
    assert [d for d in vault.diagnostics if d.kind != "bad-id"] == []


@pytest.mark.parametrize("back", ["Student ID: 12", "root has user ID: 0"])
def test_a_short_plain_id_inside_an_inline_card_stays_its_text(make_vault, back):
    """`Student ID: 12` ending a field is text (the plugin's fault, not copied); only 10+ digits make the plain
    form in running text an ID (tester 12-02: "root has user ID: 0" was made a bad-id error, its card skipped)."""
    vault = _load(_vault(make_vault, {"a.md": f"STARTI [Basic] Who? Back: {back} ENDI\n"}))
    (card,) = vault.cards
    assert card.id is None and card.fields["Back"] == back and vault.diagnostics == []


def test_a_short_plain_id_line_under_a_regex_card_is_its_answer(make_vault):
    vault = _load(_vault(make_vault, {"a.md": "Q: Which UID does root have?\nA: root's\nID: 0\n"}, QA))
    (card,) = vault.cards
    assert card.id is None and card.fields["Back"] == "root's\nID: 0"
    assert vault.diagnostics == []  # 0 is no ID a tool writes: text, no orphan-id (tester)


def test_digits_of_other_scripts_are_not_an_id(make_vault):
    """JavaScript's \\d (the plugin's) is 0-9; Python's reads Arabic-Indic digits too, which made
    `<!--ID: ١٧٠٠٠٠٠٠٠٠٠٠٢-->` the ID 1700000000002 and emptied a Back ending in such a number (tester 12-02)."""
    root = _vault(make_vault, {"a.md": "START\nBasic\nq\nBack: b\n<!--ID: ١٧٠٠٠٠٠٠٠٠٠٠٢-->\nEND\n",
                               "b.md": "STARTI [Basic] q2 Back: ID: ١٢٣٤٥٦٧٨٩٠ ENDI\n"})
    vault = _load(root)
    assert [(c.file, c.id) for c in vault.cards] == [("a.md", None), ("b.md", None)]
    assert vault.cards[1].fields["Back"] == "ID: ١٢٣٤٥٦٧٨٩٠"
    assert not [d for d in vault.diagnostics if d.severity == "error"]


def test_many_regex_cards_without_blank_lines_are_read_in_linear_time(make_vault):
    """Each card ends at its own ID line; the search for each ran on to the file's end (quadratic), so a file
    of 1,100 such cards ran out of the pattern's time limit and gave no card at all (tester 12-02)."""
    n = 1100
    text = "".join(f"Question {i} here #flashcard\nAnswer {i} line\n<!--ID: {ID + i}-->\n" for i in range(n))
    vault = _load(_vault(make_vault, {"a.md": text}, FLASHCARD))
    assert [c.id for c in vault.cards] == [ID + i for i in range(n)]
    assert vault.cards[-1].fields["Back"] == f"Answer {n - 1} line"
    assert vault.diagnostics == []


@pytest.mark.parametrize("digits", [41, 5000])
@pytest.mark.parametrize("form, line", [
    ("START\nBasic\nq\nBack: b\n<!--ID: {n}-->\nEND\n", 5),
    ("START\nBasic\nq\nBack: b\nID: {n}\nEND\n", 5),
    ("STARTI [Basic] q Back: b <!--ID: {n}--> ENDI\n", 1),
    ("STARTI [Basic] q Back: b ID: {n} ENDI\n", 1),
    ("Q: q\nA: b\n<!--ID: {n}-->\n", 3),
    ("Q: q\nA: b\nID: {n}\n", 3),
], ids=["block comment", "block plain", "inline comment", "inline plain", "regex comment", "regex plain"])
def test_an_id_of_more_than_40_digits_is_a_bad_id_error_at_its_line(make_vault, form, line, digits):
    """41 digits stayed card text (the ID patterns read 1 to 40), so `ids` wrote a second ID under it; 5,000
    would be past what Python converts to a number. Any run of digits is an ID, said shortened."""
    root = _vault(make_vault, {"a.md": form.format(n="9" * digits), "ok.md": "STARTI [Basic] fine Back: b ENDI\n"}, QA)
    vault = _load(root)
    assert [c.file for c in vault.cards] == ["ok.md"]
    (bad,) = vault.diagnostics
    assert (bad.kind, bad.file, bad.line, bad.severity) == ("bad-id", "a.md", line, "error")
    assert f"ID {'9' * 20}… (over 40 digits) of the card at a.md:" in bad.message
    before = (root / "a.md").read_bytes()
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 1 and "cannot be an Anki note ID" in result.output, result.output
    assert (root / "a.md").read_bytes() == before  # no second ID under the damaged one


@pytest.mark.parametrize("regex, text, back", [
    (None, f"START\nBasic\nq\nBack: b\n  DELETE\n<!--ID: {ID}-->\nEND\n", "b"),
    (None, f"START\nBasic\nq\nBack: b\n\tDELETE\n<!--ID: {ID}-->\nEND\n", "b"),
    (QA, f"Q: q\nA: b\n  DELETE\n<!--ID: {ID}-->\n", "b"),
], ids=["block, spaces", "block, tab", "regex"])
def test_an_indented_delete_line_marks_the_card_as_in_the_plugin(make_vault, regex, text, back):
    """The plugin finds the marker with `EMPTY_REGEXP` = the Delete Note Line + `\\n?(?:<!--)?(?:ID: (\\d+).*)`,
    flags "g", not anchored at a line's start: `  DELETE` right above the ID line marks the card there too,
    so it does here (and is not field text)."""
    vault = _load(_vault(make_vault, {"a.md": text}, regex))
    (card,) = vault.cards
    assert (card.id, card.delete, card.fields["Back"]) == (ID, True, back)


@pytest.mark.parametrize("regex, text", [
    (FLASHCARD, "Old #flashcard\nold answer\nDELETE\n"),
    (QA, "Q: Old\nA: old answer\nDELETE\n"),
], ids=["flashcard", "Q/A"])
def test_a_regex_card_without_id_ending_in_delete_is_warned_as_a_block_card_is(make_vault, regex, text):
    """Its DELETE stays the card's text (nothing to delete without an ID); a START/END card said so, a regex
    card did not (tester 12-02)."""
    vault = _load(_vault(make_vault, {"a.md": text}, regex))
    (card,) = vault.cards
    assert card.id is None and not card.delete and card.fields["Back"].endswith("DELETE")
    assert [(d.line, d.kind, d.severity) for d in vault.diagnostics] == [(3, "delete-without-id", "warning")]


def test_a_new_card_written_right_above_an_existing_one_is_warned(make_vault):
    """As the plugin reads it, the two are one card with the existing card's ID, and a sync overwrites that
    note with both texts; a warning at the card says to put a blank line between (tester 12-02). It is told
    by a field holding the style's marker (`` #flashcard``); a style without one (Q:/A:) is not checked: a
    second match inside a card's text also comes from a question written over two lines (real vaults)."""
    text = f"Q1 #flashcard\nA1\nQ2 #flashcard\nA2\n<!--ID: {ID}-->\n"
    vault = _load(_vault(make_vault, {"a.md": text}, FLASHCARD))
    (card,) = vault.cards
    assert card.id == ID
    (warning,) = vault.diagnostics
    assert (warning.line, warning.kind, warning.severity) == (1, "near-miss", "warning")
    assert "the card's text holds another card of this style" in warning.message


def test_a_line_of_spaces_between_two_regex_cards_is_named(make_vault):
    """Tester B r6 (BenAgro, Geometric Pose Estimation.md:47): the line between the cards looked blank and held
    spaces; "put a blank line between them" told the student nothing. The warning names the line."""
    vault = _load(_vault(make_vault, {"a.md": "Q1 #flashcard\nA1\n   \t\nQ2 #flashcard\nA2\n"}, FLASHCARD))
    (warning,) = [d for d in vault.diagnostics if d.kind == "near-miss"]
    assert warning.line == 1
    assert "line 3 between them holds only spaces or tabs" in warning.message


@pytest.mark.parametrize("regex, text", [
    (FLASHCARD, f"Q1 #flashcard\nA1\n\nQ2 #flashcard\nA2 line\nA2 more\n<!--ID: {ID}-->\n"),
    (QA, f"Q: q1\nA: a1\n\nQ: q2\nsecond line\nA: a2\nmore\n<!--ID: {ID}-->\n"),
], ids=["flashcard", "Q/A"])
def test_separate_regex_cards_get_no_merge_warning(make_vault, regex, text):
    vault = _load(_vault(make_vault, {"a.md": text}, regex))
    assert [c.id for c in vault.cards] == [None, ID] and vault.diagnostics == []


@pytest.mark.parametrize("line", ["ID: 0000000000", "ID: 0", "<!--ID: 0000-->", "  ID:\t000000000000000  "])
def test_an_id_line_of_zeros_in_prose_is_text_not_an_orphan_id(make_vault, line):
    """Tester: a prose line `ID: 0000000000` (a form's blank field; no card above it) gave an orphan-id warning.
    Anki's IDs are positive millisecond numbers: a run of zeros is no ID a tool wrote, so it stays text."""
    root = _vault(make_vault, {"a.md": f"# Form\n\nName: Alice\n{line}\n\nSTART\nBasic\nq\nBack: b\nEND\n"})
    vault = _load(root)
    assert [d for d in vault.diagnostics if d.kind == "orphan-id"] == []
    assert [c.id for c in vault.cards] == [None]
    assert line.strip() in vault.notes[0].text
    shown = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "orphan-id" not in shown.output and "belongs to no card" not in shown.output


@pytest.mark.parametrize("line", ["ID: 1768062256107", "<!--ID: 1768062256107-->", "ID: 0001768062256107"])
def test_a_real_orphan_id_line_keeps_its_warning(make_vault, line):
    root = _vault(make_vault, {"a.md": f"# Form\n\nName: Alice\n{line}\n\nSTART\nBasic\nq\nBack: b\nEND\n"})
    vault = _load(root)
    assert [(d.line, d.kind, d.severity) for d in vault.diagnostics if d.kind == "orphan-id"] == [(4, "orphan-id", "warning")]
    shown = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "a.md:4: warning: ID 1768062256107 belongs to no card" in " ".join(shown.output.split())


def test_a_zero_id_comment_inside_a_card_is_its_text_not_an_orphan_id(make_vault):
    vault = _load(_vault(make_vault, {"a.md": "START\nBasic\nq\nBack: b\n<!--ID: 0-->\nmore\n<!--ID: 1768062256107-->\nEND\n"}))
    assert [c.id for c in vault.cards] == [1768062256107]
    assert [d for d in vault.diagnostics if d.kind == "orphan-id"] == []
    stray = _load(_vault(make_vault, {"b.md": "START\nBasic\nq\nBack: b\n<!--ID: 1768062256108-->\nmore\nEND\n"}))
    assert [d.kind for d in stray.diagnostics if d.file == "b.md"] == ["orphan-id"]
