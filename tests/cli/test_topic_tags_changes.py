"""`build --topic-tags` on and off: the cards' text did not change, so the summary says "tags changed on N
cards" instead of calling every card changed, and Anki still receives the new tags (issue 14)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]


def _build(vault: Path, apkg: Path, *args: str):
    result = CliRunner().invoke(cli_main, ["build", str(vault), "-o", str(apkg), "--no-dupes", *args])
    assert result.exit_code in (0, 1), result.output
    text = " ".join(result.stdout.split())
    counts = re.search(r"\((\d+) new, (\d+) changed, (\d+) unchanged\)", text)
    tags = re.search(r"Tags changed on (\d+) cards", text)
    return tuple(map(int, counts.groups())), int(tags.group(1)) if tags else 0


def test_topic_tags_on_and_off_are_tag_changes_not_edits(tmp_path, anki_import):
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "examples" / "vault", vault)
    (new, changed, unchanged), tagged = _build(vault, tmp_path / "1.apkg")
    assert new > 0 and changed == 0 and tagged == 0
    imported = anki_import(tmp_path / "1.apkg")

    (new2, changed2, unchanged2), tagged2 = _build(vault, tmp_path / "2.apkg", "--topic-tags")
    assert (new2, changed2) == (0, 0)
    assert tagged2 > 0 and tagged2 + unchanged2 == new
    log = anki_import(tmp_path / "2.apkg", imported.col).log
    assert len(log.updated) == tagged2  # Anki takes the new tags: the notes got a newer time
    with_topic = [n for n in imported.notes() if any(t.startswith("topic::") for t in n.tags)]
    assert len(with_topic) == tagged2

    (new3, changed3, unchanged3), tagged3 = _build(vault, tmp_path / "3.apkg")
    assert (new3, changed3, tagged3) == (0, 0, tagged2)
    (_, changed4, unchanged4), tagged4 = _build(vault, tmp_path / "4.apkg")
    assert (changed4, tagged4, unchanged4) == (0, 0, new)


def test_a_state_file_from_before_tag_hashes_counts_unchanged_cards_as_unchanged(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "examples" / "vault", vault)
    state = tmp_path / "state.json"
    (new, _, _), _ = _build(vault, tmp_path / "1.apkg", "--state-file", str(state))
    data = json.loads(state.read_text("utf-8"))
    # what an older notes2anki wrote: one hash over fields, deck and tags, no "tags" key
    from notes2anki.config import load_config
    from notes2anki.decks.build import _field_html, content_hash
    from notes2anki.model import note_type_fields
    from notes2anki.parsers import load_vault

    config = load_config(vault)
    v = load_vault(vault, config)
    types = note_type_fields(config.note_types)
    by_where = {c.where: c for c in v.cards}
    for entry in data["cards"].values():
        card = by_where[entry["where"]]
        entry.pop("tags")
        entry["hash"] = content_hash(card, [_field_html(card.html.get(f, ""), config)
                                           for f in types[card.note_type]], card.tags)
    state.write_text(json.dumps(data), "utf-8")
    (new2, changed2, unchanged2), tagged2 = _build(vault, tmp_path / "2.apkg", "--state-file", str(state))
    assert (new2, changed2, tagged2, unchanged2) == (0, 0, 0, new)
    assert all(entry["tags"] for entry in json.loads(state.read_text("utf-8"))["cards"].values())
