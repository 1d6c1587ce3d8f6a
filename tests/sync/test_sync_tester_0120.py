"""Tester findings of 01:20 on `sync`: each case with its minimal input and what a user should see."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from anki.collection import Collection

from .plugin_users import empty_collection


def _fronts(col_path: Path) -> list[str]:
    col = Collection(str(col_path))
    try:
        return sorted(col.get_note(nid).fields[0] for nid in col.find_notes(""))
    finally:
        col.close()


def _vault(make_vault):
    return make_vault({f"{n}.md": f"START\nBasic\nQuestion {n}?\nBack: ans {n}\nEND\n" for n in "abc"}
                      | {"course/e.md": "START\nBasic\nCourse q?\nBack: cq\nEND\n"})


def test_a_folder_moved_out_and_linked_back_deletes_none_of_its_notes(make_vault, sync_cli, tmp_path):
    """S3: the folder `course` moved out of the vault and linked back in is left out with a warning; `sync
    --yes` planned its note as "gone from the vault" and deleted it, losing its review history."""
    root = _vault(make_vault)
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    assert len(_fronts(col_path)) == 4
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "course").rename(outside / "course")
    (root / "course").symlink_to(outside / "course", target_is_directory=True)
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert _fronts(col_path) == ["Course q?", "Question a?", "Question b?", "Question c?"]
    assert "folder link leads outside the vault" in result.output
    assert "1 note whose card was not read is not deleted" in result.output


def test_a_note_renamed_to_a_name_that_is_not_utf8_keeps_its_anki_note(make_vault, sync_cli, tmp_path):
    """S3: `c.md` renamed to `caf\\xe9.md` is left out (name not UTF-8); its note must not be deleted.
    A card removed from a file that was read is still deleted."""
    root = _vault(make_vault)
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    try:
        os.rename(root / "c.md", os.fsencode(root) + b"/caf\xe9.md")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    (root / "a.md").write_text("no card any more\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    deleted = json.loads(result.stdout)["deleted"]
    assert [(d["file"], d["reason"]) for d in deleted] == [("a.md", "removed")], deleted
    assert _fronts(col_path) == ["Course q?", "Question b?", "Question c?"]
    assert "file name is not valid UTF-8" in result.output


def test_without_skipped_paths_a_removed_file_is_still_deleted(make_vault, sync_cli, tmp_path):
    """The guard holds only while something is left out: a note file really removed is deleted."""
    root = _vault(make_vault)
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / "course" / "e.md").unlink()
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["deleted"]) == 1
    assert _fronts(col_path) == ["Question a?", "Question b?", "Question c?"]


def test_sync_has_the_message_options_its_summary_names(make_vault, sync_cli, tmp_path):
    """S1: with more than 25 messages sync said "see them all with --all-messages, or --messages-file
    FILE", options it did not have ("No such option")."""
    files = {f"n{i}.md": f"START\nBasik\nq{i}\nBack: a\nEND\n" for i in range(30)}
    root = make_vault(files | {"good.md": "START\nBasic\ngood\nBack: a\nEND\n"})
    col_path = empty_collection(tmp_path)
    summary = sync_cli(root, col_path, "--yes")
    assert "see them all with --all-messages" in summary.output
    listed = sync_cli(root, col_path, "--all-messages")
    assert listed.exit_code == 1, listed.output  # the vault has errors
    assert sum("unknown note type" in line.lower() or "basik" in line.lower()
               for line in listed.output.splitlines()) >= 30
    out_file = tmp_path / "messages.txt"
    written = sync_cli(root, col_path, "--messages-file", str(out_file))
    assert written.exit_code == 1, written.output
    lines = out_file.read_text("utf-8").splitlines()
    assert sum("unknown note type 'Basik'" in line for line in lines) == 30 and len(lines) == 31  # + no-ID warning
    inside = sync_cli(root, col_path, "--messages-file", str(root / "good.md"))
    assert inside.exit_code == 2 and (root / "good.md").read_text("utf-8").startswith("START")


def test_a_typo_near_start_never_deletes_the_note_whose_id_line_is_still_there(make_vault, sync_cli, tmp_path):
    """S19: `Start` for `START`, `START Basic` on one line, `START:` — the card is not read (a near-miss
    warning names what was meant) but its `<!--ID: n-->` line is still in the file; `sync --yes` listed
    the note as "gone from the vault" and deleted it with its review history."""
    from click.testing import CliRunner

    from notes2anki.cli import main as cli_main

    root = make_vault({f"{n}.md": f"START\nBasic\nCard {n} question?\nBack: ans {n}\nEND\n" for n in "abcdef"})
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    assert len(_fronts(col_path)) == 6
    for name, old, new in (("a", "START\n", "Start\n"), ("b", "START\nBasic\n", "START Basic\n"),
                           ("e", "START\n", "START:\n")):
        path = root / f"{name}.md"
        path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    text = (root / "f.md").read_text("utf-8")  # the card really deleted: its ID line goes with it
    (root / "f.md").write_text("nothing here any more\n", "utf-8")
    assert "<!--ID: " in text
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    deleted = json.loads(result.stdout)["deleted"]
    assert [d["file"] for d in deleted] == ["f.md"], deleted
    assert _fronts(col_path) == [f"Card {n} question?" for n in "abcde"]
    assert "ID lines are still in the vault" in result.output


