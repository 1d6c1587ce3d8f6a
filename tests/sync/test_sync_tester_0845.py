"""Tester findings of 08:45 on the identity of cards without a written ID: `ids` and `sync` must keep each
card on the note it is (its review history), whatever was renamed, moved or edited since the last sync.
Each case syncs with the official `anki` package, reviews every card, makes the change, and checks the notes."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .test_sync_ids_identity import _clean_sync, _ids, _state, _written_ids
from .test_sync_tester_0430 import CARD, _synced

REVERSED = "START\nBasic (and reversed card)\n{q}\nBack: {a}\nEND\n"


def test_ids_after_a_file_rename_writes_the_id_of_the_cards_note(make_vault, sync_cli, tmp_path):
    """V8: `Untitled.md` renamed to `Mitochondria.md`, then `ids` with no sync between: it wrote the implicit
    ID of the new path, and the next `sync --yes` added the card anew and deleted its reviewed note."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"Untitled.md": CARD.format(q="Powerhouse?", a="mito"),
                                                              "o.md": CARD.format(q="Other?", a="o")})
    before = _state(col_path)
    os.rename(root / "Untitled.md", root / "Mitochondria.md")
    result = _ids(root)
    assert result.exit_code == 0, result.output
    assert len(_written_ids(root / "Mitochondria.md")) == 1
    report = _clean_sync(sync_cli, root, col_path)
    assert report["updated"] == []
    assert _state(col_path) == before and before["mito"][2] == 1


