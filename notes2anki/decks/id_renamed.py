"""`ids` in a vault whose folder was renamed: refuse, as `sync` does, instead of writing new identities.

A card without an ID is identified under the vault's namespace, the folder's name unless ``[sync] vault_id``
is set (identity.py). Renaming the folder (``notes/`` -> ``other/``) gives every such card a new identity:
`sync` refuses there (sync_guards.refuse_new_identity, from the collection's registry) and names the
``vault_id`` to set, but `ids` has no collection, and wrote the new identities into the vault, so the next
sync added every card again and deleted the reviewed notes (tester 08:45 V3).

`ids` finds the same situation from this machine's state folder: the vault has no sync record of its own
(record_path is keyed by the folder's path), and another vault's sync record (``*.ids.json``, at most
:data:`MAX_RECORDS` of them, newest first, each read up to :data:`MAX_RECORD_BYTES`) names a folder that is
gone and another namespace, and holds the text of at least half of this vault's cards without an ID. The
message names that namespace as the ``vault_id`` to set. A record of that kind under this vault's own name
is this vault's, moved (another parent folder): `ids` reads it as its own (:func:`moved_record`).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..config import Config
from ..messages import of_these
from ..model import Card, Vault
from .id_record import record_head, record_path, sync_digest, text_digest
from .identity import vault_namespace

MAX_RECORDS = 32  # other vaults' sync records looked at (a machine rarely syncs more vaults)
MAX_RECORD_BYTES = 32 * 1024 * 1024  # each read up to this (a 100,000-card record: about 15 MiB, 17 with the notes' GUIDs)


def renamed_vault_problem(vault: Vault, config: Config) -> str | None:
    """Why ``ids`` must not write IDs in ``vault`` (the loaded vault; ``config`` its settings), a message
    naming the ``vault_id`` to set, or None. Never raises: a state folder or a record that cannot be read
    is passed over."""
    root, namespace = vault.root, vault_namespace(vault.root, config)
    cards = [c for c in vault.cards if c.id is None and not c.delete]
    for old, folder, _, found in _gone_records(root, cards):
        if old != namespace:
            return (f"this vault's cards without an ID are those of vault {json.dumps(old, ensure_ascii=False)}, last synced on this machine "
                    f"from {folder}, which is gone ({of_these(found, len(cards), 'card')}): under the name "
                    f"{json.dumps(namespace, ensure_ascii=False)} they get new identities, and the next sync would add every one again as a new "
                    f"note. If this is that vault renamed or moved, add `vault_id = {json.dumps(old)}` under "
                    f"[sync] in {Path(root) / '.notes2anki.toml'} and run `ids` again; nothing written")
    return None


def moved_record(root: Path, namespace: str, cards: list[Card]) -> list[dict] | None:
    """The entries of the sync record of this vault at its old place, when it moved (its folder's path
    changed, its name did not, the old folder gone): the newest record of a vault named ``namespace`` whose
    folder is gone and that holds at least half of ``cards`` (the vault's cards without an ID), else None
    (this folder has a record of its own, or none fits)."""
    return next((entries for old, _, entries, _ in _gone_records(root, cards) if old == namespace), None)


def _gone_records(root: Path, cards: list[Card]):
    """(vault name, folder, entries, cards found) of each other sync record in the state folder, newest first,
    whose folder is gone and that holds the text of at least half of ``cards``; none when ``root`` has a
    record of its own or has no such cards."""
    if not cards:
        return
    own = record_path(root)
    try:
        if own.exists():
            return  # this folder has synced: its record speaks for it
        others = sorted((p for p in own.parent.glob("*.ids.json") if p != own),
                        key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_RECORDS]
    except OSError:
        return
    for path in others:
        entries, head = record_head(path, [], MAX_RECORD_BYTES)
        old, folder = head.get("vault_id"), head.get("root")
        if not entries or not old or not folder or _exists(folder):
            continue
        known = {e.get("text") or e["digest"] for e in entries}
        found = sum(1 for c in cards if text_digest(c) in known or sync_digest(c) in known)
        if found >= max(1, (len(cards) + 1) // 2):
            yield old, folder, entries, found


def _exists(folder: str) -> bool:
    try:
        return Path(folder).exists()
    except (OSError, ValueError):
        return True  # cannot tell: not a vault known to be gone
