"""`ids` on a machine without the vault's sync record, and what `sync` keeps after it (tester C, 2026-12-02:
r2, r2b), on real Anki collections."""
from __future__ import annotations

import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .plugin_users import empty_collection
from .test_sync_vault_identity import _notes, _review


def test_an_id_written_without_the_record_keeps_the_reviewed_note_after_a_typo_fix(tmp_path, sync_cli,
                                                                                   monkeypatch):
    """r2: synced with no ID lines, its file renamed and synced again (the note kept by the rename
    fallback); machine 2 runs plain `ids` (nothing in the vault says it was synced: written, with a note
    saying what to run instead), then fixes a typo: sync kept the card on its reviewed note (it deleted it)
    with a warning naming the ID line to write by hand."""
    vault = tmp_path / "V"
    vault.mkdir()
    (vault / "Untitled.md").write_text("START\nBasic\nWhat does ATP stand for?\nBack: adenosine triphosphat\nEND\n",
                                       "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col, "--yes").exit_code == 0
    _review(col)
    (vault / "Untitled.md").rename(vault / "ATP.md")
    assert sync_cli(vault, col, "--yes").exit_code == 0
    [nid] = _notes(col)
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine2"))
    result = CliRunner().invoke(cli_main, ["ids", str(vault)])
    assert result.exit_code == 0 and "--collection" in result.output, result.output
    text = (vault / "ATP.md").read_text("utf-8")
    assert f"<!--ID: {nid}-->" not in text and "<!--ID: " in text  # an ID naming no note
    (vault / "ATP.md").write_text(text.replace("triphosphat\n", "triphosphate\n"), "utf-8")
    result = sync_cli(vault, col, "--yes")
    assert result.exit_code == 0, result.output
    assert "0 new" in result.output and "0 deleted" in result.output
    assert _notes(col) == {nid: (["What does ATP stand for?", "adenosine triphosphate"], 1)}
    said = " ".join(result.output.split())
    assert f"<!--ID: {nid}--> by hand" in said and "`sync --write-ids` writes" not in said
    # once the ID line is replaced as said, no warning
    fixed = re.sub(r"<!--ID: \d+-->", f"<!--ID: {nid}-->", (vault / "ATP.md").read_text("utf-8"))
    (vault / "ATP.md").write_text(fixed, "utf-8")
    again = sync_cli(vault, col, "--yes")
    assert again.exit_code == 0 and "names no note" not in again.output and "1 unchanged" in again.output


def test_ids_without_the_record_refuses_when_any_card_has_an_id_line(tmp_path, sync_cli, monkeypatch):
    """r2b: a plugin vault (ID lines that are Anki note ids) synced on machine 1; on machine 2, plain `ids`
    wrote implicit IDs naming no note into renamed files. Refused now (exit 2, nothing written), and
    `ids --collection` writes the IDs sync matched."""
    vault = tmp_path / "V"
    vault.mkdir()
    (vault / "a.md").write_text("START\nBasic\nWith id\nBack: a\n<!--ID: 1700000000001-->\nEND\n\n"
                                "START\nBasic\nNo id\nBack: b\nEND\n", "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col, "--yes", "--recreate-missing").exit_code == 0
    _review(col)
    (vault / "a.md").rename(vault / "b.md")
    assert sync_cli(vault, col, "--yes").exit_code == 0
    notes = _notes(col)
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine2"))
    before = (vault / "b.md").read_bytes()
    result = CliRunner().invoke(cli_main, ["ids", str(vault)])
    assert result.exit_code == 2 and "--collection" in result.output and "nothing written" in result.output
    assert (vault / "b.md").read_bytes() == before
    # r9: the wrong profile (a collection holding nothing of this vault) is refused too
    wrong = empty_collection(tmp_path / "other")
    result = CliRunner().invoke(cli_main, ["ids", str(vault), "--collection", str(wrong)])
    assert result.exit_code == 2 and "holds no note of this vault" in result.output, result.output
    assert (vault / "b.md").read_bytes() == before
    result = CliRunner().invoke(cli_main, ["ids", str(vault), "--collection", str(col)])
    assert result.exit_code == 0, result.output
    other = next(n for n, (fields, _) in notes.items() if fields[0] == "No id")
    assert f"<!--ID: {other}-->" in (vault / "b.md").read_text("utf-8")
    assert sync_cli(vault, col, "--yes").exit_code == 0 and _notes(col) == notes


def test_twin_cards_with_ids_naming_no_note_keep_the_twin_notes(tmp_path, sync_cli, monkeypatch):
    """r2c: two identical cards (no IDs) in a renamed file; machine 2's plain `ids` wrote IDs naming no note;
    the next sync could not tell which twin note each card holds and added 2 new duplicates. Identical text:
    paired in their order, no note added or deleted."""
    vault = tmp_path / "V"
    vault.mkdir()
    twin = "START\nBasic\nTranslate: the dog\nBack: el perro\nEND\n\n"
    (vault / "Untitled.md").write_text(twin * 2 + "START\nBasic\nOther\nBack: o\nEND\n", "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col).exit_code == 0
    _review(col)
    (vault / "Untitled.md").rename(vault / "Spanish.md")
    assert sync_cli(vault, col).exit_code == 0
    before = _notes(col)
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine2"))
    assert CliRunner().invoke(cli_main, ["ids", str(vault)]).exit_code == 0
    result = sync_cli(vault, col, "--yes")
    assert result.exit_code == 0 and "0 new" in result.output and "0 deleted" in result.output, result.output
    assert _notes(col) == before


def test_ids_run_again_on_the_machine_that_wrote_the_ids_is_not_refused(tmp_path, monkeypatch):
    """A vault never synced: `ids`, new cards added, `ids` again — the second was refused (ID lines, no sync
    record) and told to give a collection. The machine that wrote the IDs knows them; another one still asks."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("START\nBasic\nQ1\nBack: A1\nEND\n", "utf-8")
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine1"))
    first = CliRunner().invoke(cli_main, ["ids", str(vault)])
    assert first.exit_code == 0, first.output
    with (vault / "a.md").open("a", encoding="utf-8") as f:
        f.write("\nSTART\nBasic\nQ2\nBack: A2\nEND\n")
    again = CliRunner().invoke(cli_main, ["ids", str(vault)])
    assert again.exit_code == 0, again.output
    assert (vault / "a.md").read_text("utf-8").count("<!--ID: ") == 2
    with (vault / "a.md").open("a", encoding="utf-8") as f:
        f.write("\nSTART\nBasic\nQ3\nBack: A3\nEND\n")
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "machine2"))
    other = CliRunner().invoke(cli_main, ["ids", str(vault)])
    assert other.exit_code == 2 and "--collection" in " ".join(other.output.split())
