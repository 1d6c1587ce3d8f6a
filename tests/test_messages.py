"""Counts in summaries read as English: "1 warning", "2 warnings" — never "1 warnings" (issue 15)."""
from __future__ import annotations

from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.messages import counted, of_these


def test_counted_is_singular_only_for_one():
    assert counted(1, "warning") == "1 warning"
    assert counted(0, "warning") == "0 warnings"
    assert counted(2, "media file") == "2 media files"
    assert counted(1_200, "card") == "1200 cards"  # scripts read "(\d+) cards packaged"
    assert counted(2, "match", "matches") == "2 matches"


def test_one_of_each_in_the_build_and_check_summaries(make_vault, tmp_path):
    """One note, one card, one warning (no ID), one media file: every count singular."""
    root = make_vault({"n.md": "START\nBasic\nQ ![[a.png]]\nBack: A\nEND\n", "a.png": b"\x89PNG\r\n\x1a\n0"})
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes"])
    text = " ".join(result.output.split())
    assert "1 note read, 1 card packaged" in text and "1 media file, 0 errors, 1 warning." in text, text
    assert "1 card in 1 file has no ID" in text
    assert "1 cards" not in text and "1 warnings" not in text and "card(s)" not in text
    checked = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "1 note, 1 card: 0 errors, 1 warning" in " ".join(checked.output.split())


def test_the_summary_keeps_what_every_message_of_a_kind_says_alike(capsys):
    """Tester L13: 58 "changed on disk … — run `ids` again" errors were summarised as "run '…' again"."""
    from notes2anki.cli.common import show_diagnostics
    from notes2anki.messages import shared_form
    from notes2anki.model import Diagnostic

    said = "changed on disk while IDs were added; left unchanged — run `ids` again"
    assert shared_form([said, said]) == said
    assert shared_form(["unknown note type 'Basik' at 3", "unknown note type 'Bsic' at 3"]) == \
        "unknown note type '…' at 3"
    assert shared_form(["took 2 s in 'a'", "took 5 s in 'a'"]) == "took N s in 'a'"
    show_diagnostics([Diagnostic(f"n{i:03}.md", 0, "error", said) for i in range(30)])
    assert f"30× error: {said}" in capsys.readouterr().err


def test_of_these_names_a_single_thing_alone():
    assert of_these(3, 4, "card") == "3 of these 4 cards"
    assert of_these(1, 1, "card") == "this card"


def test_the_warnings_about_notes_sync_keeps_agree_with_their_number():
    """Tester (fix-adopt #4): "1 notes whose cards were not found are not deleted"."""
    from types import SimpleNamespace

    from notes2anki.decks.sync_held import _HELD, held_warning as _held_warning

    still = SimpleNamespace(unused_styles=("Basic",), kept_cards=True)
    one = {reason: _held_warning(reason, 1, still) for reason in _HELD}
    two = {reason: _held_warning(reason, 2, still) for reason in _HELD}
    assert one["failed"].startswith("1 note whose card was not found is not deleted: its file has errors")
    assert two["failed"].startswith("2 notes whose cards were not found are not deleted: their files have errors")
    assert one["ids"].startswith("1 note whose card was not found is not deleted: its ID line is still")
    assert one["empty"].startswith("1 note of a file that is empty now, or is a cloud client's placeholder")
    assert two["empty"].startswith("2 notes of files that are empty now, or are a cloud client's placeholder")
    assert one["excluded"].startswith("1 note whose file is still in the vault is not deleted: the settings "
                                      "leave that file out")
    for text in one.values():
        for plural in (" notes ", " were ", " their ", " are "):
            assert plural not in text, text


def test_the_report_heads_its_groups_as_the_terminal_summary_does(capsys):
    """Tester r16: the report page headed 26 near misses "the card'…'s note takes the text of both" (the
    apostrophes of "card's … card's" paired as a quote) and blanked fixed words ('START', '::')."""
    from notes2anki.cli.common import show_diagnostics
    from notes2anki.messages import heading, normalised
    from notes2anki.model import Diagnostic
    from notes2anki.report.data import group_problems

    said = ("near-miss: the card's text holds another card of this style — put a blank line between them, "
            "else the card's note takes the text of both")
    fixed = "a 'START' in '::' of card {}"
    ds = ([Diagnostic(f"n{i:02}.md", 1, "warning", said, kind="near-miss") for i in range(26)]
          + [Diagnostic(f"m{i:02}.md", 2, "warning", fixed.format(i)) for i in range(3)])
    assert normalised(said) == said
    groups = {g.kind for g in group_problems(ds, "V")}
    assert f"near-miss: {said}" in groups, groups
    assert "a 'START' in '::' of card N" in groups, groups
    show_diagnostics(ds)
    err = " ".join(capsys.readouterr().err.split())
    for group in groups:
        assert group in err, (group, err)
    assert heading("near-miss", ds[:1]) == said
