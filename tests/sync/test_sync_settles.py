"""A second `sync` of an unchanged vault writes nothing: what we send is what Anki keeps (tester 07:30 U16,
U17). Text pasted from PDFs and slides holds control characters that Anki removes when it saves a note,
and a tag with an empty level (`a::::b`) is stored by Anki as `a::blank::b`: either made every sync
"update" the note, bump its modification time (AnkiWeb uploads it) and write a new backup, forever."""
from __future__ import annotations

import json

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .plugin_users import empty_collection

CARD = "START\nBasic\n{q}\nBack: {a}\n{tags}END\n"


def _fields_and_tags(col_path):
    col = Collection(str(col_path))
    try:
        return {tuple(col.get_note(nid).fields): sorted(col.get_note(nid).tags) for nid in col.find_notes("")}
    finally:
        col.close()


def _two_syncs(make_vault, sync_cli, tmp_path, files):
    root = make_vault(files)
    col_path = empty_collection(tmp_path)
    first = sync_cli(root, col_path, "--yes", "--json")
    assert first.exit_code == 0, first.output
    second = sync_cli(root, col_path, "--yes", "--json")
    assert second.exit_code == 0, second.output
    return root, col_path, first, json.loads(second.stdout)


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x01", "\x02", "\x08", "\x1b", "\x7f", "\x0e", "\x1a"])
def test_a_control_character_pasted_into_a_card_settles_after_one_sync(make_vault, sync_cli, tmp_path, char):
    """U17: `Back: a<FF>b` (a PDF's page break, PowerPoint's vertical tab, an escape): the first sync adds
    the note, Anki stores the field without the character, and every later sync updated it again."""
    files = {"a.md": CARD.format(q="Q1?", a=f"a{char}b", tags="")}
    root, col_path, first, second = _two_syncs(make_vault, sync_cli, tmp_path, files)
    assert second["updated"] == [] and second["new"] == [] and second["unchanged"] == 1
    assert second["backup"] is None  # nothing changed: no backup either
    spaced = char in "\x0b\x0c"  # they separate words where the text came from
    assert _fields_and_tags(col_path) == {("Q1?", "a b" if spaced else "ab"): []}
    assert f"a.md:1: warning: field 'Back' holds the invisible control character U+{ord(char):04X}" in first.output
    assert "Anki removes it when it saves a note" in first.output


def test_the_package_holds_no_control_character_either(make_vault, cli_build, anki_import):
    """U17: `build` kept the raw characters in the .apkg (`'Q1?\\x1fa\\x0bb'`); now the package holds what
    Anki would keep, and the warning names the field, also for several characters at once."""
    root = make_vault({"a.md": CARD.format(q="Q\x011?", a="a\x0bb\x1bc\x0cd\x7f", tags="")})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert ("a.md:1: warning: field 'Back' holds the invisible control characters U+000B (vertical tab), "
            "U+001B (escape), U+000C (form feed), U+007F (delete)") in result.stderr
    assert "a.md:1: warning: field 'Front' holds the invisible control character U+0001" in result.stderr
    import sqlite3
    import zipfile

    with zipfile.ZipFile(apkg) as zf:
        db = apkg.with_suffix(".anki2")
        db.write_bytes(zf.read("collection.anki2"))
    flds = sqlite3.connect(db).execute("select flds from notes").fetchall()
    assert flds == [("Q1?\x1fa bc d",)]
    assert [list(n.fields) for n in anki_import(apkg).notes()] == [["Q1?", "a bc d"]]


def test_a_nul_character_is_removed_with_the_warning_not_turned_into_a_replacement_character(
        make_vault, cli_build, anki_import):
    """Tester r13: U+0000 reached Anki as U+FFFD (markdown-it replaces NUL, as CommonMark says) without a
    word, where U+0001 beside it was removed with the `render` warning. Now NUL is removed the same way."""
    root = make_vault({"nul.md": "START\nBasic\nfront\x00with nul\nBack: b\x01x\nEND\n",
                       "inline.md": "text\n\nSTARTI [Basic] in\x00line Back: ans ENDI\n"})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert ("nul.md:1: warning: field 'Front' holds the invisible control character U+0000 (null), often "
            "pasted from a PDF or slides; Anki removes it when it saves a note: removed") in result.stderr
    assert "nul.md:1: warning: field 'Back' holds the invisible control character U+0001" in result.stderr
    assert "inline.md:3: warning: field 'Front' holds the invisible control character U+0000" in result.stderr
    fields = sorted(list(n.fields) for n in anki_import(apkg).notes())
    assert fields == [["frontwith nul", "bx"], ["inline", "ans"]]
    assert "\ufffd" not in repr(fields)


@pytest.mark.parametrize(("written", "kept"), [("a::::b", "a::b"), ("::lead", "lead"), ("trail::", "trail"),
                                                ("bio::::::cell", "bio::cell"), ("x\x01y", "xy")])
def test_a_tag_with_an_empty_level_settles_after_one_sync(make_vault, sync_cli, tmp_path, written, kept):
    """U16: `Tags: a::::b` — Anki stores `a::blank::b`, so every sync rewrote the note's tags. The empty
    levels are dropped (as for deck names), with a `tag-name` warning; the second sync changes nothing."""
    files = {"a.md": CARD.format(q="Q1?", a="a", tags=f"Tags: {written} plain\n")}
    root, col_path, first, second = _two_syncs(make_vault, sync_cli, tmp_path, files)
    assert second["updated"] == [] and second["unchanged"] == 1 and second["backup"] is None
    assert _fields_and_tags(col_path) == {("Q1?", "a"): sorted([kept, "plain"])}
    assert f"a.md:1: warning: tag {written!r}" in first.output  # (repr: a control character escaped)
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "tag-name" in check.output
