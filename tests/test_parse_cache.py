"""Per-file parse cache: a warm load re-parses nothing, an edit re-parses only that note, results are the
same as a fresh parse, settings or tree changes invalidate, a broken cache file is rebuilt with a warning."""
from __future__ import annotations

from pathlib import Path

import pytest

from notes2anki import memo_file
from notes2anki.config import load_config
from notes2anki.parsers import load_vault, vault as vault_module


def write_vault(root: Path) -> None:
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.md").write_text("# One\n\nSTART\nBasic\nFront one\nBack: back [[two]]\nEND\n", "utf-8")
    (root / "two.md").write_text("STARTI [Basic] inline front Back: inline back ENDI\n\nSTART\nBasic\nbad\n", "utf-8")


def snapshot(vault):
    return ([(n.path, [(c.key, c.fields, c.html, c.tags, c.deck, c.links) for c in n.cards]) for n in vault.notes],
            sorted(map(str, vault.diagnostics)))


@pytest.fixture
def counting(monkeypatch):
    calls: list[str] = []
    real = vault_module.parse_note

    def parse_note(rel, *args, **kwargs):
        calls.append(rel)
        return real(rel, *args, **kwargs)

    monkeypatch.setattr(vault_module, "parse_note", parse_note)
    return calls


def test_warm_load_parses_nothing_and_gives_the_same_vault(tmp_path, counting):
    root = tmp_path / "v"
    write_vault(root)
    cold = load_vault(root, load_config(root))
    assert sorted(counting) == ["a/one.md", "two.md"]
    counting.clear()
    warm = load_vault(root, load_config(root))
    assert counting == [] and snapshot(warm) == snapshot(cold)
    assert any("two.md" in str(d) for d in warm.diagnostics)  # the file's diagnostics come back too


def test_an_edit_reparses_only_that_note(tmp_path, counting):
    root = tmp_path / "v"
    write_vault(root)
    load_vault(root, load_config(root))
    counting.clear()
    note = root / "a" / "one.md"
    note.write_text(note.read_text("utf-8").replace("Front one", "Front edited"), "utf-8")
    edited = load_vault(root, load_config(root))
    assert counting == ["a/one.md"] and edited.notes[0].cards[0].fields["Front"] == "Front edited"
    counting.clear()
    (root / "img.png").write_bytes(b"\x89PNG new media")  # the tree changed: links may resolve otherwise
    load_vault(root, load_config(root))
    assert sorted(counting) == ["a/one.md", "two.md"]


def test_settings_changes_invalidate(tmp_path, counting):
    root = tmp_path / "v"
    write_vault(root)
    load_vault(root, load_config(root))
    counting.clear()
    (root / ".notes2anki.toml").write_text('default_deck = "Other"\n', "utf-8")
    other = load_vault(root, load_config(root))
    assert sorted(counting) == ["a/one.md", "two.md"]
    assert {c.deck for c in other.cards} == {"Other"}


