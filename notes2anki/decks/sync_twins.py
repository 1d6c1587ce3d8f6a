"""Twins without an ID: cards of one file with the same note type, front and text, kept on their notes by place.

Twins (``Translate:`` with the back ``el gato`` twice) cannot be told apart by their text, only kept apart by
their place. Before, ``sync`` gave a twin the first note of its text in the order it found the notes, so with
the file renamed (``L.md`` -> ``M.md``) and one twin edited, or a card inserted above the twins and the first
twin edited, the unedited twin took the note of the edited one and the edited twin the note of the other:
their review histories swapped (tester 12-03 round 14). Plain ``build`` pairs them by place
(``build_gone._exact``, ``same_front.match_group``), so ``sync``, ``build --collection`` and ``ids
--collection`` said otherwise than ``build``.

:func:`place_twins` runs first among the passes of :func:`~.sync_rematch.rematch_shifted` that look at text:
for each text of a same-front group of one file with more than one card or more than one note of that text
(the file's notes, or those of the gone file it was renamed from: file_pairs.py), the cards take the notes of
their text as the whole group's alignment pairs them (:func:`~.twin_align.align`: the group's cards now and
its notes when last synced or built, each in file order, paired in order, the edited cards beside the notes
most like them: an edited second twin keeps the second twin's note, round 15), the twins it leaves in order,
nearest their places (:func:`~.twin_align.pair_aligned`). A note a
card holds with its own text and that is not of this group is never taken; a card of the group on another
card's note by order only lets it go (it is new, and the later passes may give it a note like it).
"""
from __future__ import annotations

import unicodedata
from typing import Callable

from .twin_align import align, pair_aligned, realigned, rest_like


def place_twins(changes: list, mine: list, loose_pool: dict[int, str], claimed: dict, partners: dict[str, str],
                fields: Callable[[int], dict], equal: Callable, compare: Callable, renew: Callable,
                by_file: dict[str, list[int]]) -> None:
    """Pair the twins of ``changes`` (the plan's :class:`~.sync_plan.Change` list, in vault order) with the
    notes of their text by place, as the module doc says. ``mine``: the changes the later passes of
    :func:`~.sync_rematch.rematch_shifted` look at (a change moved here is added, in vault order);
    ``loose_pool``: this vault's notes, nid -> ``file:line`` where last synced; ``claimed``: nid -> the card
    syncing to it (changed in place); ``partners``: a renamed file -> the gone file it is; ``fields(nid)``: a
    note's fields; ``equal(change, nid)``: the note holds the card's text; ``compare(change)``: recomputes a
    change's kinds against its new note; ``renew(change)``: makes a change new; ``by_file``: file -> notes a
    card of that file may take in the later passes (a note let go is added)."""
    groups: dict[tuple, list] = {}
    for change in changes:
        if change.fields and not change.card.delete:
            groups.setdefault((change.card.file, change.card.note_type, _front(change.fields)), []).append(change)
    if not any(len(g) > 1 or g[0].card.file in partners for g in groups.values()):
        return
    of_card = {id(c.card): c for c in changes}
    notes_of: dict[str, list[int]] = {}
    for nid, where in loose_pool.items():
        notes_of.setdefault(where.rpartition(":")[0], []).append(nid)
    fronts: dict[int, tuple[str, str]] = {}

    def front_of(nid: int) -> tuple[str, str]:
        if nid not in fronts:
            fronts[nid] = _front(fields(nid))
        return fronts[nid]

    moved: list = []
    for (file, _, front), group in groups.items():
        there = partners.get(file, file)
        notes = sorted((nid for nid in notes_of.get(there, ()) if _line(loose_pool[nid]) is not None
                        and front_of(nid) == front), key=lambda nid: _line(loose_pool[nid]))
        if len(notes) < 2 and len(group) < 2:
            continue
        texts: dict[tuple, list[int]] = {}
        for rank, change in enumerate(group):
            if change.card.id is None:
                texts.setdefault(_text(change.fields), []).append(rank)
        names = list(group[0].fields)
        of_text: dict[tuple, list[int]] = {}  # the notes by their text in these fields
        then: list = [object()] * len(notes)
        then_rest: list = [None] * len(notes)
        for j, nid in enumerate(notes):
            note = fields(nid)
            if all(name in note for name in names):
                then[j] = _text({name: note[name] for name in names})
                then_rest[j] = _rest(then[j])
                of_text.setdefault(then[j], []).append(j)
        aligned: dict[int, int] | None = None  # card rank -> note index: the group aligned as a whole
        for text, ranks in texts.items():
            cards = [group[r] for r in ranks]
            free = [j for j in of_text.get(text, ()) if equal(cards[0], notes[j])
                    and _takeable(claimed.get(notes[j]), notes[j], cards, of_card, equal)]
            cards_ok = [r for r in ranks if not group[r].nid or group[r].nid in (notes[j] for j in free)
                        or not equal(group[r], group[r].nid)]
            if (len(cards_ok) < 2 and len(free) < 2) or not free or not cards_ok:
                continue
            if aligned is None:
                now = [_text(c.fields) if c.card.id is None else object() for c in group]
                like = rest_like([_rest(t) if isinstance(t, tuple) else None for t in now], then_rest)
                aligned = realigned(now, then, like, dict(align(now, then, like)))
            pairs = {cards_ok[i]: notes[free[j]] for i, j in pair_aligned(cards_ok, free, aligned)}
            if all(group[r].nid == (pairs.get(r) or 0) for r in cards_ok):
                continue
            moved += _apply([(group[r], pairs.get(r)) for r in cards_ok], claimed, of_card, renew, compare,
                            by_file, file)
    if moved:
        at = {id(c): n for n, c in enumerate(changes)}
        mine[:] = sorted({id(c): c for c in mine + moved}.values(), key=lambda c: at[id(c)])


