"""Tester r11 through `build` + import: a card without an ID whose file was renamed (its back edited or not)
had a new implicit ID, so the package added it anew and the gone list said to delete its reviewed note.
Now the build packages it under the GUID of the card last built from its old place (the only one with its
note type and first field), the gone list leaves it out, and the import updates the reviewed note."""
from __future__ import annotations

import os
import re

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from tests.conftest import notes_by_field, review_all

CARD = "START\nBasic\n{q}\nBack: {a}\nEND\n"
FILES = {"Untitled.md": CARD.format(q="What does ATP stand for?", a="adenosine triphosphte") + "\n"
         + CARD.format(q="Other card", a="x"), "o.md": CARD.format(q="Stays", a="s")}




@pytest.mark.parametrize("edit", [True, False])
@pytest.mark.parametrize("ids_first", [False, True])
def test_a_renamed_file_keeps_its_imported_notes_through_a_rebuild(make_vault, build, anki_import, edit, ids_first):
    root = make_vault(FILES)
    first = build(root)
    col = anki_import(first.apkg).col
    review_all(col)
    before = notes_by_field(col)
    os.rename(root / "Untitled.md", root / "ATP.md")
    if edit:
        (root / "ATP.md").write_text(FILES["Untitled.md"].replace("triphosphte", "triphosphate"), "utf-8")
    if ids_first:
        result = CliRunner().invoke(cli_main, ["ids", str(root)])
        assert result.exit_code == 0, result.output
    second = build(root)
    assert second.report.gone == []
    warned = [d.message for d in second.report.diagnostics if "packaged under the GUID" in d.message]
    assert warned == ([] if ids_first else [warned[0]])
    if not ids_first:
        assert "2 cards without an ID (ATP.md:1 (was Untitled.md:1), ATP.md:7 (was Untitled.md:7))" in warned[0]
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    back = "adenosine triphosphate" if edit else "adenosine triphosphte"
    assert after[back] == before["adenosine triphosphte"] and after["x"] == before["x"]
    assert len(after) == 3 and all(rows == 1 for _, rows in after.values())
    third = build(root)  # stays on those notes, build after build
    assert third.report.gone == [] and third.report.new == 0
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    fourth = build(root)
    assert fourth.report.gone == [] and fourth.report.new == 0
    assert not [d for d in fourth.report.diagnostics if "packaged under the GUID" in d.message]


SAME = "START\nBasic\nTranslate:\nBack: {a}\nEND\n"


def test_two_renamed_cards_with_one_front_each_keep_the_note_most_like_it_through_a_build(make_vault, build,
                                                                                            anki_import):
    """Tester r5 (item 4): two `Translate:` cards of a renamed file, both backs edited: the build pairs each
    with the earlier card most like it (the build state keeps their other fields), as sync does, so the
    import updates both reviewed notes and the gone list names neither."""
    root = make_vault({"a.md": SAME.format(a="perro = dog") + "\n" + SAME.format(a="gato = cat"),
                       "o.md": CARD.format(q="Stays", a="s")})
    col = anki_import(build(root).apkg).col
    review_all(col)
    before = notes_by_field(col)
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="gato = cat, kitty") + "\n" + SAME.format(a="perro = dog, hound"),
                               "utf-8")
    second = build(root)
    assert second.report.new == 0 and second.report.gone == []
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    assert after["gato = cat, kitty"] == before["gato = cat"] and after["perro = dog, hound"] == before["perro = dog"]
    assert len(after) == 3 and all(rows == 1 for _, rows in after.values())


