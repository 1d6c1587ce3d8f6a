"""Tester U8: `ids` and `sync --write-ids` must write the ID that keeps a card on the note it is matched to
now, not the implicit ID computed afresh. Each case syncs with the official `anki` package, reviews, performs
the step, writes IDs (`ids`, or `sync --write-ids`), syncs again, and checks that the reviewed notes keep their
note id and review log, with nothing new and nothing deleted."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .test_sync_tester_0430 import CARD, _synced

PERRO = "START\nBasic\nTranslate:\nBack: perro = dog\nEND\n\n"
GATO = "START\nBasic\nTranslate:\nBack: gato = cat\nEND\n"
NFD_NAME, NFC_NAME = "U\u0308bung.md", "\u00dcbung.md"


def _state(col_path: Path) -> dict[str, tuple[int, str, int]]:
    """Back (or front) text → (note id, GUID, review log rows) of every note."""
    col = Collection(str(col_path))
    try:
        out = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            rows = col.db.scalar(f"select count() from revlog where cid in (select id from cards where nid = {nid})")
            out[note.fields[-1]] = (nid, note.guid, rows)
        return out
    finally:
        col.close()


def _ids(root: Path, *args: str):
    result = CliRunner().invoke(cli_main, ["ids", str(root), *args])
    return result


def _clean_sync(sync_cli, root: Path, col_path: Path) -> dict:
    """A sync that must find every card's note: nothing new, nothing deleted."""
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == [], report
    return report


def _written_ids(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.startswith("<!--ID:")]


@pytest.mark.parametrize("how", ["ids after sync", "ids before sync", "sync --write-ids"])
def test_the_second_of_two_same_front_cards_keeps_its_note_when_ids_are_written(make_vault, sync_cli, tmp_path, how):
    """U8 case 1: two ID-less cards with one front in one file, both synced and reviewed; the first deleted.
    Sync keeps the second on its own note (T16), but `ids` wrote occurrence 0's ID, the deleted card's: the
    next sync made the surviving card New and deleted its reviewed note (with `--write-ids` the survivor ended
    on the deleted note's GUID, its history gone)."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": PERRO + GATO})
    before = _state(col_path)
    gato = before["gato = cat"]
    assert gato[2] == 1
    (root / "a.md").write_text(GATO, "utf-8")
    if how == "ids after sync":
        assert sync_cli(root, col_path, "--yes").exit_code == 0
        assert _ids(root).exit_code == 0
    elif how == "ids before sync":
        assert _ids(root).exit_code == 0
        result = sync_cli(root, col_path, "--yes", "--json")
        assert [d["nid"] for d in json.loads(result.stdout)["deleted"]] == [before["perro = dog"][0]]
    else:
        result = sync_cli(root, col_path, "--yes", "--write-ids", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["ids_written"] == ["a.md"]
    assert len(_written_ids(root / "a.md")) == 1
    report = _clean_sync(sync_cli, root, col_path)
    assert report["updated"] == []
    assert _state(col_path) == {"gato = cat": gato}


@pytest.mark.parametrize("how", ["ids", "sync --write-ids"])
def test_a_note_file_renamed_nfd_to_nfc_keeps_its_note_when_ids_are_written(make_vault, sync_cli, tmp_path, how):
    """U8 case 2: `Übung.md` written in NFD (macOS), synced and reviewed, then renamed to NFC only (a sync tool):
    sync keeps the note (T2), but `ids` wrote the ID of the new NFC path, and the next sync replaced the note."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {NFD_NAME: CARD.format(q="Was ist Praxis?", a="Praxis"), "o.md": CARD.format(q="O?", a="o")})
    before = _state(col_path)
    if not os.path.exists(root / NFD_NAME) or os.path.exists(root / NFC_NAME):
        pytest.skip("this file system does not keep NFD and NFC names apart")
    os.rename(root / NFD_NAME, root / NFC_NAME)
    if how == "ids":
        report = _clean_sync(sync_cli, root, col_path)
        assert report["updated"] == []
        assert _ids(root).exit_code == 0
    else:
        result = sync_cli(root, col_path, "--yes", "--write-ids", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["new"] == []
    assert len(_written_ids(root / NFC_NAME)) == 1
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == before


@pytest.mark.parametrize("how", ["ids", "sync --write-ids"])
def test_a_front_renormalised_keeps_its_note_when_ids_are_written(make_vault, sync_cli, tmp_path, how):
    """U8 (3): a front pasted in NFD and later re-normalised to NFC by an editor: sync keeps the note (U5),
    and so must the ID `ids` writes."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Was ist eine U\u0308bung?", a="P")})
    before = _state(col_path)
    (root / "a.md").write_text(CARD.format(q="Was ist eine \u00dcbung?", a="P"), "utf-8")
    if how == "ids":
        _clean_sync(sync_cli, root, col_path)
        assert _ids(root).exit_code == 0
    else:
        assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    assert len(_written_ids(root / "a.md")) == 1
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == before


def test_ids_gives_a_rewritten_card_it_cannot_tell_apart_a_new_id(make_vault, sync_cli, tmp_path):
    """Three same-front cards synced; then the first deleted and the second rewritten (its back like no synced
    card's): which note it is (the first's or the second's) cannot be told (one card, two notes in its gap:
    same_front.match_group). `ids` gives it a new ID, no note's (a note never takes another card's text), the
    third card its note's, and the other card its own; the notes are untouched. (A back edited, not rewritten,
    is told by its likeness to the recorded one.)"""
    import re

    from notes2anki.decks.identity import guid_of

    third = "START\nBasic\nTranslate:\nBack: pez = fish\nEND\n"
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": PERRO + GATO + "\n" + third + "\n" + CARD.format(q="Other?", a="x")})
    before = _state(col_path)
    (root / "a.md").write_text(GATO.replace("gato = cat", "ratón = mouse") + "\n" + third + "\n"
                               + CARD.format(q="Other?", a="x"), "utf-8")
    result = _ids(root)
    assert result.exit_code == 0, result.output
    written = [int(n) for n in re.findall(r"<!--ID: (\d+)-->", (root / "a.md").read_text("utf-8"))]
    assert len(written) == 3
    assert guid_of(written[1]) == before["pez = fish"][1]
    assert guid_of(written[0]) not in {guid for _, guid, _ in before.values()}
    assert _state(col_path) == before  # ids never touches the collection


def test_a_card_added_above_same_front_cards_gets_an_id_of_its_own(make_vault, sync_cli, tmp_path):
    """A new card with the same front added above two synced ones: by order it would take the first's
    identity. `ids` gives the synced cards the IDs of their notes and the new card a new one: the next sync
    adds one note and changes none."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": PERRO + GATO})
    before = _state(col_path)
    (root / "a.md").write_text("START\nBasic\nTranslate:\nBack: pez = fish\nEND\n\n" + PERRO + GATO, "utf-8")
    assert _ids(root).exit_code == 0
    result = sync_cli(root, col_path, "--yes", "--json")
    report = json.loads(result.stdout)
    assert [n["line"] for n in report["new"]] == [1] and report["updated"] == [] and report["deleted"] == []
    after = _state(col_path)
    assert after["perro = dog"] == before["perro = dog"] and after["gato = cat"] == before["gato = cat"]


