"""Issue 11: walking and reading the vault is bounded and never leaves it — FIFOs, /dev/zero, huge
files, links out of the vault, link loops and names that are not UTF-8 are messages, the rest builds."""
from __future__ import annotations

import os
import time
from pathlib import Path

from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.fileio import MAX_NOTE_BYTES
from notes2anki.parsers import load_vault

GOOD = "STARTI [Basic] What is TCP? Back: A transport protocol ENDI\n"
OTHER = "STARTI [Basic] What is UDP? Back: A datagram protocol ENDI\n"


def load(root: Path):
    start = time.monotonic()
    vault = load_vault(root, load_config(root))
    assert time.monotonic() - start < 10
    return vault, {d.file: (d.severity, d.message) for d in vault.diagnostics}


def fronts(vault) -> list[str]:
    return sorted(c.front for c in vault.cards)


def test_a_fifo_note_is_an_error_and_the_rest_builds(make_vault):
    root = make_vault({"good.md": GOOD})
    os.mkfifo(root / "pipe.md")
    vault, diags = load(root)
    assert fronts(vault) == ["What is TCP?"]
    assert diags["pipe.md"] == ("error", "not a regular file (a FIFO, device or socket); not read; file skipped")


def test_a_note_linked_to_dev_zero_or_outside_the_vault_is_skipped_with_a_warning(make_vault, tmp_path):
    root = make_vault({"good.md": GOOD})
    secret = tmp_path / "secret.md"
    secret.write_text(OTHER, encoding="utf-8")
    (root / "zero.md").symlink_to("/dev/zero")
    (root / "secret.md").symlink_to(secret)
    (root / "secret.png").symlink_to(secret)
    vault, diags = load(root)
    assert fronts(vault) == ["What is TCP?"]
    for rel in ("zero.md", "secret.md", "secret.png"):
        assert diags[rel] == ("warning", "link to a file outside the vault; skipped")
    assert vault.files == ["good.md"]  # never a file outside the vault


def test_a_note_over_the_size_limit_is_an_error(make_vault):
    root = make_vault({"good.md": GOOD})
    with open(root / "huge.md", "wb") as fh:
        fh.truncate(MAX_NOTE_BYTES + 1)  # sparse: no disk used
    vault, diags = load(root)
    assert fronts(vault) == ["What is TCP?"]
    # (the size with its bytes over the limit: "(8 MiB)" against an 8 MiB limit read as a contradiction)
    assert diags["huge.md"] == ("error", "larger than the 8 MiB limit (8 MiB + 1 byte); not read; file skipped")


def test_links_inside_the_vault_keep_working(make_vault):
    root = make_vault({"real/note.md": GOOD, "real/pic.png": b"\x89PNG"})
    (root / "alias.md").symlink_to(Path("real") / "note.md")
    (root / "linked").symlink_to(root / "real")  # a second path to a folder already walked
    vault, diags = load(root)
    assert diags == {}
    assert vault.files == ["alias.md", "real/note.md", "real/pic.png"]  # embeds may name the link
    assert fronts(vault) == ["What is TCP?"]  # but the note is read once, as its real file


def test_folder_links_out_of_the_vault_are_not_followed_and_loops_end(make_vault, tmp_path):
    root = make_vault({"a/good.md": GOOD})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.md").write_text(OTHER, encoding="utf-8")
    (root / "ext").symlink_to(outside)
    (root / "a" / "loop").symlink_to(root)  # a/loop/a/loop/... never ends if followed blindly
    (root / "a" / "self").symlink_to(".")
    vault, diags = load(root)
    assert diags == {"ext": ("warning", "folder link leads outside the vault; not followed")}
    assert vault.files == ["a/good.md"] and fronts(vault) == ["What is TCP?"]


def test_a_folder_link_to_a_hidden_folder_inside_the_vault_is_followed(make_vault):
    root = make_vault({".archive/old.md": OTHER, "good.md": GOOD})
    (root / "old").symlink_to(root / ".archive")
    vault, _ = load(root)
    assert vault.files == ["good.md", "old/old.md"]


def test_a_file_name_that_is_not_utf8_is_reported_escaped_and_skipped(make_vault):
    root = make_vault({"good.md": GOOD})
    with open(os.path.join(os.fsencode(root), b"caf\xe9.md"), "wb") as fh:
        fh.write(OTHER.encode())
    os.mkdir(os.path.join(os.fsencode(root), b"dir\xff"))
    vault, diags = load(root)
    assert fronts(vault) == ["What is TCP?"]
    assert diags["caf\\xe9.md"] == ("warning", "file name is not valid UTF-8; skipped (rename it to include it)")
    assert diags["dir\\xff"][0] == "warning"


