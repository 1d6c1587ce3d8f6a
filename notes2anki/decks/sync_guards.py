"""What a sync must not delete, and when it must not run at all: the guards of :func:`plan_sync`.

A note of this vault whose card was not found this time is deleted only when nothing says its card may
still be there: its file gave an error or a near miss, its ID line is still in the vault, its file was
left out (a skipped path, a template folder) or the vault gave no cards at all. And a sync stops before
writing when the collection's record of a vault of this name comes from another folder that still exists
(two vaults, one name), or when cards name notes of a vault whose folder is gone (a renamed vault).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..config import Config
from ..model import SKIPPED_PATH, Diagnostic, Vault
from ..parsers.lints import NEAR as NEAR_MISS
from ..parsers.syntax import ID_COMMENT
from .identity import card_id, guid_of, implicit_id
from .build import _plain
from .sync_plan import Deletion, SyncPlan


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
        f"this collection holds the notes of another vault named {namespace!r}, synced from {recorded}; "
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


def refuse_new_identity(registry: dict, root: Path, namespace: str, cards: list, by_guid: dict[str, int]) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when this vault would sync under a name
    the collection does not know although it is a vault the collection does know, so that every card
    without an ID would come back as a new note (the old ones, with their review history, kept and never
    deleted): the collection recorded this very folder under another name (``[sync] vault_id`` set or
    changed on a vault already synced, a folder renamed only in case or normalisation), or, under the name
    of a vault whose folder is gone, at least half of ``cards`` (this vault's cards without an ID) would
    be notes that vault synced (``by_guid``: the collection's GUID → nid; the vault folder renamed or
    moved). The message names the ``vault_id`` that keeps the identities."""
    from .collection import CollectionError

    if _registered_notes(registry.get(namespace)):
        return  # this name has synced notes already: it is this vault's (or refuse_same_name speaks)
    for old, entry in sorted(registry.items()):
        recorded_notes = _registered_notes(entry)
        if old == namespace or not recorded_notes:
            continue
        recorded = entry.get("root")
        same = _same_folder(recorded, root)
        if not same:
            if not cards or not folder_gone(entry):
                continue
            known = {int(n) for n in recorded_notes if n.isdigit()}
            found = sum(1 for c in cards if by_guid.get(guid_of(implicit_id(c, 0, old))) in known)
            if found < max(1, (len(cards) + 1) // 2):
                continue
        raise CollectionError(
            f"this vault syncs as {namespace!r}, but the collection knows it as vault {old!r} ("
            + (f"synced from this folder, {recorded}" if same else
               f"synced from {recorded}, which is gone, with {found} of these {len(cards)} cards")
            + f"): under a new name every card without an ID would be added again as a new note. To keep its "
            f"notes and their review history, add `vault_id = {json.dumps(old)}` under [sync] in "
            f"{root / '.notes2anki.toml'} (or set it back to that) and sync again; nothing was written.")


def _registered_notes(entry) -> dict:
    notes = entry.get("notes") if isinstance(entry, dict) else None
    return {k: v for k, v in notes.items() if isinstance(v, str)} if isinstance(notes, dict) else {}


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
        f"{cards} cards of this vault ({namespace!r}) name notes that vault {old!r} synced from {where}, "
        f"which is gone: if this is that vault renamed or moved, add `vault_id = {json.dumps(old)}` under "
        f"[sync] in {root / '.notes2anki.toml'} and sync again (its notes, their review history and the "
        "identities of its cards without an ID are kept); nothing was written.")


def _template_notes(vault: Vault, config: Config) -> set[str]:
    """The notes of the vault's template folders, which ``skip_template_cards`` leaves unbuilt."""
    if not getattr(config, "skip_templates", True):
        return set()
    from ..template_folders import in_folder, template_folders

    folders = [f for f, _ in template_folders(vault.root)]
    return {n.path for n in vault.notes if any(in_folder(n.path, f) for f in folders)} if folders else set()