def test_a_pre_namespace_note_keeps_its_note_when_ids_are_written(make_vault, sync_cli, tmp_path, build, monkeypatch):
    """U8 (4): a deck built and imported before vault namespaces, on another machine (no build state here):
    sync finds the note by its pre-namespace GUID; `ids` must write that ID, not the namespaced one."""
    from notes2anki.decks import build as build_module
    from notes2anki.decks.identity import LEGACY

    from .plugin_users import empty_collection
    from .test_sync_tester_0430 import _review_all

    root = make_vault({"net.md": CARD.format(q="What does UDP stand for?", a="User Datagram Protocol")})
    with monkeypatch.context() as m:  # the build of an older notes2anki: no namespace
        m.setattr(build_module, "vault_namespace", lambda root, config: LEGACY)
        old = build(root)
    col_path = empty_collection(tmp_path)
    col = Collection(str(col_path))
    try:
        from tests.conftest import import_into

        import_into(col, old.apkg)
    finally:
        col.close()
    for state in Path(os.environ["NOTES2ANKI_STATE_DIR"]).glob("*.json"):
        state.unlink()  # another machine: the build state does not know the old GUID
    _clean_sync(sync_cli, root, col_path)
    _review_all(col_path)
    before = _state(col_path)
    assert _ids(root).exit_code == 0
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == before


def test_the_record_is_kept_outside_the_vault_and_a_dry_run_writes_none(make_vault, sync_cli, tmp_path):
    """The record `ids` reads lives in the state folder (never in the vault); `sync --dry-run` writes none."""
    from notes2anki.decks.id_record import record_path

    from .plugin_users import empty_collection

    root = make_vault({"a.md": PERRO + GATO})
    col_path = empty_collection(tmp_path)
    files = sorted(p.name for p in root.rglob("*"))
    assert sync_cli(root, col_path, "--dry-run").exit_code == 0
    assert not record_path(root).exists()
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    record = json.loads(record_path(root).read_text("utf-8"))
    assert [e["file"] for e in record["cards"]] == ["a.md", "a.md"] and len({e["id"] for e in record["cards"]}) == 2
    assert sorted(p.name for p in root.rglob("*")) == files
