"""Real students' vaults (../shared/realvaults) as plugin users have them: a simulated plugin collection
(one note per `<!--ID: n-->`, note id n, random GUID, some reviewed), then `sync`, and separately
`build --collection` + a plain import. Nothing may be duplicated.

    PYTHONPATH=. python -m tests.sync.test_realvaults [VAULT ...]   # the figures for every vault
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from anki.collection import Collection

from notes2anki.config import load_config
from notes2anki.decks.build import build_package
from notes2anki.decks.collection import open_copy
from notes2anki.decks.identity import guid_of
from notes2anki.decks.sync import sync_vault
from notes2anki.decks.adopt import collection_adopter
from notes2anki.parsers import load_vault

from .plugin_users import make_plugin_collection

REALVAULTS = Path(__file__).resolve().parents[3] / "shared" / "realvaults"  # beside the checkout only


def measure(vault_root: Path, workdir: Path) -> dict:
    """Figures for one vault: IDs, plugin notes, what sync and build --collection + import did."""
    config = load_config(vault_root)
    vault = load_vault(vault_root, config)
    with_ids = {c.id for c in vault.cards if c.id is not None and not c.delete}
    pc = make_plugin_collection(vault_root, workdir / "plugin" / "collection.anki2", review_every=5)
    sync_copy = workdir / "sync" / "collection.anki2"
    sync_copy.parent.mkdir(parents=True)
    shutil.copy(pc.path, sync_copy)
    check_copy = workdir / "check" / "collection.anki2"  # Anki's check of the plugin collection itself
    check_copy.parent.mkdir(parents=True)
    shutil.copy(pc.path, check_copy)
    col = Collection(str(check_copy))
    try:
        problems_before, integrity_before = col.fix_integrity()
    finally:
        col.close()
    import_copy = workdir / "import" / "collection.anki2"
    import_copy.parent.mkdir(parents=True)
    shutil.copy(pc.path, import_copy)

    result = sync_vault(vault, config, sync_copy)
    new_with_id = [c for c in result.plan.of_kind("new") if c.card.id is not None]
    col = Collection(str(sync_copy))
    try:
        after = col.note_count()
        kept = sum(1 for nid in pc.nids if col.db.scalar("select count() from notes where id = ?", nid))
        revlog = col.db.scalar("select count() from revlog")
        problems, integrity = col.fix_integrity()
        second = None
    finally:
        col.close()
    second = sync_vault(load_vault(vault_root, config), config, sync_copy).plan

    opened = open_copy(import_copy)
    try:
        adopt, _ = collection_adopter(opened.col, vault, config)
        report = build_package(vault, config, workdir / "deck.apkg", state_path=workdir / "state.json", adopt=adopt)
    finally:
        opened.close()
    from tests.conftest import import_into

    col = Collection(str(import_copy))
    try:
        log = import_into(col, workdir / "deck.apkg")
        id_guids = {guid_of(i) for i in with_ids}
        new_guids = {col.get_note(n.id.nid).guid for n in log.new}
        adopted_guids = {col.get_note(nid).guid for nid in pc.nids}
        new_with_id_import = len(new_guids & id_guids) + sum(1 for n in log.new if n.id.nid in with_ids)
        imported = {"new": len(log.new), "updated": len(log.updated), "duplicate": len(log.duplicate),
                    "conflicting": len(log.conflicting), "notes": col.note_count()}
    finally:
        col.close()
    return {"vault": vault_root.name, "cards": len([c for c in vault.cards if not c.delete]), "ids": len(with_ids),
            "plugin_notes": len(pc.nids), "reviewed": len(pc.reviewed), "sync_new": len(result.plan.of_kind("new")),
            "sync_new_with_id": len(new_with_id), "sync_updated": len(result.plan.of_kind("updated")),
            "sync_moved": len(result.plan.of_kind("moved")), "notes_after": after, "plugin_notes_kept": kept,
            "revlog_before": pc.revlog, "revlog_after": revlog, "integrity_ok": integrity, "integrity": problems if not integrity else "",
            "integrity_before_ok": integrity_before, "integrity_before": problems_before if not integrity_before else "",
            "second_sync_changes": sum(1 for c in second.changes if c.kinds),
            "errors": sum(1 for d in result.plan.diagnostics if d.severity == "error"),
            "import": imported, "import_new_with_id": new_with_id_import, "packaged": len(report.cards),
            "adopted_guids_kept": len(adopted_guids)}


@pytest.mark.parametrize("name", ["CodingJinxx__deutsch-matura", "Till-Fri__Obsidian-Spanisch"])
def test_real_vault_no_duplicates(name, tmp_path):
    root = REALVAULTS / name
    if not root.is_dir():
        pytest.skip(f"{root} not present")
    fig = measure(root, tmp_path)
    assert fig["plugin_notes"] > 50
    assert fig["sync_new_with_id"] == 0  # every card with an ID updated its plugin note
    assert fig["plugin_notes_kept"] == fig["plugin_notes"]
    assert fig["notes_after"] == fig["plugin_notes"] + fig["sync_new"]
    assert fig["revlog_after"] == fig["revlog_before"]
    # Anki's check finds nothing the plugin collection did not already have
    assert fig["integrity_ok"] or not fig["integrity_before_ok"], (fig["integrity"], fig["integrity_before"])
    assert fig["second_sync_changes"] == 0
    assert fig["import_new_with_id"] == 0 and fig["import"]["conflicting"] == 0


if __name__ == "__main__":
    os.environ.setdefault("NOTES2ANKI_STATE_DIR", tempfile.mkdtemp())
    names = sys.argv[1:] or sorted(p.name for p in REALVAULTS.iterdir() if p.is_dir())
    for vault_name in names:
        with tempfile.TemporaryDirectory() as tmp:
            print(measure(REALVAULTS / vault_name, Path(tmp)), flush=True)
