"""``sync``'s last word on same-front cards without an ID: the gap rule ``build`` and ``ids`` use.

After :func:`~.sync_rematch.rematch_shifted` has re-pointed cards to the notes holding their text (or text
clearly alike), a card of a same-front group (same file, note type and first field, no ID line) may still be
on a note by order alone: its note holds another card's text. Syncing it would write its text over that
note, and the note's review history would then belong to another fact (tester 2026-12-02, third round,
finding 7: ``N, A, B', C`` synced after ``A, B, C`` wrote N over B's note and added B' as new).

:func:`keep_gaps` applies same_front.match_group's rule: the cards whose note holds their text (or text
clearly alike, :data:`~.similar_cards.SIMILAR`) are matched; a card left over (on another card's text, or new)
takes a note left over (one such card held, or one of the file with that first field that no card claims)
only when both sit in the same gap between matched cards (the same matched note before and after, cards in
file order now, notes in the order they were last synced) and the gap holds as many of each (paired in
order). Every other card left over is new (a GUID of its own) and every other note left over is no card's
(sync deletes it as it deletes any note of a card gone), so sync, build and ``ids`` pair alike.

Before the gap rule, as build's ``same_front.cross_file_moves``: a card left over whose exact text (all its
fields, same note type) is that of a note with the same first field that no card holds by its text (one last
synced from ANOTHER file, or from its own but on a card of another file by order only) takes that note (moved
between files, tester 5 findings A and J); that note is no leftover of any other gap, so the gap rule cannot
hand it to a card inserted in its old place.
"""
from __future__ import annotations

import unicodedata
from typing import Callable


