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
