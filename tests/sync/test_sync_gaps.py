"""`sync` pairs same-front cards without an ID by the rule `build` and `ids` use (tester 2026-12-02, third
round, finding 7; sync_gaps.py): a card on a note by order alone keeps it only when both sit in the same gap
between cards matched by text; else the card is new and the note is no card's. So `sync` and `build` +
import agree, and a note never takes another card's text."""
from __future__ import annotations

import json

from anki.collection import Collection

from tests.conftest import notes_by_field

from .plugin_users import empty_collection

CARD = "START\nBasic\nTranslate:\nBack: {}\nEND\n\n"
A, B, C = "der Hund (A)", "die Katze (B)", "das Pferd (C)"


def _lesson(*backs: str) -> str:
    return "".join(CARD.format(b) for b in backs)


def _synced(make_vault, sync_cli, tmp_path, backs, times):
    root = make_vault({"l.md": _lesson(*backs)})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            for _ in range(times[note.fields[-1]]):
                for cid in note.card_ids():
                    card = col.get_card(cid)
                    card.start_timer()
                    col.sched.answerCard(card, 3)
    finally:
        col.close()
    return root, col_path


def _after(sync_cli, root, col_path) -> tuple[dict, dict[str, int]]:
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    col = Collection(str(col_path))
    try:
        return json.loads(result.stdout), {t: rows for t, (_, rows) in notes_by_field(col).items()}
    finally:
        col.close()


def test_sync_of_an_added_card_and_a_rewritten_back_leaves_every_note_its_text(make_vault, sync_cli, tmp_path):
    """N added on top, B's back rewritten: A and C keep their notes by text, B' updates B's note (its gap), N is
    new (it used to be written over B's note, B' added as new)."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, [A, B, C], {A: 1, B: 2, C: 3})
    (root / "l.md").write_text(_lesson("der Elefant (N)", A, "das Schaf (B)", C), "utf-8")
    report, reviews = _after(sync_cli, root, col_path)
    assert len(report["new"]) == 1 and report["deleted"] == []
    assert reviews == {A: 1, "das Schaf (B)": 2, C: 3, "der Elefant (N)": 0}


def test_sync_of_a_card_added_on_top_and_one_deleted_below_does_not_move_a_note(make_vault, sync_cli, tmp_path):
    """N added above A, C deleted below B: N is new and C's note is the one deleted; A and B keep theirs."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, [A, B, C], {A: 1, B: 2, C: 3})
    (root / "l.md").write_text(_lesson("der Elefant (N)", A, B), "utf-8")
    report, reviews = _after(sync_cli, root, col_path)
    assert len(report["new"]) == 1 and len(report["deleted"]) == 1
    assert reviews == {A: 1, B: 2, "der Elefant (N)": 0}


def _two_files(make_vault, sync_cli, tmp_path, files: dict, times: dict):
    root = make_vault({name: _lesson(*backs) for name, backs in files.items()})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            for _ in range(times[note.fields[-1]]):
                for cid in note.card_ids():
                    card = col.get_card(cid)
                    card.start_timer()
                    col.sched.answerCard(card, 3)
    finally:
        col.close()
    return root, col_path


def test_sync_of_a_card_moved_to_another_file_and_one_inserted_in_its_place_keeps_each_note(
        make_vault, sync_cli, tmp_path):
    """B moved from l.md to m.md (between X and Y), N inserted where B was (tester 5 finding A): B keeps its
    note (its exact text, recorded in l.md, that no card there holds), N is new, X and Y keep theirs."""
    X, Y, N = "der Baum (X)", "die Blume (Y)", "der Elefant (N)"
    root, col_path = _two_files(make_vault, sync_cli, tmp_path, {"l.md": [A, B, C], "m.md": [X, Y]},
                                {A: 1, B: 2, C: 3, X: 4, Y: 5})
    (root / "l.md").write_text(_lesson(A, N, C), "utf-8")
    (root / "m.md").write_text(_lesson(X, B, Y), "utf-8")
    report, reviews = _after(sync_cli, root, col_path)
    assert len(report["new"]) == 1 and report["deleted"] == []
    assert reviews == {A: 1, B: 2, C: 3, X: 4, Y: 5, N: 0}


def test_sync_of_a_card_moved_into_the_place_of_a_deleted_one_keeps_its_own_note(make_vault, sync_cli, tmp_path):
    """B moved from l.md into m.md where Y was, Y deleted (tester 5 finding J): B keeps its own note (not Y's,
    written over), Y's note is the one deleted."""
    X, Y, Z = "der Baum (X)", "die Blume (Y)", "das Gras (Z)"
    root, col_path = _two_files(make_vault, sync_cli, tmp_path, {"l.md": [A, B, C], "m.md": [X, Y, Z]},
                                {A: 1, B: 2, C: 3, X: 4, Y: 5, Z: 6})
    (root / "l.md").write_text(_lesson(A, C), "utf-8")
    (root / "m.md").write_text(_lesson(X, B, Z), "utf-8")
    report, reviews = _after(sync_cli, root, col_path)
    assert report["new"] == [] and len(report["deleted"]) == 1
    assert reviews == {A: 1, B: 2, C: 3, X: 4, Z: 6}
