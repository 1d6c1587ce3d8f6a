"""User note types with values of the wrong type never break packaging (the configuration loader
reports them; the package falls back to the defaults)."""
from __future__ import annotations

from notes2anki.decks.notetypes import NAME_PREFIX, build_model, model_id
from notes2anki.decks.package import PackageContent, PackagedNote, write_apkg


def test_wrong_types_in_a_user_note_type_fall_back_to_defaults(tmp_path, anki_import):
    model = build_model("Vocab", ["Word", "Meaning"], {"id": "x", "front": 5, "back": ["b"], "css": 5})
    assert model.model_id == model_id("Vocab")
    assert model.templates[0]["qfmt"] == "{{Word}}"
    note = PackagedNote(model, ["Haus", "house"], ["de"], "guid-1", "German", 1_700_000_000_000, 1_700_000_000)
    assert write_apkg(PackageContent(notes=[note]), tmp_path / "d.apkg") == []
    imported = anki_import(tmp_path / "d.apkg")
    (found,) = imported.notes()
    assert found.fields == ["Haus", "house"] and found.note_type()["name"] == "Vocab"


def test_a_numeric_id_as_text_is_used(tmp_path):
    assert build_model("Vocab", ["Word", "Meaning"], {"id": "1234567890"}).model_id == 1234567890
    assert build_model("Basic", ["Front", "Back"]).name == NAME_PREFIX + "Basic"
