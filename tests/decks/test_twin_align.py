"""twin_align.align: the same-front group aligned as a whole (tester 12-03 round 15), and bounded on a large
group (a vault with 2,000 `Translate:` cards in one file): it finishes, and pairs as it should."""
from __future__ import annotations

from notes2anki.decks.twin_align import align, rest_like

OLD = ["el perro", "el gato", "el gato", "la casa"]


def _aligned(now, then):
    return align(now, then, rest_like(now, then))


def test_the_unedited_twin_keeps_its_own_entry_whichever_twin_is_edited():
    assert _aligned(["el perro", "el pez", "el gato", "el gato negro", "la casa"], OLD) == [(0, 0), (2, 1), (4, 3)]
    assert _aligned(["el perro", "el pez", "el gato negro", "el gato", "la casa"], OLD) == [(0, 0), (3, 2), (4, 3)]
    assert _aligned(["el gato", "el gato negro", "la casa"], OLD) == [(0, 1), (2, 3)]
    assert _aligned(["el gato negro", "el gato", "la casa"], OLD) == [(1, 2), (2, 3)]


def test_three_twins_the_middle_one_edited():
    then = ["el gato"] * 3
    assert _aligned(["el pez", "el gato", "el gato gris", "el gato"], then) == [(1, 0), (3, 2)]


def test_plain_insertions_and_renames_pair_every_card():
    now = ["el perro", "el pez", "el gato", "el gato", "la casa"]
    assert _aligned(now, OLD) == [(0, 0), (2, 1), (3, 2), (4, 3)]
    assert _aligned(OLD, OLD) == [(k, k) for k in range(4)]


def _big(edited: int):
    """2,000 cards: the backs `word k` once each, but `el gato` twice at 1000-1001; `el pez` inserted at the
    top and the twin ``edited`` (0 or 1) made `el gato negro`."""
    then = [f"word {k} = meaning {k}" for k in range(2000)]
    then[1000] = then[1001] = "el gato"
    now = ["el pez"] + list(then)
    now[1001 + edited] = "el gato negro"
    return now, then


def test_a_group_of_two_thousand_cards_is_aligned_and_each_twin_kept():
    for edited in (0, 1):
        now, then = _big(edited)
        pairs = _aligned(now, then)
        kept = 1001 + (1 - edited)  # the unedited twin now, and its entry then
        assert (kept, 1000 + (1 - edited)) in pairs
        assert len(pairs) == 1999


def test_two_thousand_identical_twins_with_no_text_found_once_finish_in_order():
    """No unique text to split at: the banded table (each twin on its own entry, the edited one left)."""
    for edited in (1500, 1501):
        then = [f"el gato {k // 2}" for k in range(2000)]  # every text twice
        now = ["el pez"] + then[:edited] + ["el gato 750 negro"] + then[edited + 1:]
        pairs = dict(_aligned(now, then))
        assert pairs[1 + (3001 - edited)] == 3001 - edited  # the other twin of 750 on its own entry
        assert len(pairs) == 1999


def test_a_same_front_group_of_more_than_1024_cards_keeps_every_card_s_note(make_vault, build, anki_import):
    """Tester 12-03 round 16: one file of 1,100 `Translate:` cards (distinct backs, no IDs), built, then a card
    inserted on top and one back edited: the build state was searched for the first 1,024 occurrences only,
    so every card past the 1,024th got a new GUID on each build ("77 new"), and an import added them again
    beside their reviewed notes. Now 1 new, 1 changed, 1,099 unchanged, and Anki holds 1,101 notes."""
    lesson = "".join(f"START\nBasic\nTranslate:\nBack: answer {k}\nEND\n\n" for k in range(1100))
    root = make_vault({"L.md": lesson})
    first = build(root)
    assert first.report.new == 1100
    col = anki_import(first.apkg).col
    (root / "L.md").write_text("START\nBasic\nTranslate:\nBack: top\nEND\n\n"
                               + lesson.replace("Back: answer 5\n", "Back: answer 5 edited\n", 1), "utf-8")
    second = build(root)
    assert (second.report.new, second.report.changed, second.report.unchanged) == (1, 1, 1099)
    anki_import(second.apkg, col)
    assert col.note_count() == 1101
    assert len(col.find_notes('"Back:answer 5 edited"')) == 1 and not col.find_notes('"Back:answer 5"')


def test_twins_moved_past_other_cards_are_aligned_again_among_themselves():
    """Tester 12-03 round 16: `gato, gato, perro, casa` -> `perro, casa, gato, gato gris`. The whole alignment
    pairs perro and casa, which the moved twins cross, so it pairs no twin; by nearest place alone `gato` took
    the second twin's note. :func:`realigned` aligns what is left among itself: `gato` with the first twin,
    `gato gris` beside the second."""
    from notes2anki.decks.twin_align import align, realigned

    now, then = ["perro", "casa", "gato", "gato gris"], ["gato", "gato", "perro", "casa"]
    like = lambda i, j: 0.8 if now[i].startswith(then[j]) else 0.0  # noqa: E731
    first = dict(align(now, then, like))
    assert first == {0: 2, 1: 3}
    assert realigned(now, then, like, first) == {0: 2, 1: 3, 2: 0}
    assert realigned(now, then, like, {}) == dict(align(now, then, like))  # nothing paired: the whole alignment
