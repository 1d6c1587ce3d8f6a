"""Note type changes in `sync` (tester 07:30, U4 and U6): review history and field text are never removed
without a word. U6: a note whose type the user chose in Anki keeps it. U4: a change the vault asks for
lists the cards and field text it removes, and is confirmed as deletions are when they were reviewed."""
from __future__ import annotations

import json
from pathlib import Path

from anki.collection import Collection

from .plugin_users import empty_collection


def _user_type(col, name: str, fields: list[str]) -> dict:
    notetype = col.models.new(name)
    for field_name in fields:
        col.models.add_field(notetype, col.models.new_field(field_name))
    template = col.models.new_template("Card 1")
    template["qfmt"], template["afmt"] = "{{%s}}" % fields[0], "{{FrontSide}}<hr id=answer>{{%s}}" % fields[1]
    col.models.add_template(notetype, template)
    return col.models.get(col.models.add_dict(notetype).id)


def _review_all(col, nid: int) -> None:
    for cid in col.card_ids_of_note(nid):
        card = col.get_card(cid)
        card.start_timer()
        col.sched.answerCard(card, 3)


def plugin_note(col_path: Path, type_name: str, values: dict[str, str], user_fields: list[str] | None = None) -> int:
    """A note as the Obsidian_to_Anki plugin leaves it (Anki's note id, written into the vault) in the type
    ``type_name`` (the collection's stock type, else a type of the user's own with ``user_fields``), all
    its cards reviewed once."""
    col = Collection(str(col_path))
    try:
        notetype = col.models.by_name(type_name) or _user_type(col, type_name, user_fields or [])
        note = col.new_note(notetype)
        for name, value in values.items():
            note[name] = value
        col.add_note(note, col.decks.id("Default"))
        _review_all(col, note.id)
        return note.id
    finally:
        col.close()


def seen(col_path: Path, nid: int) -> dict:
    """What the user sees of a note in Anki: its type, fields, cards (template ord → revlog rows) and any
    revlog row whose card is gone."""
    col = Collection(str(col_path))
    try:
        note = col.get_note(nid)
        cards = {c.ord: col.db.scalar("select count() from revlog where cid = ?", c.id) for c in note.cards()}
        orphaned = col.db.scalar("select count() from revlog where cid not in (select id from cards)")
        return {"type": note.note_type()["name"], "fields": dict(note.items()), "cards": cards, "orphaned": orphaned}
    finally:
        col.close()


def card(note_type: str, front: str, back: str, nid: int | None = None) -> str:
    return f"START\n{note_type}\n{front}\nBack: {back}\n" + (f"<!--ID: {nid}-->\n" if nid else "") + "END\n"


