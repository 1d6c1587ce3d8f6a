"""walk_vault says whether the vault holds links (issue 13: a vault without any skips the per-note
realpath of distinct_notes), and a note linked twice is still read once."""
from __future__ import annotations

import os

from notes2anki.parsers import load_vault
from notes2anki.parsers.files import walk_vault

NOTE = "START\nBasic\nWhat is mitosis?\nBack: Cell division\nEND\n"


def test_a_vault_without_links_says_so_and_reads_every_note(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text(NOTE, "utf-8")
    (tmp_path / "sub" / "b.md").write_text(NOTE.replace("mitosis", "meiosis"), "utf-8")
    files = walk_vault(tmp_path)
    assert files == ["a.md", "sub/b.md"] and files.has_links is False
    assert [c.file for c in load_vault(tmp_path).cards] == ["a.md", "sub/b.md"]


def test_a_file_link_or_a_folder_link_is_noticed_and_a_note_is_read_once(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.md").write_text(NOTE, "utf-8")
    os.symlink(tmp_path / "real" / "a.md", tmp_path / "again.md")
    files = walk_vault(tmp_path)
    assert files.has_links is True
    assert [c.file for c in load_vault(tmp_path).cards] == ["real/a.md"]  # the real file wins
    os.remove(tmp_path / "again.md")
    os.symlink(tmp_path / "real", tmp_path / "mirror")
    files = walk_vault(tmp_path)
    assert files.has_links is True and "real/a.md" in files
    assert [c.file for c in load_vault(tmp_path).cards] == ["real/a.md"]
