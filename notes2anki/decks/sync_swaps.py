"""Exact text beats file and front: a card without an ID that its file and front gave a note whose text
it does not hold takes the note of another file that holds all its text (tester C r1).

Two files' names swapped (``a.md`` <-> ``b.md``), or a card cut from one file into the place of a
same-front card of another: each ``Translate: the dog`` card kept the note of its *path* (same file, same
front), so ``el perro``'s reviewed history went to ``der Hund`` and back, silently ("updated [Back]").
Before the other passes of :func:`~notes2anki.decks.sync_rematch.rematch_shifted`, such a card takes the
note of this vault whose fields all equal its own when that note is free (no card claims it) or held the
same way by a card that can take the card's note in exchange (same note type and first field: the swap).
Only plain cases: one such note for the card and one such card for the note.
"""
from __future__ import annotations

import unicodedata
from typing import Callable


def _front(fields: dict[str, str]) -> tuple:
    name, value = next(iter(fields.items()), ("", ""))
    return name, " ".join(unicodedata.normalize("NFC", value).split())


def take_exact_elsewhere(mine: list, loose_pool: dict[int, str], claimed: dict, fields: Callable,
                         equal: Callable, compare: Callable) -> None:
    """Re-point the cards of ``mine`` (changes without an ID, updated or new) as the module doc says.
    ``loose_pool``: this vault's notes in the collection (nid → ``file:line``); ``claimed``: nid → the card
    syncing to it; ``fields(nid)``: a note's fields; ``equal(change, nid)``: whether the note holds all the
    card's text; ``compare(change)`` fills a change's kinds again against its new note."""
    inexact = [c for c in mine if c.nid and "updated" in c.kinds and not equal(c, c.nid)]
    if not inexact:
        return
    owner = {c.nid: c for c in inexact}
    by_front: dict[tuple, list[int]] = {}
    for nid in loose_pool:
        by_front.setdefault(_front(fields(nid)), []).append(nid)
    wants: dict[int, list[int]] = {}
    for i, change in enumerate(inexact):
        for nid in by_front.get(_front(change.fields), ()):
            free = nid not in claimed
            if nid != change.nid and (free or nid in owner) and equal(change, nid):
                wants.setdefault(i, []).append(nid)
    wanted: dict[int, int] = {}
    for nids in wants.values():
        for nid in nids:
            wanted[nid] = wanted.get(nid, 0) + 1
    moves: list[tuple] = []
    busy: set[int] = set()
    for i, nids in wants.items():
        change = inexact[i]
        if len(nids) != 1 or wanted[nids[0]] != 1 or nids[0] in busy or change.nid in busy:
            continue
        target, left = nids[0], change.nid
        other = owner.get(target)
        if other is not None:  # held by a card without its text: a swap when that card can take this one's note
            mate = fields(left)
            if _front(other.fields) != _front(mate) or any(n not in mate for n in other.fields):
                continue
            moves.append((other, left))
        moves.append((change, target))
        busy.update({target, left})
    for change, _ in moves:
        if claimed.get(change.nid) is change.card:
            claimed.pop(change.nid)
    for change, nid in moves:
        change.nid, change.kinds, change.changed_fields = nid, [], []
        claimed[nid] = change.card
        compare(change)
