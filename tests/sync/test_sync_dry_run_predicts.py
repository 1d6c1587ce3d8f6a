"""`sync --dry-run` predicts the real run with the same flags (tester2 r6, r7), and a sync that changes no
note makes no backup (tester2, r20's second finding).

Before: without --yes the dry run counted a note type change that removes a reviewed card (`2 retyped`,
json `retyped: 2, not_retyped: 0`) and a deletion (`1 deleted`) that the real run then refused (`1 retyped,
1 not retyped`; `0 deleted, 1 note not deleted`). And a sync whose only effects were a deletion not confirmed
and a card not synced made a backup of the collection although no note changed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from anki.collection import Collection

from .test_sync_retype import _review_all, card, seen
from .plugin_users import empty_collection, snapshot


def _summary(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(("Synced ", "Would sync ")))


def _vault_with_held_changes(make_vault, sync_cli, tmp_path):
    """A reviewed reverse card the vault now says is Basic (a lossy retype), a card deleted from the vault,
    another retype that removes only a card never studied, and a card unchanged. → (root, collection, nids)"""
    col_path = empty_collection(tmp_path)
    root = make_vault({"a.md": card("Basic (and reversed card)", "Hund", "dog"),
                       "b.md": card("Basic", "Gone?", "x"),
                       "c.md": card("Basic (and reversed card)", "Katze", "cat"),
                       "d.md": card("Basic", "Same?", "y")})
    assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    col = Collection(str(col_path))
    try:
        nids = {col.get_note(n).fields[0]: n for n in col.find_notes("")}
        _review_all(col, nids["Hund"])
    finally:
        col.close()
    for name in ("a.md", "c.md"):
        path = root / name
        path.write_text(path.read_text("utf-8").replace("Basic (and reversed card)", "Basic"), "utf-8")
    (root / "b.md").unlink()
    return root, col_path, nids


def _copy(col_path: Path, to: Path) -> Path:
    shutil.copytree(col_path.parent, to)
    return to / col_path.name


def test_a_dry_run_without_yes_counts_what_the_real_run_holds(make_vault, sync_cli, tmp_path):
    root, col_path, nids = _vault_with_held_changes(make_vault, sync_cli, tmp_path)
    dry = sync_cli(root, col_path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert _summary(dry.output) == (
        f"Would sync 3 cards into {col_path}: 0 new, 0 updated, 0 moved, 1 retyped (1 card removed), 0 deleted, "
        "1 unchanged, 1 not retyped (see below), 0 media files. (dry run: nothing written)")
    assert "Note type changes that remove reviewed cards or field text (1):" in dry.output
    assert "To delete (1 note of this vault):" in dry.output
    said = " ".join(dry.output.split())
    assert (f"1 note not deleted and 1 not retyped without --yes (the sync asks only on a terminal; in Anki's "
            f"browser: nid:{nids['Gone?']},{nids['Hund']})") in said

    dry_json = json.loads(sync_cli(root, col_path, "--dry-run", "--json").stdout)
    real_json = json.loads(sync_cli(root, _copy(col_path, tmp_path / "real1"), "--json").stdout)
    for key in ("counts", "not_deleted", "not_retyped", "deleted", "retyped", "unchanged"):
        assert dry_json[key] == real_json[key], key
    assert dry_json["counts"]["not_retyped"] == 1 and dry_json["not_deleted"] == [nids["Gone?"]]

    real = sync_cli(root, _copy(col_path, tmp_path / "real2"))
    assert _summary(real.output).replace("Synced", "Would sync").replace(str(tmp_path / "real2"), str(col_path.parent)) \
        == _summary(dry.output).removesuffix(" (dry run: nothing written)")


def test_a_dry_run_with_yes_counts_them_as_done(make_vault, sync_cli, tmp_path):
    root, col_path, nids = _vault_with_held_changes(make_vault, sync_cli, tmp_path)
    dry = sync_cli(root, col_path, "--dry-run", "--yes")
    assert _summary(dry.output) == (
        f"Would sync 3 cards into {col_path}: 0 new, 0 updated, 0 moved, 2 retyped (2 cards removed, 1 reviewed), "
        "1 deleted, 1 unchanged, 0 media files. (dry run: nothing written)")
    assert "To delete (1 note of this vault):" in dry.output and "not deleted" not in dry.output
    dry_json = json.loads(sync_cli(root, col_path, "--dry-run", "--yes", "--json").stdout)
    real_json = json.loads(sync_cli(root, _copy(col_path, tmp_path / "real"), "--yes", "--json").stdout)
    for key in ("counts", "not_deleted", "not_retyped", "deleted", "retyped", "unchanged"):
        assert dry_json[key] == real_json[key], key
    assert seen(col_path, nids["Hund"])["cards"] == {0: 1, 1: 1}  # the dry run changed nothing


def test_a_dry_run_on_a_terminal_says_the_sync_will_ask_and_asks_nothing(make_vault, sync_cli, tmp_path):
    root, col_path, nids = _vault_with_held_changes(make_vault, sync_cli, tmp_path)
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "notes2anki.cli", "sync", str(root), "--collection",
                                 str(col_path), "--dry-run"], stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, out + err
    assert "in Anki?" not in err  # no question
    said = " ".join(out.split())
    assert "1 note not deleted and 1 not retyped unless you answer y to the sync's question (or use --yes;" in said
    assert "1 retyped (1 card removed), 0 deleted, 1 unchanged, 1 not retyped (see below)" in said


def test_no_backup_when_only_a_deletion_is_held_and_a_card_not_synced(make_vault, sync_cli, tmp_path):
    col_path = empty_collection(tmp_path)
    root = make_vault({f"n{i}.md": card("Basic", f"Q{i}?", f"A{i}") for i in range(1, 5)})
    assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    backups = set((col_path.parent / "backups").iterdir())
    col = Collection(str(col_path))
    try:  # the user gives Q1's note a type of their own that lacks the card's "Back": left as it is
        nid = col.find_notes("Q1?")[0]
        basic = col.models.by_name("Basic")
        mine = col.models.copy(basic)
        mine["name"] = "MyType"
        col.models.rename_field(mine, mine["flds"][1], "Answer")
        col.models.update_dict(mine)
        info = col.models.change_notetype_info(old_notetype_id=col.get_note(nid).mid,
                                               new_notetype_id=col.models.by_name("MyType")["id"])
        info.input.note_ids.extend([nid])
        col.models.change_notetype_of_notes(info.input)
    finally:
        col.close()
    (root / "n2.md").unlink()
    before = snapshot(col_path)
    result = sync_cli(root, col_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["backup"] is None and len(data["not_deleted"]) == 1 and data["counts"]["not_synced"] == 1
    assert set((col_path.parent / "backups").iterdir()) == backups
    assert snapshot(col_path) == before


def test_no_backup_when_only_a_retype_is_held(make_vault, sync_cli, tmp_path):
    root, col_path, nids = _vault_with_held_changes(make_vault, sync_cli, tmp_path)
    for name in ("c.md",):  # only the lossy retype of a.md is left
        path = root / name
        path.write_text(path.read_text("utf-8").replace("Basic\n", "Basic (and reversed card)\n", 1), "utf-8")
    (root / "b.md").write_text(card("Basic", "Gone?", "x", nids["Gone?"]), "utf-8")
    backups = set((col_path.parent / "backups").iterdir())
    before = snapshot(col_path)
    data = json.loads(sync_cli(root, col_path, "--json").stdout)
    assert data["not_retyped"] == [nids["Hund"]] and data["backup"] is None
    assert data["counts"] == {"cards": 4, "new": 0, "updated": 0, "moved": 0, "retyped": 0, "unchanged": 3,
                              "not_synced": 0, "not_retyped": 1}
    assert set((col_path.parent / "backups").iterdir()) == backups and snapshot(col_path) == before