def test_ids_gives_two_renamed_same_front_cards_the_ids_of_their_own_built_cards(make_vault, build, anki_import):
    """`ids` after a build (no sync record: the build state): two `Translate:` cards of a renamed file, both
    backs edited, each get the ID of the earlier card most like it, as build pairs them; the next build
    packages them under those cards' GUIDs and the import updates both reviewed notes."""
    from notes2anki.decks.identity import guid_of

    root = make_vault({"a.md": SAME.format(a="perro = dog") + "\n" + SAME.format(a="gato = cat"),
                       "o.md": CARD.format(q="Stays", a="s")})
    col = anki_import(build(root).apkg).col
    review_all(col)
    before = notes_by_field(col)
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="gato = cat, kitty") + "\n" + SAME.format(a="perro = dog, hound"),
                               "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    written = [int(n) for n in re.findall(r"<!--ID: (\d+)-->", (root / "b.md").read_text("utf-8"))]
    assert [guid_of(n) for n in written] == [col.get_note(before["gato = cat"][0]).guid,
                                             col.get_note(before["perro = dog"][0]).guid]
    second = build(root)
    assert second.report.new == 0 and second.report.gone == []
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    assert after["gato = cat, kitty"] == before["gato = cat"] and after["perro = dog, hound"] == before["perro = dog"]


def test_ids_writes_no_id_to_renamed_same_front_cards_in_a_near_tie(make_vault, build):
    """As above, but each edited back is as like the one earlier card as the other: no guess, an error at
    each card; the other file's card gets its ID."""
    root = make_vault({"a.md": SAME.format(a="house = casa") + "\n" + SAME.format(a="house = hogar"),
                       "o.md": CARD.format(q="Stays", a="s")})
    build(root)
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="house = casa, hogar") + "\n" + SAME.format(a="house = hogar, casa"),
                               "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("are not clearly more like one of them, so which Anki note it is cannot be told") == 2
    assert "<!--ID:" not in (root / "b.md").read_text("utf-8") and "<!--ID:" in (root / "o.md").read_text("utf-8")


@pytest.mark.parametrize("backs, kept, new, gone", [
    # one card left of two with one front, its back edited: it follows the earlier card most like it; the other
    # is listed as gone
    (("perro = dog", "gato = cat"), "gato = cat, kitty", 0, ["a.md:1"]),
    # a card as like the one earlier card as the other: no guess (new; both listed as gone, so no longer
    # entries a card may take)
    (("house = casa", "house = hogar"), "house = casa, hogar", 1, ["a.md:1", "a.md:7"]),
])
def test_one_renamed_card_of_two_with_one_front_follows_only_a_clear_match(make_vault, build, backs, kept, new,
                                                                            gone):
    """A file of two same-front cards renamed, one card kept with its back edited."""
    root = make_vault({"a.md": SAME.format(a=backs[0]) + "\n" + SAME.format(a=backs[1]),
                       "o.md": CARD.format(q="Stays", a="s")})
    build(root)
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a=kept), "utf-8")
    second = build(root)
    assert second.report.new == new and sorted(g.where for g in second.report.gone) == gone
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("edit", [True, False])
@pytest.mark.parametrize("first_with_collection", [False, True])
def test_build_collection_follows_a_renamed_file_too(make_vault, cli_build, tmp_path, edit, first_with_collection):
    """Tester r9: `build --collection` switched the rename rule off, and a collection filled by build +
    import has no sync record to find the card by: the import added a copy and the gone list said to delete
    the reviewed note. Now it packages the card under its earlier card's GUID, as a plain build does."""
    from tests.conftest import import_apkg, import_into

    root = make_vault(FILES)
    col_path = tmp_path / "anki" / "collection.anki2"
    Collection(str(col_path.parent.mkdir(parents=True) or col_path)).close()
    result, apkg = cli_build(root, *(("--collection", str(col_path)) if first_with_collection else ()))
    assert result.exit_code == 0, result.output
    col, _ = import_apkg(apkg, col_path)
    review_all(col)
    before = notes_by_field(col)
    col.close()
    os.rename(root / "Untitled.md", root / "ATP.md")
    if edit:
        (root / "ATP.md").write_text(FILES["Untitled.md"].replace("triphosphte", "triphosphate"), "utf-8")
    result, apkg = cli_build(root, "--collection", str(col_path))
    assert result.exit_code == 0, result.output
    assert "no longer in the vault" not in result.output and "0 new" in result.output
    col = Collection(str(col_path))
    try:
        log = import_into(col, apkg)
        assert len(log.new) == 0
        after = notes_by_field(col)
    finally:
        col.close()
    back = "adenosine triphosphate" if edit else "adenosine triphosphte"
    assert after[back] == before["adenosine triphosphte"] and after["x"] == before["x"]
    assert len(after) == 3 and all(rows == 1 for _, rows in after.values())