def keep_gaps(changes: list, loose_pool: dict[int, str], claimed: dict, fields: Callable[[int], dict],
              equal: Callable, compare: Callable, renew: Callable, types: dict[int, str] | None = None,
              held: Callable[..., bool] = lambda nid, own=False: False,
              written_since: Callable[[int], bool] = lambda nid: False) -> None:
    """Apply the gap rule (module doc) to every same-front group of ``changes`` (the plan's
    :class:`~.sync_plan.Change` list, in vault order). ``loose_pool``: this vault's notes, nid -> ``file:line``
    where last synced; ``claimed``: nid -> the card syncing to it (changed in place); ``fields(nid)``: a note's
    fields; ``equal(change, nid)``: the note holds the card's text; ``compare(change)`` recomputes a change's
    kinds against its new note; ``renew(change)``: makes a change new, with a GUID of its own. A group with a
    note the pool does not place (no line) is left as it is. ``types``: nid -> the card note type last synced
    for the note (one not in it: the card's fields must be the note's, first field first). ``held(nid)``: the
    note's card is still in the vault elsewhere, or carried an ID line (:func:`still_held`; ``held(nid, True)``
    for the note the one card of a group is on by its front, its back edited: only the former): such a note
    goes to no card of the gap. ``written_since(nid)``: the note's card carries an ID line it did not carry when
    last synced (written by `ids` since): its group is *closed* (as build's and `ids`'s, same_front.py): a card
    there without an ID line is one added since, and takes no note by its place."""
    from .sync_rematch import SIMILAR, _similarity

    groups: dict[tuple, list] = {}
    cards_of: dict[tuple, int] = {}  # (file, note type, front) -> its cards, ID lines or not
    closed: set[tuple] = set()  # groups with an ID line written since the last sync
    for change in changes:
        if change.fields and not change.card.delete:
            first = next(iter(change.fields.items()))
            key = (change.card.file, change.card.note_type, first[0], _key(first[1]))
            cards_of[key] = cards_of.get(key, 0) + 1
            if change.card.id is None:
                groups.setdefault(key, []).append(change)
            elif change.nid and written_since(change.nid):
                closed.add(key)
    matched_of = {key: [c for c in group if c.nid and (equal(c, c.nid) or _similarity(c, fields(c.nid)) >= SIMILAR)]
                  for key, group in groups.items()}
    moved = _moved_in(groups, loose_pool, claimed, fields, equal, types or {})
    for change, nid in moved.values():
        if claimed.get(change.nid) is change.card:
            claimed.pop(change.nid)
        if claimed.get(nid) is not None and claimed[nid] is not change.card:
            claimed.pop(nid)  # held by a card on it by order only: that card is a leftover of its own file
        if change.nid != nid:
            change.nid, change.kinds, change.changed_fields = nid, [], []
            compare(change)
        claimed[nid] = change.card
    moved_out = {nid for _, nid in moved.values()}
    if moved:  # a card on a note taken by another's exact text holds it no more
        matched_of = {key: [c for c in matched if id(c) in moved or c.nid not in moved_out]
                      for key, matched in matched_of.items()}
    for (file, _, name, front), group in groups.items():
        group = [c for c in group if id(c) not in moved or loose_pool[c.nid].rpartition(":")[0] == file]
        matched = [c for c in matched_of[(file, _, name, front)] if id(c) not in moved] + \
            [c for c in group if id(c) in moved]
        anchors = {c.nid for c in matched}
        rest = [c for c in group if c.nid not in anchors or not c.nid]
        off = [c for c in rest if c.nid]  # on a note by order only
        loose = [nid for nid, where in loose_pool.items() if nid not in claimed and where.rpartition(":")[0] == file
                 and _key(fields(nid).get(name, "")) == front]
        # a note whose card is still in the vault elsewhere goes to no card here (tester 12-03 r16: an ID line
        # in an ignored Archive/, or on a mistyped card, gave its note and history to a card added here)
        loose = [nid for nid in loose if not held(nid)] if (file, _, name, front) not in closed else []
        if not off and not (rest and loose):  # only new cards: a note no card holds pairs with one in its gap,
            continue  # as build does (a card inserted above, the last rewritten: tester 12-03 r16)
        own = {c.nid for c in group if c.nid} if cards_of[(file, _, name, front)] == 1 else set()  # its front
        shut = (file, _, name, front) in closed
        notes = [nid for nid in dict.fromkeys([c.nid for c in group if c.nid] + loose)
                 if (nid not in moved_out or nid in anchors) and (nid in anchors or not (shut or held(nid, nid in own)))]
        if any(_line(loose_pool.get(nid, "")) is None for nid in notes):
            continue
        notes.sort(key=lambda nid: _line(loose_pool[nid]))
        left = [nid for nid in notes if nid not in anchors]
        pairs = _gap_pairs([c.nid if c in matched else None for c in group], group, rest, notes, anchors, left)
        for change in off:
            if claimed.get(change.nid) is change.card:
                claimed.pop(change.nid)
        for change in rest:
            if id(change) in pairs:
                nid = pairs[id(change)]
                if change.nid != nid:
                    change.nid, change.kinds, change.changed_fields = nid, [], []
                    compare(change)
                claimed[nid] = change.card
            elif change.nid:
                renew(change)


def _moved_in(groups: dict, loose_pool: dict[int, str], claimed: dict, fields: Callable, equal: Callable,
              types: dict[int, str]) -> dict:
    """id(change) -> (change, nid) for the cards that take a note by its exact text (module doc): a card of a
    group not on a note holding its exact text whose exact text (same note type and first field) is that of a
    note no card holds exactly (one held by clearly alike text only is taken from that card) and no card
    outside these groups claims (one last synced from another file, or from its own file but held by a card
    on it by order only); each note once, in vault order."""
    exact = {id(c) for group in groups.values() for c in group if c.nid and equal(c, c.nid)}
    held = {c.nid for group in groups.values() for c in group if id(c) in exact}
    mine = {id(c.card) for group in groups.values() for c in group}
    by_front: dict[tuple, list[int]] = {}
    for nid, where in loose_pool.items():
        owner = claimed.get(nid)
        if nid in held or (owner is not None and id(owner) not in mine) or _line(where) is None:
            continue
        for name, text in list(fields(nid).items())[:1]:
            by_front.setdefault((name, _key(text)), []).append(nid)
    out: dict = {}
    if not by_front:
        return out
    taken: set[int] = set()
    for (file, note_type, name, front), group in groups.items():
        for change in group:
            if id(change) in exact:
                continue
            for nid in by_front.get((name, front), ()):
                if nid in taken or not equal(change, nid):
                    continue
                names = list(fields(nid))
                if types.get(nid, note_type) != note_type or (nid not in types and (
                        names[:1] != list(change.fields)[:1] or any(n not in names for n in change.fields))):
                    continue
                out[id(change)] = (change, nid)
                taken.add(nid)
                break
    return out


