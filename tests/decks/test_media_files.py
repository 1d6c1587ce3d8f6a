"""Embedded images and audio: resolved as Obsidian resolves them, shipped in the .apkg, present in Anki."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest


def imgs(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"[^>]*>', html)


def media_count(imp) -> int:
    return len([p for p in Path(imp.col.media.dir()).iterdir() if p.is_file()])


def test_unique_name_found_anywhere_in_the_vault(make_vault, png_bytes, build, anki_import):
    root = make_vault({"deep/er/note.md": "START\nBasic\nQ\nBack: ![[pooling.png]]\nEND\n",
                       "attachments/pooling.png": png_bytes(1)})
    built = build(root)
    assert built.vault.diagnostics == []
    imp = anki_import(built.apkg)
    (note,) = imp.notes()
    assert note.fields[1] == '<img src="pooling.png" alt="">'
    assert imp.media_bytes("pooling.png") == png_bytes(1)


def test_width_option(make_vault, png_bytes, build, anki_import):
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: ![[diagram.png|300]] ![[diagram.png|200x100]]\nEND\n",
                       "img/diagram.png": png_bytes(2)})
    imp = anki_import(build(root).apkg)
    (note,) = imp.notes()
    assert '<img src="diagram.png" alt="" width="300">' in note.fields[1]
    assert '<img src="diagram.png" alt="" width="200" height="100">' in note.fields[1]
    assert imp.col.media.have("diagram.png")


@pytest.mark.parametrize("embed", [
    "![cell](../attachments/cell.png)",  # relative to the note
    "![cell](attachments/cell.png)",  # vault-absolute path
    "![cell](/attachments/cell.png)",  # vault-absolute with a leading slash
    "![[attachments/cell.png|cell]]",  # wiki embed with a vault path
])
def test_path_forms(embed, make_vault, png_bytes, build, anki_import):
    root = make_vault({"Biology/Cell.md": f"START\nBasic\nQ\nBack: {embed}\nEND\n",
                       "attachments/cell.png": png_bytes(3)})
    built = build(root)
    assert not [w for w in built.vault.warnings if "not found" in w.message]
    imp = anki_import(built.apkg)
    (note,) = imp.notes()
    assert note.fields[1] == '<img src="cell.png" alt="cell">'
    assert imp.media_bytes("cell.png") == png_bytes(3)


def test_space_in_file_name(make_vault, png_bytes, build, anki_import):
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: ![](my%20pic.png) ![[my pic.png]]\nEND\n",
                       "my pic.png": png_bytes(4)})
    imp = anki_import(build(root).apkg)
    (note,) = imp.notes()
    assert imgs(note.fields[1]) == ["my pic.png", "my pic.png"]
    assert imp.media_bytes("my pic.png") == png_bytes(4)


def test_two_different_files_with_one_name_become_two_media_files(make_vault, png_bytes, build, anki_import):
    root = make_vault({
        "Biology/Cell.md": "START\nBasic\nbio\nBack: ![](img/figure.png)\nEND\n",
        "Biology/img/figure.png": png_bytes(5),
        "ML/Transformers.md": "START\nBasic\nml\nBack: ![[figure.png]]\nEND\n",
        "ML/img/figure.png": png_bytes(6),
    })
    built = build(root)
    assert built.report.media == 2
    imp = anki_import(built.apkg)
    (bio,) = imgs(imp.note("bio").fields[1])
    (ml,) = imgs(imp.note("ml").fields[1])
    assert bio != ml
    assert imp.media_bytes(bio) == png_bytes(5)  # each card shows its own figure
    assert imp.media_bytes(ml) == png_bytes(6)
    assert media_count(imp) == 2


def test_same_file_embedded_twice_is_one_media_file(make_vault, png_bytes, build, anki_import):
    root = make_vault({
        "a.md": "START\nBasic\nfirst\nBack: ![[pooling.png]] and ![[pooling.png|100]]\nEND\n",
        "sub/b.md": "START\nBasic\nsecond\nBack: ![](../attachments/pooling.png)\nEND\n",
        "attachments/pooling.png": png_bytes(7),
    })
    built = build(root)
    assert built.report.media == 1
    imp = anki_import(built.apkg)
    assert imgs(imp.note("first").fields[1]) == ["pooling.png", "pooling.png"]
    assert imgs(imp.note("second").fields[1]) == ["pooling.png"]
    assert media_count(imp) == 1


def test_identical_bytes_under_one_name_in_two_folders_is_one_file(make_vault, png_bytes, build, anki_import):
    root = make_vault({
        "A/n.md": "START\nBasic\nA\nBack: ![](logo.png)\nEND\n", "A/logo.png": png_bytes(8),
        "B/n.md": "START\nBasic\nB\nBack: ![](logo.png)\nEND\n", "B/logo.png": png_bytes(8),
    })
    imp = anki_import(build(root).apkg)
    assert imgs(imp.note("A").fields[1]) == imgs(imp.note("B").fields[1]) == ["logo.png"]
    assert media_count(imp) == 1


def test_audio_becomes_a_sound_tag(make_vault, build, anki_import):
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: listen: ![[beep.mp3]] ![[clip.ogg]]\nEND\n",
                       "attachments/beep.mp3": b"ID3fake-mp3", "clip.ogg": b"OggSfake"})
    imp = anki_import(build(root).apkg)
    (note,) = imp.notes()
    assert note.fields[1] == "listen: [sound:beep.mp3] [sound:clip.ogg]"
    assert imp.media_bytes("beep.mp3") == b"ID3fake-mp3"
    assert imp.media_bytes("clip.ogg") == b"OggSfake"


def test_webp_embed_is_an_image(make_vault, build, anki_import):
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: ![[photo.webp]]\nEND\n", "photo.webp": b"RIFFfake"})
    imp = anki_import(build(root).apkg)
    (note,) = imp.notes()
    assert note.fields[1] == '<img src="photo.webp" alt="">'
    assert imp.col.media.have("photo.webp")


def test_a_shared_name_resolves_as_obsidian_does(make_vault, png_bytes, build, anki_import):
    # Obsidian's getFirstLinkpathDest: the note's own folder, else the shortest vault path (an ancestor
    # folder counts for nothing), observed on Obsidian 1.13.7 (pvliesdonk/markdown-vault-mcp #1350)
    root = make_vault({
        "ML/deep/n.md": "START\nBasic\nQ\nBack: ![[figure.png]]\nEND\n",
        "ML/deep/img/figure.png": png_bytes(9),  # the closest by folders, not the shortest path
        "Biology/figure.png": png_bytes(10),
    })
    built = build(root)
    assert [d.kind for d in built.vault.diagnostics] == ["ambiguous-link"]
    imp = anki_import(built.apkg)
    (src,) = imgs(imp.notes()[0].fields[1])
    assert imp.media_bytes(src) == png_bytes(10)


def test_decomposed_unicode_file_name_is_found(make_vault, png_bytes, build, anki_import):
    # macOS may keep "Übung.png" decomposed (U+0055 U+0308) while the note spells it composed
    decomposed = unicodedata.normalize("NFD", "Übung.png")
    assert decomposed != "Übung.png"
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: ![[Übung.png]]\nEND\n", decomposed: png_bytes(11)})
    built = build(root)
    assert not [w for w in built.vault.warnings if "not found" in w.message]
    imp = anki_import(built.apkg)
    (note,) = imp.notes()
    assert note.fields[1] == '<img src="Übung.png" alt="">'
    assert imp.col.media.have("Übung.png")
    assert imp.media_bytes("Übung.png") == png_bytes(11)


# --- unsafe or unreadable embeds (issue 11) and paths above the vault root (issue 10 F7) -----------

import os  # noqa: E402

from notes2anki.parsers import media as media_module  # noqa: E402


def _vault_with_bad_embed(make_vault, png_bytes, embed: str):
    return make_vault({"bad.md": f"START\nBasic\nbad\nBack: before\n\n{embed}\nEND\n",
                       "good.md": "START\nBasic\ngood\nBack: ![[ok.png]]\nEND\n",
                       "ok.png": png_bytes(20)})


def _assert_left_out(built, anki_import, png_bytes, why: str, link: str = ""):
    """``link``: a symlink out of the vault, which the vault walk already skips and names; the
    embed then resolves to nothing, which its card's warning says."""
    (warning,) = [w for w in built.vault.warnings if w.file == "bad.md"]
    assert warning.line == 1 and (why if not link else "not found") in warning.message, str(warning)
    if link:
        assert [w.message for w in built.vault.warnings if w.file == link] == [
            "link to a file outside the vault; skipped"]
    imp = anki_import(built.apkg)
    assert "before" in imp.note("bad").fields[1]  # the card is still built
    assert imp.media_bytes("ok.png") == png_bytes(20)  # the rest of the deck too
    assert media_count(imp) == 1