def test_a_corrupt_cache_file_is_rebuilt_with_one_warning_naming_it(tmp_path, counting):
    root = tmp_path / "v"
    write_vault(root)
    cold = load_vault(root, load_config(root))
    from notes2anki.paths import cache_dir

    (path,) = (cache_dir() / "parse").glob("*.pickle")
    good = path.read_bytes()
    for damaged in (b"not a pickle", good[:len(good) // 2]):  # garbage, a truncated file
        path.write_bytes(damaged)
        counting.clear()
        warm = load_vault(root, load_config(root))
        warned = [d for d in warm.diagnostics if "parse cache" in d.message]
        assert [(d.file, d.severity) for d in warned] == [("", "warning")]
        assert str(path) in warned[0].message and warned[0].message.endswith("; rebuilding it")
        assert "is corrupt" in warned[0].message
        assert snapshot(warm)[0] == snapshot(cold)[0] and sorted(counting) == ["a/one.md", "two.md"]
        assert [d for d in warm.diagnostics if d not in warned] == cold.diagnostics
        counting.clear()  # rebuilt: the next run reads it, without a warning
        assert snapshot(load_vault(root, load_config(root))) == snapshot(cold) and counting == []


def test_a_cache_file_of_another_version_is_replaced_silently(tmp_path, counting):
    import pickle

    root = tmp_path / "v"
    write_vault(root)
    cold = load_vault(root, load_config(root))
    from notes2anki.paths import cache_dir

    (path,) = (cache_dir() / "parse").glob("*.pickle")
    path.write_bytes(pickle.dumps({"format": 0, "code": "older", "entries": {}}))
    counting.clear()
    assert snapshot(load_vault(root, load_config(root))) == snapshot(cold)
    assert sorted(counting) == ["a/one.md", "two.md"]


def test_build_says_once_that_the_parse_cache_was_rebuilt(tmp_path, cli_build, anki_import):
    root = tmp_path / "v"
    write_vault(root)
    first, _ = cli_build(root)
    assert "parse cache" not in first.output
    from notes2anki.paths import cache_dir

    (path,) = (cache_dir() / "parse").glob("*.pickle")
    path.write_bytes(b"\x80\x05garbage")
    second, apkg = cli_build(root)
    assert second.exit_code == first.exit_code, second.output
    said = [line for line in second.output.splitlines() if "parse cache" in line]
    assert len(said) == 1 and said[0].startswith(f"vault: warning: parse cache {path} is corrupt ("), said
    assert said[0].endswith("; rebuilding it")
    fronts = sorted(n.fields[0] for n in anki_import(apkg).notes())
    assert fronts == ["Front one", "inline front"]
    third, _ = cli_build(root)
    assert "parse cache" not in third.output


def test_an_edit_of_an_embedded_note_reparses_the_notes_that_embed_it(tmp_path, counting):
    """Tester H2: after editing a note that a card embeds (`![[Other]]`, `![[Other#Sec]]`), build kept the
    old text (the parse cache was keyed on the embedding note's own text only)."""
    root = tmp_path / "v"
    root.mkdir()
    (root / "card.md").write_text("START\nBasic\nWhat does Other say?\nBack: ![[Other#Sec]]\nEND\n", "utf-8")
    (root / "plain.md").write_text("START\nBasic\nNo embed here\nBack: b\nEND\n", "utf-8")
    (root / "Other.md").write_text("# Sec\nthe old text\n", "utf-8")
    cold = load_vault(root, load_config(root))
    assert "the old text" in next(n for n in cold.notes if n.path == "card.md").cards[0].html["Back"]
    counting.clear()
    (root / "Other.md").write_text("# Sec\nthe new text\n", "utf-8")
    warm = load_vault(root, load_config(root))
    assert sorted(counting) == ["Other.md", "card.md"]  # not plain.md
    back = next(n for n in warm.notes if n.path == "card.md").cards[0].html["Back"]
    assert "the new text" in back and "the old text" not in back
    counting.clear()
    again = load_vault(root, load_config(root))
    assert counting == [] and snapshot(again) == snapshot(warm)


def test_a_bit_flipped_in_a_cached_note_is_parsed_again_not_packaged(make_vault, tmp_path, monkeypatch):
    """Tester S7: bytes garbled inside the parse cache file that still unpickle put wrong card text into the
    package ("attends in its" → "attends i; its"), with build saying "2 changed". Each cached note now
    carries its CRC-32: a changed entry is parsed again from the note."""
    import pickle

    from notes2anki.config import Config
    from notes2anki.parse_cache import ParseCache
    from notes2anki.parsers import load_vault

    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "cache"))
    root = make_vault({"a.md": "START\nBasic\nEach head attends in its own subspace\nBack: yes\nEND\n"})
    load_vault(root, Config())  # fills the cache
    cache = ParseCache.for_vault(root)
    data = pickle.loads(cache.path.read_bytes())
    key, settings, parsed, embedded, crc = data["entries"]["a.md"]
    garbled = parsed.replace(b"attends in its", b"attends i; its")
    assert garbled != parsed
    data["entries"]["a.md"] = (key, settings, garbled, embedded, crc)
    cache.path.write_bytes(memo_file.dumps(data))  # sealed again: only the entry's own CRC-32 can tell
    vault = load_vault(root, Config())
    assert vault.cards[0].fields["Front"] == "Each head attends in its own subspace"