def _gap_pairs(card_anchor: list, group: list, rest: list, notes: list[int], anchors: set[int],
               left: list[int]) -> dict[int, int]:
    """id(change) -> nid for the leftover cards (``rest``) and notes (``left``) in the same gap with as many of
    each, in order (``card_anchor[i]``: the nid of ``group[i]`` when matched, else None)."""
    cards: dict[tuple, list] = {}
    before, waiting = None, []
    leftover = {id(c) for c in rest}
    for change, anchor in zip(group, card_anchor):
        if anchor is not None:
            for w in waiting:
                cards.setdefault((before, anchor), []).append(w)
            before, waiting = anchor, []
        elif id(change) in leftover:
            waiting.append(change)
    for w in waiting:
        cards.setdefault((before, None), []).append(w)
    found: dict[tuple, list] = {}
    before, waiting = None, []
    spare = set(left)
    for nid in notes:
        if nid in anchors:
            for w in waiting:
                found.setdefault((before, nid), []).append(w)
            before, waiting = nid, []
        elif nid in spare:
            waiting.append(nid)
    for w in waiting:
        found.setdefault((before, None), []).append(w)
    out: dict[int, int] = {}
    for gap, here in cards.items():
        there = found.get(gap, [])
        if len(here) == len(there):
            out.update({id(c): nid for c, nid in zip(here, there)})
    return out


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _line(where: str) -> int | None:
    line = where.rpartition(":")[2]
    return int(line) if line.isdigit() else None


HELD = ("ids", "excluded_ids", "excluded_moved", "excluded_card")  # StillThere reasons that say where the note's card is now


def still_held(col, vault, config, pool: dict[int, str], id_lines: frozenset[int] = frozenset()) -> Callable[[int], bool]:
    """``held(nid)`` for :func:`keep_gaps`: whether the note ``nid`` (last synced at ``pool[nid]``) goes to no
    card by its place: its card carried an ID line when last synced (``id_lines``,
    :func:`~.sync_plan_data.registered_id_lines`: the line travels with its card, so a card without it in that
    place is another card, as build's ``closed`` groups), or its card may still be in the vault, as ``sync``
    holds a note from deletion (``StillThere.reason``: an ID line naming it — the note id, or an ID whose GUID
    is the note's — in a note or in a file the settings leave out, or its file moved into an ignored folder
    with its front: :data:`HELD`; not a file that gave errors, whose edited cards keep their notes; or a file
    the settings leave out holding every one of its fields: ``StillThere.holds_text``). Reads the vault's ID
    lines and the left-out files only when asked."""
    from .identity import guid_of
    from .still_there import StillThere
    from .sync_plan import first_field_text, note_fields

    still = StillThere(vault, config)
    named: list[set[str]] = []

    def held(nid: int, own: bool = False) -> bool:
        if nid in id_lines and not own:  # (a card on its note by its own front, its back edited: still its note)
            return True
        if still.reason(pool.get(nid, ""), nid, front=lambda: first_field_text(col, nid)) in HELD:
            return True
        if not named:
            named.append({guid_of(ident) for ident in still.ids()})
        guid = col.db.scalar("select guid from notes where id = ?", nid)
        if guid is not None and guid in named[0]:
            return True
        return still.holds_text(note_fields(col, nid), shown=True,  # moved into an ignored folder, no ID line
                                file=pool.get(nid, "").rpartition(":")[0])
    return held
