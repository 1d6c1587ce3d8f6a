"""Same-front cards without an ID paired with the build state's by their text, then by their gap (tester
2026-12-02, third round; same_front.match_group): a note never takes another card's text, so its review history
never moves onto another fact. Each case builds, imports into a real Anki collection, reviews every note a
different number of times, edits the vault, builds and imports again: the texts and review counts must stay
together, and the build's counts say what happened."""
from __future__ import annotations

import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from tests.conftest import notes_by_field

CARD = "START\nBasic\n{front}\nBack: {back}\nEND\n\n"
A, B, C = "der Hund (A)", "die Katze (B)", "das Pferd (C)"


def _lesson(*backs: str, front: str = "Translate:") -> str:
    return "".join(CARD.format(front=front, back=b) for b in backs)


def _review(col, times: dict[str, int]) -> None:
    """Answer each note whose last field is a key of ``times`` that many times (Good)."""
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        for _ in range(times.get(note.fields[-1], 0)):
            for cid in note.card_ids():
                card = col.get_card(cid)
                card.start_timer()
                col.sched.answerCard(card, 3)


def _reviews(col) -> dict[str, int]:
    return {text: rows for text, (_, rows) in notes_by_field(col).items()}


def _counts(report) -> tuple[int, int, int]:
    return report.new, report.changed, report.unchanged


def _start(make_vault, build, anki_import, files: dict[str, str], times: dict[str, int]):
    root = make_vault(files)
    col = anki_import(build(root).apkg).col
    _review(col, times)
    return root, col


def test_an_added_card_and_a_rewritten_back_leave_every_note_its_text(make_vault, build, anki_import):
    """Finding 1: N added on top and B's back rewritten (like nothing built): A and C keep their notes by
    their text; B' sits in B's gap (between A and C, now and then) so it updates B's note; N is new. (The
    group used to fall back to order: every note took another card's text.)"""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B, C)}, {A: 1, B: 2, C: 3})
    (root / "l.md").write_text(_lesson("der Elefant (N)", A, "das Schaf (B)", C), "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 1, 2) and second.report.gone == []
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, "das Schaf (B)": 2, C: 3, "der Elefant (N)": 0}
    assert _counts(build(root).report) == (0, 0, 4)  # the next build chooses the same


def test_a_card_added_on_top_does_not_take_the_note_of_one_deleted_at_the_bottom(make_vault, build, anki_import):
    """Finding 8: N added above A and C deleted below B (the count unchanged): N's gap (before A) is not C's
    (after B), so N is new and C's note is listed as gone, its text and reviews untouched."""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B, C)}, {A: 1, B: 2, C: 3})
    (root / "l.md").write_text(_lesson("der Elefant (N)", A, B), "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 0, 2)
    assert [g.where for g in second.report.gone] == ["l.md:13"]
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, C: 3, "der Elefant (N)": 0}


def test_an_edited_copy_among_identical_copies_stays_on_its_own_note(make_vault, build, anki_import):
    """Finding 9: three identical cards; the first edited. The two unchanged copies keep the second's and the
    third's notes (in order), the edited one the first's; then a card added on top is new."""
    same = "gleich"
    root = make_vault({"t.md": _lesson(same, same, same)})
    col = anki_import(build(root).apkg).col
    for times, nid in enumerate(sorted(col.find_notes("")), start=1):  # notes made in file order
        for cid in col.get_note(nid).card_ids():
            for _ in range(times):
                card = col.get_card(cid)
                card.start_timer()
                col.sched.answerCard(card, 3)
    (root / "t.md").write_text(_lesson("gleich!", same, same), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 1, 2)
    anki_import(second.apkg, col)

    def rows() -> list[tuple[str, int]]:
        return sorted((col.get_note(nid).fields[-1], col.db.scalar(
            f"select count() from revlog where cid in (select id from cards where nid = {nid})"))
            for nid in col.find_notes(""))

    assert rows() == [(same, 2), (same, 3), ("gleich!", 1)]
    (root / "t.md").write_text(_lesson("neu", "gleich!", same, same), "utf-8")
    third = build(root)
    assert _counts(third.report) == (1, 0, 3)
    anki_import(third.apkg, col)
    assert rows() == [(same, 2), (same, 3), ("gleich!", 1), ("neu", 0)]


def test_a_new_card_takes_no_guid_a_card_moved_to_another_file_keeps(make_vault, build, anki_import):
    """Finding 2: B moved from l.md to m.md keeps its note (its GUID, of l.md's second occurrence); N then added
    on top of l.md must not take that GUID (B's note would take N's text)."""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B, C), "m.md": _lesson("der Baum (X)")},
                       {A: 1, B: 2, C: 3, "der Baum (X)": 7})
    (root / "l.md").write_text(_lesson(A, C), "utf-8")
    (root / "m.md").write_text(_lesson("der Baum (X)", B), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 0, 4)
    anki_import(second.apkg, col)
    (root / "l.md").write_text(_lesson("der Elefant (N)", A, C), "utf-8")
    third = build(root)
    assert _counts(third.report) == (1, 0, 4)
    anki_import(third.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, C: 3, "der Baum (X)": 7, "der Elefant (N)": 0}


def test_a_new_card_does_not_take_the_note_of_a_deleted_card_that_had_an_id_line(make_vault, build, anki_import):
    """Finding 4: A and B built, `ids` writes their IDs; B is deleted with its ID line and N added without
    one: N is a card added since (it would carry B's ID line were it B), so it is new and B's note is gone.
    (A lone card and a lone entry used to be paired without a look at their text.)"""
    root, col = _start(make_vault, build, anki_import, {"l.md": _lesson(A, B)}, {A: 1, B: 2})
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    text = (root / "l.md").read_text("utf-8")
    text = re.sub(r"START\nBasic\nTranslate:\nBack: die Katze \(B\)\n<!--ID: \d+-->\nEND\n\n", "", text)
    (root / "l.md").write_text(text + _lesson("der Elefant (N)"), "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 0, 1)
    assert [g.where for g in second.report.gone] == ["l.md:7"]
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, "der Elefant (N)": 0}


def test_fronts_sharing_their_first_80_characters_are_still_told_apart_by_text(make_vault, build, anki_import):
    """Finding 5: the build state keeps a front's first 80 characters; two groups sharing them (a formal and
    an informal instruction) must still be matched by text: N added on top of the formal group is new."""
    long = "Translate the following sentence into German, paying close attention to the word order and the case"
    formal, informal = f"{long} (formal):", f"{long} (informal):"
    first = _lesson(A, B, C, front=formal) + _lesson("Wie gehts dir (X)", front=informal)
    root, col = _start(make_vault, build, anki_import, {"l.md": first}, {A: 1, B: 2, C: 3, "Wie gehts dir (X)": 7})
    (root / "l.md").write_text(_lesson("Danke schoen (N)", A, B, C, front=formal)
                               + _lesson("Wie gehts dir (X)", front=informal), "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 0, 4)
    anki_import(second.apkg, col)
    assert _reviews(col) == {A: 1, B: 2, C: 3, "Wie gehts dir (X)": 7, "Danke schoen (N)": 0}
