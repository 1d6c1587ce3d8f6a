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


def test_a_folder_beyond_the_longest_path_is_a_skipped_path_warning(tmp_path):
    """Tester 04:30, T15: a note 1,100 folders deep (4,420 bytes, beyond PATH_MAX) was left out without a
    word, so `check` counted one note of two and `sync` could delete its notes."""
    import os

    from notes2anki.model import SKIPPED_PATH
    from notes2anki.parsers.files import walk_vault

    root = tmp_path / "v"
    root.mkdir()
    (root / "top.md").write_text("START\nBasic\nTop?\nBack: a\nEND\n", "utf-8")
    here = os.getcwd()
    try:
        os.chdir(root)
        for _ in range(1100):
            os.mkdir("abc")
            os.chdir("abc")
        with open("deep.md", "w", encoding="utf-8") as f:
            f.write("START\nBasic\nDeep?\nBack: a\nEND\n")
    finally:
        os.chdir(here)
    try:
        diags = []
        assert walk_vault(root, diags) == ["top.md"]
        assert [d.kind for d in diags] == [SKIPPED_PATH] and diags[0].file.startswith("abc/abc/")
    finally:  # removed here, bottom up: pytest's own clean-up of old temporary folders recurses per level
        try:
            os.chdir(root)
            depth = 0
            while os.path.isdir("abc"):
                os.chdir("abc")
                depth += 1
            os.remove("deep.md")
            for _ in range(depth):
                os.chdir("..")
                os.rmdir("abc")
        finally:
            os.chdir(here)
