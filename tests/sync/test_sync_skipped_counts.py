"""`sync` counts every card it skips for an error (or a warning) at the card as not synced, so the summary's
numbers add up to the cards (tester2 r19).

Before: a card whose deck is `Cram::Sub`, `Cram` a filtered deck in Anki ("card skipped"), whose note exists
in Anki, dropped out of every count (`Synced 2 cards …: 1 moved, 1 unchanged` for 4 cards, `--json`
`not_synced: []`), and its note dropped out of the vault's record in the collection: deleting the card from
the vault later left the note in Anki for good."""
from __future__ import annotations

import json

from anki.collection import Collection

from .plugin_users import empty_collection
from .test_sync_tester_0430 import CARD, _notes, filtered_deck

ID_CARD = "START\nBasic\n{q}\nBack: {a}\n<!--ID: {nid}-->\nEND\n"


def _summary(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(("Synced ", "Would sync ")))


def test_a_card_skipped_for_a_filtered_deck_is_not_synced(make_vault, sync_cli, tmp_path):
    root = make_vault({"a.md": CARD.format(q="Q1?", a="A1"), "b.md": CARD.format(q="Q2?", a="A2"),
                       "c.md": CARD.format(q="Q3?", a="A3")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        col.decks.new_filtered("Cram")
        a_nid = col.find_notes("Q1?")[0]
    finally:
        col.close()
    (root / "a.md").write_text("TARGET DECK: Cram::Sub\n" + CARD.format(q="Q1?", a="A1x"), "utf-8")
    (root / "b.md").write_text("TARGET DECK: Other\n" + CARD.format(q="Q2?", a="A2x"), "utf-8")
    (root / "d.md").write_text("TARGET DECK: Cram\n" + CARD.format(q="New?", a="N"), "utf-8")

    plan = json.loads(sync_cli(root, col_path, "--dry-run", "--json").stdout)
    assert plan["counts"] == {"cards": 4, "new": 0, "updated": 0, "moved": 1, "retyped": 0, "unchanged": 1,
                              "not_synced": 2, "not_retyped": 0}
    assert [(i["file"], i["nid"]) for i in plan["not_synced"]] == [("a.md", a_nid), ("d.md", 0)]

    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 1, result.output
    assert _summary(result.output) == (
        f"Synced 4 cards into {col_path}: 0 new, 0 updated, 1 moved, 0 retyped, 0 deleted, 1 unchanged, "
        "2 not synced (left as they are; the messages below say why), 0 media files.")
    assert _notes(col_path) == {"Q1?": 0, "Q2?": 0, "Q3?": 0}

    # the skipped card's note is still the vault's: the card gone from the vault, its note is deleted
    (root / "a.md").unlink()
    gone = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)["deleted"]
    assert [d["nid"] for d in gone] == [a_nid]


def test_a_card_whose_id_is_another_cards_identity_is_not_synced(make_vault, sync_cli, tmp_path):
    """An ID line that is another card's implicit ID: one identity, two cards (the second skipped). (Two
    cards with one written ID are both dropped by the parser: they are not cards of the vault.)"""
    from notes2anki.config import load_config
    from notes2anki.decks.identity import card_ids, vault_namespace
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": CARD.format(q="Twice?", a="x"), "c.md": CARD.format(q="Other?", a="y")})
    config = load_config(root)
    vault = load_vault(root, config)
    implicit = card_ids(vault.cards, vault_namespace(root, config))[vault.cards[0].key]
    (root / "b.md").write_text(ID_CARD.format(q="Copy?", a="x", nid=implicit), "utf-8")
    col_path = empty_collection(tmp_path)
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 1 and "same ID as the card at a.md:1; this card skipped" in result.output
    assert _summary(result.output) == (
        f"Synced 3 cards into {col_path}: 2 new, 0 updated, 0 moved, 0 retyped, 0 deleted, 0 unchanged, "
        "1 not synced (left as it is; the message below says why), 0 media files.")
    plan = json.loads(sync_cli(root, col_path, "--json").stdout)
    assert plan["counts"]["cards"] == 3 and plan["counts"]["not_synced"] == 1 and plan["unchanged"] == 2
    assert [i["file"] for i in plan["not_synced"]] == ["b.md"]


def test_a_card_naming_another_vaults_note_is_not_synced(make_vault, sync_cli, tmp_path):
    note = ID_CARD.format(q="Question cp?", a="answer", nid=1700000000021)
    a = make_vault({"a.md": note}, name="A")
    b = make_vault({"b.md": CARD.format(q="Question b?", a="answer")}, name="B")
    col_path = empty_collection(tmp_path)
    for root in (a, b):
        assert sync_cli(root, col_path, "--yes").exit_code == 0
    (b / "a.md").write_text(note, "utf-8")  # a copy: the ID line is still in vault A
    result = sync_cli(b, col_path, "--yes", "--json")
    assert result.exit_code == 1 and "which vault 'A' synced; card skipped" in result.output
    data = json.loads(result.stdout)
    assert data["counts"]["cards"] == 2 and data["counts"]["not_synced"] == 1 and data["unchanged"] == 1
    assert [i["file"] for i in data["not_synced"]] == ["a.md"]


def test_a_plugin_card_whose_note_was_deleted_in_anki_is_not_synced(make_vault, sync_cli, tmp_path):
    from .plugin_users import plugin_collection_deleted

    root = make_vault({"a.md": ID_CARD.format(q="Kept?", a="x", nid=1700000000001) + "\n"
                       + ID_CARD.format(q="Leech?", a="y", nid=1700000000002)})
    made = plugin_collection_deleted(root, tmp_path / "plugin" / "collection.anki2", [1700000000002])
    result = sync_cli(root, made.path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["cards"] == 2 and data["counts"]["not_synced"] == 1
    assert [(i["line"], i["nid"]) for i in data["not_synced"]] == [(8, 0)]


def test_a_card_whose_note_another_card_syncs_to_is_not_synced(make_vault, sync_cli, tmp_path):
    """A card given the note id of another card's note (its ID line copied from Anki's browser): the note is
    the first card's; the second is skipped."""
    root = make_vault({"a.md": CARD.format(q="First?", a="x")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    col = Collection(str(col_path))
    try:
        nid = col.find_notes("")[0]
    finally:
        col.close()
    (root / "b.md").write_text(ID_CARD.format(q="Second?", a="y", nid=nid), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 1 and f"the note nid:{nid} is already synced from the card at" in result.output
    data = json.loads(result.stdout)
    assert data["counts"]["cards"] == 2 and data["counts"]["not_synced"] == 1
    assert len(data["not_synced"]) == 1 and data["not_synced"][0]["nid"] == nid
