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
import re
from pathlib import Path

from ..config import Config
from ..messages import counted, of_these
from ..model import REGEX_TIMEOUT, SKIPPED_PATH, Diagnostic, Vault, where_order
from ..parsers.lints import NEAR as NEAR_MISS

# the kinds of warning that say a card at that place was not read: its notes are not gone
NOT_READ = frozenset({NEAR_MISS, "no-end", "empty-card", "empty-front", REGEX_TIMEOUT})
from ..parsers.syntax import ID_COMMENT, id_number
from .identity import card_id, guid_of, implicit_id
from .sync_held import held_warning
from .build import _plain
from .sync_plan import Deletion, SyncPlan, _registered


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


def _template_notes(vault: Vault, config: Config) -> set[str]:
    """The notes of the vault's template folders, which ``skip_template_cards`` leaves unbuilt."""
    if not getattr(config, "skip_templates", True):
        return set()
    from ..template_folders import in_folder, template_folders

    known = vault.template_folders if vault.template_folders is not None else template_folders(vault.root, config)
    folders = [f for f, _ in known]
    return {n.path for n in vault.notes if any(in_folder(n.path, f) for f in folders)} if folders else set()


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


def _name(file: str) -> str:
    """A vault path's file name, without its folders, in Unicode NFC."""
    import unicodedata

    return unicodedata.normalize("NFC", file.rpartition("/")[2])


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


class StillThere:
    """Whether a card not found this time may still be in the vault (see the module doc), asked per
    card by ``file:line`` and ID: its file gave an error or a near miss, is empty now (a save caught half
    way, a cloud placeholder), was left out (a skipped path, a template folder), the vault gave no cards
    at all, or its ID line is still in a note. :meth:`reason` says which (None: it is gone). Shared by
    ``sync``'s deletions and ``build``'s list of cards to delete in Anki."""

    def __init__(self, vault: Vault, config: Config) -> None:
        self.vault = vault
        # a file that gave an error, or a near miss (``Start`` for ``START``: the card is there, mistyped)
        # or any other message that a card there was not read (an inline card with no ENDI, an empty card, a
        # custom regex out of time)
        self.failed = {d.file for d in vault.diagnostics
                       if d.file and (d.severity == "error" or d.kind in NOT_READ)}
        # a custom regex set for a note type that does not exist: every card of that style is unread
        self.unused_styles = tuple(getattr(config, "unused_regexps", ()))
        self.kept_cards = any(not c.delete for c in vault.cards)
        # A file or folder the walk left out (a link outside the vault, a name that is not UTF-8, a folder
        # that cannot be read) may hold the cards of any note whose file was not read this time (it may have
        # been moved or renamed there): those notes are kept, not deleted.
        self.unread = bool(any(d.kind == SKIPPED_PATH for d in vault.diagnostics))
        self.read = set(vault.files) if self.unread else set()
        self.left_out = _template_notes(vault, config)  # notes read but not built: their cards are not gone
        # a note file that is empty now: more likely a save caught half-way (truncate, then write) or a sync
        # client's placeholder than every card deleted on purpose
        self.emptied = {n.path for n in vault.notes if not n.text.strip()}
        self._ids: set[int] | None = None  # every ID line of the vault, read only when a card seems gone
        self._note_ids: set[int] = set()  # those in the notes read
        self._excluded_ids: set[int] = set()  # those in the files the settings leave out
        # a note file the walk found but did not read: the settings leave it out now (``ignore``,
        # ``scan_directory``, the plugin's ignored globs): its cards are not built, not gone
        self._walked = set(vault.files)
        self._read_notes: set[str] | None = None
        self._left_names: set[str] | None = None

    def ids(self) -> set[int]:
        """Every ID written in the vault's notes, whether or not a card claims it — in the notes read and in
        the Markdown files the settings leave out (a note moved into an ignored ``Archive/`` keeps its ID
        line: its note is not gone)."""
        if self._ids is None:
            self._note_ids = _id_lines(self.vault)
            self._excluded_ids = _excluded_id_lines(self.vault, self._walked - self._notes())
            self._ids = self._note_ids | self._excluded_ids
        return self._ids

    def note_ids(self) -> set[int]:
        """The IDs of :meth:`ids` written in the notes read (not only in files the settings leave out)."""
        self.ids()
        return self._note_ids

    def reason(self, where: str, ident: int | None = None) -> str | None:
        """"ids", "excluded_ids", "failed", "style", "empty", "unread", "excluded", "excluded_moved" (its file gone, one
        of its name in a folder the settings leave out) or None for the card last seen at ``where`` (``file:line``)
        with ID ``ident`` (written or implicit)."""
        if ident is not None and ident in self.ids():
            if ident not in self._note_ids:
                return "excluded_ids"  # its note moved into a file the settings leave out (tester 12-03)
            return "ids"  # its ID line is still in a note (an orphan-id warning): mistyped, not gone
        file = where.rpartition(":")[0]
        if file in self.failed or not self.kept_cards:
            return "failed"
        if self.unused_styles:
            return "style"  # the file (or the whole vault) gave errors this time: its cards are not gone
        if file in self.emptied or _cloud_placeholder(self.vault.root, file):
            return "empty"
        if (self.unread and file not in self.read) or file in self.left_out:
            return "unread"
        if file in self._walked and file not in self._notes():
            return "excluded"
        if file not in self._walked and _name(file) in self._excluded_names():
            return "excluded_moved"  # moved into a folder the settings leave out (an Archive/), no ID lines needed (tester 12-03 r2)
        return None

    def _excluded_names(self) -> set[str]:
        """The file names (no folder, NFC) of the files the walk found and the settings leave out."""
        if self._left_names is None:
            self._left_names = {_name(f) for f in self._walked - self._notes()}
        return self._left_names

    def _notes(self) -> set[str]:
        if self._read_notes is None:
            self._read_notes = {n.path for n in self.vault.notes}
        return self._read_notes


