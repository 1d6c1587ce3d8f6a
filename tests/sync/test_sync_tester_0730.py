"""Tester findings of 07:30 on `sync` and `build`: each case with its minimal input and what a user should
see — review history that a sync would have lost."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .test_sync_tester_0430 import CARD, _notes, _synced, filtered_deck


def test_an_answer_that_is_the_word_delete_is_text_not_a_delete_marker(make_vault, sync_cli, tmp_path):
    """U1: a card without an ID whose answer ends with the line `DELETE` (SQL's keyword) was read as marked
    for deletion: never built, `check` silent, `sync --yes` deleted its reviewed note. As in the plugin,
    `DELETE` marks a card only above its ID line."""
    files = {"sql.md": CARD.format(q="Which SQL keyword removes rows?", a="\nDELETE FROM"),
             "o.md": CARD.format(q="Other?", a="x")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    (root / "sql.md").write_text(files["sql.md"].replace("DELETE FROM", "DELETE"), "utf-8")
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "sql.md:5: warning: DELETE is read as the card's text" in check.output
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["deleted"] == [] and len(report["updated"]) == 1
    assert _notes(col_path) == {"Which SQL keyword removes rows?": 1, "Other?": 1}


@pytest.mark.parametrize("setting", ['ignore = ["Archive/"]', 'scan_directory = "Uni"'])
def test_a_folder_the_settings_now_leave_out_keeps_its_notes(make_vault, sync_cli, tmp_path, setting):
    """U2: `ignore = ["Archive/"]` (or `scan_directory`) added to stop building last term's cards: sync
    listed their reviewed notes as "gone from the vault" and `--yes` deleted them, the files untouched."""
    files = {"Archive/old.md": CARD.format(q="Old question?", a="x"), "Uni/new.md": CARD.format(q="New question?", a="y")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    (root / ".notes2anki.toml").write_text(setting + "\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert "1 note whose file is still in the vault is not deleted" in result.output
    assert _notes(col_path) == {"Old question?": 1, "New question?": 1}
    built = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes"])
    assert built.exit_code == 0 and "Old question" not in built.output
    (root / "Archive" / "old.md").unlink()  # the file really gone: the note is deleted
    result = sync_cli(root, col_path, "--yes", "--json")
    assert [d["reason"] for d in json.loads(result.stdout)["deleted"]] == ["removed"]
    assert _notes(col_path) == {"New question?": 1}


def test_a_front_renormalised_from_nfd_to_nfc_keeps_its_note(make_vault, sync_cli, tmp_path):
    """U5: an ID-less card's front pasted in NFD ("U" + combining diaeresis) and later normalised to NFC by
    an editor (same text on screen, and in Anki, which stores NFC): a new note and the reviewed one deleted."""
    nfd = "Was ist eine U\u0308bung?"
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q=nfd, a="Praxis")})
    (root / "a.md").write_text(CARD.format(q="Was ist eine \u00dcbung?", a="Praxis"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == []
    assert _notes(col_path) == {"Was ist eine \u00dcbung?": 1}


def test_most_of_the_vault_gone_at_once_is_held_until_allowed(make_vault, sync_cli, tmp_path):
    """U7: a vault seen half downloaded (29 of 30 files not there yet): `sync --yes` deleted 29 reviewed
    notes. Now a deletion of ≥ 10 notes and more than a quarter of the vault is held whole, with a
    warning, unless `--allow-mass-delete`; DELETE-marked cards are still deleted."""
    files = {f"n{i}.md": CARD.format(q=f"Question {i}?", a=f"answer {i}") for i in range(1, 31)}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    for i in range(2, 31):
        (root / f"n{i}.md").unlink()
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert "29 notes whose cards were not found are not deleted: that is 97% of this vault's 30 notes" in result.output
    assert len(_notes(col_path)) == 30
    for i in range(2, 6):  # the files come back but four: four deletions are an ordinary sync
        (root / f"n{i}.md").write_text(files[f"n{i}.md"], "utf-8")
    for i in range(10, 31):
        (root / f"n{i}.md").write_text(files[f"n{i}.md"], "utf-8")
    assert len(json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)["deleted"]) == 4
    for i in range(10, 31):
        (root / f"n{i}.md").unlink()
    result = sync_cli(root, col_path, "--yes", "--allow-mass-delete", "--json")
    assert len(json.loads(result.stdout)["deleted"]) == 21 and len(_notes(col_path)) == 5


def test_ids_and_sync_refuse_a_folder_that_holds_a_vault(make_vault, sync_cli, tmp_path):
    """U13: `ids Docs` / `sync Docs` on the folder above `Docs/Vault/.obsidian` wrote IDs computed for a
    vault "Docs" (path `Vault/a.md`) into the vault, and the next sync of the vault replaced its reviewed
    notes. Both now refuse (exit 2, nothing written); `build` there warns."""
    docs = make_vault({"Vault/a.md": CARD.format(q="Question p?", a="answer"), "Vault/.obsidian/app.json": "{}"},
                      name="Docs")
    vault = docs / "Vault"
    root, col_path = _synced(lambda files, name: vault, sync_cli, tmp_path, {})
    before = (vault / "a.md").read_bytes()
    ids = CliRunner().invoke(cli_main, ["ids", str(docs)])
    assert ids.exit_code == 2 and "holds one" in ids.output and "nothing written" in ids.output
    assert (vault / "a.md").read_bytes() == before
    synced = sync_cli(docs, col_path, "--yes")
    assert synced.exit_code == 2 and f"notes2anki sync {vault}" in synced.output
    assert _notes(col_path) == {"Question p?": 1}
    built = CliRunner().invoke(cli_main, ["build", str(docs), "-o", str(tmp_path / "d.apkg"), "--no-dupes"])
    assert built.exit_code == 0 and "is not an Obsidian vault but holds one" in built.output
    (docs / ".notes2anki.toml").write_text("", "utf-8")  # a vault of its own, by the user's choice
    assert CliRunner().invoke(cli_main, ["ids", str(docs), "--dry-run"]).exit_code == 0


INLINE = "STARTI [Basic] What is ATP? Back: energy ENDI\n"


@pytest.mark.parametrize("edited", [
    "STARTI [Basic] What is ATP? Back: energy currency\nof the cell ENDI\n",  # wrapped over two lines
    "STARTI Basic What is ATP? Back: energy ENDI\n",  # the type without brackets
    "Starti [Basic] What is ATP? Back: energy ENDI\n",  # the marker in another case
    "STARTI [Basic] What is ATP? Back: energy ENDl\n",  # the end marker mistyped
    "STARTI [Basic]  Back: energy ENDI\n",  # the front emptied while editing
])
def test_an_inline_card_not_read_keeps_its_note(make_vault, sync_cli, tmp_path, edited):
    """U26: an inline card broken over two lines (or mistyped) was reported at its line, "card not read",
    and its reviewed note deleted as gone from the vault."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": INLINE, "b.md": CARD.format(q="Other?", a="x")})
    (root / "a.md").write_text(edited, "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [], result.output
    assert "a.md:1: warning" in result.output
    assert _notes(col_path) == {"What is ATP?": 1, "Other?": 1}


def test_a_custom_regex_whose_note_type_is_gone_deletes_no_note(make_vault, sync_cli, tmp_path):
    """U26: `[note_types.Vocab]` removed while `custom_regexps.Vocab` stays: a warning, and every card of
    that style was deleted as gone from the vault."""
    config = '[note_types.Vocab]\nfields = ["Word", "Meaning"]\n\n[custom_regexps]\nVocab = "^(\\\\w+)::(.+)$"\n'
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {".notes2anki.toml": config, "vocab.md": "Hund::dog\nKatze::cat\n",
                                                                     "b.md": CARD.format(q="Other?", a="x")})
    assert set(_notes(col_path)) == {"Hund", "Katze", "Other?"}
    (root / ".notes2anki.toml").write_text(config.split("\n\n")[1], "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [], result.output
    assert "2 notes whose cards were not found are not deleted: a custom regex is set for a note type" in result.output
    assert set(_notes(col_path)) == {"Hund", "Katze", "Other?"}


def test_a_custom_regex_out_of_time_is_tried_again_and_then_holds_the_files_notes(make_vault, sync_cli, tmp_path,
                                                                                  monkeypatch):
    """U25: the regex time limit is wall-clock: a process paused during parsing dropped a file's cards with a
    warning and `sync` deleted their notes. Now a second try, and when that runs out too, the notes are held."""
    from notes2anki.parsers import regex_notes

    config = '[note_types.Vocab]\nfields = ["Word", "Meaning"]\n\n[custom_regexps]\nVocab = "^(\\\\w+)::(.+)$"\n'
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {".notes2anki.toml": config, "vocab.md": "Hund::dog\n"})
    real, calls = regex_notes._search, []

    def paused_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError
        return real(*args)

    monkeypatch.setenv("NOTES2ANKI_PARSE_CACHE", "0")
    monkeypatch.setattr(regex_notes, "_search", paused_once)
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [] and "took longer" not in result.output
    monkeypatch.setattr(regex_notes, "_search", lambda *args: (_ for _ in ()).throw(TimeoutError()))
    result = sync_cli(root, col_path, "--yes", "--json")
    assert "vocab.md: warning: custom_regexps" in result.output and "twice" in result.output
    assert json.loads(result.stdout)["deleted"] == [] and set(_notes(col_path)) == {"Hund"}


