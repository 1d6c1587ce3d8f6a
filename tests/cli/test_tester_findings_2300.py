"""Tester findings of 23:00 on the CLI: each case with its minimal input and the right behaviour."""
from __future__ import annotations

import os
import time

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

NOTE = "START\nBasic\nWhat is a stale temp file?\nBack: one a killed run left\nEND\n"


# -- M1: a build killed while writing its package leaves a hidden temp file beside -o ----------------------------
def test_build_removes_the_temp_files_a_killed_build_left_beside_its_package(make_vault, tmp_path, anki_import):
    """FIT-Statnice, `build -o out/kill.apkg` killed twice mid-write: `.kill.apkg.hb0uy16x.notes2anki-tmp`
    (4.7 MB) and another stayed beside the package after every later build."""
    root = make_vault({"a.md": NOTE})
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".kill.apkg.hb0uy16x.notes2anki-tmp"
    fresh = out / ".kill.apkg.abcd1234.notes2anki-tmp"  # another run may be writing it right now
    other_target = out / ".other.apkg.810oqjcs.notes2anki-tmp"
    users_file = out / ".kill.apkg.notes"
    for path in (stale, fresh, other_target, users_file):
        path.write_bytes(b"PK\x03\x04 half-written")
    old = time.time() - 3600
    for path in (stale, other_target, users_file):
        os.utime(path, (old, old))
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out / "kill.apkg"), "--no-dupes", "-q"])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert fresh.exists() and other_target.exists() and users_file.exists()
    assert "What is a stale temp file?" in anki_import(out / "kill.apkg").note("stale temp").fields[0]


# -- L5: init's commented [topics] block suggested a threshold whose uncommenting collapsed the topics --------
def test_init_topics_block_says_the_default_and_uncommented_keys_load(make_vault):
    from notes2anki.config import load_config

    root = make_vault({"a.md": NOTE})
    text = CliRunner().invoke(cli_main, ["init", str(root), "--stdout"]).stdout
    block = text[text.index("# [topics]"):text.index("# [related]")]
    assert "chosen from the data" in block and "# k = 8" in block and "one of k / threshold" in block
    lines = [line[2:] for line in block.splitlines() if not line.startswith("# threshold")]
    (root / ".notes2anki.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    diags = []
    config = load_config(root, diags)
    assert diags == [] and config.section("topics") == {"k": 8}


# -- H1: one U+001F (Anki's field separator) in a card made Anki refuse the whole package ----------------------
def test_a_unit_separator_in_a_field_or_media_name_is_removed_with_a_warning(make_vault, tmp_path, anki_import,
                                                                             png_bytes):
    root = make_vault({
        "us.md": "START\nBasic\nWhat does the unit\x1fseparator do?\nBack: splits\x1f fields\nEND\n",
        "img.md": "START\nBasic\nWhich picture?\nBack: ![[we\x1fird.png]]\nEND\n",
        "ok.md": NOTE,
        "we\x1fird.png": png_bytes(1),
    })
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "us.md:1: warning: field 'Front' holds the invisible character U+001F" in check.output
    out = tmp_path / "x.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert result.exit_code == 0, result.output
    assert "us.md:1: warning: field 'Back' holds the invisible character U+001F" in result.stderr
    imported = anki_import(out)  # Anki refused every note of the package before: "note has 3 fields, expected 2"
    assert len(imported.notes()) == 3
    assert list(imported.note("unit").fields) == ["What does the unitseparator do?", "splits fields"]
    assert 'src="weird.png"' in imported.note("Which picture").fields[1]
    assert imported.media_bytes("weird.png") == png_bytes(1)


# -- L14: `build -o backup.colpkg` replaced an Anki backup (a zip holding collection.anki2) ----------------------
def _zip(path, members):
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path.read_bytes()


def test_build_never_replaces_a_package_or_backup_anki_made_unless_forced(make_vault, tmp_path, anki_import):
    from anki.collection import Collection

    root = make_vault({"a.md": NOTE})
    backup = tmp_path / "bk.colpkg"
    before = _zip(backup, {"collection.anki2": b"legacy stub", "collection.anki21b": b"zstd", "meta": b"\x08\x03"})
    exported = tmp_path / "shared.apkg"  # a deck exported from Anki with its review history (older format)
    col_path = tmp_path / "export" / "collection.anki2"
    col_path.parent.mkdir()
    col = Collection(str(col_path))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = "reviewed for years"
    col.add_note(note, 1)
    col.db.execute("insert into revlog values (1700000000000, ?, -1, 3, 1, 0, 2500, 1000, 1)", note.cards()[0].id)
    col.close()
    exported_before = _zip(exported, {"collection.anki2": col_path.read_bytes(), "media": b"{}"})
    for target, before_bytes, why in ((backup, before, "is a package or backup that Anki made (collection.anki21b)"),
                                      (exported, exported_before, "holds review history (1 reviews)")):
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(target), "--no-dupes", "-q"])
        assert result.exit_code == 2 and why in result.output and "use --force" in result.output
        assert target.read_bytes() == before_bytes
    forced = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(backup), "--no-dupes", "-q", "--force"])
    assert forced.exit_code == 0, forced.output
    again = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(backup), "--no-dupes", "-q"])
    assert again.exit_code == 0, again.output  # now a package notes2anki wrote: replaced unasked
    assert len(anki_import(backup).notes()) == 1