def test_symlink_to_a_file_outside_the_vault_is_refused(make_vault, png_bytes, build, anki_import, tmp_path):
    secret = tmp_path / "elsewhere" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(b"secret bytes")
    root = _vault_with_bad_embed(make_vault, png_bytes, "![[link.png]]")
    (root / "link.png").symlink_to(secret)
    built = build(root)
    _assert_left_out(built, anki_import, png_bytes, "outside the vault", link="link.png")
    assert b"secret bytes" not in built.apkg.read_bytes()


def test_audio_symlink_to_etc_hostname_is_refused(make_vault, png_bytes, build, anki_import):
    root = _vault_with_bad_embed(make_vault, png_bytes, "![[song.mp3]]")
    (root / "song.mp3").symlink_to("/etc/hostname")
    _assert_left_out(build(root), anki_import, png_bytes, "outside the vault", link="song.mp3")


def test_symlink_inside_the_vault_still_works(make_vault, png_bytes, build, anki_import):
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: ![[alias.png]]\nEND\n", "img/real.png": png_bytes(21)})
    (root / "alias.png").symlink_to(root / "img" / "real.png")
    built = build(root)
    assert built.vault.diagnostics == []
    assert anki_import(built.apkg).media_bytes("alias.png") == png_bytes(21)


def test_fifo_embed_is_a_warning_not_a_hang(make_vault, png_bytes, build, anki_import):
    root = _vault_with_bad_embed(make_vault, png_bytes, "![[pipe.png]]")
    os.mkfifo(root / "pipe.png")
    _assert_left_out(build(root), anki_import, png_bytes, "not a regular file")


