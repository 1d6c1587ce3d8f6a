"""Tester r16/r17: two cards without an ID with one front in one file (`Translate:` / `el perro`, `el
gato`), synced and reviewed; the FIRST cut into another file (unchanged or its back edited). The card left
behind holds the first card's position GUID, so it claimed the dog note first and then moved to its own
note, releasing the dog note, which the moved card never saw: the reviewed note was deleted and the card
made new. A note released during matching is now open to the later passes. Real `anki` collections,
every card reviewed; note ids and review log rows must survive."""
from __future__ import annotations

import json

import pytest

from .test_sync_ids_identity import _clean_sync, _state
from .test_sync_tester_0430 import CARD, _synced

SAME = "START\nBasic\nTranslate:\nBack: {a}\nEND\n"
OTHER = CARD.format(q="Other", a="o")


@pytest.mark.parametrize("edit_moved", [False, True], ids=["moved unchanged", "moved back edited"])
@pytest.mark.parametrize("edit_left", [False, True], ids=["left unchanged", "left edited"])
@pytest.mark.parametrize("target", ["S/B.md", "S/New.md", "S/0.md"])
def test_the_first_of_two_same_front_cards_cut_into_another_file_keeps_its_note(
        make_vault, sync_cli, tmp_path, target, edit_moved, edit_left):
    dog, cat = "el perro = the dog", "el gato = the cat"
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"S/A.md": SAME.format(a=dog) + "\n" + SAME.format(a=cat), "S/B.md": OTHER})
    before = _state(col_path)
    dog2 = dog + " (m)" if edit_moved else dog
    cat2 = cat + " (m)" if edit_left else cat
    (root / "S/A.md").write_text(SAME.format(a=cat2), "utf-8")
    dest = root / target
    dest.write_text((dest.read_text("utf-8") + "\n" if dest.exists() else "") + SAME.format(a=dog2), "utf-8")
    dry = sync_cli(root, col_path, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.stdout)
    assert plan["new"] == [] and plan["deleted"] == [] and plan["not_deleted"] == []
    assert sorted(u["nid"] for u in plan["updated"]) == sorted(
        [before[dog][0]] * edit_moved + [before[cat][0]] * edit_left)
    _clean_sync(sync_cli, root, col_path)
    after = _state(col_path)
    assert after[dog2] == before[dog] and after[cat2] == before[cat] and after["o"] == before["o"]
    assert all(rows == 1 for _, _, rows in after.values()) and len(after) == 3
