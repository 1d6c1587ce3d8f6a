"""Tester findings of 2026-12-01 on `sync`: each case with its minimal input and what a user should see."""
from __future__ import annotations

import json

from notes2anki.config import load_config
from notes2anki.parsers import load_vault

from .test_sync_tester_0430 import _notes

CONFIG = ("[note_types.Vocab]\nfields = [\"Word\", \"Meaning\"]\n\n[custom_regexps]\n"
          # the plugin's Question Answer style, as CodingJinxx__deutsch-matura's settings hold it
          "Basic = '^Q: ((?:.+\\n)*)\\n*A: (.+(?:\\n(?:^.{1,3}$|^.{4}(?<!<!--).*))*)'\nVocab = '^(\\w+)::(.+)$'\n")
QA = "Q: What is ATP?\nA: The cell's energy currency.\n<!--ID: 1690000000101-->\n\nQ: What is DNA?\nA: The genome.\n<!--ID: 1690000000102-->\n"
VOCAB = "Hund::dog\n<!--ID: 1690000000201-->\nKatze::cat\n<!--ID: 1690000000202-->\n"


def test_delete_above_the_id_line_of_a_regex_style_card_deletes_its_note(make_vault, plugin_collection, sync_cli,
                                                                          tmp_path):
    """`DELETE` directly above the ID line of a Q:/A: (or `#fc`) card went into its Back field and the note was
    updated, not deleted; the plugin reads the marker file-wide whatever the card's style. Also a one-line
    style whose match ends above the DELETE line."""
    root = make_vault({".notes2anki.toml": CONFIG, "qa.md": QA, "vocab.md": VOCAB})
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2")
    first = sync_cli(root, pc.path, "--yes")
    assert first.exit_code == 0, first.output
    before = _notes(pc.path)
    (root / "qa.md").write_text(QA.replace("The genome.\n", "The genome.\nDELETE\n"), "utf-8")
    (root / "vocab.md").write_text(VOCAB.replace("Katze::cat\n", "Katze::cat\nDELETE\n"), "utf-8")
    config = load_config(root)
    marked = {(c.id, c.delete) for c in load_vault(root, config).cards}
    assert marked == {(1690000000101, False), (1690000000102, True), (1690000000201, False), (1690000000202, True)}
    result = sync_cli(root, pc.path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {(d["nid"], d["reason"]) for d in report["deleted"]} == {(1690000000102, "DELETE"), (1690000000202, "DELETE")}
    assert report["updated"] == []  # no field took the marker as text
    after = _notes(pc.path)
    assert set(after) == {"What is ATP?", "Hund"}
    assert after == {k: v for k, v in before.items() if k in after}  # their review history kept


def test_delete_after_a_blank_line_above_a_regex_cards_id_marks_nothing(make_vault):
    root = make_vault({".notes2anki.toml": CONFIG,
                       "qa.md": "Q: What is SQL's removal keyword?\nA: It is\nDELETE\n\n<!--ID: 1690000000301-->\n"})
    card = load_vault(root, load_config(root)).cards[0]
    assert card.id == 1690000000301 and not card.delete and card.fields["Back"].endswith("DELETE")


def test_a_collection_of_a_newer_anki_is_said_to_be_so_not_open_in_anki(make_vault, sync_cli, tmp_path):
    """Schema 19 (a newer Anki): `--dry-run` printed `DbError { kind: FileTooNew }` and the sync itself said
    the collection was open in Anki, so a user would close Anki and retry forever."""
    import sqlite3

    from .plugin_users import empty_collection

    root = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"})
    col_path = empty_collection(tmp_path)
    with sqlite3.connect(col_path) as conn:
        conn.execute("update col set ver = 19")
    conn.close()
    before = col_path.read_bytes()
    for args in (("--dry-run",), ("--yes",), ("--yes", "--json")):
        result = sync_cli(root, col_path, *args)
        assert result.exit_code == 2, result.output
        assert "was saved by a newer Anki than the anki package notes2anki uses" in result.output, result.output
        assert "open in Anki" not in result.output and "DbError" not in result.output
    assert col_path.read_bytes() == before


def test_the_sync_after_write_ids_makes_no_backup_and_the_next_writes_nothing(make_vault, sync_cli, tmp_path):
    """The first sync after `sync --write-ids` reported 0 changes but wrote a backup: the ID lines moved the
    cards' lines, which only notes2anki's record of them follows."""
    import sqlite3

    from .plugin_users import empty_collection

    card = "START\nBasic\n{}\nBack: a\nEND\n\n"
    root = make_vault({"a.md": card.format("One?") + card.format("Two?") + card.format("Three?")})
    col_path = empty_collection(tmp_path)
    first = sync_cli(root, col_path, "--yes", "--write-ids")
    assert first.exit_code == 0, first.output
    assert (root / "a.md").read_text("utf-8").count("<!--ID:") == 3
    backups = sorted((col_path.parent / "backups").glob("*.colpkg"))

    def stamps():
        with sqlite3.connect(col_path) as conn:
            return conn.execute("select mod from col").fetchone(), conn.execute("select max(mod) from notes").fetchone()

    second = sync_cli(root, col_path, "--yes")
    assert second.exit_code == 0 and "0 new, 0 updated" in second.output and "Backup" not in second.output
    assert sorted((col_path.parent / "backups").glob("*.colpkg")) == backups
    after = stamps()
    third = sync_cli(root, col_path, "--yes")
    assert third.exit_code == 0 and "Backup" not in third.output and stamps() == after  # nothing written
    assert set(_notes(col_path)) == {"One?", "Two?", "Three?"}


def test_a_pattern_that_runs_on_over_the_id_line_still_gives_the_card_its_id(make_vault, plugin_collection,
                                                                              sync_cli, tmp_path):
    """The plugin tries every custom pattern followed by its ID regex first, so a pattern whose last group
    runs over the ID line (`A: ((?:[^\\n][\\n]?)+)`) gives the ID line back; notes2anki read the ID as the
    field's text ("ID … is inside the text of the card"), so the migration made a second note and the
    reviewed one was never updated."""
    config = "[custom_regexps]\nBasic = '^Q: ((?:[^\\n][\\n]?)+)\\nA: ((?:[^\\n][\\n]?)+)'\n"
    qa = ("Q: What is ATP?\nA: Energy currency.\n<!--ID: 1690000000101-->\n\n"
          "Q: What is DNA?\nA: The genome.\n<!--ID: 1690000000102-->\n\nQ: Without an ID?\nA: yes\n")
    root = make_vault({".notes2anki.toml": config, "qa.md": qa})
    vault = load_vault(root, load_config(root))
    assert not [d for d in vault.diagnostics if "ID 16900" in d.message]
    assert [(c.id, c.fields["Back"], c.delete) for c in vault.cards] == [
        (1690000000101, "Energy currency.", False), (1690000000102, "The genome.", False), (None, "yes", False)]
    pc = plugin_collection(root, tmp_path / "c" / "collection.anki2", review_every=1)
    before = _notes(pc.path)
    result = sync_cli(root, pc.path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["new"]) == 1 and report["deleted"] == []  # only the card without an ID
    assert {k: v for k, v in _notes(pc.path).items() if k in before} == before  # history kept, no copies
    (root / "qa.md").write_text(qa.replace("The genome.\n", "The genome.\nDELETE\n"), "utf-8")
    result = sync_cli(root, pc.path, "--yes", "--json")
    assert [(d["nid"], d["reason"]) for d in json.loads(result.stdout)["deleted"]] == [(1690000000102, "DELETE")]


def test_a_delete_line_written_twice_above_a_one_line_cards_id_still_marks_it(make_vault):
    """`zeta::eta`, `DELETE`, `DELETE`, the ID: the ID was left an orphan and sync added a second note; the
    plugin deletes the note (its marker is the DELETE line right above the ID). `eps::DELETE` above an ID
    is an answer, not a marker."""
    root = make_vault({".notes2anki.toml": CONFIG,
                       "o.md": "zeta::eta\nDELETE\nDELETE\n<!--ID: 1700000000014-->\neps::DELETE\n<!--ID: 1700000000013-->\n"})
    vault = load_vault(root, load_config(root))
    assert [(c.id, c.delete, c.fields["Meaning"]) for c in vault.cards] == [(1700000000014, True, "eta"),
                                                                           (1700000000013, False, "DELETE")]
    assert not [d for d in vault.diagnostics if d.kind == "orphan-id"]
