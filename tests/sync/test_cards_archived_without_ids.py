"""A card without an ID line moved into an ignored `Archive/` while a card was added in its old place (tester
12-03 round 17): `uno`, `the bee buzzes` (same front, no IDs) built or synced and studied; then `the bee
buzzes` moved into `Archive/` (a file of the same name, or another), `nnn` inserted on top and `mmm`
appended. The gap rule gave the archived card's note and its 5 reviews to `mmm`, in build, sync and `ids`;
with the archive file of another name, sync deleted the note (--yes). A file the settings leave out that holds
every field of the note's card now holds the note, as an ID line there does: `mmm` is new."""
from __future__ import annotations

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from tests.conftest import review_back

from .plugin_users import empty_collection
from .test_sync_after_imports import _build_import

CARD = "START\nBasic\nTerm\nBack: {}\nEND\n\n"


def _push(how: str, root, col_path, tmp_path, sync_cli, n: int) -> str:
    if how == "ids" and n == 2:  # `ids` writes the IDs the cards' notes were made under; the build follows them
        result = CliRunner().invoke(cli_main, ["ids", str(root)])
        assert result.exit_code == 0, result.output
    if how == "sync":
        result = sync_cli(root, col_path, "--yes")
        assert result.exit_code == 0, result.output
        return result.output
    _build_import(root, col_path, tmp_path / f"v{n}.apkg")
    return ""


@pytest.mark.parametrize("how", ["sync", "build", "ids"])
@pytest.mark.parametrize("archive", ["Archive/F.md", "Archive/Old cards.md"])
def test_a_card_archived_without_its_id_line_keeps_its_note_when_a_card_takes_its_place(make_vault, sync_cli,
                                                                                        tmp_path, how, archive):
    root = make_vault({".notes2anki.toml": 'ignore = ["Archive/"]\n',
                       "F.md": CARD.format("uno dos tres") + CARD.format("the bee buzzes")})
    col_path = empty_collection(tmp_path)
    _push(how, root, col_path, tmp_path, sync_cli, 1)
    bee = review_back(col_path, "the bee buzzes", 5)
    (root / "Archive").mkdir()
    (root / archive).write_text(CARD.format("the bee buzzes"), "utf-8")
    (root / "F.md").write_text(CARD.format("nnn nnn") + CARD.format("uno dos tres") + CARD.format("mmm mmm"), "utf-8")
    said = " ".join(_push(how, root, col_path, tmp_path, sync_cli, 2).split())
    if how == "sync" and archive != "Archive/F.md":  # (a file of its file's name: the file moved, said so)
        assert "1 note whose card was not found in its file is not deleted: a file the settings leave out" in said
    col = Collection(str(col_path))
    try:
        seen = {}
        for nid in col.find_notes(""):
            cid = col.card_ids_of_note(nid)[0]
            seen[nid] = (col.get_note(nid)["Back"], col.db.scalar("select count() from revlog where cid = ?", cid))
    finally:
        col.close()
    assert seen[bee] == ("the bee buzzes", 5)
    if how == "ids":
        assert (root / "F.md").read_text("utf-8").count("<!--ID:") == 3
    assert sorted(seen.values()) == [("mmm mmm", 0), ("nnn nnn", 0), ("the bee buzzes", 5), ("uno dos tres", 0)]


def test_build_does_not_list_a_card_archived_without_its_id_line_as_removed(make_vault, tmp_path):
    """The build's list of cards to delete in Anki named a card moved without an ID line into an ignored file of
    another name (`Archive/Old cards.md`); a file of its file's name there was needed. And a warm no-op build
    replayed the last list when only a file the settings leave out had changed (build_memo.inputs_digest)."""
    root = make_vault({".notes2anki.toml": 'ignore = ["Archive/"]\n',
                       "F.md": CARD.format("uno dos tres") + "START\nBasic\nTerm one\nBack: the bee buzzes\nEND\n"})

    def build() -> str:
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "v.apkg"), "--no-dupes"])
        assert result.exit_code == 0, result.output
        return result.output

    build()
    (root / "Archive").mkdir()
    (root / "Archive/Old cards.md").write_text("START\nBasic\nTerm one\nBack: the bee buzzes\nEND\n", "utf-8")
    (root / "F.md").write_text(CARD.format("uno dos tres"), "utf-8")
    assert "Term one" not in build()
    assert "Term one" not in build()  # (a warm no-op build replays that)
    (root / "Archive/Old cards.md").write_text("nothing here now\n", "utf-8")
    assert "Term one" in build()  # gone from the archive too: listed, though no note read changed


