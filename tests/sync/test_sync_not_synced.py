"""`sync` counts a card whose note it left as it is (an error or a warning at the card says why) as not synced,
never as unchanged (tester, fix-adopt #3).

Before: a reviewed plugin card changed from Basic to Cloze gave `a.md:…: error: note type changed … left as it
is`, and the summary said `Synced 6 cards …: 0 updated … 6 unchanged`."""
from __future__ import annotations

import json

from .plugin_users import snapshot

CARD = "START\nBasic\nQuestion {n}?\nBack: Answer {n}\n<!--ID: 170000000000{n}-->\nEND\n"


def _vault(make_vault, plugin_collection, tmp_path):
    root = make_vault({"a.md": "\n".join(CARD.format(n=n) for n in range(1, 7))})
    pc = plugin_collection(root, tmp_path / "prof" / "collection.anki2", review_every=1)
    return root, pc


def test_a_card_left_as_it_is_by_an_error_is_not_counted_unchanged(make_vault, plugin_collection, sync_cli, tmp_path):
    root, pc = _vault(make_vault, plugin_collection, tmp_path)
    assert sync_cli(root, pc.path).exit_code == 0  # the first sync records each card's note type
    before = snapshot(pc.path)
    note = root / "a.md"
    note.write_text(note.read_text("utf-8").replace("START\nBasic\nQuestion 2?\nBack: Answer 2",
                                                    "START\nCloze\n{{c1::Question 2}}?\nBack Extra: Answer 2"), "utf-8")
    result = sync_cli(root, pc.path, "--yes")
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "note type changed from 'Basic' to 'Cloze' but no field has the same name: nid:1700000000002 left" in said
    assert ("Synced 6 cards into " in said and "0 updated, 0 moved, 0 retyped, 0 deleted, 5 unchanged, 1 not synced "
            "(left as it is; the message below says why), 0 media files." in said), said
    after = snapshot(pc.path)
    assert after["notes"] == before["notes"] and after["revlog"] == before["revlog"]

    plan = json.loads(sync_cli(root, pc.path, "--json").stdout)
    assert plan["unchanged"] == 5 and [(i["nid"], i["line"]) for i in plan["not_synced"]] == [(1700000000002, 8)]


def test_a_note_held_for_a_missing_field_is_not_counted_unchanged(make_vault, plugin_collection, sync_cli, tmp_path):
    """A type chosen in Anki that lacks a field of the card's: the note is left as it is, with a warning."""
    root, pc = _vault(make_vault, plugin_collection, tmp_path)
    note = root / "a.md"
    note.write_text(note.read_text("utf-8").replace(
        "START\nBasic\nQuestion 3?\nBack: Answer 3",
        "START\nBasic (optional reversed card)\nQuestion 3?\nBack: Answer 3\nAdd Reverse: y"), "utf-8")
    result = sync_cli(root, pc.path, "--yes")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "so the note is left as it is" in said
    assert "5 unchanged, 1 not synced (left as it is; the message below says why)" in said, said