MASS_DELETE_MIN = 10  # a sync deleting at least this many notes of a vault whose cards are gone ...
MASS_DELETE_SHARE = 0.25  # ... and more than this share of the vault's notes holds them all


def plan_deletions(plan: SyncPlan, vault: Vault, config: Config, notes: dict, by_guid: dict, mine: dict,
                    others: dict, claimed: dict, namespace: str, *, allow_mass_delete: bool = False) -> None:
    """Append to ``plan.deletions`` the notes to delete: the cards marked DELETE (not another vault's), then
    every note of this vault (``mine``: nid → where it was last synced from) that no card claimed this time,
    unless something says its card may still be there (see the module doc); those held get one warning per
    reason in ``plan.diagnostics``. ``notes``: the collection's nid → (GUID, note type id); ``by_guid``:
    GUID → nid; ``others``: nid → the vault that synced it; ``claimed``: nid → the card syncing to it.

    A mass deletion — at least :data:`MASS_DELETE_MIN` notes whose cards are gone, more than
    :data:`MASS_DELETE_SHARE` of the vault's notes, or every note of the vault (two or more) — is held whole
    unless ``allow_mass_delete``: a vault
    half downloaded by a sync client, half checked out or on a drive not mounted looks just like one whose
    cards were deleted (as rsync's ``--max-delete``). Cards marked DELETE are deleted whatever their count."""
    still = StillThere(vault, config)
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
    held = {"failed": 0, "style": 0, "ids": 0, "excluded_ids": 0, "moved": 0, "empty": 0, "unread": 0,
            "excluded": 0}  # (the order of their warnings)
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
        reason = still.reason(where)  # a file the settings leave out: said so, ID line or not (tester A r3)
        why = "excluded" if reason == "excluded" else (
            ("ids" if nid in in_notes else "excluded_ids") if nid in written else
            "excluded" if reason == "excluded_moved" else reason)
        if not why and len(plan.registry) > 1 and elsewhere.holding(nid, notes[nid][0]):
            why = "moved"  # its ID line is in another vault now: that vault's sync takes the note over
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


_PLAIN_ID_LINE = re.compile(r"^[ \t]*ID:[ \t]*(\d{1,19})[ \t]*$", re.M)


def _id_lines(vault: Vault) -> set[int]:
    """Every ID written in the vault's notes (``<!--ID: n-->`` anywhere, ``ID: n`` on a line of its own),
    whether or not a card claims it."""
    found: set[int] = set()
    for note in vault.notes:
        found |= _ids_in_text(note.text)
    return found


def _excluded_id_lines(vault: Vault, files: set[str]) -> set[int]:
    """The IDs written in the vault's Markdown files that were not read (left out by the settings); each
    read bounded, inside the vault; an unreadable one is skipped."""
    from ..fileio import MAX_NOTE_BYTES, read_bounded

    found: set[int] = set()
    for rel in sorted(f for f in files if f.lower().endswith(".md")):
        try:
            text = read_bounded(vault.root / rel, MAX_NOTE_BYTES, root=vault.root).decode("utf-8", "replace")
        except OSError:
            continue
        found |= _ids_in_text(text)
    return found


def _cloud_placeholder(root: Path, file: str) -> bool:
    """Whether the note ``file`` is there as a cloud client's placeholder, not downloaded: iCloud Drive
    ("Optimize Mac Storage") replaces ``dir/name.md`` by the hidden ``dir/.name.md.icloud``."""
    folder, _, name = file.rpartition("/")
    try:
        return (root / folder / f".{name}.icloud").is_file()
    except (OSError, ValueError):
        return False


def _ids_in_text(text: str) -> set[int]:
    """The IDs of a note's ``<!--ID: n-->`` comments and ``ID: n`` lines."""
    if "ID:" not in text:
        return set()
    return ({id_number(m.group(1)) for m in ID_COMMENT.finditer(text)}
            | {int(m.group(1)) for m in _PLAIN_ID_LINE.finditer(text)})
