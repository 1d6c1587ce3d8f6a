"""`sync`'s summary counts each card once, so its numbers add up to the cards synced (tester r8): a retyped note
whose fields change too was counted as updated and as retyped ("Synced 3 cards: … 1 updated, … 1 retyped, …
1 unchanged, 1 not synced"). And a note lacking two fields says "has no fields 'Front' and 'Back'"."""
from __future__ import annotations

import json
import re

from anki.collection import Collection

CARD = "START\nBasic\nWhat is {q}?\nBack: {a}\n{id}END\n"


def _collection(path):
    """A collection with two notes of types that are not the cards' Basic: one lacks Back, one every field."""
    col = Collection(str(path))
    try:
        mm, nids = col.models, []
        for name, fields in (("OnlyFront", ["Front"]), ("Weird", ["Xyz"])):
            model = mm.new(name)
            for f in fields:
                mm.add_field(model, mm.new_field(f))
            t = mm.new_template("Card 1")
            t["qfmt"], t["afmt"] = "{{%s}}" % fields[0], "{{FrontSide}}"
            mm.add_template(model, t)
            mm.add(model)
            note = col.new_note(mm.by_name(name))
            note[fields[0]] = f"What is {name}?"
            col.add_note(note, 1)
            nids.append(note.id)
        return nids
    finally:
        col.close()


def _numbers(summary: str) -> dict[str, int]:
    m = re.search(r"Synced (\d+) cards? into .*?: (.*?), \d+ media", summary)
    assert m, summary
    parts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (new|updated|moved|retyped|unchanged|not synced)", m[2]))
    return {"cards": int(m[1]), **parts}


def test_the_summary_adds_up_to_the_cards_synced(make_vault, sync_cli, tmp_path):
    path = tmp_path / "c.anki2"
    x, y = _collection(path)
    root = make_vault({"a.md": "\n".join([
        CARD.format(q="ARP", a="Address Resolution Protocol", id=f"<!--ID: {x}-->\n"),
        CARD.format(q="DNS", a="Domain Name System", id=f"<!--ID: {y}-->\n"),
        CARD.format(q="NTP", a="Network Time Protocol", id="")])})
    first = sync_cli(root, path, "--yes")
    said = " ".join(first.output.split())
    assert "has no fields 'Front' and 'Back', so the note is left as it is" in said, said
    assert "has no field 'Back', so the note is left as it is" in said

    plan = json.loads(sync_cli(root, path, "--retype", "--json", "--dry-run").stdout)
    counts = plan["counts"]
    assert counts == {"cards": 3, "new": 0, "updated": 0, "moved": 0, "retyped": 1, "unchanged": 1,
                      "not_synced": 1, "not_retyped": 0}, counts
    assert len(plan["updated"]) == 1 and len(plan["retyped"]) == 1  # the lists still show every change

    result = sync_cli(root, path, "--yes", "--retype")
    numbers = _numbers(" ".join(result.output.split()))
    assert numbers["retyped"] == 1 and numbers["updated"] == 0
    assert sum(v for k, v in numbers.items() if k != "cards") == numbers["cards"] == 3, numbers
