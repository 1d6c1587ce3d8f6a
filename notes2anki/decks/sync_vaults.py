"""Which vault is this? Two guards of :func:`~notes2anki.decks.sync_plan.plan_sync` that stop a sync
before anything is written when the vault is not the one the collection's record says it is.

- :func:`refuse_unproven_move`: the collection's record of a vault of this name comes from a folder that is
  not there now. That is a vault moved — or another vault that shares its folder's name ("Obsidian Vault",
  "Notes") while the first one's drive is not mounted. Taken as "moved", every note of the first vault
  whose card is not here would be deleted with its review history (tester r1). A move needs evidence:
  cards here that are that vault's notes (by ID, by implicit identity, or by the same text in any file);
  file names alone are no evidence (tester C r4: ``Untitled.md`` is in most vaults). With too few, the sync
  is refused as for another vault of the same name.
- :func:`refuse_copy`: a vault new to the collection, more than half of whose cards are notes of another vault whose
  folder still holds them (their ID lines too): this folder is a copy of that vault (tester r2). Synced, its ID cards
  would be skipped with errors but its cards without an ID added again as new notes (duplicates).
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Callable

from ..messages import counted
from ..model import Card
from .identity import card_ids, guid_of
from .sync_plan_data import _registered

MOVE_CARD_SHARE = 0.1  # cards here that are the recorded vault's notes: at least this share of its notes


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


def move_evidence(cards: list[Card], namespace: str, theirs: dict[int, str], notes: dict,
                  texts: Callable[[], set] | None = None, text_of: Callable[[Card], tuple] | None = None) -> int:
    """How many cards of ``cards`` are notes of the vault recorded as ``namespace``: by content only, never
    by file names (tester C r4: two vaults sharing an ``Untitled.md``). A card counts when its ID names one
    of those notes, when its implicit identity (same file, same front) is one's GUID, or when its text
    (``text_of(card)``: note type and fields) equals one's (``texts()``: theirs), in any file (tester C r6:
    files renamed as the vault moved). ``theirs``: its notes still in the collection, nid → ``file:line``;
    ``notes``: the collection's nid → (GUID, note type id)."""
    by_guid = {notes[nid][0]: nid for nid in theirs if nid in notes}
    ids = card_ids(cards, namespace)
    found = 0
    rest: list[Card] = []
    for card in cards:
        if card.id is not None:
            hit = card.id in theirs or guid_of(card.id) in by_guid
        else:
            ident = ids.get(card.key)
            hit = ident is not None and guid_of(ident) in by_guid
        found += bool(hit)
        if not hit:
            rest.append(card)
    if rest and texts is not None and text_of is not None:
        stored = texts()
        found += sum(1 for card in rest if text_of(card) in stored)
    return found


