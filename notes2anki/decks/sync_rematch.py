"""Cards without an ID whose identity shifted: the same front twice in one file.

Two cards of one file with the same front (``Translate:``, an image-only front) and no ID are told apart
by their order (the 2nd gets its occurrence in its implicit ID). Deleting the first makes the second take
the first's identity, so a sync would overwrite the first card's note with the second's text and delete
the second's note, the one with its review history (tester 04:30, T16). After matching, an updated card
without an ID whose text equals, field for field, a note of this vault from the same file that no card
claims is given that note instead; the note it had is then the one gone.
"""
from __future__ import annotations

from typing import Callable


def rematch_shifted(col, changes: list, loose_pool: dict[int, str], claimed: dict, compare: Callable) -> None:
    """Re-point each updated card without an ID (``changes``: the plan's :class:`~.sync_plan.Change`
    list) to the unclaimed note of its file whose fields all equal the card's, when there is one.

    ``loose_pool``: this vault's notes (nid → ``file:line`` where last synced) that exist in the collection;
    those not in ``claimed`` (nid → card) are the candidates. ``compare(change)`` fills a change's kinds
    again against its new note. ``claimed`` is updated."""
    from .sync_plan import same_text

    updated = [c for c in changes if "updated" in c.kinds and c.card.id is None and c.nid]
    loose: dict[str, list[int]] = {}
    for nid, where in loose_pool.items():
        if nid not in claimed:
            loose.setdefault(where.rpartition(":")[0], []).append(nid)
    if not updated or not loose:
        return
    for change in updated:
        candidates = loose.get(change.card.file, [])
        for nid in candidates:
            note = col.get_note(nid)
            current = dict(zip(note.keys(), note.values()))
            if all(name in current and same_text(current[name], value) for name, value in change.fields.items()):
                candidates.remove(nid)
                candidates.append(change.nid)  # the note it had: now unclaimed (deleted if nothing else is it)
                del claimed[change.nid]
                claimed[nid] = change.card
                change.nid, change.kinds, change.changed_fields = nid, [], []
                compare(change)
                break