def test_an_unrelated_card_with_a_gone_cards_front_is_new_in_a_build_and_gets_its_own_id(make_vault, build,
                                                                                           anki_import):
    """Tester r4/r5 through `build` + import and `ids`: `Spanish/Lesson.md` (`Translate:` / `el perro = the
    dog`, reviewed) deleted and `French/Animals.md` (`Translate:` / `bonjour = hello`) written: the only such
    card and the only such entry, but the backs are not alike (the build state keeps a card's other fields
    for this). The French card is new, the Spanish note is listed as gone and keeps its history; `ids`
    gives the French card its own ID, not the Spanish note's."""
    same = "START\nBasic\nTranslate:\nBack: {a}\nEND\n"
    root = make_vault({"Spanish/Lesson.md": same.format(a="el perro = the dog"), "o.md": CARD.format(q="Stays", a="s")})
    col = anki_import(build(root).apkg).col
    review_all(col)
    before = notes_by_field(col)
    (root / "Spanish/Lesson.md").unlink()
    (root / "French/Animals.md").parent.mkdir()
    (root / "French/Animals.md").write_text(same.format(a="bonjour = hello"), "utf-8")
    second = build(root)
    assert [g.nid for g in second.report.gone] == [before["el perro = the dog"][0]] and second.report.new == 1
    anki_import(second.apkg, col)
    after = notes_by_field(col)
    assert after["el perro = the dog"] == before["el perro = the dog"] and after["bonjour = hello"][1] == 0
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    from notes2anki.config import load_config
    from notes2anki.decks.identity import guid_of
    from notes2anki.parsers import load_vault

    ids = [c.id for c in load_vault(root, load_config(root, [])).cards if c.file == "French/Animals.md"]
    spanish_guid = col.get_note(before["el perro = the dog"][0]).guid
    assert len(ids) == 1 and ids[0] and guid_of(ids[0]) != spanish_guid


@pytest.mark.parametrize("edit", [False, True])
def test_a_state_written_before_it_kept_the_other_fields_follows_a_plain_rename_only(make_vault, build, edit):
    """An entry of an older build state has no `rest`: a card renamed unchanged (its content hash that
    entry's) still follows; one whose back was edited too is not guessed (new, the old card listed)."""
    import json

    root = make_vault(FILES)
    build(root)
    from notes2anki.paths import state_dir

    stripped = 0
    for path in state_dir().glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        if "cards" in data:
            for entry in data["cards"].values():
                stripped += entry.pop("rest", None) is not None
            path.write_text(json.dumps(data), "utf-8")
    assert stripped == 3
    os.rename(root / "Untitled.md", root / "ATP.md")
    if edit:
        (root / "ATP.md").write_text(FILES["Untitled.md"].replace("triphosphte", "triphosphate"), "utf-8")
    second = build(root)
    assert [g.where for g in second.report.gone] == (["Untitled.md:1"] if edit else [])
    assert second.report.new == (1 if edit else 0)


def test_ids_gives_a_renamed_card_that_lost_to_a_clearer_one_its_own_id(make_vault, build):
    """Two `Translate:` cards of a renamed file and one earlier card: the card clearly most like it takes
    its ID; the other, alike too (half in common) but clearly less, is new (an ID of its own, no error), as
    build and sync take it."""
    from notes2anki.config import load_config
    from notes2anki.decks.build import default_state_path
    from notes2anki.decks.state import BuildState
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": SAME.format(a="gato = cat"), "o.md": CARD.format(q="Stays", a="s")})
    build(root)
    built = {s.id for s in BuildState.load(default_state_path(root), []).cards.values()}
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="gato = cat!") + "\n" + SAME.format(a="gato = cat, also felino"),
                               "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    ids = [c.id for c in load_vault(root, load_config(root, [])).cards if c.file == "b.md"]
    assert len(ids) == 2 and ids[0] in built and ids[1] and ids[1] not in built