def test_symlink_to_dev_zero_is_refused(make_vault, png_bytes, build, anki_import):
    root = _vault_with_bad_embed(make_vault, png_bytes, "![](zero.png)")
    (root / "zero.png").symlink_to("/dev/zero")
    _assert_left_out(build(root), anki_import, png_bytes, "outside the vault", link="zero.png")


def test_dangling_symlink_is_a_warning(make_vault, png_bytes, build, anki_import):
    root = _vault_with_bad_embed(make_vault, png_bytes, "![[gone.png]]")
    (root / "gone.png").symlink_to(root / "nowhere.png")
    _assert_left_out(build(root), anki_import, png_bytes, "cannot be read")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_a_warning(make_vault, png_bytes, build, anki_import):
    root = _vault_with_bad_embed(make_vault, png_bytes, "![[locked.png]]")
    (root / "locked.png").write_bytes(png_bytes(22))
    (root / "locked.png").chmod(0)
    _assert_left_out(build(root), anki_import, png_bytes, "cannot be read")


def test_file_over_the_media_limit_is_left_out(make_vault, png_bytes, build, anki_import, monkeypatch):
    monkeypatch.setattr(media_module, "MAX_MEDIA_BYTES", 1000)
    root = _vault_with_bad_embed(make_vault, png_bytes, "![[huge.png]]")
    (root / "huge.png").write_bytes(b"x" * 5000)
    _assert_left_out(build(root), anki_import, png_bytes, "limit")


def test_path_climbing_above_the_vault_root_resolves_inside_the_vault(make_vault, png_bytes, build, anki_import):
    # issue 10 F7 (Morcinus FIT-Statnice, 157 images): Obsidian resolved these, the plugin uploaded them
    root = make_vault({
        "Notes/Magisterske/NI-SI-1 NI-ADP.md": (
            "START\nBasic\nQ\nBack: ![](../../../Assets/Pasted%20image%2020250128131429.png) "
            "![](../../../../elsewhere/figure.png)\nEND\n"),
        "Assets/Pasted image 20250128131429.png": png_bytes(23),
        "deep/figure.png": png_bytes(24),
    })
    built = build(root)
    assert built.vault.diagnostics == []
    (note,) = anki_import(built.apkg).notes()
    assert imgs(note.fields[1]) == ["Pasted image 20250128131429.png", "figure.png"]


def test_media_index_refuses_what_resolves_outside_even_if_listed(tmp_path, png_bytes):
    # defence in depth: a file list from elsewhere (or a link swapped in after the walk)
    from notes2anki.parsers.media import MediaIndex

    root = tmp_path / "v"
    root.mkdir()
    (tmp_path / "secret.png").write_bytes(b"secret")
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    (root / "ok.png").write_bytes(png_bytes(1))
    index = MediaIndex(root, ["link.png", "ok.png"])
    assert "outside the vault" in index.problem("link.png")
    assert index.problem("ok.png") is None


def test_climbing_never_reaches_a_file_outside_the_vault(make_vault, build, tmp_path):
    (tmp_path / "outside.png").write_bytes(b"outside")
    root = make_vault({"a/n.md": "START\nBasic\nQ\nBack: ![](../../outside.png)\nEND\n"})
    built = build(root)
    assert [w.message for w in built.vault.warnings] == [
        "embedded file '../../outside.png' (in this card) not found in the vault"]
    assert b"outside" not in built.apkg.read_bytes()


def test_a_file_missing_in_an_embedded_note_names_that_note_and_its_line(make_vault, build):
    """Tester r11: `Back: ![[Emb]]`, Emb.md embedding a missing image, was blamed on the card ("in this card")."""
    root = make_vault({"Emb.md": "---\ntags: [x]\n---\nSome text\n![[gone.png]]\n",
                       "a.md": "START\nBasic\nQ ![[here.png]]\nBack: ![[Emb]]\nEND\n"})
    built = build(root)
    assert sorted(f"{w.file}:{w.line}: {w.message}" for w in built.vault.warnings if w.kind == "missing-media") == [
        "a.md:1: embedded file 'gone.png' (in the embedded note Emb.md:5) not found in the vault",
        "a.md:1: embedded file 'here.png' (in this card) not found in the vault"]
