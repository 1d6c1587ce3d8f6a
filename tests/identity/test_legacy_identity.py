"""Decks built before vault namespaces keep their GUIDs: a plain rebuild + import updates them.

Implicit IDs are now namespaced by the vault (identity.vault_namespace). A card without an ID that an
earlier build packaged under its pre-namespace implicit ID (the build state knows that GUID) keeps it,
in `build` and in `ids`, so a user who upgrades gets no duplicate notes and no lost review history.
"""
from notes2anki.config import load_config
from notes2anki.decks import build as build_module
from notes2anki.decks.identity import LEGACY
from notes2anki.decks.write_ids import apply_ids, plan_ids
from notes2anki.parsers import load_vault

NOTE = "START\nBasic\nWhat does UDP stand for?\nBack: User Datagram Protocol\nEND\n"


def _guids(col):
    return sorted(col.db.list("select guid from notes"))


def test_pre_namespace_deck_is_updated_not_duplicated(make_vault, build, anki_import, monkeypatch):
    root = make_vault({"net.md": NOTE, "new.md": ""})
    with monkeypatch.context() as m:  # the build of an older notes2anki: no namespace
        m.setattr(build_module, "vault_namespace", lambda root, config: LEGACY)
        old = build(root)
    first = anki_import(old.apkg)
    assert first.col.note_count() == 1

    (root / "net.md").write_text(NOTE.replace("Protocol", "Protocol (connectionless)"))
    (root / "new.md").write_text("START\nBasic\nA card added after the upgrade\nBack: yes\nEND\n")
    again = build(root)  # today's build: namespaced IDs, but the old card keeps its GUID
    log = anki_import(again.apkg, first.col).log
    assert len(log.updated) == 1 and len(log.new) == 1 and not log.duplicate
    assert first.col.note_count() == 2

    # ids writes the ID the build uses, so a build after ids changes no GUID
    config = load_config(root)
    vault = load_vault(root, config)
    apply_ids(vault, plan_ids(vault, config))
    after_ids = build(root)
    log = anki_import(after_ids.apkg, first.col).log
    assert not log.new and first.col.note_count() == 2
