"""Deck and note-type ids come from one hash (anki_collection.stable_id) and never change value:
Anki matches note types by id (a new id forks a copy) and re-uses a deck by id."""
from notes2anki.decks.anki_collection import stable_id
from notes2anki.decks.notetypes import model_id
from notes2anki.decks.package import deck_id


def test_deck_and_note_type_ids_keep_the_values_already_in_users_collections():
    # values the builds before the shared helper produced (pinned: changing them forks note types in Anki)
    assert deck_id("Biology::Cells") == 369427790155
    assert deck_id("Default") == 1
    assert model_id("Basic") == 358489314189
    assert model_id("Cloze") == 575463982104
    assert model_id("Vocab", 3) == 1019524049176


def test_stable_id_range_and_kinds_kept_apart():
    assert stable_id("notes2anki/deck/Basic") != stable_id("notes2anki/note-type/Basic/v1") == model_id("Basic", 1)
    for key in ("", "x", "notes2anki/deck/" + "long" * 500, "ünïcode/日本"):
        assert 10**9 <= stable_id(key) < 10**9 + 2**40
