"""Same-front cards without an ID moved from one file to another in the same edit as other changes (tester
2026-12, findings A, H, J): a card whose text was recorded in another file takes that card's note, and that
recorded card is no leftover in its old file, so the gap rule never gives its note to another card there
(same_front.cross_file_moves). Build + import into a real Anki collection."""
from __future__ import annotations

from tests.identity.test_same_front_gaps import A, B, C, _counts, _lesson, _reviews, _start

N, X, Y, Z = "der Elefant (N)", "der Baum (X)", "die Blume (Y)", "das Gras (Z)"


def test_a_card_moved_out_while_another_is_inserted_in_its_place_keeps_its_note(make_vault, build, anki_import):
    """Finding A: l.md A, B, C becomes A, N, C and B moves to m.md: B keeps its note, N is new."""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B, C), "m.md": _lesson(X, Y)},
                       {A: 1, B: 2, C: 3, X: 4, Y: 5})
    (root / "l.md").write_text(_lesson(A, N, C), "utf-8")
    (root / "m.md").write_text(_lesson(X, B, Y), "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 0, 5)
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, C: 3, N: 0, X: 4, Y: 5}
    assert _counts(build(root).report) == (0, 0, 6)


def test_two_cards_trading_files_keep_their_notes(make_vault, build, anki_import):
    """Finding H: B (l.md) and Y (m.md) trade places: nothing changes in Anki."""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B, C), "m.md": _lesson(X, Y, Z)},
                       {A: 1, B: 2, C: 3, X: 4, Y: 5, Z: 6})
    (root / "l.md").write_text(_lesson(A, Y, C), "utf-8")
    (root / "m.md").write_text(_lesson(X, B, Z), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 0, 6)
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, C: 3, X: 4, Y: 5, Z: 6}


def test_a_card_moved_in_place_of_a_deleted_one_keeps_its_note(make_vault, build, anki_import):
    """Finding J: B moves into m.md where Y was, Y deleted: B keeps its note, Y's note is gone, not B's."""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B, C), "m.md": _lesson(X, Y, Z)},
                       {A: 1, B: 2, C: 3, X: 4, Y: 5, Z: 6})
    (root / "l.md").write_text(_lesson(A, C), "utf-8")
    (root / "m.md").write_text(_lesson(X, B, Z), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 0, 5) and len(second.report.gone) == 1
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, C: 3, X: 4, Y: 5, Z: 6}  # Y's note left (an .apkg cannot delete)