# -- M4: deck names differing only in case became separate decks in the package (Anki: `bio_`, `default_`) -----
def test_deck_names_differing_only_in_case_are_one_deck(make_vault, tmp_path, anki_import):
    card = "START\nBasic\nQuestion {n}?\nBack: answer\nEND\n"
    root = make_vault({"a.md": "TARGET DECK: Bio\n" + card.format(n="a"),
                       "b.md": "TARGET DECK: bio\n" + card.format(n="b"),
                       "c.md": "TARGET DECK: BIO::Sub\n" + card.format(n="c"),
                       "d.md": "TARGET DECK: default\n" + card.format(n="d")})
    out = tmp_path / "x.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert result.exit_code == 0, result.output
    assert "b.md:2: warning: deck 'bio' differs from 'Bio' only in case" in result.stderr
    assert "d.md:2: warning: deck 'default' differs from 'Default' only in case" in result.stderr
    imported = anki_import(out)
    assert imported.deck_names() == {"Default", "Bio", "Bio::Sub"}
    names = {n: imported.col.decks.name(imported.note(f"Question {n}?").cards()[0].did) for n in "abcd"}
    assert names == {"a": "Bio", "b": "Bio", "c": "Bio::Sub", "d": "Default"}


# -- L10: NOTES2ANKI_STATE_DIR / NOTES2ANKI_CACHE_DIR inside the vault put state and caches there silently -------
def test_a_cache_or_state_folder_inside_the_vault_is_refused(make_vault, tmp_path, monkeypatch):
    root = make_vault({"a.md": NOTE})
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    for name, inside in (("NOTES2ANKI_CACHE_DIR", root / ".cache"), ("NOTES2ANKI_STATE_DIR", root / "state")):
        monkeypatch.setenv(name, str(inside))
        for args in (["build", str(root), "-o", str(tmp_path / "x.apkg"), "--no-dupes"], ["check", str(root)],
                     ["ids", str(root), "--dry-run"]):
            result = CliRunner().invoke(cli_main, args)
            assert result.exit_code == 2, (args, result.output)
            assert f"{name}={inside} is inside the vault" in result.output
        monkeypatch.delenv(name)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before
    assert not (tmp_path / "x.apkg").exists()


