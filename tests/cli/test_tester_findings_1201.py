"""Tester findings of 2026-12-01 (a new user on real vaults and crafted input): each case with its minimal
input and the right behaviour."""
from __future__ import annotations

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

CARDS = ("START\nBasic\ndamaged id front\nBack: b\n<!--ID: 99999999999999999999999-->\nEND\n\n"
         "START\nBasic\nzero id front\nBack: b\n<!--ID: 0-->\nEND\n\n"
         "START\nBasic\nabove int64 front\nBack: b\n<!--ID: 9223372036854775808-->\nEND\n\n"
         "START\nBasic\nfine id front\nBack: b\n<!--ID: 1768062256107-->\nEND\n\n"
         "START\nBasic\nno id front\nBack: b\nEND\n")


def test_an_id_no_anki_note_can_have_is_an_error_at_its_line_and_ids_adds_no_second_id(make_vault, cli_build,
                                                                                         anki_import, tmp_path):
    """A 23-digit ID was card text (`check`: 0 errors) and `ids` wrote a second ID line under it; ID 0 and
    2^63 were taken as IDs without a word."""
    root = make_vault({"a.md": CARDS})
    result = CliRunner().invoke(cli_main, ["check", str(root)])
    for line, ident in ((5, "99999999999999999999999"), (12, "0"), (19, "9223372036854775808")):
        assert f"a.md:{line}: error: ID {ident} of the card at a.md:{line - 4} cannot be an Anki note ID" in result.output
    assert "bad-id" in result.output
    before = (root / "a.md").read_bytes()
    from anki.collection import Collection

    (tmp_path / "prof").mkdir()
    col = Collection(str(tmp_path / "prof" / "collection.anki2"))  # ID lines, no record here: ids reads the
    note = col.new_note(col.models.by_name("Basic"))  # collection holding the note its valid ID line names
    note["Front"], note["Back"] = "fine id front", "b"
    col.add_note(note, 1)
    col.db.execute("update cards set nid = 1768062256107 where nid = ?", note.id)
    col.db.execute("update notes set id = 1768062256107 where id = ?", note.id)
    col.close()
    result = CliRunner().invoke(cli_main, ["ids", str(root), "--collection", str(tmp_path / "prof" / "collection.anki2")])
    assert (root / "a.md").read_bytes().count(b"<!--ID:") == before.count(b"<!--ID:") + 1  # the card with none
    assert (root / "a.md").read_bytes().startswith(before[:before.index(b"no id front")])  # the damaged lines kept
    result, apkg = cli_build(root)
    assert result.exit_code == 1 and apkg.is_file()  # errors said, the rest still built
    fronts = sorted(n.fields[0] for n in anki_import(apkg).notes())
    assert fronts == ["fine id front", "no id front"]


def test_cards_gone_from_the_vault_are_listed_by_line_number(make_vault, build):
    """`TLS.md:14, :26, :33, :5`: the list sorted the places as text."""
    padding = "text\n" * 4
    card = "START\nBasic\nQuestion {}\nBack: a\n<!--ID: 17680622561{:02d}-->\nEND\n"
    note = "".join(padding + card.format(n, n) for n in range(4))  # cards at lines 5, 15, 25, 35
    root = make_vault({"TLS.md": note, "keep.md": card.format(9, 9)})
    build(root)
    (root / "TLS.md").unlink()
    gone = [g.where for g in build(root).report.gone]
    assert gone == ["TLS.md:5", "TLS.md:15", "TLS.md:25", "TLS.md:35"]


def test_a_block_reference_in_an_embed_cycle_is_named_whole(make_vault, cli_build):
    root = make_vault({"A.md": "START\nBasic\nq\nBack: ![[C]]\nEND\n", "C.md": "x ![[C#^blk]] y ^blk\n"})
    result, _ = cli_build(root)
    assert "embedded note ![[C#^blk]] embeds itself (a cycle)" in result.output


def test_an_embedded_block_keeps_a_link_to_itself_in_its_text(make_vault, cli_build, anki_import):
    root = make_vault({"A.md": "START\nBasic\nq\nBack: ![[C#^blk]]\nEND\n", "C.md": "see [[C#^blk]] here ^blk\n"})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    back = anki_import(apkg).note("q").fields[1]
    assert "see" in back and "here" in back and "blk" in back  # the link's text stays; only the block ID goes
    assert "C &gt; ^blk" in back and back.endswith(" here</div>")  # the link kept, the block ID gone


def test_an_empty_default_deck_is_said_as_such(make_vault):
    root = make_vault({".notes2anki.toml": 'default_deck = ""\n', "a.md": "START\nBasic\nq\nBack: a\nEND\n"})
    result = CliRunner().invoke(cli_main, ["check", str(root)])
    assert ".notes2anki.toml:1: warning: default_deck: empty deck name; ignored" in result.output
    assert "empty parts between" not in result.output


def test_a_configuration_file_that_is_not_utf8_names_the_byte_and_its_line(make_vault, cli_build):
    root = make_vault({".notes2anki.toml": b"a = 1\n\xff\xfe", "a.md": "START\nBasic\nq\nBack: a\nEND\n"})
    result, _ = cli_build(root)
    assert ".notes2anki.toml:2: error: configuration not read: not UTF-8 text (byte 0xff)" in result.output
    root = make_vault({"bad.md": b"ok\n\xff"}, name="v2")
    result, _ = cli_build(root)
    assert "bad.md:2: error: not UTF-8 text (byte 0xff); file skipped" in result.output


def test_ids_writes_the_id_of_a_card_whose_answer_is_delete_after_a_blank_line(make_vault):
    """A card whose answer's last line is `DELETE` (SQL) made `ids` refuse its whole file ("the edit would turn 2
    cards into 1"): written right under that line, the ID would mark the card for deletion. Now a blank line
    goes between, and the card stays a card (its answer `DELETE`), the other cards get their IDs too."""
    config = "[custom_regexps]\nBasic = '''((?:[^\\n][\\n]?)+) #fc ?\\n*((?:\\n(?:^.{1,3}$|^.{4}(?<!<!--).*))+)'''\n"
    root = make_vault({".notes2anki.toml": config,
                       "sql.md": "Normal card #fc\nnormal answer\n\nWhich SQL statement removes rows? #fc\nDELETE\n",
                       "blk.md": "START\nBasic\nWhich SQL keyword removes rows?\nBack:\nDELETE\nEND\n"})
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    assert "Added 3 IDs in 2 files" in result.output
    assert (root / "blk.md").read_text("utf-8").startswith("START\nBasic\nWhich SQL keyword removes rows?\nBack:\nDELETE\n\n<!--ID: ")
    assert "removes rows? #fc\nDELETE\n\n<!--ID: " in (root / "sql.md").read_text("utf-8")
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    vault = load_vault(root, load_config(root))
    assert len(vault.cards) == 3 and all(c.id and not c.delete for c in vault.cards)
    assert sorted(c.fields["Back"] for c in vault.cards) == ["DELETE", "DELETE", "normal answer"]
    said = [d.message for d in vault.diagnostics if d.file == "sql.md"]
    assert any("the blank line keeps as text" in m for m in said)
    again = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert again.exit_code == 0 and "Added 0 IDs" in again.output
