"""Tester findings of 07:30 on `sync` and `build`: each case with its minimal input and what a user should
see — review history that a sync would have lost."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .test_sync_tester_0430 import CARD, _notes, _synced


def test_an_answer_that_is_the_word_delete_is_text_not_a_delete_marker(make_vault, sync_cli, tmp_path):
    """U1: a card without an ID whose answer ends with the line `DELETE` (SQL's keyword) was read as marked
    for deletion: never built, `check` silent, `sync --yes` deleted its reviewed note. As in the plugin,
    `DELETE` marks a card only above its ID line."""
    files = {"sql.md": CARD.format(q="Which SQL keyword removes rows?", a="\nDELETE FROM"),
             "o.md": CARD.format(q="Other?", a="x")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    (root / "sql.md").write_text(files["sql.md"].replace("DELETE FROM", "DELETE"), "utf-8")
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "sql.md:5: warning: DELETE is read as the card's text" in check.output
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["deleted"] == [] and len(report["updated"]) == 1
    assert _notes(col_path) == {"Which SQL keyword removes rows?": 1, "Other?": 1}


@pytest.mark.parametrize("setting", ['ignore = ["Archive/"]', 'scan_directory = "Uni"'])
def test_a_folder_the_settings_now_leave_out_keeps_its_notes(make_vault, sync_cli, tmp_path, setting):
    """U2: `ignore = ["Archive/"]` (or `scan_directory`) added to stop building last term's cards: sync
    listed their reviewed notes as "gone from the vault" and `--yes` deleted them, the files untouched."""
    files = {"Archive/old.md": CARD.format(q="Old question?", a="x"), "Uni/new.md": CARD.format(q="New question?", a="y")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    (root / ".notes2anki.toml").write_text(setting + "\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert "1 notes whose files are still in the vault are not deleted" in result.output
    assert _notes(col_path) == {"Old question?": 1, "New question?": 1}
    built = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes"])
    assert built.exit_code == 0 and "Old question" not in built.output
    (root / "Archive" / "old.md").unlink()  # the file really gone: the note is deleted
    result = sync_cli(root, col_path, "--yes", "--json")
    assert [d["reason"] for d in json.loads(result.stdout)["deleted"]] == ["removed"]
    assert _notes(col_path) == {"New question?": 1}


def test_a_front_renormalised_from_nfd_to_nfc_keeps_its_note(make_vault, sync_cli, tmp_path):
    """U5: an ID-less card's front pasted in NFD ("U" + combining diaeresis) and later normalised to NFC by
    an editor (same text on screen, and in Anki, which stores NFC): a new note and the reviewed one deleted."""
    nfd = "Was ist eine U\u0308bung?"
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q=nfd, a="Praxis")})
    (root / "a.md").write_text(CARD.format(q="Was ist eine \u00dcbung?", a="Praxis"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == []
    assert _notes(col_path) == {"Was ist eine \u00dcbung?": 1}


def test_most_of_the_vault_gone_at_once_is_held_until_allowed(make_vault, sync_cli, tmp_path):
    """U7: a vault seen half downloaded (29 of 30 files not there yet): `sync --yes` deleted 29 reviewed
    notes. Now a deletion of ≥ 10 notes and more than a quarter of the vault is held whole, with a
    warning, unless `--allow-mass-delete`; DELETE-marked cards are still deleted."""
    files = {f"n{i}.md": CARD.format(q=f"Question {i}?", a=f"answer {i}") for i in range(1, 31)}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    for i in range(2, 31):
        (root / f"n{i}.md").unlink()
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert "29 notes whose cards were not found are not deleted: that is 97% of this vault's 30 notes" in result.output
    assert len(_notes(col_path)) == 30
    for i in range(2, 6):  # the files come back but four: four deletions are an ordinary sync
        (root / f"n{i}.md").write_text(files[f"n{i}.md"], "utf-8")
    for i in range(10, 31):
        (root / f"n{i}.md").write_text(files[f"n{i}.md"], "utf-8")
    assert len(json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)["deleted"]) == 4
    for i in range(10, 31):
        (root / f"n{i}.md").unlink()
    result = sync_cli(root, col_path, "--yes", "--allow-mass-delete", "--json")
    assert len(json.loads(result.stdout)["deleted"]) == 21 and len(_notes(col_path)) == 5
