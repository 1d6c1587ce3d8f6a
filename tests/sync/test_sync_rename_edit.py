"""Tester r11: cards without an ID whose file (or folder) was renamed, or that moved to another file, and
whose back was edited in the same session. Only the exact text could follow a card across files, so the
reviewed note was planned "To delete (gone from the vault)" and the card added anew, through `sync` and
through `ids` then `sync`. Now a new card takes the unclaimed note with its note type and first field
when the pairing is plain. Each case syncs with the official `anki` package and reviews every card."""
from __future__ import annotations

import json
import os

import pytest

from .test_sync_ids_identity import _clean_sync, _ids, _state, _written_ids
from .test_sync_tester_0430 import CARD, _synced

ATP = CARD.format(q="What does ATP stand for?", a="adenosine triphosphte")
OTHER = CARD.format(q="Other card", a="x")


def _fix_typo(path):
    path.write_text(path.read_text("utf-8").replace("triphosphte", "triphosphate"), "utf-8")


@pytest.mark.parametrize("how", ["sync", "ids, then sync", "sync --write-ids"])
def test_a_renamed_file_with_an_edited_back_keeps_its_reviewed_note(make_vault, sync_cli, tmp_path, how):
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"Untitled.md": ATP + "\n" + OTHER})
    before = _state(col_path)
    os.rename(root / "Untitled.md", root / "ATP.md")
    _fix_typo(root / "ATP.md")
    if how == "ids, then sync":
        result = _ids(root)
        assert result.exit_code == 0, result.output
        assert len(_written_ids(root / "ATP.md")) == 2
    extra = ("--write-ids",) if how == "sync --write-ids" else ()
    dry = sync_cli(root, col_path, "--dry-run", "--json", *extra)
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.stdout)
    assert plan["new"] == [] and plan["deleted"] == []
    assert [(u["file"], u["nid"], u["fields"]) for u in plan["updated"]] == [
        ("ATP.md", before["adenosine triphosphte"][0], ["Back"])]
    result = sync_cli(root, col_path, "--yes", "--json", *extra)
    assert result.exit_code == 0, result.output
    after = _state(col_path)
    assert after["adenosine triphosphate"] == before["adenosine triphosphte"]
    assert after["adenosine triphosphate"][2] == 1 and after["x"] == before["x"]
    if how == "sync --write-ids":
        assert len(_written_ids(root / "ATP.md")) == 2
    _clean_sync(sync_cli, root, col_path)
    assert _state(col_path) == after


@pytest.mark.parametrize("how", ["sync", "ids, then sync"])
def test_a_renamed_folder_with_one_edited_answer_keeps_every_note(make_vault, sync_cli, tmp_path, how):
    files = {f"Old/n{i}.md": CARD.format(q=f"Question {i}", a=f"answer {i}") for i in range(1, 5)}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {**files, "loose.md": CARD.format(q="Loose", a="l")})
    before = _state(col_path)
    os.rename(root / "Old", root / "New")
    (root / "New/n3.md").write_text(CARD.format(q="Question 3", a="answer 3, edited"), "utf-8")
    if how != "sync":
        result = _ids(root)
        assert result.exit_code == 0, result.output
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == []
    assert [u["file"] for u in report["updated"]] == ["New/n3.md"]
    after = _state(col_path)
    assert after["answer 3, edited"] == before["answer 3"]
    assert {k: v for k, v in after.items() if k != "answer 3, edited"} == \
        {k: v for k, v in before.items() if k != "answer 3"}
    assert all(rows == 1 for _, _, rows in after.values())


@pytest.mark.parametrize("how", ["sync", "ids, then sync"])
def test_a_card_moved_into_another_file_with_an_edited_back_keeps_its_note(make_vault, sync_cli, tmp_path, how):
    moved = CARD.format(q="Where is ATP made?", a="mitochondira")
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Stays?", a="s") + "\n" + moved,
                                                              "b.md": OTHER})
    before = _state(col_path)
    (root / "a.md").write_text(CARD.format(q="Stays?", a="s"), "utf-8")
    (root / "b.md").write_text(OTHER + "\n" + moved.replace("mitochondira", "mitochondria"), "utf-8")
    if how != "sync":
        result = _ids(root)
        assert result.exit_code == 0, result.output
        assert len(_written_ids(root / "b.md")) == 2
    _clean_sync(sync_cli, root, col_path)
    after = _state(col_path)
    assert after["mitochondria"] == before["mitochondira"] and after["s"] == before["s"]


SAME = "START\nBasic\nTranslate:\nBack: {a}\nEND\n"


