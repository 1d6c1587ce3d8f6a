"""Same-front cards without an ID through `build` + import into a real Anki collection (tester finding: a
card inserted above three `Translate:` cards shifted every occurrence, so each reviewed note took the text
of another card: "1 new, 3 changed"). The build state knows the group's earlier cards by their text, so the
build pairs them by text (same_front.py), as `sync` does; `ids` then writes the IDs the notes were made under."""
from __future__ import annotations

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from tests.conftest import notes_by_field, review_all
from notes2anki.decks.identity import card_ids, guid_of

CARD = "START\nBasic\nTranslate:\nBack: {}\nEND\n\n"
WORDS = ["the dog = el perro", "the cat = el gato", "the house = la casa"]


def _lesson(*backs: str) -> str:
    return "".join(CARD.format(b) for b in backs)




def _counts(report) -> tuple[int, int, int]:
    return report.new, report.changed, report.unchanged


def _reviewed(make_vault, build, anki_import):
    root = make_vault({"Lesson.md": _lesson(*WORDS)})
    first = build(root)
    col = anki_import(first.apkg).col
    review_all(col)
    return root, col, notes_by_field(col)


def _ids(root) -> None:
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output


def test_a_card_inserted_above_same_front_cards_is_new_and_the_others_keep_their_notes(make_vault, build,
                                                                                      anki_import):
    root, col, before = _reviewed(make_vault, build, anki_import)
    (root / "Lesson.md").write_text(_lesson("the bird = el pájaro", *WORDS), "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 0, 3) and second.report.gone == []
    said = [d.message for d in second.report.diagnostics if "same first field" in d.message]
    assert len(said) == 3 and all("told apart by their text" in m for m in said)
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    assert {w: after[w] for w in WORDS} == before  # each note keeps its text and its review
    assert after["the bird = el pájaro"][1] == 0 and len(after) == 4
    third = build(root)  # the next build chooses the same
    assert _counts(third.report) == (0, 0, 4)
    _ids(root)  # ids writes the IDs the notes were made under
    fourth = build(root)
    assert _counts(fourth.report) == (0, 0, 4)
    anki_import(fourth.apkg, col)
    assert notes_by_field(col) == after


def test_deleting_the_first_same_front_card_leaves_the_others_on_their_notes(make_vault, build, anki_import):
    root, col, before = _reviewed(make_vault, build, anki_import)
    (root / "Lesson.md").write_text(_lesson(*WORDS[1:]), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 0, 2)
    assert [g.where for g in second.report.gone] == ["Lesson.md:1"]  # the deleted card's note is what goes
    anki_import(second.apkg, col)
    assert notes_by_field(col) == before  # nothing moved: the dog note is the one to delete in Anki
    third = build(root)
    assert _counts(third.report) == (0, 0, 2)
    _ids(root)
    assert _counts(build(root).report) == (0, 0, 2)


def test_the_card_left_after_the_first_is_deleted_stays_on_its_note_once_the_gone_card_is_forgotten(
        make_vault, build, anki_import):
    """The second of two same-front cards, alone after the first is deleted, keeps its note build after build,
    also once the build state no longer keeps the deleted card (REMOVED_LISTED_S after it went)."""
    from notes2anki.decks.build import default_state_path
    from notes2anki.decks.state import BuildState

    root = make_vault({"Lesson.md": _lesson(*WORDS[:2])})
    col = anki_import(build(root).apkg).col
    review_all(col)
    before = notes_by_field(col)
    (root / "Lesson.md").write_text(_lesson(WORDS[1]), "utf-8")
    assert _counts(build(root).report) == (0, 0, 1)
    state = BuildState.load(default_state_path(root), [])
    state.cards = {g: s for g, s in state.cards.items() if not s.removed}  # the gone card forgotten
    assert len(state.cards) == 1
    state.save()
    again = build(root)
    assert _counts(again.report) == (0, 0, 1)
    anki_import(again.apkg, col)
    assert notes_by_field(col) == before


def test_an_edited_back_stays_an_update_of_its_own_note(make_vault, build, anki_import):
    root, col, before = _reviewed(make_vault, build, anki_import)
    (root / "Lesson.md").write_text(_lesson(WORDS[0], "the cat = el gatito", WORDS[2]), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 1, 2)
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    assert after["the cat = el gatito"] == before["the cat = el gato"]
    assert after[WORDS[0]] == before[WORDS[0]] and after[WORDS[2]] == before[WORDS[2]]
    assert _counts(build(root).report) == (0, 0, 3)


def test_an_insertion_and_an_edited_back_together_pair_the_edited_card_by_its_text(make_vault, build, anki_import):
    root, col, before = _reviewed(make_vault, build, anki_import)
    (root / "Lesson.md").write_text(_lesson("the bird = el pájaro", WORDS[0], "the cat = el gatito", WORDS[2]),
                                    "utf-8")
    second = build(root)
    assert _counts(second.report) == (1, 1, 2)
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    assert after["the cat = el gatito"] == before["the cat = el gato"]
    assert after[WORDS[0]] == before[WORDS[0]] and after[WORDS[2]] == before[WORDS[2]]
    assert after["the bird = el pájaro"][1] == 0
    assert _counts(build(root).report) == (0, 0, 4)
    _ids(root)
    assert _counts(build(root).report) == (0, 0, 4)


def test_without_a_build_state_same_front_cards_are_told_apart_by_their_order(make_vault, build, anki_import):
    root = make_vault({"Lesson.md": _lesson(*WORDS)})
    first = build(root)
    ids = card_ids(first.report.cards, root.name)  # occurrences 0, 1, 2 in file order
    col = anki_import(first.apkg).col
    guids = {col.get_note(nid)["Back"]: col.get_note(nid).guid for nid in col.find_notes("")}
    assert guids == {c.fields["Back"]: guid_of(ids[c.key]) for c in first.report.cards}
    said = [d.message for d in first.report.diagnostics if "same first field" in d.message]
    assert len(said) == 2 and all("order only" in m for m in said)


def test_a_renamed_file_of_same_front_cards_with_backs_alike_each_other_keeps_every_note(make_vault, build,
                                                                                          anki_import):
    """Tester 12-03 round 2: `Translate:` cards with backs `perro = dog 1` … `3`, the file renamed and nothing
    else changed: each back is alike every other (a near tie), so a plain build made three new notes and
    listed the reviewed ones as gone. A card's own text pairs it first."""
    backs = [f"perro = dog {i}" for i in (1, 2, 3)]
    root = make_vault({"Untitled.md": _lesson(*backs)})
    col = anki_import(build(root).apkg).col
    review_all(col)
    before = notes_by_field(col)
    (root / "Untitled.md").rename(root / "Spanish.md")
    second = build(root)
    assert _counts(second.report) == (0, 0, 3) and second.report.gone == []
    anki_import(second.apkg, col)
    assert notes_by_field(col) == before  # the same notes, each with its review


def test_a_renamed_file_with_twin_cards_one_edited_keeps_every_note_by_place(make_vault, build, anki_import):
    """Tester 12-03 round 3: backs perro, gato, gato, casa; the file renamed and the first twin edited to
    `el gato!`: the build made 2 new notes and listed both twins' notes as gone (the same edit in place was
    1 changed). Twins take the entries of their text nearest their place; the edited one the entry left."""
    root = make_vault({"L.md": _lesson("el perro", "el gato", "el gato", "la casa")})
    first = build(root)
    col = anki_import(first.apkg).col
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson("el perro", "el gato!", "el gato", "la casa"), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 1, 3) and second.report.gone == []
    log = anki_import(second.apkg, col).log
    assert len(log.new) == 0 and col.note_count() == 4
    # note ids follow the cards' first order: each place keeps its note, the edited twin the second's
    backs = [col.get_note(nid)["Back"] for nid in sorted(col.find_notes(""))]
    assert backs == ["el perro", "el gato!", "el gato", "la casa"]


def test_a_twin_moved_into_a_third_file_takes_the_twin_entry_left(make_vault, build, anki_import):
    """Tester 12-03 round 4: backs perro, gato, gato, casa in L.md; L.md replaced by M.md (perro, gato, casa)
    and N.md (gato): N's card was new and the build listed the other twin's reviewed note as gone. The twin
    entry M's cards leave goes to the rest."""
    root = make_vault({"L.md": _lesson("el perro", "el gato", "el gato", "la casa")})
    col = anki_import(build(root).apkg).col
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson("el perro", "el gato", "la casa"), "utf-8")
    (root / "N.md").write_text(_lesson("el gato"), "utf-8")
    second = build(root)
    assert _counts(second.report) == (0, 0, 4) and second.report.gone == []
    assert len(anki_import(second.apkg, col).log.new) == 0 and col.note_count() == 4
