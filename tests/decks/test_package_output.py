"""`build -o`: never over a note or any file that is not an Anki package, never into the vault unless
forced, through a symlink to its target; an unchanged package is not rewritten; media that vanish
before packaging are a warning (issue 11, 13)."""
from __future__ import annotations

import os
import zipfile

from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.decks.build import build_package
from notes2anki.parsers import load_vault

NOTE = "START\nBasic\nQ\nBack: A\nEND\n"


def build(root, output, *extra):
    return CliRunner().invoke(cli_main, ["build", str(root), "-o", str(output), "--no-dupes", *extra])


def test_output_onto_a_note_is_refused(make_vault):
    root = make_vault({"a.md": NOTE})
    result = build(root, root / "a.md")
    assert result.exit_code == 2
    assert (root / "a.md").read_text() == NOTE
    assert "a.md: is inside the vault" in result.output


def test_output_inside_the_vault_needs_force(make_vault):
    root = make_vault({"a.md": NOTE})
    result = build(root, root / "deck.apkg")
    assert result.exit_code == 2 and not (root / "deck.apkg").exists()
    assert "use --force" in result.output
    forced = build(root, root / "deck.apkg", "--force")
    assert forced.exit_code == 0, forced.output
    assert zipfile.ZipFile(root / "deck.apkg").namelist()[0] == "collection.anki2"


def test_existing_file_that_is_not_a_package_is_not_overwritten(make_vault, tmp_path):
    root = make_vault({"a.md": NOTE})
    text_file = tmp_path / "notes.txt"
    text_file.write_text("my notes")
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("photo.jpg", b"jpeg")
    for target in (text_file, other_zip):
        before = target.read_bytes()
        result = build(root, target)
        assert result.exit_code == 2
        assert "is not an Anki package" in result.output and "--force" in result.output
        assert target.read_bytes() == before
    forced = build(root, text_file, "--force")
    assert forced.exit_code == 0 and zipfile.is_zipfile(text_file)


def test_an_existing_package_is_replaced(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": NOTE})
    out = tmp_path / "deck.apkg"
    assert build(root, out).exit_code == 0
    (root / "a.md").write_text(NOTE.replace("Back: A", "Back: B"))
    assert build(root, out).exit_code == 0
    assert anki_import(out).note("Q").fields[1] == "B"


def test_output_onto_a_symlink_writes_its_target(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": NOTE})
    (tmp_path / "decks").mkdir()
    real = tmp_path / "decks" / "real.apkg"
    link = tmp_path / "link.apkg"
    link.symlink_to(real)
    result = build(root, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert anki_import(real).col.note_count() == 1


def test_symlink_into_the_vault_is_refused(make_vault, tmp_path):
    root = make_vault({"a.md": NOTE})
    link = tmp_path / "deck.apkg"
    link.symlink_to(root / "a.md")
    result = build(root, link)
    assert result.exit_code == 2 and (root / "a.md").read_text() == NOTE


def test_unchanged_package_is_not_rewritten(make_vault, tmp_path):
    root = make_vault({"a.md": NOTE})
    out = tmp_path / "deck.apkg"
    assert build(root, out).exit_code == 0
    os.utime(out, (1_000_000_000, 1_000_000_000))
    before = out.read_bytes()
    assert build(root, out).exit_code == 0
    assert out.read_bytes() == before
    assert os.stat(out).st_mtime == 1_000_000_000


def test_media_gone_before_packaging_is_a_warning(make_vault, tmp_path, png_bytes, anki_import):
    root = make_vault({"a.md": "START\nBasic\nQ ![[a.png]] ![[b.png]]\nBack: A\nEND\n",
                       "a.png": png_bytes(1), "b.png": png_bytes(2)})
    config = load_config(root, [])
    vault = load_vault(root, config)
    (root / "a.png").unlink()  # vanished since the vault was read
    (root / "b.png").unlink()
    os.mkfifo(root / "b.png")  # and replaced by something that must never be read
    report = build_package(vault, config, tmp_path / "deck.apkg")
    messages = [str(d) for d in report.diagnostics]
    assert any(m.startswith("a.png: warning: embedded file left out of the deck") for m in messages)
    assert any(m.startswith("b.png: warning: embedded file left out of the deck") for m in messages)
    imported = anki_import(tmp_path / "deck.apkg")
    assert imported.col.note_count() == 1


def test_dangling_symlink_embed_is_a_warning_and_the_deck_is_written(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": "START\nBasic\nQ ![[gone.png]]\nBack: A\nEND\n\nSTART\nBasic\nQ2\nBack: B\nEND\n"})
    (root / "gone.png").symlink_to(tmp_path / "nowhere.png")
    out = tmp_path / "deck.apkg"
    result = build(root, out)
    assert result.exit_code == 0, result.output
    assert "gone.png" in result.output and "cannot write" not in result.output
    assert anki_import(out).col.note_count() == 2
