"""`sync -q` prints only errors, warnings and the one-line summary (tester2 r20).

Before: `sync -q --write-ids` printed the summary, a `Backup of the collection…` line and one `IDs written:
nN.md` line per file."""
from __future__ import annotations

from .plugin_users import empty_collection
from .test_sync_retype import card


def test_quiet_keeps_the_summary_line_only(make_vault, sync_cli, tmp_path):
    root = make_vault({f"n{i}.md": card("Basic", f"Q{i}?", f"A{i}") for i in range(1, 6)})
    col_path = empty_collection(tmp_path)
    result = sync_cli(root, col_path, "-q", "--write-ids")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Synced 5 cards into {col_path}: 5 new, 0 updated, 0 moved, 0 retyped, 0 deleted, 0 unchanged, "
        "0 media files. IDs written into 5 files."]
    assert len(list((col_path.parent / "backups").iterdir())) == 1  # made, not printed
    assert "<!--ID:" in (root / "n1.md").read_text("utf-8")


def test_quiet_keeps_warnings_and_what_was_held(make_vault, sync_cli, tmp_path):
    """A deletion not confirmed: no listing of the notes under -q (nothing is asked), the line naming them stays."""
    root = make_vault({f"n{i}.md": card("Basic", f"Q{i}?", f"A{i}") for i in range(1, 6)})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--write-ids").exit_code == 0
    (root / "n2.md").unlink()
    (root / "n3.md").write_text(card("Basic", "Q3?", "A3 edited"), "utf-8")
    result = sync_cli(root, col_path, "-q")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Synced 4 cards into ") and "1 updated" in lines[0] and "0 deleted" in lines[0]
    assert lines[1].startswith("1 note not deleted (run again with --yes")
    assert not any(line.startswith(("To delete", "Updated", "Backup", "  ")) for line in lines), lines