def test_a_plugin_id_inside_a_code_block_above_an_end_line_is_the_cards_id(make_vault, sync_cli, tmp_path):
    """U31: the plugin ends a card at the first END line, also one inside a code block (PL/SQL), and wrote
    the card's ID above it; notes2anki read the card whole but ignored that ID, so the migration added a
    second note and the reviewed plugin note was never updated again."""
    from .plugin_users import make_plugin_collection

    nid = 1796110906348
    card = ("START\nBasic\nPL/SQL anonymous block syntax?\nBack:\n```sql\nBEGIN\n  NULL;\n<!--ID: {nid}-->\nEND\n```\n"
            "END\n")
    root = make_vault({"a.md": card.format(nid=nid)})
    made = make_plugin_collection(root, tmp_path / "plugin" / "collection.anki2", review_every=1)
    assert made.nids == [nid]
    (root / "a.md").write_text(card.format(nid=nid).replace("NULL;", "NULL; -- nothing"), "utf-8")
    col_path, nids = made.path, made.nids
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and [u["nid"] for u in report["updated"]] == [nids[0]]
    assert "a.md:8: warning: ID" in result.output and "move it to the line above the card's END" in result.output
    from anki.collection import Collection
    col = Collection(str(col_path))
    try:
        back = col.get_note(nids[0]).fields[1]
    finally:
        col.close()
    assert "BEGIN" in back and "-- nothing" in back and ">END<" in back and "ID:" not in back


