"""``ids`` without the collection: twins of a renamed file take the recorded entries of their text by place.

Twins (two ``Translate:`` cards of one file with the back ``el gato``, no ID) of a file renamed since the last
sync or build each have the text of both recorded twin entries. ``Records.settle`` (id_record.py) gave such a
card no ID (an error: it cannot be told which note it is), and a twin edited in the same session, finding the
other twin entry wanted by the unedited card, a new ID: its reviewed note was left for a new one (tester 12-03
round 14). ``build`` and ``sync`` pair twins by place (``build_gone._exact``, sync_twins.py), so ``ids`` does
too: :func:`place_found` keeps each twin with the entry of its text as the whole group's alignment pairs them
(:func:`~.twin_align.align`), and the edited twin is then left with the entry it was.
"""
from __future__ import annotations



def place_found(groups: dict, orphans: list, found: dict, places: dict[int, tuple[str, int]],
                rests: dict[int, str | None] | None = None) -> dict:
    """``found`` (``Card.key`` -> the unclaimed entry IDs whose text the card has, id_record.Records.settle)
    with the twins of each group paired to those entries by place. ``groups``: (file, group) -> the group's
    cards in vault order; ``orphans``: the cards without an entry of their own; ``places``: entry ID -> (its
    file and group, its place among that group's entries when recorded). Cards of one group with the same
    candidates, two or more of them or of the entries, all of one recorded group: each paired card keeps the
    one entry it is paired with, a twin left over none. Paired as the whole group aligns with its recorded
    group (twin_align.align: an edited card beside the entry most like it; ``rests``: entry ID -> its fields
    after the first, as ``build_gone.rest_of`` gives a card's), the twins it leaves by place."""
    from .build_gone import rest_of
    from .twin_align import align, pair_aligned, realigned, rest_like

    lost = {c.key for c in orphans}
    out = dict(found)
    for group in groups.values():
        rank = {c.key: n for n, c in enumerate(group)}
        same: dict[tuple, list] = {}
        for card in group:
            hits = found.get(card.key, ()) if card.key in lost else ()
            if hits and all(h in places for h in hits) and len({places[h][0] for h in hits}) == 1:
                same.setdefault(tuple(sorted(hits)), []).append(card)
        token = {c.key: hits for hits, cards in same.items() for c in cards}
        aligned: dict[tuple, dict[int, int]] = {}  # recorded group -> card rank -> entry place
        for hits, cards in same.items():
            if len(hits) < 2 and len(cards) < 2:
                continue
            entries = sorted(hits, key=lambda h: places[h][1])
            there = places[entries[0]][0]
            if there not in aligned:
                theirs = sorted((h for h in places if places[h][0] == there), key=lambda h: places[h][1])
                of = {h: t for t in same for h in t}
                like = rest_like([rest_of(c) for c in group], [(rests or {}).get(h) for h in theirs])
                now, then = [token.get(c.key, c.key) for c in group], [of.get(h, h) for h in theirs]
                aligned[there] = {i: places[theirs[j]][1]
                                  for i, j in realigned(now, then, like, dict(align(now, then, like))).items()}
            pairs = pair_aligned([rank[c.key] for c in cards], [places[h][1] for h in entries], aligned[there])
            given = {cards[i].key: entries[j] for i, j in pairs}
            for card in cards:
                out[card.key] = [given[card.key]] if card.key in given else []
    return out


def entry_places(synced: dict, built: dict) -> dict[int, tuple[tuple, int]]:
    """Entry ID -> (its recorded group, its place in that group): the sync record's entries (``synced``:
    (file, group) -> entries in card order), else the build state's (``built``: (file, front) -> states, placed
    by their line)."""
    if synced:
        return {e.id: (key, e.order) for key, entries in synced.items() for e in entries}
    out = {}
    for key, states in built.items():
        for n, s in enumerate(sorted(states, key=lambda s: _line(s.where))):
            out[s.id] = (key, n)
    return out


def entry_rests(synced: dict, built: dict) -> dict[int, str | None]:
    """Entry ID -> its fields after the first (None: not recorded), from the records :func:`entry_places` reads."""
    if synced:
        return {e.id: e.rest for entries in synced.values() for e in entries}
    return {s.id: s.rest for states in built.values() for s in states}


def _line(where: str) -> int:
    line = where.rpartition(":")[2]
    return int(line) if line.isdigit() else 0