# -- L12: related suggested [[TCP]] for two notes named TCP, and chose one silently for an ambiguous name ------
def test_related_links_tell_same_named_notes_apart_and_an_ambiguous_name_is_said(make_vault, tmp_path):
    from notes2anki.cli.related import related_command

    root = make_vault({
        "Networking/TCP.md": "TCP is the transport protocol with a three-way handshake and retransmission.\n",
        "Other/TCP.md": "Another TCP note about transport: the handshake, SYN and ACK segments.\n",
        "alias.md": "---\naliases: [TCP, Handshake]\n---\nAlias note about TLS and TCP handshakes.\n",
        "Biology.md": "Cells divide by mitosis.\n",
    })
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(related_command, [str(root), "Handshake", "-k", "3", "--min-score", "0.25"], env=env)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "[[Networking/TCP]]" in said and "[[Other/TCP]]" in said and "[[TCP]]" not in said
    ambiguous = CliRunner().invoke(related_command, [str(root), "TCP", "-k", "3"], env=env)
    assert ambiguous.exit_code == 0, ambiguous.output
    # the note [[TCP]] opens from the vault root in Obsidian: the shortest path (getFirstLinkpathDest)
    assert ("'TCP' names 3 notes (Networking/TCP.md, alias.md too); showing Other/TCP.md — give a note's path "
            "to choose another") in " ".join(ambiguous.stderr.split())


# -- M6: an image edited under the same name never reached Anki (the card counted as unchanged) ---------------
def test_an_image_edited_under_the_same_name_reaches_anki_on_the_next_import(make_vault, tmp_path, anki_import,
                                                                            png_bytes):
    import hashlib
    from pathlib import Path

    root = make_vault({"a.md": "START\nBasic\nimage card?\nBack: ![[fig.png]]\nEND\n", "fig.png": png_bytes(1)})
    first, second = tmp_path / "1.apkg", tmp_path / "2.apkg"
    assert CliRunner().invoke(cli_main, ["build", str(root), "-o", str(first), "--no-dupes", "-q"]).exit_code == 0
    imported = anki_import(first)
    (root / "fig.png").write_bytes(png_bytes(2))  # re-cropped, same name
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(second), "--no-dupes"])
    assert result.exit_code == 0, result.output
    assert "(0 new, 1 changed, 0 unchanged)" in " ".join(result.stdout.split())
    anki_import(second, imported.col)
    back = imported.note("image card").fields[1]
    name = back.split('src="')[1].split('"')[0]
    shown = (Path(imported.col.media.dir()) / name).read_bytes()
    assert hashlib.sha256(shown).digest() == hashlib.sha256(png_bytes(2)).digest()


# -- tester 2026-12-02: a deck name typed composed (Linux) and decomposed (macOS) became two decks in Anki ---------
def test_deck_names_in_either_unicode_form_are_one_deck(make_vault, tmp_path, anki_import):
    """Anki stores deck names composed (NFC): a package naming ``Tiếng Việt`` in both forms was imported as
    ``Tiếng Việt`` and ``Tiếng Việt_``. Both forms are one deck, without a warning (they look the same);
    the build's deck table lists it once."""
    import unicodedata

    card = "START\nBasic\nQuestion {n}?\nBack: answer\nEND\n"
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt::Ngữ pháp")
    root = make_vault({"a.md": "TARGET DECK: " + unicodedata.normalize("NFC", "Tiếng Việt") + "\n" + card.format(n="a"),
                       "b.md": "TARGET DECK: " + unicodedata.normalize("NFD", "Tiếng Việt") + "\n" + card.format(n="b"),
                       "c.md": "TARGET DECK: " + decomposed + "\n" + card.format(n="c")})
    out = tmp_path / "x.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert result.exit_code == 0, result.output
    assert "deck" not in result.stderr
    assert unicodedata.normalize("NFC", result.stdout).count("Tiếng Việt ") == 1  # one row (and its sub-deck's)
    imported = anki_import(out)
    composed = unicodedata.normalize("NFC", "Tiếng Việt")
    assert imported.deck_names() == {"Default", composed, composed + "::Ngữ pháp"}
    names = {n: imported.col.decks.name(imported.note(f"Question {n}?").cards()[0].did) for n in "abc"}
    assert names == {"a": composed, "b": composed, "c": composed + "::Ngữ pháp"}
