"""`build`'s list of notes gone from the vault (tester): its "ID" column showed the ID written in the vault
while the line under it searched Anki by note id — two different numbers for one card. Now the column and
the search both give the Anki note id, and the search finds the note in Anki."""
from __future__ import annotations

import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

CARDS = ("START\nBasic\nWhat does TCP stand for?\nBack: Transmission Control Protocol\n<!--ID: 1700000000001-->\nEND\n\n"
         "START\nBasic\nWhat port does HTTPS use?\nBack: 443\n<!--ID: 1700000000002-->\nEND\n")


def _build(root, tmp_path):
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "deck.apkg"), "--no-dupes",
                                           "--state-file", str(tmp_path / "state.json")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_gone_list_and_its_search_give_the_anki_note_id(make_vault, tmp_path, anki_import):
    root = make_vault({"net.md": CARDS})
    _build(root, tmp_path)
    imported = anki_import(tmp_path / "deck.apkg")
    (root / "net.md").write_text(CARDS[CARDS.index("START\nBasic\nWhat port"):], encoding="utf-8")
    shown = _build(root, tmp_path)
    assert re.search(r"┃ Anki note id\s*┃ Was at", shown)
    row = re.search(r"│ (\d+)\s*│ net\.md:1\s*│ What does TCP stand for\?", shown)
    search = re.search(r"To find them in Anki's browser, search by Anki note id: (nid:(\d+))$", shown, re.M)
    assert row and search and row.group(1) == search.group(2)
    assert "1700000000001" not in shown  # the ID written in the vault is not the note id: not shown as one
    found = imported.col.find_notes(search.group(1))  # the search, pasted into Anki, finds that note
    assert [imported.col.get_note(n)["Front"] for n in found] == ["What does TCP stand for?"]


def test_a_card_never_built_here_says_its_note_id_is_not_known(make_vault, tmp_path):
    root = make_vault({"net.md": CARDS.replace("<!--ID: 1700000000002-->", "DELETE\n<!--ID: 1700000000002-->")})
    shown = " ".join(_build(root, tmp_path).split())
    assert "not known (ID in the vault: 1700000000002)" in shown
    assert "search by Anki note id" not in shown
    assert ("Anki note id not known: the card was never built on this machine; a note the Obsidian_to_Anki "
            "plugin made has its ID in the vault as its note id.") in shown