@pytest.mark.parametrize("how", ["sync", "ids, then sync"])
def test_two_gone_notes_with_one_front_each_keep_the_note_clearly_most_like_it(make_vault, sync_cli, tmp_path, how):
    """Same-front cards of a renamed file, both backs edited: sync pairs each with the note most like it
    (never the other's history); `ids` pairs them by the same rule (the sync record keeps their other
    fields) and writes each card the ID of its own note."""
    from notes2anki.decks.identity import guid_of

    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": SAME.format(a="perro = dog") + "\n" + SAME.format(a="gato = cat"), "o.md": OTHER})
    before = _state(col_path)
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="gato = cat, kitty") + "\n" + SAME.format(a="perro = dog, hound"), "utf-8")
    if how != "sync":
        result = _ids(root)
        assert result.exit_code == 0, result.output
        written = [int(line.removeprefix("<!--ID:").removesuffix("-->")) for line in _written_ids(root / "b.md")]
        assert [guid_of(n) for n in written] == [before["gato = cat"][1], before["perro = dog"][1]]
    _clean_sync(sync_cli, root, col_path)
    after = _state(col_path)
    assert after["gato = cat, kitty"] == before["gato = cat"] and after["perro = dog, hound"] == before["perro = dog"]


def test_ids_writes_no_id_to_same_front_cards_in_a_near_tie(make_vault, sync_cli, tmp_path):
    """Two same-front cards of a renamed file, both backs edited so that each is as like the one gone note
    as the other: `ids` does not guess (an error at each card, naming why), and the other cards get theirs."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": SAME.format(a="house = casa") + "\n" + SAME.format(a="house = hogar"),
                              "o.md": OTHER})
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="house = casa, hogar") + "\n" + SAME.format(a="house = hogar, casa"),
                               "utf-8")
    result = _ids(root)
    assert result.exit_code == 1
    for line in (1, 7):
        assert (f"b.md:{line}: error: no ID written to this card: its note type and first field are those of 2 "
                "notes last synced or built from places no card holds now (renamed or moved), and its other "
                "fields (edited) are not clearly more like one of them, so which Anki note it is cannot be told"
                ) in result.output
    assert "Traceback" not in result.output
    assert _written_ids(root / "b.md") == [] and len(_written_ids(root / "o.md")) == 1


def test_a_near_tie_between_two_gone_notes_takes_neither(make_vault, sync_cli, tmp_path):
    """One card left with a front two gone notes share, as like the one as the other: no guess (it is new,
    and the two notes are gone, as before this rule); a swapped history would be worse than none."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": SAME.format(a="house = casa") + "\n" + SAME.format(a="house = hogar"),
                              "o.md": OTHER})
    before = _state(col_path)
    os.rename(root / "a.md", root / "b.md")
    (root / "b.md").write_text(SAME.format(a="house = casa, hogar"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [n["file"] for n in report["new"]] == ["b.md"] and len(report["deleted"]) == 2
    after = _state(col_path)
    assert after["house = casa, hogar"][0] not in {before["house = casa"][0], before["house = hogar"][0]}
    assert after["house = casa, hogar"][2] == 0


def test_a_renamed_card_whose_note_type_changed_too_is_not_taken(make_vault, sync_cli, tmp_path):
    """The rule asks for the same note type: a card renamed, retyped and edited is another card."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"Untitled.md": ATP, "o.md": OTHER})
    os.rename(root / "Untitled.md", root / "ATP.md")
    (root / "ATP.md").write_text(ATP.replace("Basic", "Basic (and reversed card)").replace("triphosphte", "triphosphate"),
                                 "utf-8")
    result = sync_cli(root, col_path, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [n["file"] for n in plan["new"]] == ["ATP.md"] and [d["file"] for d in plan["deleted"]] == ["Untitled.md"]
    result = _ids(root)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("how", ["sync", "ids, then sync"])
def test_an_unrelated_card_with_a_gone_notes_front_does_not_take_it(make_vault, sync_cli, tmp_path, how):
    """Tester r4: `Spanish/Lesson.md` (`Translate:` / `el perro = the dog`, reviewed) deleted and
    `French/Animals.md` (`Translate:` / `bonjour = hello`) written in one session: the only such card and the
    only such note, but nothing else alike. The French card is new; the Spanish note is deleted with its
    card, not overwritten with another card's text under its review history."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"Spanish/Lesson.md": SAME.format(a="el perro = the dog"),
                              "French/Intro.md": SAME.format(a="la maison = the house")})
    before = _state(col_path)
    (root / "Spanish/Lesson.md").unlink()
    (root / "French/Animals.md").write_text(SAME.format(a="bonjour = hello"), "utf-8")
    if how != "sync":  # the sync record keeps the other fields' text: the Spanish note's ID is not written
        result = _ids(root)
        assert result.exit_code == 0, result.output
        assert len(_written_ids(root / "French/Animals.md")) == 1
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [n["file"] for n in report["new"]] == ["French/Animals.md"] and report["updated"] == []
    assert [(d["file"], d["nid"]) for d in report["deleted"]] == [("Spanish/Lesson.md", before["el perro = the dog"][0])]
    after = _state(col_path)
    assert after["bonjour = hello"][2] == 0 and after["la maison = the house"] == before["la maison = the house"]