def test_a_near_miss_in_a_file_without_id_lines_keeps_its_notes(make_vault, sync_cli, tmp_path):
    """S19, cards without IDs: `START:` is a near miss (warning), so the file "gave a problem this time"
    like a file with an error, and its notes are kept."""
    root = make_vault({"a.md": "START\nBasic\nCard a?\nBack: x\nEND\n", "b.md": "START\nBasic\nCard b?\nBack: y\nEND\n"})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / "a.md").write_text("START:\nBasic\nCard a?\nBack: x\nEND\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert _fronts(col_path) == ["Card a?", "Card b?"]
    assert "mistyped card syntax" in result.output


def test_two_vaults_with_one_folder_name_never_delete_each_others_notes(make_vault, sync_cli, tmp_path):
    """S15: two vaults both named `vault` (Obsidian's default names clash often) synced into one
    collection: the second sync listed the first's notes as "gone from the vault" and deleted them. Now
    the second sync stops before writing and says to set `vault_id`; with it, both sync side by side. A
    vault moved (its old folder gone) syncs on."""
    first = tmp_path / "a" / "vault"
    second = tmp_path / "b" / "vault"
    for root, text in ((first, "School question one?"), (second, "Work question one?")):
        root.mkdir(parents=True)
        (root / "n.md").write_text(f"START\nBasic\n{text}\nBack: x\nEND\n", "utf-8")
    col_path = empty_collection(tmp_path)
    assert sync_cli(first, col_path, "--yes").exit_code == 0
    refused = sync_cli(second, col_path, "--yes")
    assert refused.exit_code == 2, refused.output
    assert 'another vault named "vault"' in refused.output and "vault_id" in refused.output
    assert _fronts(col_path) == ["School question one?"]
    (second / ".notes2anki.toml").write_text('[sync]\nvault_id = "work"\n', "utf-8")
    assert sync_cli(second, col_path, "--yes").exit_code == 0
    assert sync_cli(first, col_path, "--yes").exit_code == 0
    assert _fronts(col_path) == ["School question one?", "Work question one?"]
    moved = tmp_path / "c" / "vault"
    moved.parent.mkdir()
    first.rename(moved)
    result = sync_cli(moved, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == [] and len(_fronts(col_path)) == 2


def test_a_renamed_vault_is_told_to_keep_its_old_name_and_then_syncs_on(make_vault, sync_cli, tmp_path):
    """S23: a vault folder renamed (every card with an ID): sync skipped every card with "this card matches
    the note …, which vault 'ren1' synced (give one of the two cards another ID, or this vault its own
    vault_id)" — advice that would lose the review history. Now it stops, nothing written, and says to set
    `vault_id` to the old name; with it, the notes are updated in place."""
    from click.testing import CliRunner

    from notes2anki.cli import main as cli_main

    old = tmp_path / "ren1"
    old.mkdir()
    for n in "abc":
        (old / f"{n}.md").write_text(f"START\nBasic\nQuestion {n}?\nBack: ans {n}\nEND\n", "utf-8")
    assert CliRunner().invoke(cli_main, ["ids", str(old)]).exit_code == 0
    col_path = empty_collection(tmp_path)
    assert sync_cli(old, col_path, "--yes").exit_code == 0
    new = tmp_path / "ren2"
    old.rename(new)
    refused = sync_cli(new, col_path, "--yes")
    assert refused.exit_code == 2, refused.output
    assert "vault_id = \"ren1\"" in refused.output and "nothing was written" in refused.output
    (new / "a.md").write_text((new / "a.md").read_text("utf-8").replace("ans a", "ans A"), "utf-8")
    (new / ".notes2anki.toml").write_text('[sync]\nvault_id = "ren1"\n', "utf-8")
    result = sync_cli(new, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["new"] == [] and data["deleted"] == [] and len(data["updated"]) == 1
    assert _fronts(col_path) == ["Question a?", "Question b?", "Question c?"]


def test_a_copied_note_never_takes_the_originals_anki_note(make_vault, sync_cli, tmp_path):
    """S24: `Note.md` copied to `Note 1.md` (Obsidian's "Make a copy") and the copy edited into a new
    question: the copy sorts first, kept the ID and overwrote the reviewed original note in Anki. Now both
    cards are skipped with an error at each, and the Anki note keeps the original text."""
    root = make_vault({"Note.md": "START\nBasic\nOriginal question?\nBack: original answer\n"
                                  "<!--ID: 1700000000001-->\nEND\n"})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    copy = (root / "Note.md").read_text("utf-8").replace("Original question?", "New different question?")
    (root / "Note 1.md").write_text(copy, "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 1, result.output  # errors in the vault
    data = json.loads(result.stdout)
    assert data["updated"] == [] and data["deleted"] == [] and data["new"] == []
    assert _fronts(col_path) == ["Original question?"]
    assert "Note 1.md:1: error: ID 1700000000001 is also used by the card at Note.md:1" in result.output


def test_notes_of_a_folder_that_became_a_template_folder_are_not_deleted(make_vault, sync_cli, tmp_path):
    """S3, third trigger: Obsidian's Templates setting pointed at a folder holding synced cards; its cards
    are deliberately not built (a warning says so) and sync planned them as "gone from the vault"."""
    root = make_vault({"Notes/a.md": "START\nBasic\nCard a?\nBack: x\nEND\n",
                       "Notes/b.md": "START\nBasic\nCard b?\nBack: y\nEND\n",
                       "c.md": "START\nBasic\nCard c?\nBack: z\nEND\n"})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    (root / ".obsidian").mkdir()
    (root / ".obsidian" / "templates.json").write_text('{"folder": "Notes"}', "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert _fronts(col_path) == ["Card a?", "Card b?", "Card c?"]
    assert "2 notes whose cards were not read are not deleted" in result.output


def test_ctrl_c_after_the_commit_says_the_sync_is_complete(make_vault, sync_cli, tmp_path, monkeypatch):
    """S10: a Ctrl-C while the collection was being closed, after the transaction had committed, printed
    "Interrupted: stopped before the end; nothing more was written" although every change was in Anki. Now
    the summary is shown, the message says the sync is complete, and --write-ids writes nothing (exit 130)."""
    import signal

    from notes2anki.decks import sync as sync_module

    root = make_vault({"a.md": "START\nBasic\nCard a?\nBack: x\nEND\n"})
    col_path = empty_collection(tmp_path)
    real_open = sync_module.open_collection

    def open_then_interrupt_at_close(path):
        opened = real_open(path)
        real_close = opened.close

        def close():
            os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C, right after the commit
            real_close()

        opened.close = close
        return opened

    monkeypatch.setattr(sync_module, "open_collection", open_then_interrupt_at_close)
    result = sync_cli(root, col_path, "--yes", "--write-ids")
    assert result.exit_code == 130, result.output
    assert "this sync is complete; no IDs were written" in result.output
    assert "nothing more was written" not in result.output
    assert "Synced" in result.output or "1 new" in result.output
    assert _fronts(col_path) == ["Card a?"]
    assert "<!--ID:" not in (root / "a.md").read_text("utf-8")


def test_ctrl_c_while_write_ids_writes_says_the_sync_is_complete(make_vault, sync_cli, tmp_path, monkeypatch):
    """Tester 12-03: a Ctrl-C while `sync --write-ids` wrote the IDs into the vault (after the commit, ~3 s for
    3,000 cards) printed only "Interrupted: stopped before the end; nothing more was written" although every
    note was in Anki. Now the summary is shown and the message says the sync is complete, that the IDs were
    being written (the files written keep theirs, each whole) and how to write the rest (exit 130)."""
    import signal

    from notes2anki.decks import write_ids

    root = make_vault({"a.md": "START\nBasic\nCard a?\nBack: x\nEND\n", "b.md": "START\nBasic\nCard b?\nBack: y\nEND\n"})
    col_path = empty_collection(tmp_path)
    real_write = write_ids.atomic_write
    written = []

    def write_then_interrupt(path, data, **options):
        real_write(path, data, **options)
        written.append(path)
        if len(written) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C after the first file got its ID

    monkeypatch.setattr(write_ids, "atomic_write", write_then_interrupt)
    result = sync_cli(root, col_path, "--yes", "--write-ids")
    assert result.exit_code == 130, result.output
    said = " ".join(result.output.split())
    assert "this sync is complete; it stopped while writing the IDs into the vault" in said
    assert "sync again with --write-ids to write the rest" in said and "nothing more was written" not in said
    assert _fronts(col_path) == ["Card a?", "Card b?"]
    texts = [(root / name).read_text("utf-8") for name in ("a.md", "b.md")]
    assert sum("<!--ID:" in text for text in texts) == 1  # the first file whole, the second untouched
    monkeypatch.setattr(write_ids, "atomic_write", real_write)
    again = sync_cli(root, col_path, "--yes", "--write-ids")  # the rest written, nothing new in Anki
    assert again.exit_code == 0, again.output
    assert all("<!--ID:" in (root / name).read_text("utf-8") for name in ("a.md", "b.md"))
    assert _fronts(col_path) == ["Card a?", "Card b?"]