def test_a_deck_below_a_filtered_deck_is_an_error_at_the_card(make_vault, sync_cli, tmp_path):
    """U24: `TARGET DECK: Cram::Sub` where `Cram` is a filtered deck in Anki ended every sync in an internal
    FilteredDeckError (nothing synced, no file named)."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Question x?", a="x")})
    filtered_deck(col_path, "Cram")
    (root / "b.md").write_text("TARGET DECK: Cram::Sub\n\n" + CARD.format(q="Question new?", a="y"), "utf-8")
    (root / "c.md").write_text(CARD.format(q="Question c?", a="z"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 1, result.output
    assert "b.md:3: error: deck 'Cram::Sub': 'Cram' is a filtered deck in Anki, which cannot hold decks" in result.output
    assert "internal error" not in result.output
    assert set(_notes(col_path)) == {"Question x?", "Question c?"}


def test_a_plugin_card_whose_note_was_deleted_in_anki_is_not_added_again(make_vault, sync_cli, tmp_path):
    """U29: plugin users deleted leeches and obsolete cards in Anki; the vault kept their blocks and IDs, and
    the first sync re-created each as a new note. Now left out with a warning, unless --recreate-missing."""
    from .plugin_users import plugin_collection_deleted

    block = "START\nBasic\n{q}\nBack: {a}\n<!--ID: {nid}-->\nEND\n"
    root = make_vault({"a.md": block.format(q="Kept?", a="x", nid=1700000000001) + "\n"
                       + block.format(q="Leech I deleted in Anki?", a="y", nid=1700000000002)})
    made = plugin_collection_deleted(root, tmp_path / "plugin" / "collection.anki2", [1700000000002],
                                     review_every=1)
    result = sync_cli(root, made.path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == []
    assert "1 card has the ID of a note this collection no longer holds (a.md:8)" in result.output
    assert set(_notes(made.path)) == {"Kept?"}
    result = sync_cli(root, made.path, "--yes", "--recreate-missing", "--json")
    assert [n["front"] for n in json.loads(result.stdout)["new"]] == ["Leech I deleted in Anki?"]
    from .plugin_users import empty_collection

    fresh = empty_collection(tmp_path / "fresh")  # a collection holding none of the vault's notes: all added
    assert len(json.loads(sync_cli(root, fresh, "--yes", "--json").stdout)["new"]) == 2


def test_a_card_with_an_id_ids_wrote_whose_note_was_deleted_in_anki_is_not_added_again(make_vault, sync_cli,
                                                                                       tmp_path):
    """Tester 12-03: after `sync --write-ids`, deleting a card's note in Anki (the plugin's way to drop a card)
    no longer worked: the next sync added it again as a new card. The registry keeps each note's GUID, so a
    written notes2anki ID naming a note this vault synced here and Anki no longer holds is left out with
    the warning plugin IDs get, on every sync until settled; --recreate-missing adds it."""
    from anki.collection import Collection

    from .plugin_users import empty_collection

    root = make_vault({"a.md": CARD.format(q="Kept?", a="x") + "\n" + CARD.format(q="Drop me?", a="y")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--write-ids", "--yes").exit_code == 0
    assert (root / "a.md").read_text("utf-8").count("<!--ID: ") == 2
    col = Collection(str(col_path))
    try:
        col.remove_notes(col.find_notes('"Front:Drop me?"'))
    finally:
        col.close()
    for _ in range(2):  # said again, not added, until the card or its ID line is deleted (or --recreate-missing)
        result = sync_cli(root, col_path, "--yes", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["new"] == []
        assert "1 card has the ID of a note this collection no longer holds (a.md:" in " ".join(result.output.split())
        assert set(_notes(col_path)) == {"Kept?"}
    result = sync_cli(root, col_path, "--yes", "--recreate-missing", "--json")
    assert [n["front"] for n in json.loads(result.stdout)["new"]] == ["Drop me?"]
    (root / "a.md").write_text(CARD.format(q="Kept?", a="x"), "utf-8")  # IDs gone, card deleted: nothing said
    again = sync_cli(root, col_path, "--yes", "--json")
    assert "no longer holds" not in again.output


def test_a_deleted_note_stays_held_while_its_file_is_not_read_and_all_come_back_when_none_is_left(
        make_vault, sync_cli, tmp_path):
    """Tester 12-03 (round 3): (1) a note deleted in Anki whose file was empty at the next sync (a save caught
    half-way, a cloud placeholder) was forgotten by the registry, and its card came back once the file was
    whole again; (2) with every note of the vault deleted in Anki (a deck deleted to start over), the cards
    were all held, where plugin IDs are all added again. Now (1) held, (2) added."""
    from anki.collection import Collection

    from .plugin_users import empty_collection

    body = CARD.format(q="Drop me?", a="y") + "\n" + CARD.format(q="Keep me?", a="z")
    root = make_vault({"a.md": body, "b.md": CARD.format(q="Other?", a="x")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--write-ids", "--yes").exit_code == 0

    def remove(search: str) -> None:
        col = Collection(str(col_path))
        try:
            col.remove_notes(col.find_notes(search))
        finally:
            col.close()

    remove('"Front:Drop me?"')
    whole = (root / "a.md").read_text("utf-8")
    (root / "a.md").write_text("", "utf-8")
    emptied = sync_cli(root, col_path, "--yes", "--json")
    assert emptied.exit_code == 0 and json.loads(emptied.stdout)["deleted"] == [], emptied.output
    (root / "a.md").write_text(whole, "utf-8")
    back = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(back.stdout)["new"] == [] and "no longer holds (a.md:" in " ".join(back.output.split())
    assert set(_notes(col_path)) == {"Keep me?", "Other?"}
    remove("")  # every note gone: a fresh start
    fresh = sync_cli(root, col_path, "--yes", "--json")
    assert len(json.loads(fresh.stdout)["new"]) == 3 and "no longer holds" not in fresh.output


def test_build_with_the_collection_says_that_its_package_holds_a_card_sync_leaves_out(make_vault, tmp_path):
    """Tester 12-03 (round 3): `build --collection` packaged a card whose plugin note was deleted in Anki as
    "1 new" without a word; importing the package added the note the user had deleted. It now warns."""
    from .plugin_users import plugin_collection_deleted

    block = "START\nBasic\n{q}\nBack: {a}\n<!--ID: {nid}-->\nEND\n"
    root = make_vault({"a.md": block.format(q="Kept?", a="x", nid=1700000000001) + "\n"
                       + block.format(q="Leech I deleted in Anki?", a="y", nid=1700000000002)})
    made = plugin_collection_deleted(root, tmp_path / "plugin" / "collection.anki2", [1700000000002])
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes",
                                           "--collection", str(made.path)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 card (a.md:8) has the ID of a note this collection no longer holds" in said, said
    assert "importing it adds it again as new" in said


def test_sync_json_when_the_collection_cannot_be_used_is_a_json_document(make_vault, sync_cli, tmp_path):
    """U20: `sync --json` with a collection that cannot be used printed nothing on stdout (exit 2): a
    script parsing it got an empty document; `check --json` says "stopped"."""
    root = make_vault({"a.md": CARD.format(q="Q?", a="x")})
    result = sync_cli(root, tmp_path / "nowhere" / "collection.anki2", "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["stopped"] is True and data["errors"]


def _src_bytes(col_path: Path) -> dict[str, bytes]:
    """Front → the bytes of the image its back shows, as Anki resolves the src in its media folder."""
    import re as _re

    from anki.collection import Collection
    col = Collection(str(col_path))
    try:
        out = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            src = _re.search(r'src="([^"]+)"', note.fields[1]).group(1)
            out[note.fields[0]] = (Path(col.media.dir()) / src).read_bytes()
        return out
    finally:
        col.close()


def test_images_named_alike_but_for_case_keep_their_own_pictures(make_vault, sync_cli, tmp_path):
    """U18a: `Bio/Figure.png` and `Chem/figure.png` (other bytes): after sync the biology card showed the
    chemistry figure (Anki's media folder holds names case-insensitively)."""
    root = make_vault({"Bio/Figure.png": b"\x89PNG BIO", "Chem/figure.png": b"\x89PNG CHEM",
                       "Bio/a.md": CARD.format(q="Bio figure?", a="![[Figure.png]]"),
                       "Chem/b.md": CARD.format(q="Chem figure?", a="![[figure.png]]")})
    from .plugin_users import empty_collection

    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    assert _src_bytes(col_path) == {"Bio figure?": b"\x89PNG BIO", "Chem figure?": b"\x89PNG CHEM"}
    again = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)
    assert again["updated"] == [] and again["new"] == []


