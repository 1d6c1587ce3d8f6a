"""Which vault is this? Two guards of :func:`~notes2anki.decks.sync_plan.plan_sync` that stop a sync
before anything is written when the vault is not the one the collection's record says it is.

- :func:`refuse_unproven_move`: the collection's record of a vault of this name comes from a folder that is
  not there now. That is a vault moved — or another vault that shares its folder's name ("Obsidian Vault",
  "Notes") while the first one's drive is not mounted. Taken as "moved", every note of the first vault
  whose card is not here would be deleted with its review history (tester r1). A move needs evidence:
  cards here that are that vault's notes (by ID or by implicit identity), or a good share of the files
  its notes were synced from. With none, the sync is refused as for another vault of the same name.
- :func:`refuse_copy`: a vault new to the collection, more than half of whose cards are notes of another vault whose
  folder still holds them (their ID lines too): this folder is a copy of that vault (tester r2). Synced, its ID cards
  would be skipped with errors but its cards without an ID added again as new notes (duplicates).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..messages import counted
from ..model import Card
from .identity import card_ids, guid_of
from .sync_plan_data import _registered

MOVE_CARD_SHARE = 0.1  # cards here that are the recorded vault's notes: at least this share of its notes ...
MOVE_FILE_SHARE = 0.5  # ... or at least this share of the files its notes were synced from is here


def _gone_folder(entry, root: Path) -> str | None:
    """The folder a registry entry records when it is another path than ``root`` and is not there now."""
    recorded = entry.get("root") if isinstance(entry, dict) else None
    if not isinstance(recorded, str) or not recorded:
        return None
    try:
        other = Path(recorded)
        if other == root or other.exists() or other.resolve() == root.resolve():
            return None
    except (OSError, ValueError):
        return None
    return recorded


def move_evidence(cards: list[Card], files: set[str], namespace: str, theirs: dict[int, str],
                  notes: dict) -> tuple[int, int]:
    """How much of the vault recorded as ``namespace`` is here: (the cards of ``cards`` that are its notes,
    the files its notes were synced from that are in ``files``). ``theirs``: its notes still in the
    collection, nid → ``file:line``; ``notes``: the collection's nid → (GUID, note type id)."""
    by_guid = {notes[nid][0]: nid for nid in theirs if nid in notes}
    ids = card_ids(cards, namespace)
    found = 0
    for card in cards:
        if card.id is not None:
            hit = card.id in theirs or guid_of(card.id) in by_guid
        else:
            ident = ids.get(card.key)
            hit = ident is not None and guid_of(ident) in by_guid
        found += bool(hit)
    recorded = {where.rpartition(":")[0] for where in theirs.values()}
    return found, len(recorded & files)


def refuse_unproven_move(entry, registered: dict[int, str], root: Path, namespace: str, cards: list[Card],
                         files: set[str], notes: dict) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when the collection's record of vault
    ``namespace`` (``entry``; its notes ``registered``, nid → ``file:line``) was synced from a folder that is
    gone and nothing here shows this vault is that one moved (:func:`move_evidence`: fewer cards than
    :data:`MOVE_CARD_SHARE` of its notes, none at all, and fewer than :data:`MOVE_FILE_SHARE` of its files).
    ``cards``: this vault's cards; ``files``: its files (vault paths). A record whose notes are all gone
    from the collection has nothing to lose: the sync goes on."""
    from .collection import CollectionError

    theirs = {nid: where for nid, where in registered.items() if nid in notes}
    recorded = _gone_folder(entry, root)
    if not theirs or recorded is None:
        return
    found, present = move_evidence(cards, files, namespace, theirs, notes)
    recorded_files = len({where.rpartition(":")[0] for where in theirs.values()})
    if (found and found >= MOVE_CARD_SHARE * len(theirs)) or (present and present >= MOVE_FILE_SHARE * recorded_files):
        return
    name = json.dumps(namespace, ensure_ascii=False)
    raise CollectionError(
        f"this collection holds the notes of another vault named {name}, synced from {recorded}, which is not "
        f"there now (moved, or on a drive not mounted); this vault, {root.resolve()}, holds {f'only {found}' if found else 'none'} "
        f"of its {counted(len(theirs), 'note')} and {'few' if present else 'none'} of the files they were synced from, so it is "
        "not taken as that vault moved: syncing it under the same name would delete those notes and their review "
        f"history. Give this vault its own name: `vault_id = \"...\"` under [sync] in {root / '.notes2anki.toml'} "
        "(best before its first sync), then sync again; nothing was written. If this really is that vault moved "
        "and its cards are all gone, delete those notes in Anki first.")


def refuse_copy(copied: dict[str, int], cards: list[Card], registry: dict, root: Path, namespace: str,
                by_guid: dict[str, int], own: int = 0) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when this vault looks like a copy of another
    vault whose folder is there: some of its cards with an ID name that vault's notes while its folder still
    holds their ID lines (``copied``: that vault's name → how many cards here), and with its cards without
    an ID that are that vault's notes (same file, same front: their identity under that vault's name, found
    in ``by_guid``, the collection's GUID → nid), they are more than half of ``cards`` (this vault's cards).
    Synced, its ID cards would be skipped (the notes are that vault's) and its cards without an ID added
    again as new notes, duplicates that no later sync removes; nothing is written instead. A note or two
    copied in with their ID lines stay errors at the card, and so do all such cards of a vault that has
    notes of its own in the collection (``own``: how many; a vault synced before is not a fresh copy)."""
    from .collection import CollectionError

    if not copied or not cards or own:
        return
    old, count = max(copied.items(), key=lambda kv: (kv[1], kv[0]))
    entry = registry.get(old)
    theirs = _registered(entry)
    idless = [c for c in cards if c.id is None]
    same = sum(1 for ident in card_ids(idless, old).values() if by_guid.get(guid_of(ident)) in theirs)
    if (count + same) * 2 <= len(cards):
        return  # a few notes copied in with their ID lines: each such card has its own error
    where = entry.get("root", "?") if isinstance(entry, dict) else "?"
    raise CollectionError(
        f"{count + same} of this vault's {counted(len(cards), 'card')} are notes that vault "
        f"{json.dumps(old, ensure_ascii=False)} syncs from {where}, which still holds them (their ID lines, or the "
        "same files and fronts): this "
        f"folder ({root.resolve()}, vault {json.dumps(namespace, ensure_ascii=False)}) looks like a copy of that vault. "
        "Synced, its cards with an ID would be skipped and those without one added again as new notes "
        f"(duplicates); nothing was written. Sync the vault at {where} instead. If this copy replaces it, "
        f"remove or rename the old folder first (the copy then syncs as that vault moved: set "
        f"`vault_id = {json.dumps(old)}` under [sync] in {root / '.notes2anki.toml'} if told to). If it is "
        "to be a vault of its own, remove the copied ID lines and give it its own `vault_id`.")