def _takeable(holder, nid: int, cards: list, of_card: dict, equal: Callable) -> bool:
    """Whether a twin may take the note ``nid`` held by the card ``holder``: none holds it, a twin of this
    text does, or a card without an ID that does not hold its text (on it by order only)."""
    if holder is None or any(c.card is holder for c in cards):
        return True
    change = of_card.get(id(holder))
    return change is not None and holder.id is None and not equal(change, nid)


def _apply(pairs: list, claimed: dict, of_card: dict, renew: Callable, compare: Callable,
           by_file: dict[str, list[int]], file: str) -> list:
    """Move each twin of ``pairs`` (change, nid or None) to its note; a card a twin's note is taken from, and a
    twin left without a note, is new. Returns the changes moved or made new."""
    out = []
    targets = {nid for _, nid in pairs if nid}
    for change, nid in pairs:
        if change.nid and change.nid != nid and claimed.get(change.nid) is change.card:
            claimed.pop(change.nid)
            if change.nid not in targets:
                by_file.setdefault(file, []).append(change.nid)
    for change, nid in pairs:
        holder = claimed.get(nid) if nid else None
        if holder is not None and holder is not change.card:
            loser = of_card[id(holder)]
            claimed.pop(nid)
            renew(loser)
            out.append(loser)
        if nid is None:
            if change.nid:
                renew(change)
                out.append(change)
            continue
        if change.nid != nid:
            change.nid, change.kinds, change.changed_fields = nid, [], []
            compare(change)
            out.append(change)
        claimed[nid] = change.card
    return out


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _front(values: dict[str, str]) -> tuple[str, str]:
    name, value = next(iter(values.items()), ("", ""))
    return name, _nfc(value)


def _text(values: dict[str, str]) -> tuple:
    return tuple((name, unicodedata.normalize("NFC", value)) for name, value in values.items())


def _rest(text: tuple) -> str:
    """The fields after the first of a :func:`_text`, as ``build_gone.rest_of`` joins them."""
    return "\x1f".join(value for _, value in text[1:])


def _line(where: str) -> int | None:
    line = where.rpartition(":")[2]
    return int(line) if line.isdigit() else None


def twin_notes(notes: list[int], fields: Callable) -> set[int]:
    """The notes of ``notes`` whose every field (``fields(nid)``) is that of another of them: twin notes, told
    apart by their place only (sync_rematch's similarity pass)."""
    seen: dict[tuple, list[int]] = {}
    for nid in notes:
        seen.setdefault(tuple(sorted(fields(nid).items())), []).append(nid)
    return {nid for same in seen.values() if len(same) > 1 for nid in same}


def synced_line(where: str) -> int:
    """The line of a ``file:line`` (a large number when there is none: last)."""
    line = where.rpartition(":")[2]
    return int(line) if line.isdigit() else 1 << 30