def test_build_and_ids_finish_on_such_a_vault(make_vault, tmp_path, anki_import):
    root = make_vault({"good.md": GOOD})
    os.mkfifo(root / "pipe.md")
    (root / "zero.md").symlink_to("/dev/zero")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.md"), "wb") as fh:
        fh.write(OTHER.encode())
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert result.exit_code == 1, result.output  # the FIFO is an error; the deck is written anyway
    assert "Traceback" not in result.output
    assert "caf\\xe9.md: warning: file name is not valid UTF-8" in result.stderr
    assert "pipe.md: error: not a regular file" in result.stderr
    assert anki_import(out).col.note_count() == 1
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "ID: " in (root / "good.md").read_text(encoding="utf-8")


def test_a_note_linked_inside_the_vault_is_read_once(tmp_path):
    """A file symlink to another note of the vault: its cards once, and no false duplicate-ID error
    after `ids` wrote the ID through the link (the tester's case)."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    vault = tmp_path / "v"
    (vault / "sub").mkdir(parents=True)
    (vault / "sub" / "t.md").write_text("START\nBasic\nq\nBack: a\n<!--ID: 1700000000001-->\nEND\n")
    (vault / "link.md").symlink_to("sub/t.md")
    v = load_vault(vault, load_config(vault))
    assert [(c.file, c.id) for c in v.cards] == [("sub/t.md", 1700000000001)]
    assert not v.errors


def test_a_symlink_loop_is_said_and_skipped(tmp_path):
    """Tester S22: `a.md → b.md → a.md` was left out without a word (a dangling link is an error, a FIFO
    too); now a skipped-path warning for each, and the rest of the vault is read."""
    from notes2anki.parsers.files import walk_vault

    (tmp_path / "ok.md").write_text("START\nBasic\nq\nBack: a\nEND\n", "utf-8")
    (tmp_path / "a.md").symlink_to("b.md")
    (tmp_path / "b.md").symlink_to("a.md")
    diags: list = []
    assert list(walk_vault(tmp_path, diags)) == ["ok.md"]
    assert sorted((d.file, d.kind) for d in diags) == [("a.md", "skipped-path"), ("b.md", "skipped-path")]
    assert all("symbolic links" in d.message for d in diags)


def test_a_folder_swapped_for_a_link_out_of_the_vault_during_the_read_lets_nothing_in(tmp_path):
    """Tester 12-03: the vault's real paths are resolved once per folder (fileio.RealPaths); a folder flipped
    to a link to an outside folder after its first note was read must not let the later notes in. The
    opened file itself is checked (fileio.opened_path), so each is refused with the outside-the-vault
    warning, as before the per-folder resolution."""
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    (vault / ".real").mkdir(parents=True)
    outside.mkdir()
    for i in range(5):
        (vault / ".real" / f"n{i}.md").write_text(f"START\nBasic\nfine {i}\nBack: inside\nEND\n", "utf-8")
        (outside / f"n{i}.md").write_text(f"START\nBasic\nSECRET {i}\nBack: SECRET\nEND\n", "utf-8")
    os.symlink(".real", vault / "f")
    flipped = []

    def flip(done, total):
        if not flipped:  # after the first note: f now points out of the vault
            os.symlink(str(outside), vault / "tmp")
            os.replace(vault / "tmp", vault / "f")
            flipped.append(done)

    loaded = load_vault(vault, progress=flip)
    assert flipped == [1]
    texts = [field for card in loaded.cards for field in card.fields.values()]
    assert not any("SECRET" in text for text in texts), texts
    assert len(loaded.cards) == 1  # the note read before the flip
    refused = [d for d in loaded.diagnostics if "outside the vault" in d.message]
    assert sorted(d.file for d in refused) == [f"f/n{i}.md" for i in range(1, 5)], loaded.diagnostics


def test_the_opened_file_is_named_by_its_real_path(tmp_path):
    from notes2anki.fileio import opened_path

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.md").write_text("x", "utf-8")
    os.symlink("real", tmp_path / "link")
    fd = os.open(tmp_path / "link" / "a.md", os.O_RDONLY)
    try:
        assert opened_path(fd) == os.path.realpath(tmp_path / "real" / "a.md")
    finally:
        os.close(fd)
