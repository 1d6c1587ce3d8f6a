"""A note file renamed only in Unicode normalisation (NFD ↔ NFC: macOS, a sync tool, git between
machines) shows the same name; a rebuilt package must update the imported notes, not add new ones
(the sync side: tests/sync/test_sync_tester_0430.py, T2)."""
import unicodedata

import pytest

from notes2anki.config import load_config
from notes2anki.decks.write_ids import apply_ids, plan_ids
from notes2anki.parsers import load_vault

NOTE = "START\nBasic\nWas ist eine Übung?\nBack: Praxis\nEND\n"
NFD, NFC = unicodedata.normalize("NFD", "Übung.md"), unicodedata.normalize("NFC", "Übung.md")


def _keeps_both_forms(root):
    return (root / NFD).exists() and not ((root / NFC).exists() and (root / NFC).samefile(root / NFD))


def test_rebuild_after_nfd_to_nfc_rename_updates_the_imported_note(make_vault, build, anki_import):
    root = make_vault({NFD: NOTE})
    if not _keeps_both_forms(root):
        pytest.skip("this file system does not keep two normal forms apart")
    first = anki_import(build(root).apkg)
    assert first.col.note_count() == 1
    (root / NFD).rename(root / NFC)
    (root / NFC).write_text(NOTE.replace("Praxis", "Praxis (geübt)"), encoding="utf-8")
    again = build(root)
    log = anki_import(again.apkg, first.col).log
    assert len(log.updated) == 1 and not log.new and first.col.note_count() == 1
    assert first.col.get_note(first.col.find_notes("")[0]).fields[1] == "Praxis (geübt)"
    # `ids` writes the ID the build used, so the next build changes no GUID either
    config = load_config(root)
    vault = load_vault(root, config)
    apply_ids(vault, plan_ids(vault, config))
    log = anki_import(build(root).apkg, first.col).log
    assert not log.new and first.col.note_count() == 1


def test_both_normal_forms_as_two_files_keep_two_notes(make_vault, build, anki_import):
    """Linux keeps `Übung.md` in NFC and in NFD as two files: each keeps its own note (no shared ID)."""
    root = make_vault({NFD: NOTE})
    if not _keeps_both_forms(root):
        pytest.skip("this file system does not keep two normal forms apart")
    first = anki_import(build(root).apkg)
    (root / NFC).write_text(NOTE, encoding="utf-8")
    again = build(root)
    assert not [d for d in again.vault.diagnostics if d.severity == "error"]
    log = anki_import(again.apkg, first.col).log
    assert len(log.new) == 1 and first.col.note_count() == 2


def test_rebuild_after_the_front_is_renormalised_updates_the_imported_note(make_vault, build, anki_import):
    """Tester U5, the .apkg side: the front re-normalised NFD → NFC by an editor keeps its GUID."""
    root = make_vault({"a.md": "START\nBasic\nWas ist eine U\u0308bung?\nBack: Praxis\nEND\n"})
    first = anki_import(build(root).apkg)
    (root / "a.md").write_text("START\nBasic\nWas ist eine \u00dcbung?\nBack: Praxis, geübt\nEND\n", encoding="utf-8")
    log = anki_import(build(root).apkg, first.col).log
    assert len(log.updated) == 1 and not log.new and first.col.note_count() == 1