def plan_deletions(plan: SyncPlan, vault: Vault, config: Config, notes: dict, by_guid: dict, mine: dict,
                    others: dict, claimed: dict, namespace: str) -> None:
    """Append to ``plan.deletions`` the notes to delete: the cards marked DELETE (not another vault's), then
    every note of this vault (``mine``: nid → where it was last synced from) that no card claimed this time,
    unless something says its card may still be there (see the module doc); those held get one warning per
    reason in ``plan.diagnostics``. ``notes``: the collection's nid → (GUID, note type id); ``by_guid``:
    GUID → nid; ``others``: nid → the vault that synced it; ``claimed``: nid → the card syncing to it."""
    # a file that gave an error, or a near miss (``Start`` for ``START``: the card is there, mistyped)
    failed_files = {d.file for d in vault.diagnostics if d.file and (d.severity == "error" or d.kind == NEAR_MISS)}
    kept_cards = any(not c.delete for c in vault.cards)
    # A file or folder the walk left out (a link outside the vault, a name that is not UTF-8, a folder
    # that cannot be read) may hold the cards of any note whose file was not read this time (it may have
    # been moved or renamed there): those notes are kept, not deleted.
    unread = bool(any(d.kind == SKIPPED_PATH for d in vault.diagnostics))
    read = set(vault.files) if unread else set()
    left_out = _template_notes(vault, config)  # notes read but not built: their cards are not gone
    # a note file that is empty now: more likely a save caught half-way (truncate, then write) or a sync
    # client's placeholder than every card deleted on purpose
    emptied = {n.path for n in vault.notes if not n.text.strip()}
    planned: set[int] = set()
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
    held = held_unread = held_ids = held_empty = 0
    written: set[int] | None = None  # every ID line of the vault, read only when a note seems gone
    for nid, where in sorted(mine.items(), key=lambda kv: kv[1]):
        if nid in claimed or nid in planned or nid not in notes:
            continue
        if written is None:  # an ID is the Anki note's id (the plugin's) or names it by its GUID (ours)
            ids = _id_lines(vault)
            written = ids | {by_guid[g] for g in map(guid_of, ids) if g in by_guid}
        if nid in written:
            held_ids += 1
            plan.held[nid] = where  # its ID line is still in a note (an orphan-id warning): the card is mistyped, not gone
            continue
        file = where.rpartition(":")[0]
        if file in failed_files or not kept_cards:
            held += 1  # the file (or the whole vault) gave errors this time: its cards are not gone
            plan.held[nid] = where
            continue
        if file in emptied:
            held_empty += 1
            plan.held[nid] = where
            continue
        if (unread and file not in read) or file in left_out:
            held_unread += 1
            plan.held[nid] = where
            continue
        planned.add(nid)
        plan.deletions.append(Deletion(nid, where, "", "removed"))
    if held:
        plan.diagnostics.append(Diagnostic("", 0, "warning",
                                           f"{held} notes whose cards were not found are not deleted: "
                                           + ("their files have errors or mistyped card syntax" if kept_cards else
                                              "the vault gave no cards at all") + " (fix that, then sync again)"))
    if held_ids:
        plan.diagnostics.append(Diagnostic("", 0, "warning",
                                           f"{held_ids} notes whose cards were not found are not deleted: their "
                                           "ID lines are still in the vault (the card is mistyped or inside a code "
                                           "block: see the near-miss, orphan-id and duplicate-id messages; fix the "
                                           "card, or delete the ID line to have the note deleted)"))
    if held_empty:
        plan.diagnostics.append(Diagnostic("", 0, "warning",
                                           f"{held_empty} notes of files that are empty now are not deleted: an "
                                           "empty file is more often a save in progress or a cloud placeholder "
                                           "than cards deleted (delete the file, or leave other text in it, and "
                                           "sync again to have them deleted)"))
    if held_unread:
        plan.diagnostics.append(Diagnostic("", 0, "warning",
                                           f"{held_unread} notes whose cards were not read are not deleted: "
                                           "their files may hold them but were left out this time (a skipped-path "
                                           "warning, or a template folder); include them, or remove them, then "
                                           "sync again"))


_PLAIN_ID_LINE = re.compile(r"^[ \t]*ID:[ \t]*(\d{1,19})[ \t]*$", re.M)


def _id_lines(vault: Vault) -> set[int]:
    """Every ID written in the vault's notes (``<!--ID: n-->`` anywhere, ``ID: n`` on a line of its own),
    whether or not a card claims it."""
    found: set[int] = set()
    for note in vault.notes:
        if "ID:" in note.text:
            found.update(int(m.group(1)) for m in ID_COMMENT.finditer(note.text))
            found.update(int(m.group(1)) for m in _PLAIN_ID_LINE.finditer(note.text))
    return found