@pytest.mark.parametrize("renamed", [False, True])
@pytest.mark.parametrize("how", ["sync", "build"])
def test_a_backup_copy_in_an_ignored_folder_holds_no_note(make_vault, sync_cli, tmp_path, how, renamed):
    """Tester 12-03 round 17: a copy of the whole note kept in `Archive/` (a backup) made the card rewritten in
    its place lose its note: the copy held the old text, so the old note was taken as moved there. A left-out
    file that also holds cards still in the vault is a copy, not where a card went: the rewritten card keeps
    its note and its 5 reviews, as before."""
    old = CARD.format("alpha beta gamma") + CARD.format("delta epsilon zeta") + CARD.format("eta theta iota")
    root = make_vault({".notes2anki.toml": 'ignore = ["Archive/"]\n', "F.md": old})
    col_path = empty_collection(tmp_path)
    _push(how, root, col_path, tmp_path, sync_cli, 1)
    nid = review_back(col_path, "delta epsilon zeta", 5)
    (root / "Archive").mkdir()
    (root / "Archive/F backup.md").write_text(old, "utf-8")
    (root / "F.md").write_text(CARD.format("alpha beta gamma") + CARD.format("rewritten entirely")
                               + CARD.format("eta theta iota"), "utf-8")
    if renamed:  # (round 18: the copy was compared with the cards of F.md, gone, so the backup held B's note)
        (root / "F.md").rename(root / "G.md")
    said = " ".join(_push(how, root, col_path, tmp_path, sync_cli, 2).split())
    col = Collection(str(col_path))
    try:
        backs = sorted(col.get_note(n)["Back"] for n in col.find_notes(""))
        if not renamed:
            assert col.note_count() == 3
            assert col.get_note(nid)["Back"] == "rewritten entirely"
            assert col.db.scalar("select count() from revlog where cid in (select id from cards where nid = ?)",
                                 nid) == 5
        elif how == "sync":  # a renamed file's card rewritten beyond likeness is new, its old note deleted
            assert backs == ["alpha beta gamma", "eta theta iota", "rewritten entirely"]
            assert "holds a card with its text" not in said and "1 deleted" in said
        else:  # (an import deletes nothing)
            assert backs == ["alpha beta gamma", "delta epsilon zeta", "eta theta iota", "rewritten entirely"]
    finally:
        col.close()


@pytest.mark.parametrize("how", ["sync", "build"])
@pytest.mark.parametrize("back, archive", [
    ("line one<br>line two", None),  # HTML in a field: the note holds it rendered
    ("see [the docs](https://example.com/x) now", None),  # a Markdown link: its address is no text of the note
    ("Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u", None),  # decomposed (NFD) Vietnamese
    ("the bee buzzes loudly", "Archive/Done.md"),  # the archive file also holds a card still in G.md
    ("the bee buzzes loudly", "Archive/Mixed.md"),  # ... and one still in F.md itself, among others
])
def test_an_archived_card_is_found_however_its_fields_are_written(make_vault, sync_cli, tmp_path, how, back,
                                                                   archive):
    """Tester 12-03 round 17: the left-out files were compared as raw letters, so a field with HTML or a link,
    or text saved in decomposed Unicode, was not found there (its note and 5 reviews went to the card added
    in its place); and an archive file holding any card still in the vault counted as a backup copy. The
    left-out files are now read with the vault's parser, card by card; a copy is one of the card's own file."""
    kiwi = "START\nBasic\nKiwi\nBack: a green fruit\nEND\n"
    root = make_vault({".notes2anki.toml": 'ignore = ["Archive/"]\n', "G.md": kiwi,
                       "F.md": CARD.format("uno dos tres") + CARD.format(back)})
    col_path = empty_collection(tmp_path)
    _push(how, root, col_path, tmp_path, sync_cli, 1)
    col = Collection(str(col_path))
    try:
        moved = next(n for n in col.find_notes("") if col.get_note(n)["Front"] == "Term"
                     and "uno" not in col.get_note(n)["Back"])
        stored = col.get_note(moved)["Back"]
    finally:
        col.close()
    (root / "Archive").mkdir()
    others = CARD.format("uno dos tres") + "".join(CARD.format(f"old card {n} of the archive") for n in range(3))
    (root / (archive or "Archive/Old.md")).write_text(
        CARD.format(back) + (kiwi if archive else "") + (others if archive == "Archive/Mixed.md" else ""), "utf-8")
    (root / "F.md").write_text(CARD.format("nnn nnn") + CARD.format("uno dos tres") + CARD.format("mmm mmm"), "utf-8")
    _push(how, root, col_path, tmp_path, sync_cli, 2)
    col = Collection(str(col_path))
    try:
        assert col.get_note(moved)["Back"] == stored
        assert sorted(col.get_note(n)["Back"] for n in col.find_notes("Front:Term")) == sorted(
            ["nnn nnn", "uno dos tres", "mmm mmm", stored])
    finally:
        col.close()


def test_prose_in_an_archived_note_holds_no_card(make_vault, tmp_path):
    """Tester 12-03 round 17: a note in `Archive/` that mentions "Katze" and "cat" in a sentence kept the deleted
    card `Katze | cat` from ever being listed as removed (its letters were found across words)."""
    root = make_vault({".notes2anki.toml": 'ignore = ["Archive/"]\n',
                       "Archive/2019 trip.md": "# Berlin\nA cat (die Katze) slept on the Reichstag steps.\n",
                       "F.md": "START\nBasic\nKatze\nBack: cat\nEND\n\nSTART\nBasic\nHund\nBack: dog\nEND\n"})

    def build() -> str:
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "v.apkg"), "--no-dupes"])
        assert result.exit_code == 0, result.output
        return result.output

    build()
    (root / "F.md").write_text("START\nBasic\nHund\nBack: dog\nEND\n", "utf-8")
    assert "Katze" in build()
