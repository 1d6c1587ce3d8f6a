"""Cards of one file with the same front, some with ID lines (tester 12-03 round 17). An ID line travels with its
card: a card without one takes the note of a card that had one only by its text (equal, or clearly alike),
never by its place or by the implicit GUID its front and place give it."""
from __future__ import annotations

import re

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from tests.conftest import review_back

from .plugin_users import empty_collection
from .test_sync_after_imports import _build_import


def _card(back: str, ident=None) -> str:
    return f"START\nBasic\nT\nBack: {back}\n" + (f"<!--ID: {ident}-->\n" if ident else "") + "END\n\n"


def _backs(col_path) -> dict[str, int]:
    """Back -> its note's review log rows."""
    col = Collection(str(col_path))
    try:
        return {col.get_note(nid)["Back"]: col.db.scalar(
            "select count() from revlog where cid in (select id from cards where nid = ?)", nid)
            for nid in col.find_notes("")}
    finally:
        col.close()


def test_an_id_line_written_on_one_card_leaves_the_next_card_on_its_note(make_vault, sync_cli, tmp_path):
    """`alpha, xxx, beta` synced; the user copies xxx's note id from Anki's browser into an ID line. beta's
    implicit GUID (front and place among the cards without an ID) became xxx's note's: beta was skipped with
    "already synced from" and its own note, 4 reviews with it, was deleted (--yes)."""
    root = make_vault({"F.md": _card("alpha") + _card("xxx") + _card("beta")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    xxx = review_back(col_path, "xxx", 2)
    review_back(col_path, "beta", 4)
    (root / "F.md").write_text(_card("alpha") + _card("xxx", xxx) + _card("beta"), "utf-8")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0 and "already synced" not in result.output, result.output
    assert _backs(col_path) == {"alpha": 0, "xxx": 2, "beta": 4}


def test_a_card_without_an_id_line_between_plugin_ids_is_added(make_vault, sync_cli, tmp_path):
    """`alpha#, xxx#, beta#` (note ids, as the plugin writes them) -> `alpha#, mmm, beta#`: mmm's implicit GUID
    was alpha's note's (made before the ID lines were written), so every sync skipped it with an error."""
    root = make_vault({"F.md": _card("alpha") + _card("xxx") + _card("beta")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        nid = {col.get_note(n)["Back"]: n for n in col.find_notes("")}
    finally:
        col.close()
    (root / "F.md").write_text("".join(_card(b, nid[b]) for b in ("alpha", "xxx", "beta")), "utf-8")
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    review_back(col_path, "xxx", 3)
    (root / "F.md").write_text(_card("alpha", nid["alpha"]) + _card("mmm") + _card("beta", nid["beta"]), "utf-8")
    for _ in range(2):
        result = sync_cli(root, col_path, "--yes")
        assert result.exit_code == 0 and "already synced" not in result.output, result.output
    assert _backs(col_path) == {"alpha": 0, "mmm": 0, "beta": 0}  # xxx deleted with its card


@pytest.mark.parametrize("how", ["sync --write-ids", "ids, then sync", "ids, then build --collection"])
def test_a_card_put_in_the_place_of_one_deleted_with_its_id_line_is_new(make_vault, sync_cli, tmp_path, how):
    """`Paris, Berlin` (same front) got their ID lines (by `sync --write-ids`, or by `ids`); Berlin (5 reviews)
    is deleted with its ID line and `Rome` written in its place. Rome's implicit GUID (front and place) is
    Berlin's note's, so it took that note and its 5 reviews. Now Rome is new; sync deletes Berlin's note,
    and a package made with --collection leaves it as it is."""
    root = make_vault({"F.md": _card("Paris is in France") + _card("Berlin is in Germany")})
    col_path = empty_collection(tmp_path)
    if how == "sync --write-ids":
        assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    else:
        assert sync_cli(root, col_path, "--yes").exit_code == 0
        assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    review_back(col_path, "Berlin is in Germany", 5)
    paris = re.findall(r"<!--ID: (\d+)-->", (root / "F.md").read_text("utf-8"))[0]
    (root / "F.md").write_text(_card("Paris is in France", paris) + _card("Rome"), "utf-8")
    if how.endswith("--collection"):
        _build_import(root, col_path, tmp_path / "v.apkg", "--collection", str(col_path))
        assert _backs(col_path) == {"Paris is in France": 0, "Berlin is in Germany": 5, "Rome": 0}
    else:
        result = sync_cli(root, col_path, "--yes")
        assert result.exit_code == 0, result.output
        assert _backs(col_path) == {"Paris is in France": 0, "Rome": 0}


def test_a_copy_pasted_above_a_card_with_its_id_line_is_new(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 18: plugin-style ID lines; a copy of A without its ID line pasted above A had A's text
    and A's old place, so it took A's note, and the card with A's ID line was skipped ("already synced") on
    every sync: its edits never reached Anki. The card of the ID line keeps its note; the copy is new."""
    root = make_vault({"F.md": _card("alpha one two") + _card("beta three four")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    alpha = review_back(col_path, "alpha one two", 3)
    col = Collection(str(col_path))
    try:
        beta = next(n for n in col.find_notes("") if n != alpha)
    finally:
        col.close()
    (root / "F.md").write_text(_card("alpha one two", alpha) + _card("beta three four", beta), "utf-8")
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / "F.md").write_text(_card("alpha one two") + _card("alpha one two, edited", alpha)
                               + _card("beta three four", beta), "utf-8")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0 and "already synced" not in result.output, result.output
    col = Collection(str(col_path))
    try:
        assert col.get_note(alpha)["Back"] == "alpha one two, edited" and col.note_count() == 3
    finally:
        col.close()


@pytest.mark.parametrize("ids_by", ["plugin", "ids"])
def test_an_id_line_copied_onto_another_card_above_leaves_the_note_to_its_text(make_vault, sync_cli, tmp_path,
                                                                               ids_by):
    """Tester 12-03 round 19: `A#, B#` -> `other#A, A, B#` (A's ID line moved by mistake onto a new card above A).
    The new card claimed A's note first and took its text and 3 reviews; A was skipped (or, with IDs written by
    `ids`, added as a new empty note). The card holding the note's text keeps it; the other card is skipped
    with an error naming it."""
    root = make_vault({"F.md": _card("alpha one two") + _card("beta three four")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    alpha = review_back(col_path, "alpha one two", 3)
    if ids_by == "ids":
        assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
        ida, idb = re.findall(r"<!--ID: (\d+)-->", (root / "F.md").read_text("utf-8"))
    else:
        col = Collection(str(col_path))
        try:
            ida, idb = alpha, next(n for n in col.find_notes("") if n != alpha)
        finally:
            col.close()
    (root / "F.md").write_text(_card("totally other words", ida) + _card("alpha one two")
                               + _card("beta three four", idb), "utf-8")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 1 and "which holds the text of the card at F.md:8" in " ".join(result.output.split())
    assert _backs(col_path) == {"alpha one two": 3, "beta three four": 0}


def test_a_copy_without_an_id_line_takes_no_note_whose_id_two_cards_carry(make_vault, sync_cli, tmp_path):
    """Tester 12-03 round 19: A's ID line on A and, by mistake, on another card (both skipped: "the Anki note is
    left as it is"), and an edited copy of A without an ID line above them: the copy took A's note, its text
    and 3 reviews. It is new; A's note is left as it is."""
    root = make_vault({"F.md": _card("alpha one two") + _card("beta three four")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    alpha = review_back(col_path, "alpha one two", 3)
    (root / "F.md").write_text(_card("alpha one twos") + _card("alpha one two", alpha)
                               + _card("quite unrelated text", alpha) + _card("beta three four"), "utf-8")
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 1 and "both skipped" in result.output
    backs = _backs(col_path)
    assert backs["alpha one two"] == 3 and backs["alpha one twos"] == 0
