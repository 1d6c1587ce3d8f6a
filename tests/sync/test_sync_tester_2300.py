"""Tester findings of 23:00 on `sync`: each case with its minimal input and what a user should see."""
from __future__ import annotations

import json
from pathlib import Path

from anki.collection import Collection

from .plugin_users import empty_collection

LONG_FRONT = "Default port of HTTPS when the server and the client agree on nothing else at all"
NOTE = f"START\nBasic (and reversed card)\n{LONG_FRONT}\nBack: 443\nEND\n\nSTART\nBasic\nWhich flag?\nBack: ![[flag.png]]\nEND\n"


def _backups(col_path: Path) -> list[Path]:
    folder = col_path.parent / "backups"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_write_ids_drops_the_no_id_warning_it_made_untrue_and_rows_show_the_change_whole(
        make_vault, sync_cli, tmp_path, png_bytes):
    """L4: `sync --write-ids` ended with "2 cards in 1 file have no ID … Run notes2anki ids" after writing
    them. L3: "Note type changed" rows were cut at 60 characters, losing "→ notes2anki: Basic"."""
    root = make_vault({"Net/HTTPS.md": NOTE, "flag.png": png_bytes(1)})
    col_path = empty_collection(tmp_path)
    first = sync_cli(root, col_path, "--write-ids", "--yes")
    assert first.exit_code == 0, first.output
    assert "IDs written: Net/HTTPS.md" in first.output
    assert "have no ID" not in first.output
    assert (root / "Net" / "HTTPS.md").read_text("utf-8").count("<!--ID: ") == 2
    note = root / "Net" / "HTTPS.md"
    note.write_text(note.read_text("utf-8").replace("Basic (and reversed card)\n", "Basic\n", 1), "utf-8")
    retyped = sync_cli(root, col_path, "--yes")
    assert retyped.exit_code == 0, retyped.output
    lines = retyped.stdout.splitlines()
    row = lines[lines.index("Note type changed (1):") + 1]
    assert row.endswith("[notes2anki: Basic (and reversed card) → Basic; removes card 'Card 2' (new)]")
    assert "Default port of HTTPS when the server a…" in row  # the front shortened, the change whole
    col = Collection(str(col_path))
    try:
        types = {col.get_note(n).note_type()["name"] for n in col.find_notes("")}
    finally:
        col.close()
    assert types == {"notes2anki: Basic"}


def test_dry_run_counts_only_media_anki_lacks(make_vault, sync_cli, tmp_path, png_bytes):
    """L7: after a sync, `sync --dry-run` listed every media file as to be added; the real sync said 0."""
    root = make_vault({"Flags.md": NOTE, "flag.png": png_bytes(1)})
    col_path = empty_collection(tmp_path)
    assert json.loads(sync_cli(root, col_path, "--dry-run", "--json").stdout)["media"] == ["flag.png"]
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    assert json.loads(sync_cli(root, col_path, "--dry-run", "--json").stdout)["media"] == []
    (root / "flag.png").write_bytes(png_bytes(2))
    assert json.loads(sync_cli(root, col_path, "--dry-run", "--json").stdout)["media"] == ["flag.png"]


def test_a_declined_deletion_alone_writes_no_backup(make_vault, sync_cli, tmp_path, png_bytes):
    """L8: a sync whose only pending change was a declined deletion made a full backup on every run."""
    root = make_vault({"Flags.md": NOTE, "Other.md": "START\nBasic\nKept elsewhere\nBack: x\nEND\n",
                       "flag.png": png_bytes(1)})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    made = _backups(col_path)
    assert len(made) == 1
    (root / "Other.md").unlink()
    for _ in range(2):
        declined = sync_cli(root, col_path)  # not a terminal, no --yes: listed, not deleted
        assert declined.exit_code == 0, declined.output
        assert "1 note not deleted" in declined.output and "Backup of the collection" not in declined.output
    assert _backups(col_path) == made
    col = Collection(str(col_path))
    try:
        assert len(col.find_notes("")) == 3  # nothing deleted
    finally:
        col.close()
    done = sync_cli(root, col_path, "--yes")
    assert done.exit_code == 0 and "Backup of the collection" in done.output
