"""What a sync must not delete, and when it must not run at all: the guards of :func:`plan_sync`.

A note of this vault whose card was not found this time is deleted only when nothing says its card may
still be there: its file gave an error or a near miss, its ID line is still in the vault, its file was
left out (a skipped path, a template folder, a file the settings now exclude: ``ignore``, ``scan_directory``,
the plugin's ignored globs) or the vault gave no cards at all. And a sync stops before
writing when the collection's record of a vault of this name comes from another folder that still exists
(two vaults, one name), or when cards name notes of a vault whose folder is gone (a renamed vault).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..config import Config
from ..messages import counted, of_these
from ..model import Diagnostic, Vault, where_order
from .identity import card_id, guid_of, implicit_id
from .sync_held import held_warning
from .build import _plain
from .sync_plan import Deletion, SyncPlan, _registered
from .still_there import StillThere, _ids_in_text


def refuse_same_name(entry, root: Path, namespace: str) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when the collection's record of vault
    ``namespace`` was synced from another folder that still exists: two vaults share one name (both named
    "Obsidian Vault", say) and, told apart by name only, each sync would delete the other's notes and
    their review history. A vault moved (its old folder gone) syncs on, and its record follows it."""
    from .collection import CollectionError

    recorded = entry.get("root") if isinstance(entry, dict) else None
    if not isinstance(recorded, str) or not recorded:
        return
    here = root.resolve()
    try:
        other = Path(recorded)
        if other == here or not other.is_dir() or other.resolve() == here:
            return
    except (OSError, ValueError):
        return
    raise CollectionError(
        f"this collection holds the notes of another vault named {json.dumps(namespace, ensure_ascii=False)}, synced from {recorded}; "
        f"notes2anki tells vaults apart by name, so syncing {here} would take or delete them. Give this vault "
        f"its own name: `vault_id = \"...\"` under [sync] in its .notes2anki.toml (best before its first "
        f"sync: its cards without an ID get new identities). If this is that vault moved and {recorded} is "
        "an old copy, rename or remove the copy, then sync again.")


def _same_folder(recorded, root: Path) -> bool:
    """Whether a registry entry's recorded folder is ``root`` (resolved; the same directory, so a case-only
    or Unicode-normalisation rename on a file system that ignores both is the same folder too)."""
    if not isinstance(recorded, str) or not recorded:
        return False
    try:
        other = Path(recorded)
        return other == root or other.resolve() == root.resolve() or (other.is_dir() and other.samefile(root))
    except (OSError, ValueError):
        return False


