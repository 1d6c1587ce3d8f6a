"""Cards without an ID whose identity shifted: matched again by their text.

A card without an ID is identified by its file, note type and front, and two cards of one file with the
same front (``Translate:``, an image-only front) by their order too. So deleting the first of two such
cards, inserting one between them or swapping them gives each the identity of another, and a sync would
write one card's text over another's note (its review history with it) and add or delete the rest (tester
findings T16, U11); renaming a note's file (``Untitled.md`` → ``Mitochondria.md``) gives all its cards new
identities, and their reviewed notes would be deleted (U19).

After matching, every card without an ID whose note does not hold its text (an updated card) or that has
no note (a new card) may take a note of this vault whose fields all equal the card's: a note of its own
file that no card claims or that a card of the file claims without holding that card's text, or a note
no card claims whose file is gone from the vault. Each note is taken by one card (the first in vault
order); a card that lost its note to another becomes new, or takes an equal note left over.
"""
from __future__ import annotations

from typing import Callable


def rematch_shifted(col, changes: list, loose_pool: dict[int, str], claimed: dict, compare: Callable,
                    files: set[str] | frozenset[str] = frozenset()) -> None:
    """Re-point cards without an ID (``changes``: the plan's :class:`~.sync_plan.Change` list, in vault
    order) to the note whose fields all equal theirs, as the module doc says.

    ``loose_pool``: this vault's notes (nid → ``file:line`` where last synced) that exist in the collection.
    ``claimed``: nid → the card syncing to it (updated). ``compare(change)`` fills a change's kinds again
    against its new note. ``files``: the vault's note files now (a note last synced from a file not among
    them is a candidate for a card of any file)."""
    from .sync_plan import same_text

    mine = [c for c in changes if c.card.id is None and ("new" in c.kinds or ("updated" in c.kinds and c.nid))]
    if not mine:
        return
    fields_of: dict[int, dict[str, str]] = {}

    def fields(nid: int) -> dict[str, str]:
        if nid not in fields_of:
            note = col.get_note(nid)
            fields_of[nid] = dict(zip(note.keys(), note.values()))
        return fields_of[nid]

    def equal(change, nid: int) -> bool:
        current = fields(nid)
        return all(name in current and same_text(current[name], value) for name, value in change.fields.items())

    by_file: dict[str, list[int]] = {}  # notes a card of the file may take: unclaimed, or claimed without its text
    gone: list[int] = []  # unclaimed notes of files no longer in the vault
    for nid, where in loose_pool.items():
        file = where.rpartition(":")[0]
        if nid not in claimed:
            (gone if files and file not in files else by_file.setdefault(file, [])).append(nid)
    for change in mine:
        if change.nid and "updated" in change.kinds:
            by_file.setdefault(change.card.file, []).append(change.nid)
    if not gone and not any(by_file.get(c.card.file) for c in mine if "new" in c.kinds) \
            and not any(len(by_file.get(c.card.file, ())) > 1 or claimed.get(c.nid) is not c.card for c in mine
                        if "updated" in c.kinds):
        return
    owner = {c.nid: c for c in mine if c.nid}  # nid → the change that has it now
    for change in mine:
        if change.nid and equal(change, change.nid):
            continue  # holds its own text: stays
        pool = by_file.get(change.card.file, []) + (gone if "new" in change.kinds or change.nid else [])
        match = next((nid for nid in pool if nid != change.nid and equal(change, nid)
                      and not (owner.get(nid) and equal(owner[nid], nid))), None)
        if match is None:
            continue
        loser = owner.get(match)
        if loser is not None:  # a card of the file had it without its text: it is new now (or takes another)
            loser.nid, loser.kinds, loser.changed_fields = 0, ["new"], []
            claimed.pop(match, None)
        if match in gone:
            gone.remove(match)
        if change.nid:
            claimed.pop(change.nid, None)
            owner.pop(change.nid, None)
        change.nid, change.kinds, change.changed_fields = match, [], []
        claimed[match] = change.card
        owner[match] = change
        compare(change)
    for change in mine:  # a card made new above may take an equal note left over
        if "new" in change.kinds and not change.nid:
            pool = by_file.get(change.card.file, []) + gone
            match = next((nid for nid in pool if nid not in claimed and equal(change, nid)), None)
            if match is not None:
                if match in gone:
                    gone.remove(match)
                change.nid, change.kinds, change.changed_fields = match, [], []
                claimed[match] = change.card
                owner[match] = change
                compare(change)