def test_ids_after_a_note_type_change_writes_the_id_of_the_cards_note(make_vault, sync_cli, tmp_path):
    """V8: a card's note type line changed (Basic -> Basic (and reversed card)), then `ids`: the ID of the
    new type's group was written and the next sync replaced the reviewed note."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Powerhouse?", a="mito")})
    before = _state(col_path)
    (root / "a.md").write_text(REVERSED.format(q="Powerhouse?", a="mito"), "utf-8")
    result = _ids(root)
    assert result.exit_code == 0, result.output
    assert len(_written_ids(root / "a.md")) == 1
    _clean_sync(sync_cli, root, col_path)
    nid, guid, rows = _state(col_path)["mito"]
    assert (nid, guid) == before["mito"][:2] and rows == 1


def test_ids_gives_no_id_when_two_gone_notes_have_the_cards_text(make_vault, sync_cli, tmp_path):
    """Two files holding one same card (text and all) both renamed: which reviewed note each renamed card is
    cannot be told, so `ids` writes neither ID (an error at each card) and the notes stay."""
    same = CARD.format(q="Powerhouse?", a="mito")
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": same, "b.md": same,
                                                              "o.md": CARD.format(q="Other?", a="o")})
    os.rename(root / "a.md", root / "c.md")
    os.rename(root / "b.md", root / "d.md")
    result = _ids(root)
    assert result.exit_code == 1
    for name in ("c.md", "d.md"):
        assert f"{name}:1: error: no ID written to this card" in result.output
        assert _written_ids(root / name) == []
    assert len(_written_ids(root / "o.md")) == 1


def test_ids_after_a_file_rename_writes_the_id_the_last_build_gave(make_vault, build, tmp_path):
    """V8 without sync (build + import users): the file renamed after a build; `ids` writes the ID the build
    gave the card (its GUID, so the next import updates the imported note), not one of the new path."""
    from notes2anki.decks.build import default_state_path
    from notes2anki.decks.state import BuildState

    root = make_vault({"Untitled.md": CARD.format(q="Powerhouse?", a="mito"), "o.md": CARD.format(q="Other?", a="o")})
    build(root)
    built = {s.where.split(":")[0]: s.id for s in BuildState.load(default_state_path(root), []).cards.values()}
    os.rename(root / "Untitled.md", root / "Mitochondria.md")
    result = _ids(root)
    assert result.exit_code == 0, result.output
    assert _written_ids(root / "Mitochondria.md") == [f"<!--ID: {built['Untitled.md']}-->"]
    assert _written_ids(root / "o.md") == [f"<!--ID: {built['o.md']}-->"]


@pytest.mark.parametrize("how", ["sync", "ids, then sync"])
def test_a_card_moved_into_another_file_keeps_its_note(make_vault, sync_cli, tmp_path, how):
    """V6: a card cut from `a.md` (which stays, with its other card) and pasted into `b.md`: sync let a new
    card take only notes of its own file or of files gone, so it added the card anew and deleted the
    reviewed note. Now it takes the note of this vault that no card claims and whose fields all equal it."""
    moved = CARD.format(q="Where is ATP made?", a="mitochondria")
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Stays?", a="s") + "\n" + moved,
                                                              "b.md": CARD.format(q="Other?", a="o")})
    before = _state(col_path)
    (root / "a.md").write_text(CARD.format(q="Stays?", a="s"), "utf-8")
    (root / "b.md").write_text(CARD.format(q="Other?", a="o") + "\n" + moved, "utf-8")
    if how != "sync":
        result = _ids(root)
        assert result.exit_code == 0, result.output
        assert len(_written_ids(root / "b.md")) == 2
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == before
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == before


SAME = "START\nBasic\nTranslate:\nBack: {a}\nEND\n"


@pytest.mark.parametrize("edit", ["insert", "delete"])
def test_an_edited_same_front_card_keeps_its_note_when_another_is_inserted_or_deleted(make_vault, sync_cli, tmp_path,
                                                                                     edit):
    """V1: same-front cards (`Translate:`, no IDs, told apart by order); in one session a card inserted between
    them (or the first deleted) and the back of a later one edited: the inserted card took the edited card's
    note and history, the edited card became new. Now the edited card keeps the note most like it."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": "\n".join(SAME.format(a=a) for a in ("perro = dog", "gato = cat", "pez = fish"))})
    before = _state(col_path)
    backs = (["perro = dog", "oso = bear", "gato = cat (also: kitty)", "pez = fish"] if edit == "insert"
             else ["gato = cat (also: kitty)", "pez = fish"])
    (root / "a.md").write_text("\n".join(SAME.format(a=a) for a in backs), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [n["front"] for n in report["new"]] == (["Translate:"] if edit == "insert" else [])
    assert len(report["updated"]) == 1 and len(report["deleted"]) == (0 if edit == "insert" else 1)
    after = _state(col_path)
    assert after["gato = cat (also: kitty)"] == before["gato = cat"]
    assert after["pez = fish"] == before["pez = fish"]
    if edit == "insert":
        assert after["perro = dog"] == before["perro = dog"] and after["oso = bear"][2] == 0
    assert len({guid for _, guid, _ in after.values()}) == len(after)  # the new note has a GUID of its own
    _clean_sync(sync_cli, root, col_path)


def test_ids_before_sync_tells_an_insert_and_an_edit_apart_by_the_edited_back(make_vault, sync_cli, tmp_path):
    """V1 through `ids`: the record keeps each card's other fields (``rest``), so before a sync `ids` tells
    which note the edited card is by its back, like the recorded one (same_front.match_group, the rule sync
    pairs them by), and gives the inserted card an ID no recorded card has; the sync after it keeps the
    edited card on its note. (A back rewritten beyond likeness: no ID, test_sync_ids_identity.)"""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": "\n".join(SAME.format(a=a) for a in ("perro = dog", "gato = cat"))})
    before = _state(col_path)
    (root / "a.md").write_text("\n".join(SAME.format(a=a) for a in ("perro = dog", "oso = bear", "gato = cat, kitty")),
                               "utf-8")
    result = _ids(root)
    assert result.exit_code == 0 and len(_written_ids(root / "a.md")) == 3, result.output
    result = sync_cli(root, col_path, "--yes", "--json")  # the inserted card is new, no note deleted
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["new"]) == 1 and report["deleted"] == [], report
    _clean_sync(sync_cli, root, col_path)
    after = _state(col_path)
    assert after["gato = cat, kitty"] == before["gato = cat"] and after["perro = dog"] == before["perro = dog"]