def refuse_new_identity(registry: dict, root: Path, namespace: str, cards: list, by_guid: dict[str, int],
                        texts=None, text_of=None) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when this vault would sync under a name
    the collection does not know although it is a vault the collection does know, so that every card
    without an ID would come back as a new note (the old ones, with their review history, kept and never
    deleted): the collection recorded this very folder under another name (``[sync] vault_id`` set or
    changed on a vault already synced, a folder renamed only in case or normalisation), or, under the name
    of a vault whose folder is gone, at least half of ``cards`` (this vault's cards without an ID) would
    be notes that vault synced (``by_guid``: the collection's GUID → nid; the vault folder renamed or
    moved), by their implicit identity under that name or, given ``texts(nids)`` (the notes' content keys) and
    ``text_of(card)``, by their text in any file (tester C r6b: folder and files renamed at once). The
    message names the ``vault_id`` that keeps the identities."""
    from .collection import CollectionError

    if _registered(registry.get(namespace)):
        return  # this name has synced notes already: it is this vault's (or refuse_same_name speaks)
    for old, entry in sorted(registry.items()):
        recorded_notes = _registered(entry)
        if old == namespace or not recorded_notes:
            continue
        recorded = entry.get("root")
        same = _same_folder(recorded, root)
        if not same:
            if not cards or not folder_gone(entry):
                continue
            hits = [by_guid.get(guid_of(implicit_id(c, 0, old))) in recorded_notes for c in cards]
            found = sum(hits)
            if found < max(1, (len(cards) + 1) // 2) and texts is not None and text_of is not None:
                stored = texts(set(recorded_notes))
                found += sum(1 for c, hit in zip(cards, hits) if not hit and text_of(c) in stored)
            if found < max(1, (len(cards) + 1) // 2):
                continue
        raise CollectionError(
            f"this vault syncs as {json.dumps(namespace, ensure_ascii=False)}, but the collection knows it as vault {json.dumps(old, ensure_ascii=False)} ("
            + (f"synced from this folder, {recorded}" if same else
               f"synced from {recorded}, which is gone, with {of_these(found, len(cards), 'card')}")
            + f"): under a new name every card without an ID would be added again as a new note. To keep its "
            f"notes and their review history, add `vault_id = {json.dumps(old)}` under [sync] in "
            f"{root / '.notes2anki.toml'} (or set it back to that) and sync again; nothing was written.")


def folder_gone(entry) -> bool:
    """Whether a registry entry records a vault folder that no longer exists (renamed or moved)."""
    recorded = entry.get("root") if isinstance(entry, dict) else None
    try:
        return isinstance(recorded, str) and bool(recorded) and not Path(recorded).exists()
    except (OSError, ValueError):
        return False


def refuse_renamed(moved: dict[str, int], registry: dict, root: Path, namespace: str) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when cards of this vault name notes that
    another vault synced from a folder that is gone (``moved``: that vault's name → how many cards): this
    vault is most likely that one, renamed or moved. It keeps its notes, their review history and its
    cards' identities only under its old name, so the message says to set ``vault_id`` to it."""
    from .collection import CollectionError

    old, cards = max(moved.items(), key=lambda kv: kv[1])
    where = registry.get(old, {}).get("root", "?") if isinstance(registry.get(old), dict) else "?"
    raise CollectionError(
        f"{counted(cards, 'card')} of this vault ({json.dumps(namespace, ensure_ascii=False)}) {'names a note' if cards == 1 else 'name notes'} "
        f"that vault {json.dumps(old, ensure_ascii=False)} synced from {where}, "
        f"which is gone: if this is that vault renamed or moved, add `vault_id = {json.dumps(old)}` under "
        f"[sync] in {root / '.notes2anki.toml'} and sync again (its notes, their review history and the "
        "identities of its cards without an ID are kept); nothing was written.")


class OtherVaults:
    """The ID lines of the other vaults this collection syncs, read from their folders on first need
    (``.md`` files, bounded reads, as the vault walk finds them): a note moved from one vault to another
    keeps its ``<!--ID-->`` line, so the vault it left must not delete its note, and the vault it joined may
    take it over (T22, tester 04:30). Vaults whose folder is gone are never read."""

    def __init__(self, registry: dict, namespace: str) -> None:
        self.registry, self.namespace = registry, namespace
        self._ids: dict[str, set[int]] = {}
        self._guids: dict[str, set[str]] = {}

    def ids_of(self, vault_id: str) -> set[int] | None:
        """Every ID written in the notes of vault ``vault_id`` (None: its folder is not there to read)."""
        if vault_id not in self._ids:
            entry = self.registry.get(vault_id)
            recorded = entry.get("root") if isinstance(entry, dict) else None
            try:
                root = Path(recorded) if isinstance(recorded, str) and recorded else None
                if root is None or not root.is_dir():
                    return None
            except (OSError, ValueError):
                return None
            self._ids[vault_id] = _ids_in_folder(root)
        return self._ids[vault_id]

    def holding(self, nid: int, guid: str) -> str | None:
        """The other vault whose folder holds an ID line for the note ``nid`` with GUID ``guid`` (a plugin
        ID is the note's id; a notes2anki ID names the note by its GUID), else None."""
        for vault_id in sorted(self.registry):
            if vault_id == self.namespace:
                continue
            ids = self.ids_of(vault_id)
            if not ids:
                continue
            if vault_id not in self._guids:
                self._guids[vault_id] = {guid_of(i) for i in ids}
            if nid in ids or guid in self._guids[vault_id]:
                return vault_id
        return None


def _ids_in_folder(root: Path) -> set[int]:
    from ..fileio import MAX_NOTE_BYTES, read_bounded
    from ..parsers.files import walk_vault

    found: set[int] = set()
    for rel in walk_vault(root):
        if not rel.endswith(".md"):
            continue
        try:
            text = read_bounded(root / rel, MAX_NOTE_BYTES, root=root).decode("utf-8", "replace")
        except (OSError, ValueError):
            continue
        found |= _ids_in_text(text)
    return found


MASS_DELETE_MIN = 10  # a sync deleting at least this many notes of a vault whose cards are gone ...
MASS_DELETE_SHARE = 0.25  # ... and more than this share of the vault's notes holds them all


def plan_deletions(plan: SyncPlan, vault: Vault, config: Config, notes: dict, by_guid: dict, mine: dict,
                    others: dict, claimed: dict, namespace: str, *, allow_mass_delete: bool = False,
                    front_of: Callable[[int], str] | None = None, imported: frozenset[int] = frozenset(),
                    fields_of: Callable[[int], list[str]] | None = None) -> None:
    """Append to ``plan.deletions`` the notes to delete: the cards marked DELETE (not another vault's), then
    every note of this vault (``mine``: nid → where it was last synced from) that no card claimed this time,
    unless something says its card may still be there (see the module doc); those held get one warning per
    reason in ``plan.diagnostics``. ``notes``: the collection's nid → (GUID, note type id); ``by_guid``:
    GUID → nid; ``others``: nid → the vault that synced it; ``claimed``: nid → the card syncing to it;
    ``front_of(nid)``: a note's front as plain text (a note file moved into a folder left out is found by it);
    ``fields_of(nid)``: its fields as plain text (a card moved into a file left out, of any name, is found by them);
    ``imported``: the notes of ``mine`` taken from this vault's build state (sync_plan_data.built_notes), kept
    while a folder of another vault this machine built holds their ID line.

    A mass deletion — at least :data:`MASS_DELETE_MIN` notes whose cards are gone, more than
    :data:`MASS_DELETE_SHARE` of the vault's notes, or every note of the vault (two or more) — is held whole
    unless ``allow_mass_delete``: a vault
    half downloaded by a sync client, half checked out or on a drive not mounted looks just like one whose
    cards were deleted (as rsync's ``--max-delete``). Cards marked DELETE are deleted whatever their count."""
    still = StillThere(vault, config)
    planned: set[int] = set()
    built_ids: list[set] = []

    def _in_built_vaults(nid: int, guid: str) -> bool:  # (read once, only when an imported note seems gone)
        if not built_ids:
            from .sync_plan_data import other_vault_folders

            found = set().union(*(_ids_in_folder(f) for f in other_vault_folders(vault.root)))
            built_ids.append(found | {guid_of(i) for i in found})
        return nid in built_ids[0] or guid in built_ids[0]
    for card in vault.cards:
        if not card.delete:
            continue
        nid = card.id if card.id is not None and card.id in notes else by_guid.get(guid_of(card_id(card, namespace)), 0)
        if not nid or nid in claimed or nid in planned:
            continue
        if nid not in mine and nid in others:
            plan.diagnostics.append(Diagnostic(card.file, card.line, "error",
                                               f"marked DELETE, but nid:{nid} belongs to vault "
                                               f"{others[nid]!r}: not deleted"))
            continue
        planned.add(nid)
        plan.deletions.append(Deletion(nid, card.where, _plain(card.front)[:80], "DELETE"))
    held = {"failed": 0, "style": 0, "ids": 0, "excluded_ids": 0, "moved": 0, "empty": 0, "unread": 0,
            "excluded": 0, "excluded_card": 0}  # (the order of their warnings)
    elsewhere = OtherVaults(plan.registry, namespace)
    written: set[int] | None = None
    in_notes: set[int] = set()
    for nid, where in sorted(mine.items(), key=lambda kv: where_order(kv[1])):
        if nid not in notes and nid in plan.note_guids and nid not in claimed and still.reason(where):
            plan.held[nid] = where  # deleted in Anki, its card maybe in a file not read this time (emptied, left
            continue  # out): its GUID stays recorded, so the card is still held when read again (tester 12-03)
        if nid in claimed or nid in planned or nid not in notes:
            continue
        if written is None:  # an ID is the Anki note's id (the plugin's) or names it by its GUID (ours)
            written = still.ids() | {by_guid[g] for g in map(guid_of, still.ids()) if g in by_guid}
            in_notes = still.note_ids() | {by_guid[g] for g in map(guid_of, still.note_ids()) if g in by_guid}
        reason = still.reason(where, front=lambda: front_of(nid) if front_of else "",  # a file the settings leave
                              fields=(lambda: fields_of(nid)) if fields_of else None, shown=True)
        # out: said so, ID line or not (tester A r3)
        why = "excluded" if reason == "excluded" else (
            ("ids" if nid in in_notes else "excluded_ids") if nid in written else
            "excluded" if reason == "excluded_moved" else reason)
        if not why and any(v != namespace for v in plan.registry) and elsewhere.holding(nid, notes[nid][0]):
            why = "moved"  # its ID line is in another vault now: that vault's sync takes the note over
        if not why and nid in imported and _in_built_vaults(nid, notes[nid][0]):
            why = "moved"  # ... in a vault only built on this machine (its state older than the move)
        if why:
            held[why] += 1
            plan.held[nid] = where  # still this vault's: deleted by a later sync once really gone
            continue
        planned.add(nid)
        plan.deletions.append(Deletion(nid, where, "", "removed"))
    removed = [d for d in plan.deletions if d.reason == "removed"]
    everything = 2 <= len(removed) >= len(mine)  # every note (tester C r10: a new vault at a moved one's path)
    if not allow_mass_delete and (everything or MASS_DELETE_MIN <= len(removed) > MASS_DELETE_SHARE * len(mine)):
        plan.deletions[:] = [d for d in plan.deletions if d.reason != "removed"]
        plan.held.update((d.nid, d.where) for d in removed)
        plan.mass_held = removed
        plan.diagnostics.append(Diagnostic("", 0, "warning", (
            f"{len(removed)} notes whose cards were not found are not deleted: that is "
            f"{len(removed) / max(len(mine), 1):.0%} of this vault's {len(mine)} notes in one sync, which is "
            "what a vault not fully downloaded (a sync client still fetching), checked out or mounted looks like. "
            "If you deleted those cards, sync again with --allow-mass-delete")))
    for reason, count in held.items():
        if count:
            plan.diagnostics.append(Diagnostic("", 0, "warning", held_warning(reason, count, still)))