def test_u6_a_reverse_card_added_in_anki_is_kept(make_vault, sync_cli, tmp_path):
    """The plugin note Hund/dog, made "Basic (and reversed card)" in Anki for its reverse card, both cards
    reviewed; the vault still says Basic. The type is kept (the fields updated by name), no card goes."""
    col_path = empty_collection(tmp_path)
    nid = plugin_note(col_path, "Basic (and reversed card)", {"Front": "Hund", "Back": "dog"})
    root = make_vault({"a.md": card("Basic", "Hund", "dog", nid)})
    before = seen(col_path, nid)
    planned = sync_cli(root, col_path, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "Note type changed" not in planned.output and "Updated" not in planned.output
    assert "Note type kept, chosen in Anki (1" in planned.output
    assert f"nid:{nid}  Hund  [Basic (and reversed card); the card says Basic]" in planned.output
    assert "0 retyped" in planned.output

    (root / "a.md").write_text(card("Basic", "Hund", "dog (m.)", nid), "utf-8")
    done = sync_cli(root, col_path, "--yes", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["retyped"] == [] and [u["fields"] for u in report["updated"]] == [["Back"]]
    assert [(k["nid"], k["type"], k["card_type"], k["missing"]) for k in report["kept_type"]] == [
        (nid, "Basic (and reversed card)", "Basic", [])]
    after = seen(col_path, nid)
    assert after["type"] == "Basic (and reversed card)"
    assert after["cards"] == before["cards"] == {0: 1, 1: 1} and after["orphaned"] == 0
    assert after["fields"] == {"Front": "Hund", "Back": "dog (m.)"}

    again = json.loads(sync_cli(root, col_path, "--json").stdout)  # recorded: not listed again
    assert again["kept_type"] == [] and again["retyped"] == [] and again["updated"] == [] and again["unchanged"] == 1


def test_u6_a_field_of_the_users_own_keeps_its_text(make_vault, sync_cli, tmp_path):
    """The plugin note in the user's own "Basic + Mnemonic" with the Mnemonic typed in Anki."""
    col_path = empty_collection(tmp_path)
    hook = "my own memory hook, typed in Anki"
    nid = plugin_note(col_path, "Basic + Mnemonic", {"Front": "Hund", "Back": "dog", "Mnemonic": hook},
                      ["Front", "Back", "Mnemonic"])
    root = make_vault({"a.md": card("Basic", "Hund", "the dog", nid)})
    done = sync_cli(root, col_path, "--yes")
    assert done.exit_code == 0, done.output
    assert "0 retyped" in done.output and "1 updated" in done.output
    after = seen(col_path, nid)
    assert after["type"] == "Basic + Mnemonic"
    assert after["fields"] == {"Front": "Hund", "Back": "the dog", "Mnemonic": hook}
    assert after["cards"] == {0: 1}


def test_u6_a_type_lacking_the_cards_fields_is_held_until_retype_is_asked(make_vault, sync_cli, tmp_path):
    """A type chosen in Anki without the card's field Back (the user's "Front + Answer", the Answer typed in
    Anki): nothing is synced to it and a warning names the note and what a change would drop; with
    --retype the change is made only once confirmed, as it drops text."""
    col_path = empty_collection(tmp_path)
    nid = plugin_note(col_path, "Front + Answer", {"Front": "Hund", "Answer": "dog, typed in Anki"},
                      ["Front", "Answer"])
    root = make_vault({"a.md": card("Basic", "Hund", "dog", nid)})
    held = sync_cli(root, col_path, "--yes")
    assert held.exit_code == 0, held.output
    assert f"note nid:{nid} has the note type 'Front + Answer' in Anki" in held.output
    assert "no field 'Back', so the note is left as it is" in held.output
    assert "changing it to 'Basic' drops Answer: 'dog, typed in Anki': run sync with --retype" in held.output
    assert "0 retyped" in held.output and "0 unchanged, 1 not synced (left as it is" in held.output
    assert seen(col_path, nid)["fields"] == {"Front": "Hund", "Answer": "dog, typed in Anki"}

    declined = sync_cli(root, col_path, "--retype", "--json")  # not a terminal, no --yes
    assert declined.exit_code == 0, declined.output
    report = json.loads(declined.stdout)
    assert report["not_retyped"] == [nid]
    assert report["retyped"][0]["removes"] == {"cards": [], "fields": [{"name": "Answer", "text": "dog, typed in Anki"}]}
    assert seen(col_path, nid)["type"] == "Front + Answer"

    done = sync_cli(root, col_path, "--retype", "--yes")
    assert done.exit_code == 0, done.output
    assert "1 retyped (text of 1 field dropped)" in done.output
    after = seen(col_path, nid)
    assert after["type"] == "notes2anki: Basic" and after["fields"] == {"Front": "Hund", "Back": "dog"}
    assert after["cards"] == {0: 1} and after["orphaned"] == 0



def _reviewed_reverse_note_made_basic(make_vault, sync_cli, tmp_path, ident: int):
    """A "Basic (and reversed card)" card synced and both its cards reviewed; then the vault says Basic.
    Returns (collection path, vault root, nid)."""
    col_path = empty_collection(tmp_path)
    root = make_vault({"a.md": card("Basic (and reversed card)", "Hund", "dog", ident)})
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        nid = col.find_notes("")[0]
        _review_all(col, nid)
    finally:
        col.close()
    (root / "a.md").write_text(card("Basic", "Hund", "dog", ident), "utf-8")
    return col_path, root, nid


def test_u4_a_retype_that_removes_a_reviewed_card_is_listed_counted_and_confirmed(make_vault, sync_cli, tmp_path):
    """The vault asks for Basic instead of "Basic (and reversed card)" on a note notes2anki made, both
    cards reviewed: the plan names card 2 and its reviews, the summary counts it, and without --yes the
    note is left as it is (listed again next time); with --yes card 2 goes, card 1 keeps its history."""
    col_path, root, nid = _reviewed_reverse_note_made_basic(make_vault, sync_cli, tmp_path, 1700000000077)

    planned = sync_cli(root, col_path, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert "Updated" not in planned.output  # the field texts did not change
    assert (f"nid:{nid}  Hund  [notes2anki: Basic (and reversed card) → Basic; removes card 'Card 2' "
            "(reviewed 1×)]") in planned.output
    # the dry run predicts the real run: without --yes (not a terminal) the change is held
    assert "0 updated, 0 moved, 0 retyped, 0 deleted, 0 unchanged, 1 not retyped (see below)" in planned.output
    planned = sync_cli(root, col_path, "--dry-run", "--yes")
    assert "0 updated, 0 moved, 1 retyped (1 card removed, 1 reviewed), 0 deleted" in planned.output

    for _ in range(2):  # declined (not a terminal, no --yes): left as it is, and asked again
        declined = sync_cli(root, col_path)
        assert declined.exit_code == 0, declined.output
        assert "Note type changes that remove reviewed cards or field text (1):" in declined.output
        assert f"1 note not retyped" in declined.output and f"nid:{nid})" in declined.output
        assert seen(col_path, nid)["cards"] == {0: 1, 1: 1}
    # the held note is counted: the summary's numbers add up to the cards synced, in the table and in --json
    assert "Synced 1 card into" in declined.output and "0 retyped (" not in declined.output
    assert "0 deleted, 0 unchanged, 1 not retyped (see below)" in declined.output
    counts = json.loads(sync_cli(root, col_path, "--json").stdout)["counts"]
    assert counts == {"cards": 1, "new": 0, "updated": 0, "moved": 0, "retyped": 0, "unchanged": 0,
                      "not_synced": 0, "not_retyped": 1}

    done = sync_cli(root, col_path, "--yes", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["not_retyped"] == [] and report["updated"] == []
    [retyped] = report["retyped"]
    assert (retyped["from"], retyped["to"]) == ("notes2anki: Basic (and reversed card)", "Basic")
    assert [(c["template"], c["reviews"]) for c in retyped["removes"]["cards"]] == [("Card 2", 1)]
    after = seen(col_path, nid)
    assert after["type"] == "notes2anki: Basic" and after["cards"] == {0: 1}
    assert after["fields"] == {"Front": "Hund", "Back": "dog"}


def test_u4_cloze_to_a_type_with_one_card_lists_c2_and_c3(make_vault, sync_cli, tmp_path):
    """A cloze note's cards c2, c3 have no place in a one-card type: listed with their reviews (c3 never
    reviewed is listed as new), and confirmed."""
    config = '[note_types."Text card"]\nfields = ["Text", "Back Extra"]\n'
    text = "START\nCloze\nParis is the {{c1::capital}} of {{c2::France}} on the {{c3::Seine}}\n<!--ID: 1700000000079-->\nEND\n"
    root = make_vault({"a.md": text, ".notes2anki.toml": config})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        nid = col.find_notes("")[0]
        for cid in col.card_ids_of_note(nid):  # c1 and c2 reviewed
            c = col.get_card(cid)
            if c.ord < 2:
                c.start_timer()
                col.sched.answerCard(c, 3)
    finally:
        col.close()
    (root / "a.md").write_text(text.replace("\nCloze\n", "\nText card\n"), "utf-8")
    planned = json.loads(sync_cli(root, col_path, "--dry-run", "--json").stdout)
    [retyped] = planned["retyped"]
    assert [(c["template"], c["reviews"]) for c in retyped["removes"]["cards"]] == [("c2", 1), ("c3", 0)]
    done = sync_cli(root, col_path, "--yes")
    assert done.exit_code == 0, done.output
    assert "1 retyped (2 cards removed, 1 reviewed)" in done.output
    after = seen(col_path, nid)
    assert after["type"] == "Text card" and after["cards"] == {0: 1}


def test_vault_edit_after_a_sync_retypes_a_plugin_note(make_vault, sync_cli, tmp_path):
    """After a first sync recorded the card's type, editing the card's type line is a change the vault
    asks for, also on a note in the collection's stock type: Basic → reversed adds card 2, nothing lost."""
    col_path = empty_collection(tmp_path)
    nid = plugin_note(col_path, "Basic", {"Front": "Hund", "Back": "dog"})
    root = make_vault({"a.md": card("Basic", "Hund", "dog", nid)})
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / "a.md").write_text(card("Basic (and reversed card)", "Hund", "dog", nid), "utf-8")
    done = sync_cli(root, col_path, "--json")  # removes nothing: no confirmation needed
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert [(r["from"], r["to"], r["removes"]) for r in report["retyped"]] == [
        ("Basic", "Basic (and reversed card)", {"cards": [], "fields": []})]
    after = seen(col_path, nid)
    assert after["type"] == "notes2anki: Basic (and reversed card)" and after["cards"] == {0: 1, 1: 0}


def test_u4_a_retype_dropping_a_field_of_the_users_own_is_confirmed(make_vault, sync_cli, tmp_path):
    """notes2anki's Basic, renamed in Anki and given a field Mnemonic the user typed there (still the vault's
    type, S16); the card's type line becomes "Basic (and reversed card)": the change would drop the
    Mnemonic text, so it is listed with that text and made only with --yes."""
    col_path = empty_collection(tmp_path)
    root = make_vault({"a.md": card("Basic", "Hund", "dog", 1700000000078)})
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        notetype = col.models.by_name("notes2anki: Basic")
        notetype["name"] = "My Basic"
        col.models.add_field(notetype, col.models.new_field("Mnemonic"))
        col.models.update_dict(notetype)
        nid = col.find_notes("")[0]
        note = col.get_note(nid)
        note["Mnemonic"] = "<b>Hund</b> sounds like hound"
        col.update_note(note)
    finally:
        col.close()
    (root / "a.md").write_text(card("Basic (and reversed card)", "Hund", "dog", 1700000000078), "utf-8")
    declined = sync_cli(root, col_path)
    assert declined.exit_code == 0, declined.output
    assert ("[My Basic → Basic (and reversed card); drops Mnemonic: 'Hund sounds like hound']"
            in declined.output)
    assert "1 note not retyped" in declined.output
    assert seen(col_path, nid)["fields"]["Mnemonic"] == "<b>Hund</b> sounds like hound"
    done = sync_cli(root, col_path, "--yes")
    assert done.exit_code == 0, done.output
    assert "1 retyped (text of 1 field dropped)" in done.output
    after = seen(col_path, nid)
    assert after["type"] == "notes2anki: Basic (and reversed card)" and after["fields"] == {"Front": "Hund", "Back": "dog"}
    assert after["cards"] == {0: 0, 1: 0}


def test_u4_on_a_terminal_the_change_is_asked_and_y_makes_it(make_vault, sync_cli, tmp_path):
    """On a terminal the lossy change is asked as deletions are; "y" makes it."""
    import os
    import subprocess
    import sys

    col_path, root, nid = _reviewed_reverse_note_made_basic(make_vault, sync_cli, tmp_path, 1700000000080)
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "notes2anki.cli", "sync", str(root), "--collection", str(col_path)],
                                stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
        os.write(master, b"y\n")
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, out + err
    assert "Make this note type change in Anki?" in err
    assert "1 retyped (1 card removed, 1 reviewed)" in out
    assert seen(col_path, nid)["cards"] == {0: 1}


def test_u6_a_type_with_no_field_of_the_cards_is_left_as_it_is(make_vault, sync_cli, tmp_path):
    """A type chosen in Anki sharing no field name with the card's: left as it is, the warning says to
    change a note type (--retype could not map any field)."""
    col_path = empty_collection(tmp_path)
    nid = plugin_note(col_path, "Vocab", {"Word": "Hund", "Meaning": "dog"}, ["Word", "Meaning"])
    root = make_vault({"a.md": card("Basic", "Hund", "dog", nid)})
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0, result.output
    assert ("no fields 'Front' and 'Back', so the note is left as it is; no field has a name of the card's type's: "
            "change the card's note type") in result.output
    after = seen(col_path, nid)
    assert after["type"] == "Vocab" and after["fields"] == {"Word": "Hund", "Meaning": "dog"} and after["cards"] == {0: 1}
    report = json.loads(sync_cli(root, col_path, "--json").stdout)  # listed on every sync while it lasts
    assert [(k["nid"], k["type"], k["card_type"], k["missing"]) for k in report["kept_type"]] == [
        (nid, "Vocab", "Basic", ["Front", "Back"])]
    assert report["retyped"] == [] and report["updated"] == []


def test_the_record_of_card_types_is_stable_so_a_second_sync_writes_nothing(make_vault, plugin_collection, sync_cli,
                                                                             tmp_path):
    """Plugin notes in the stock Basic and in a type of the user's that .notes2anki.toml configures: the
    first sync records the card types of the stock ones only (the configured type is the vault's own);
    the second sync finds nothing to write, not even a backup."""
    config = '[note_types.Vokabel]\nfields = ["Wort", "Bedeutung"]\n'
    root = make_vault({".notes2anki.toml": config,
                       "a.md": card("Basic", "Hund", "dog", 1690000000001)
                       + "START\nVokabel\nKatze\nBedeutung: cat\n<!--ID: 1690000000002-->\nEND\n"})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2", review_every=1)
    first = json.loads(sync_cli(root, pc.path, "--json").stdout)
    assert first["retyped"] == [] and first["kept_type"] == []
    col = Collection(str(pc.path))
    try:
        [entry] = col.get_config("notes2anki:vaults").values()
    finally:
        col.close()
    assert entry["vault_types"] == {"Basic": [1690000000001]}
    second = json.loads(sync_cli(root, pc.path, "--json").stdout)
    assert second["backup"] is None and second["unchanged"] == 2