def test_ids_in_a_renamed_vault_folder_refuses_and_names_the_vault_id_to_set(make_vault, sync_cli, tmp_path):
    """V3: the vault folder renamed (notes/ -> other/; cards without IDs, no `vault_id`): `sync` refuses
    (its cards would come back as new notes), but `ids` wrote IDs of the new name, so the next sync added
    every card again. `ids` now finds the old vault's sync record in the state folder and refuses too,
    naming `vault_id = "notes"`; with it set, `ids` writes the IDs of the notes and sync finds them all."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {n + ".md": CARD.format(q=f"Question {n}?", a=n) for n in "abc"}, name="notes")
    before = _state(col_path)
    moved = root.rename(root.parent / "other")
    files = {p.name: p.read_bytes() for p in moved.glob("*.md")}
    result = _ids(moved)
    assert result.exit_code == 2, result.output
    assert 'vault_id = "notes"' in result.output and "nothing written" in result.output
    assert {p.name: p.read_bytes() for p in moved.glob("*.md")} == files
    (moved / ".notes2anki.toml").write_text('[sync]\nvault_id = "notes"\n', "utf-8")
    result = _ids(moved)
    assert result.exit_code == 0, result.output
    assert all(len(_written_ids(moved / name)) == 1 for name in files)
    _clean_sync(sync_cli, moved, col_path)
    assert _state(col_path) == before


PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"


@pytest.mark.parametrize("where", ["plugin", "toml"])
def test_ids_writes_the_plain_id_form_when_the_settings_turn_id_comments_off(make_vault, sync_cli, tmp_path, where):
    """The plugin's "ID Comments: false" (or `id_comments = false`) was ignored: `ids` always wrote
    `<!--ID: n-->`. Now it writes `ID: n` (block and inline cards), which the parser reads back as the ID, and
    the next sync finds every note."""
    files = {"a.md": CARD.format(q="Block?", a="b") + "\nSTARTI [Basic] Inline? Back: i ENDI\n"}
    files.update({PLUGIN: json.dumps({"settings": {"Defaults": {"ID Comments": False}}})} if where == "plugin"
                 else {".notes2anki.toml": "id_comments = false\n"})
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    before = _state(col_path)
    result = _ids(root)
    assert result.exit_code == 0, result.output
    text = (root / "a.md").read_text("utf-8")
    assert "<!--" not in text
    lines = text.splitlines()
    assert lines[4].startswith("ID: ") and lines[5] == "END"
    assert lines[7].startswith("STARTI [Basic] Inline? Back: i ID: ") and lines[7].endswith(" ENDI")
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == before


def test_ids_in_a_moved_vault_folder_uses_the_record_of_its_old_place(make_vault, sync_cli, tmp_path):
    """The vault moved (same folder name, another parent; the old place gone): the sync record is kept by the
    folder's path, so `ids` knew nothing of the last sync and wrote the implicit ID of the first of two
    same-front cards into the second after the first was deleted: the next sync gave the survivor the deleted
    card's note. `ids` now reads the record of the vault's old place (same name, folder gone, its cards)."""
    from .test_sync_ids_identity import GATO, PERRO

    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": PERRO + GATO, "o.md": CARD.format(q="O?", a="o")})
    before = _state(col_path)
    (tmp_path / "elsewhere").mkdir()
    moved = root.rename(tmp_path / "elsewhere" / root.name)
    (moved / "a.md").write_text(GATO, "utf-8")
    result = _ids(moved)
    assert result.exit_code == 0, result.output
    report = sync_cli(moved, col_path, "--yes", "--json")
    assert [d["nid"] for d in json.loads(report.stdout)["deleted"]] == [before["perro = dog"][0]], report.output
    after = _state(col_path)
    assert after == {"gato = cat": before["gato = cat"], "o": before["o"]}


def test_ids_after_a_note_type_change_writes_the_id_the_last_build_gave(make_vault, build):
    """V8 (build + import users): the note type line changed after a build; `ids` writes the ID the build
    gave the card, so the next import updates (and retypes) the imported note instead of adding one."""
    from notes2anki.decks.build import default_state_path
    from notes2anki.decks.state import BuildState

    root = make_vault({"a.md": CARD.format(q="Powerhouse?", a="mito"), "o.md": CARD.format(q="Other?", a="o")})
    build(root)
    built = {s.where.split(":")[0]: s.id for s in BuildState.load(default_state_path(root), []).cards.values()}
    (root / "a.md").write_text(REVERSED.format(q="Powerhouse?", a="mito"), "utf-8")
    result = _ids(root)
    assert result.exit_code == 0, result.output
    assert _written_ids(root / "a.md") == [f"<!--ID: {built['a.md']}-->"]