@pytest.mark.parametrize("name", ["Screenshot of the lecture slide about mitochondria and the electron transport chain "
                                  "in the inner membrane, taken 2026-11-30 at 10.15.42.png", "x?y.png", 'a"q.png'])
def test_an_image_name_anki_would_change_settles_after_one_sync(make_vault, sync_cli, tmp_path, name):
    """U18b: an image name over 120 bytes, or holding `?` / `"`, was stored by Anki under another name, so
    every sync updated the note and added the file again."""
    from .plugin_users import empty_collection

    root = make_vault({name: b"\x89PNG LONG", "a.md": CARD.format(q="Which slide?", a=f"![[{name}]]")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    assert _src_bytes(col_path) == {"Which slide?": b"\x89PNG LONG"}
    again = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)
    assert again["updated"] == [] and again["media"] == [] and again["backup"] is None


SAME = "START\nBasic\nTranslate:\nBack: {a}\nEND\n"


@pytest.mark.parametrize("edit", ["insert", "swap"])
def test_same_front_cards_keep_their_notes_when_one_is_inserted_or_they_are_swapped(make_vault, sync_cli, tmp_path,
                                                                                      edit):
    """U11: two ID-less cards with one front, told apart by order: inserting a card between them gave the
    second's note (and history) to the new card and made the second new; swapping them exchanged the two
    histories. A card whose fields equal a note of its file now keeps that note."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": SAME.format(a="perro = dog") + "\n" + SAME.format(a="gato = cat")})
    from anki.collection import Collection
    col = Collection(str(col_path))
    try:
        before = {col.get_note(n).fields[1]: n for n in col.find_notes("")}
    finally:
        col.close()
    cards = ([SAME.format(a="perro = dog"), SAME.format(a="pez = fish"), SAME.format(a="gato = cat")] if edit == "insert"
             else [SAME.format(a="gato = cat"), SAME.format(a="perro = dog")])
    (root / "a.md").write_text("\n".join(cards), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    report = json.loads(result.stdout)
    assert report["updated"] == [] and report["deleted"] == [], result.output
    assert len(report["new"]) == (1 if edit == "insert" else 0)
    col = Collection(str(col_path))
    try:
        after = {col.get_note(n).fields[1]: n for n in col.find_notes("")}
        reviews = {col.get_note(n).fields[1]: col.db.scalar(f"select count() from revlog where cid in "
                                                             f"(select id from cards where nid = {n})")
                   for n in col.find_notes("")}
    finally:
        col.close()
    assert after["perro = dog"] == before["perro = dog"] and after["gato = cat"] == before["gato = cat"]
    assert reviews["perro = dog"] == reviews["gato = cat"] == 1


def test_a_renamed_note_file_keeps_its_notes(make_vault, sync_cli, tmp_path):
    """U19: renaming a note (Obsidian's "Untitled" → a title) listed its ID-less card as new and its reviewed
    note as gone; the same card, same type and fields, now keeps the note of the file that is gone."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"Untitled.md": CARD.format(q="What is ATP?", a="energy")})
    (root / "Untitled.md").rename(root / "Mitochondria.md")
    result = sync_cli(root, col_path, "--yes", "--json")
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == [], result.output
    assert _notes(col_path) == {"What is ATP?": 1}
    again = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)
    assert again["new"] == [] and again["deleted"] == [] and again["updated"] == []


def test_a_note_moved_into_an_ignored_folder_keeps_its_note(make_vault, sync_cli, tmp_path):
    """Tester 08:45 V4: a note with its ID line moved into a folder `ignore` leaves out (archiving last
    term) was deleted as gone from the vault, though its ID line is still in the vault."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {".notes2anki.toml": 'ignore = ["Archive/"]\n',
                              "Uni/old.md": CARD.format(q="Old question?", a="x"),
                              "Uni/new.md": CARD.format(q="New question?", a="y")})
    assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    (root / "Archive").mkdir()
    (root / "Uni" / "old.md").rename(root / "Archive" / "old.md")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [], result.output
    assert _notes(col_path) == {"Old question?": 1, "New question?": 1}


def test_a_note_evicted_by_icloud_keeps_its_note(make_vault, sync_cli, tmp_path):
    """Tester 08:45 V14: iCloud Drive replaces a rarely opened note `n3.md` by the hidden stub
    `.n3.md.icloud`; sync deleted its reviewed note as gone from the vault."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {f"n{i}.md": CARD.format(q=f"Question {i}?", a="answer") for i in range(1, 7)})
    (root / "n3.md").unlink()
    (root / ".n3.md.icloud").write_bytes(b"bplist00placeholder")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [], result.output
    assert "cloud client's placeholder" in result.output
    assert len(_notes(col_path)) == 6


@pytest.mark.parametrize("start", ["STRAT", "## START", "**START**"])
def test_a_mistyped_start_leaving_a_lone_end_keeps_its_note(make_vault, sync_cli, tmp_path, start):
    """Tester 08:45 V9: a mistyped START (`STRAT`, `## START`, `**START**`) left a lone END line: `check` said
    nothing and sync deleted the reviewed note. The lone END is a near miss, so the file's notes are held."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Question a?", a="x"),
                                                              "b.md": CARD.format(q="Question b?", a="y")})
    (root / "a.md").write_text(CARD.format(q="Question a?", a="x").replace("START", start, 1), "utf-8")
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "a.md:5: warning: 'END' here closes no card" in check.output
    result = sync_cli(root, col_path, "--yes", "--json")
    assert json.loads(result.stdout)["deleted"] == [], result.output
    assert _notes(col_path) == {"Question a?": 1, "Question b?": 1}