def refuse_unproven_move(entry, registered: dict[int, str], root: Path, namespace: str, cards: list[Card],
                         notes: dict, texts: Callable[[set[int]], set] | None = None,
                         text_of: Callable[[Card], tuple] | None = None, files: set[str] | None = None) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when the collection's record of vault
    ``namespace`` (``entry``; its notes ``registered``, nid → ``file:line``) was synced from a folder that is
    gone and too few cards here are its notes (:func:`move_evidence`: none, or fewer than
    :data:`MOVE_CARD_SHARE` of its notes). ``cards``: this vault's cards; ``texts(nids)``: the content keys
    of those notes, ``text_of(card)``: a card's (see :func:`move_evidence`). A record whose notes are all
    gone from the collection has nothing to lose: the sync goes on. At the recorded folder itself, see
    :func:`_refuse_replaced` (``files``: this vault's files)."""
    from .collection import CollectionError

    theirs = {nid: where for nid, where in registered.items() if nid in notes}
    if theirs and files is not None and _same_folder(entry, root):
        _refuse_replaced(root, namespace, cards, files, theirs, notes, texts, text_of)
    recorded = _gone_folder(entry, root)
    if not theirs or recorded is None:
        return
    found = move_evidence(cards, namespace, theirs, notes,
                          (lambda: texts(set(theirs))) if texts is not None else None, text_of)
    if found and found >= MOVE_CARD_SHARE * len(theirs):
        return
    name = json.dumps(namespace, ensure_ascii=False)
    raise CollectionError(
        f"this collection holds the notes of another vault named {name}, synced from {recorded}, which is not "
        f"there now (moved, or on a drive not mounted); this vault, {root.resolve()}, holds {f'only {found}' if found else 'none'} "
        f"of its {counted(len(theirs), 'note')} (by ID line, by file and front, or by the same text in any file), "
        "so it is not taken as that vault moved: syncing it under the same name would delete those notes and "
        f"their review history. Give this vault its own name: `vault_id = \"...\"` under [sync] in "
        f"{root / '.notes2anki.toml'} (best before its first sync), then sync again; nothing was written. If this "
        "really is that vault moved and its cards are all gone, delete those notes in Anki first.")


REPLACED_MIN = 2  # recorded notes at least, for a vault at the recorded folder to be taken as another one


def _same_folder(entry, root: Path) -> bool:
    recorded = entry.get("root") if isinstance(entry, dict) else None
    try:
        return isinstance(recorded, str) and bool(recorded) and (
            Path(recorded) == root or Path(recorded).resolve() == root.resolve())
    except (OSError, ValueError):
        return False


def _refuse_replaced(root: Path, namespace: str, cards: list[Card], files: set[str], theirs: dict[int, str],
                     notes: dict, texts, text_of) -> None:
    """Raise ``CollectionError`` when the vault at the recorded folder shares nothing with the notes recorded
    there (at least :data:`REPLACED_MIN`): no card is one of them (:func:`move_evidence`), none has the front
    of one, none of their files is here (tester C r10: the vault moved to a USB disk, Obsidian made a new
    default vault of the same name at the old place, and its sync deleted the 8 reviewed notes)."""
    from .collection import CollectionError

    if len(theirs) < REPLACED_MIN or not cards or texts is None or text_of is None:
        return
    if {where.rpartition(":")[0] for where in theirs.values()} & files:
        return
    stored = texts(set(theirs))
    if move_evidence(cards, namespace, theirs, notes, lambda: stored, text_of):
        return
    fronts = {key[0] for key in stored if key}
    if any(key and key[0] in fronts for key in map(text_of, cards)):
        return
    raise CollectionError(
        f"this vault, {root.resolve()}, is where vault {json.dumps(namespace, ensure_ascii=False)} was synced "
        f"from, but it holds none of that vault's {counted(len(theirs), 'note')} (no ID, front or text of one, "
        "none of their files): another vault in its place (the old one moved, to another disk?). Syncing it "
        "under the same name would delete those notes and their review history; nothing was written. Sync the "
        f"old vault where it is now, or give this one its own name: `vault_id = \"...\"` under [sync] in "
        f"{root / '.notes2anki.toml'}. If those cards were really all deleted, delete their notes in Anki first.")


def stored_texts(col, nids: set[int]) -> set[tuple]:
    """The content keys of the notes ``nids`` of ``col``: their fields' text (NFC, as Anki stores it)."""
    found: set[tuple] = set()
    ordered = sorted(nids)
    for start in range(0, len(ordered), 500):
        part = ordered[start:start + 500]
        rows = col.db.all(f"select flds from notes where id in ({','.join('?' * len(part))})", *part)
        found.update(text_key(flds.split("\x1f")) for flds, in rows)
    return found


def text_key(values) -> tuple:
    """A content key (see :func:`stored_texts`): field values in order, NFC."""
    return tuple(unicodedata.normalize("NFC", v) for v in values)


def _live_root(entry, root: Path) -> Path | None:
    """The folder a registry entry records when it is another folder than ``root`` and is there now."""
    recorded = entry.get("root") if isinstance(entry, dict) else None
    if not isinstance(recorded, str) or not recorded:
        return None
    try:
        other = Path(recorded)
        if other == root or not other.is_dir() or other.resolve() == root.resolve():
            return None
    except (OSError, ValueError):
        return None
    return other


def refuse_copy(copied: dict[str, int], cards: list[Card], registry: dict, root: Path, namespace: str,
                by_guid: dict[str, int], own: int = 0, named: bool = False,
                exact: Callable[[Card, int], bool] | None = None) -> None:
    """Raise :class:`~notes2anki.decks.collection.CollectionError` when this vault looks like a copy of another
    vault whose folder is there: some of its cards with an ID name that vault's notes while its folder still
    holds their ID lines (``copied``: that vault's name → how many cards here), and with its cards without
    an ID that are that vault's notes (same file, same front: their identity under that vault's name, found
    in ``by_guid``, the collection's GUID → nid), they are more than half of ``cards`` (this vault's cards).
    Synced, its ID cards would be skipped (the notes are that vault's) and its cards without an ID added
    again as new notes, duplicates that no later sync removes; nothing is written instead. A note or two
    copied in with their ID lines stay errors at the card, and so do all such cards of a vault that has
    notes of its own in the collection (``own``: how many; a vault synced before is not a fresh copy).
    A vault whose cards have no ID is a copy the same way when more than half of its cards are exact copies
    (``exact(card, nid)``: all fields equal) of the notes of another vault whose folder is there and holds
    those files, the same files and fronts (tester C r5:
    "V backup" synced 6 exact duplicates without a word), unless it has a ``vault_id`` of its own (``named``:
    the user made it a vault of its own, duplicates and all)."""
    from .collection import CollectionError

    if not cards or own:
        return
    idless = [c for c in cards if c.id is None]

    def same_cards(old: str, check=None) -> int:  # cards without an ID here that are that vault's notes (same file, front)
        theirs = _registered(registry.get(old))
        other = _live_root(registry.get(old), root)
        ids = card_ids(idless, old)
        found = 0
        for c in idless:
            nid = by_guid.get(guid_of(ids[c.key]))
            if nid in theirs and (other is None or (other / c.file).is_file()) and (check is None or check(c, nid)):
                found += 1
        return found

    if not copied:  # a copy of a vault whose cards have no ID (tester C r5): exact copies, same files and fronts
        if named or exact is None:
            return
        live = [name for name, entry in registry.items() if name != namespace and _live_root(entry, root)]
        counts = {name: same_cards(name, exact) for name in live}
        copied = {name: 0 for name, n in counts.items() if n}
        if not copied:
            return
    check = exact if not any(copied.values()) else None
    old, count = max(copied.items(), key=lambda kv: (kv[1] + same_cards(kv[0], check), kv[0]))
    entry = registry.get(old)
    same = same_cards(old, check)
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
        "to be a vault of its own, remove the copied ID lines and give it its own `vault_id` (its cards are then "
        "added as new notes, reviewed apart from that vault's).")
