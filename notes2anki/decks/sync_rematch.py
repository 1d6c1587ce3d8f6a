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
no card claims whose file is gone from the vault; a new card, also a note no card claims of any other
file of the vault (the card cut from one file and pasted into another: tester 08:45 V6). Each note is
taken by one card (the first in vault order); a card that lost its note to another becomes new, or takes
an equal note left over.

Then, among the cards of one same-front group (same file, note type and first field) whose note does not
hold their text, and the group's new cards, a card may take the group's note most like it (its other
fields' text compared, :data:`SIMILAR`): a card inserted between same-front cards while a later one was
edited no longer takes the edited card's note and history (tester 08:45 V1).

Last, a new card may take a note no card claims of a file gone from the vault, or of another file of the
vault, with its note type and its first field (NFC, spaces collapsed) but other fields edited: the file
renamed (``Untitled.md`` -> ``ATP.md``) or the card moved, and its back's typo fixed in the same session
(tester r11). Taken when its other fields are alike (:data:`SIMILAR` or more: a ``Translate:`` card of
another lesson written as one of this lesson was deleted is another card, tester r4) and the pairing is
plain: the only such card and the only such note, or, among several,
the pair most like each other at :data:`SIMILAR` or more and by :data:`MARGIN` above every other pairing of
that card and of that note (else the cards stay new: a near tie never swaps two notes' histories).
"""
from __future__ import annotations

import unicodedata
from typing import Callable

from .identity import free_implicit_guid
from .similar_cards import MARGIN, MAX_GROUP, MAX_TEXT, SIMILAR, pair_alike, similarity  # noqa: F401 (re-exported)
from .sync_twins import synced_line, twin_notes

MAX_OCCURRENCE = 128  # occurrences tried for a new GUID (identity.id_for_guid finds the ID up to this)


def rematch_shifted(col, changes: list, loose_pool: dict[int, str], claimed: dict, compare: Callable,
                    files: set[str] | frozenset[str] = frozenset(), namespace: str = "",
                    types: dict[int, str] | None = None, held: Callable[..., bool] = lambda nid, own=False: False,
                    written_since: Callable[[int], bool] = lambda nid: False) -> list:
    """Re-point cards without an ID (``changes``: the plan's :class:`~.sync_plan.Change` list, in vault
    order) to the note whose fields all equal theirs, as the module doc says.

    ``loose_pool``: this vault's notes (nid → ``file:line`` where last synced) that exist in the collection.
    ``claimed``: nid → the card syncing to it (updated). ``compare(change)`` fills a change's kinds again
    against its new note. ``files``: the vault's note files now (a note last synced from a file not among
    them is a candidate for a card of any file). ``namespace``: the vault's (identity.py): a card that lost
    its note to another is new, under the implicit ID of the first occurrence whose GUID no note and no other
    card has (its own GUID is that note's). ``types``: nid → the card note type the last sync recorded
    for the note (a note not in it: its fields must be the card's, first field first). ``held(nid)``: the note's
    card may still be in the vault (sync_gaps.keep_gaps gives it to no new card); ``written_since(nid)``: the
    note's card carries an ID line written since the last sync (its group is closed to the gap rule).

    A file renamed is paired with the gone file it is first (file_pairs.py), and its cards take that file's
    notes before any other (tester A r6). Returns the warnings of :func:`_take_by_content` (a card whose ID
    line names no note kept on the note that holds its text)."""
    from .sync_gaps import keep_gaps
    from .sync_plan import same_text
    from .sync_swaps import take_exact_elsewhere
    from .sync_twins import place_twins

    mine = [c for c in changes if c.card.id is None and ("new" in c.kinds or ("updated" in c.kinds and c.nid))]
    fields_of: dict[int, dict[str, str]] = {}

    def fields(nid: int) -> dict[str, str]:
        if nid not in fields_of:
            note = col.get_note(nid)
            fields_of[nid] = dict(zip(note.keys(), note.values()))
        return fields_of[nid]

    def equal(change, nid: int) -> bool:
        current = fields(nid)
        return all(name in current and same_text(current[name], value) for name, value in change.fields.items())

    take_exact_elsewhere(mine, loose_pool, claimed, fields, equal, compare)  # exact text beats path + front
    used: set[str] = set()

    def renew(change) -> None:  # a card whose note went to another card: new, with a GUID of its own
        if not used:
            used.update(col.db.list("select guid from notes"))
            used.update(c.guid for c in changes)
        change.nid, change.kinds, change.changed_fields = 0, ["new"], []
        change.guid = free_implicit_guid(change.card, namespace, used, MAX_OCCURRENCE) or change.guid

    by_file: dict[str, list[int]] = {}  # notes a card of the file may take: unclaimed, or claimed without its text
    gone: list[int] = []  # unclaimed notes of files no longer in the vault
    for nid, where in loose_pool.items():
        file = where.rpartition(":")[0]
        if nid not in claimed:
            (gone if files and file not in files else by_file.setdefault(file, [])).append(nid)
    # unclaimed notes of the vault's other files, for a new card (one moved from a file that stays: V6)
    elsewhere = [nid for file in sorted(by_file) for nid in by_file[file]]
    for change in mine:
        if change.nid and "updated" in change.kinds:
            by_file.setdefault(change.card.file, []).append(change.nid)
    partners = _renamed_files(mine, gone, loose_pool, fields, equal)
    place_twins(changes, mine, loose_pool, claimed, partners, fields, equal, compare, renew, by_file)  # by place
    for new_file, old_file in partners.items():  # a renamed file's cards first take its old file's notes
        cards = [c for c in mine if c.card.file == new_file]
        theirs = [nid for nid in gone if loose_pool[nid].rpartition(":")[0] == old_file]
        _take_equal(cards, by_file, theirs, [], claimed, equal, compare, renew)
        _take_same_front(cards, by_file, theirs, [], claimed, fields, compare, types or {})
    if partners:
        gone[:] = [nid for nid in gone if nid not in claimed]
    if gone or (elsewhere and any("new" in c.kinds for c in mine)) \
            or any(by_file.get(c.card.file) for c in mine if "new" in c.kinds) \
            or any(len(by_file.get(c.card.file, ())) > 1 or claimed.get(c.nid) is not c.card for c in mine
                   if "updated" in c.kinds):
        _take_equal(mine, by_file, gone, elsewhere, claimed, equal, compare, renew)
    _take_similar(mine, by_file, claimed, fields, equal, compare, renew, elsewhere, loose_pool)
    if gone or elsewhere:
        _take_same_front(mine, by_file, gone, elsewhere, claimed, fields, compare, types or {})
    keep_gaps(changes, loose_pool, claimed, fields, equal, compare, renew, types, held,  # no note by order alone
              written_since)
    return _take_by_content(changes, loose_pool, claimed, fields, equal, compare)


def _renamed_files(mine: list, gone: list[int], loose_pool: dict[int, str], fields: Callable,
                   equal: Callable) -> dict[str, str]:
    """New file -> the gone file it is (file_pairs.pair_files): by the gone file's notes whose text (1) or
    note type and first field (file_pairs.SAME_FRONT) the new file's new cards have."""
    from .file_pairs import SAME_FRONT, pair_files

    cards = [c for c in mine if "new" in c.kinds and not c.nid and c.fields]
    if not cards or not gone:
        return {}
    fronts: dict[tuple[str, str], list[int]] = {}
    sizes: dict[str, int] = {}
    for nid in gone:
        sizes[loose_pool[nid].rpartition(":")[0]] = sizes.get(loose_pool[nid].rpartition(":")[0], 0) + 1
        for name, text in list(fields(nid).items())[:1]:
            fronts.setdefault((name, " ".join(_nfc(text).split())), []).append(nid)
    found = []
    for change in cards:
        name, value = next(iter(change.fields.items()))
        for nid in fronts.get((name, " ".join(_nfc(value).split())), ())[:MAX_GROUP]:
            found.append((change.card.file, loose_pool[nid].rpartition(":")[0], nid,
                              1.0 if equal(change, nid) else SAME_FRONT))
    return pair_files(found, sizes)


def _take_by_content(changes: list, loose_pool: dict[int, str], claimed: dict, fields: Callable,
                     equal: Callable, compare: Callable) -> list:
    """The last pass of :func:`rematch_shifted`: a card whose ID line names no note of the collection (it
    would be added as new) takes a note of this vault that no card claims (it would be deleted, its review
    history with it) whose fields all equal the card's, when it is the only such card and note: an ID
    written by ``ids`` without this machine's sync record, for a card that sync had kept on its note through
    a fallback (its file renamed; tester A r4). Failing that, the note with its field names and first field
    (NFC, spaces collapsed) and its other fields alike (:func:`pair_alike`: a typo fixed since, tester C r2).
    Returns a warning at each such card naming the note's id to write as its ID line."""
    from ..model import Diagnostic

    cards = [c for c in changes if c.card.id is not None and "new" in c.kinds and not c.nid and c.fields]
    pool = [nid for nid in loose_pool if nid not in claimed]
    if not cards or not pool:
        return []

    def front(values: dict[str, str]) -> tuple:
        name, value = next(iter(values.items()), ("", ""))
        return name, " ".join(_nfc(value).split())

    wants: dict[int, list[int]] = {}
    alike: list[tuple[int, int]] = []  # (card index, note): same field names and front, other fields edited
    for i, change in enumerate(cards):
        for nid in pool:
            if front(fields(nid)) != front(change.fields):
                continue
            if equal(change, nid):
                wants.setdefault(i, []).append(nid)
            elif set(fields(nid)) == set(change.fields):
                alike.append((i, nid))
    wanted: dict[int, list[int]] = {}
    for i, nids in wants.items():
        for nid in nids:
            wanted.setdefault(nid, []).append(i)
    given = [(i, nids[0]) for i, nids in wants.items() if len(nids) == 1 and len(wanted[nids[0]]) == 1]
    twins: dict[tuple, list[int]] = {}  # identical cards wanting the same identical notes (tester C r2c)
    for i, nids in wants.items():
        if len(nids) > 1:
            twins.setdefault(tuple(sorted(nids)), []).append(i)
    for nids, group in twins.items():
        if len(group) == len(nids) and all(sorted(wanted[n]) == sorted(group) for n in nids):
            order = sorted(nids, key=lambda n: (loose_pool[n].rpartition(":")[0],
                                                int(loose_pool[n].rpartition(":")[2] or 0)))
            given += list(zip(sorted(group), order))  # same text: paired in their order
    taken = {i for i, _ in given} | {nid for _, nid in given}
    alike = [(i, nid) for i, nid in alike if i not in wants and i not in taken and nid not in taken
             and nid not in wanted]
    given += pair_alike(alike, lambda i, nid: _similarity(cards[i], fields(nid)))
    out = []
    for i, nid in given:
        change = cards[i]
        change.nid, change.kinds, change.changed_fields = nid, [], []
        claimed[nid] = change.card
        compare(change)
        out.append(Diagnostic(change.card.file, change.card.line, "warning",
                              f"this card's ID {change.card.id} names no note of the collection; it stays on "
                              f"the note nid:{nid} (last synced from {loose_pool[nid]}), which holds its "
                              f"{'text' if i in wants else 'note type and front (its other fields alike)'} and "
                              "would have been deleted with its review history. Replace its ID line with "
                              f"<!--ID: {nid}--> by hand (`ids` and `sync --write-ids` fill only cards without "
                              "an ID line): an ID written by `ids` on a machine without this vault's sync "
                              "record? There, run `ids --collection PATH` instead"))
    return out


def _take_equal(mine: list, by_file: dict, gone: list, elsewhere: list, claimed: dict, equal: Callable,
                compare: Callable, renew: Callable) -> None:
    """The exact pass of :func:`rematch_shifted`: a card takes a note whose fields all equal its own."""
    def others(change) -> list[int]:  # a new card: unclaimed notes of the other files, in vault order
        if "new" not in change.kinds or change.nid:
            return []
        return [nid for nid in elsewhere if nid not in claimed and nid not in by_file.get(change.card.file, ())]

    owner = {c.nid: c for c in mine if c.nid}  # nid → the change that has it now
    for change in mine:
        if change.nid and equal(change, change.nid):
            continue  # holds its own text: stays
        pool = by_file.get(change.card.file, []) + (gone if "new" in change.kinds or change.nid else []) \
            + others(change)
        match = next((nid for nid in pool if nid != change.nid and equal(change, nid)
                      and not (owner.get(nid) and equal(owner[nid], nid))), None)
        if match is None:
            continue
        loser = owner.get(match)
        if loser is not None:  # a card of the file had it without its text: it is new now (or takes another)
            renew(loser)
            claimed.pop(match, None)
        if match in gone:
            gone.remove(match)
        if change.nid:
            claimed.pop(change.nid, None)
            owner.pop(change.nid, None)
            _release(change.nid, elsewhere)
        change.nid, change.kinds, change.changed_fields = match, [], []
        claimed[match] = change.card
        owner[match] = change
        compare(change)
    for change in mine:  # a card made new above may take an equal note left over
        if "new" in change.kinds and not change.nid:
            pool = by_file.get(change.card.file, []) + gone + others(change)
            match = next((nid for nid in pool if nid not in claimed and equal(change, nid)), None)
            if match is not None:
                if match in gone:
                    gone.remove(match)
                change.nid, change.kinds, change.changed_fields = match, [], []
                claimed[match] = change.card
                owner[match] = change
                compare(change)


def _release(nid: int, elsewhere: list) -> None:
    """A note a card left for another during matching (a card that held it by its position GUID, ``gato``
    after the ``perro`` card before it was cut into another file: tester r17): unclaimed now, so a card of
    any file may take it in the later passes (exact and same-front), as a note no card claimed from the
    start could be."""
    if nid not in elsewhere:
        elsewhere.append(nid)


def _take_similar(mine: list, by_file: dict, claimed: dict, fields: Callable, equal: Callable,
                  compare: Callable, renew: Callable, elsewhere: list, loose_pool: dict[int, str] | None = None) -> None:
    """The similarity pass of :func:`rematch_shifted` (module doc): per same-front group, the (card, note)
    pairs by :func:`_similarity`, best first; a pair at :data:`SIMILAR` or more that beats by :data:`MARGIN` both
    what the card holds and what the note's present card scores is taken; a card whose note went to another
    and that took none becomes new. The other cards stay as they are. Twin notes (two or more candidate notes
    with the same text in every field) are told apart by place only: a card on one by order holds it by no
    claim, and equal scores go to the notes in the order they were last synced (``loose_pool``: nid ->
    ``file:line``), so both twins edited after a card inserted above them keep their own histories, as
    ``build`` pairs them (tester 12-03 round 16)."""
    groups: dict[tuple, list] = {}
    for change in mine:
        if (change.nid and equal(change, change.nid)) or (not change.nid and "new" not in change.kinds):
            continue
        first = next(iter(change.fields.items()), ("", ""))
        groups.setdefault((change.card.file, change.card.note_type, first), []).append(change)
    for (file, _, (name, value)), group in groups.items():
        if len(group) > MAX_GROUP:
            continue
        held = {c.nid: c for c in group if c.nid}
        place = {id(c): i for i, c in enumerate(group)}
        loose = [nid for nid in by_file.get(file, ()) if nid not in claimed and nid not in held
                 and _nfc(fields(nid).get(name, "")) == _nfc(value)]
        notes = list(held) + list(dict.fromkeys(loose))
        if not notes or (not loose and len(group) < 2):
            continue
        twin = twin_notes(notes, fields)
        if twin and loose_pool is not None:  # twins by the order they were last synced in (stable otherwise)
            notes.sort(key=lambda nid: synced_line(loose_pool.get(nid, "")) if nid in twin else -1)
        scores: dict[tuple[int, int], float] = {}

        def score(i: int, nid: int) -> float:
            if (i, nid) not in scores:
                scores[i, nid] = _similarity(group[i], fields(nid))
            return scores[i, nid]

        pairs = sorted(((score(i, nid), i, j) for i in range(len(group)) for j, nid in enumerate(notes)),
                       key=lambda p: (-p[0], p[1], p[2]))
        given: dict[int, int] = {}  # card index -> note it ends with
        taken: set[int] = set()
        for value_, i, j in pairs:
            nid, change = notes[j], group[i]
            if value_ < SIMILAR:
                break
            if i in given or nid in taken:
                continue
            holder = held.get(nid)
            if nid != change.nid:  # (a twin note is held by order alone: no claim)
                now = score(i, change.nid) if change.nid and change.nid not in twin else 0.0
                rival = score(place[id(holder)], nid) if holder is not None and nid not in twin else 0.0
                if value_ < max(now, rival) + MARGIN:
                    continue
            given[i] = nid
            taken.add(nid)
        moves = [(group[i], nid) for i, nid in given.items() if group[i].nid != nid]
        if not moves:
            continue
        for i, change in enumerate(group):  # a card leaving its note: for another, or to another card
            if change.nid and given.get(i) != change.nid and (i in given or change.nid in taken):
                if claimed.get(change.nid) is change.card:
                    claimed.pop(change.nid)
                if change.nid not in taken:
                    _release(change.nid, elsewhere)
                if i not in given:
                    renew(change)
        for change, nid in moves:
            change.nid, change.kinds, change.changed_fields = nid, [], []
            claimed[nid] = change.card
            compare(change)


def _take_same_front(mine: list, by_file: dict, gone: list, elsewhere: list, claimed: dict, fields: Callable,
                     compare: Callable, types: dict[int, str]) -> None:
    """The last pass of :func:`rematch_shifted` (module doc): a new card takes an unclaimed note of a gone
    file or of another file with its note type and first field, its other fields edited, when the pairing
    is plain."""
    cards = [c for c in mine if "new" in c.kinds and not c.nid and c.fields]
    pool = [nid for nid in dict.fromkeys(gone + elsewhere) if nid not in claimed]
    if not cards or not pool:
        return

    def front(text: str) -> str:
        return " ".join(_nfc(text).split())

    def same_type(change, nid: int) -> bool:
        names = list(fields(nid))
        if nid in types:
            return types[nid] == change.card.note_type
        return names[:1] == list(change.fields)[:1] and all(n in names for n in change.fields)

    fronts: dict[tuple[str, str], list[int]] = {}  # (field name, its text as a front) -> notes of the pool
    for nid in pool:
        for name, text in list(fields(nid).items())[:1]:
            fronts.setdefault((name, front(text)), []).append(nid)
    wants: dict[int, list[int]] = {}  # card index -> candidate notes
    wanted: dict[int, list[int]] = {}  # note -> candidate card indexes
    for i, change in enumerate(cards):
        name, value = next(iter(change.fields.items()))
        own = by_file.get(change.card.file, ())
        for nid in fronts.get((name, front(value)), ()):
            if nid not in own and same_type(change, nid):
                wants.setdefault(i, []).append(nid)
                wanted.setdefault(nid, []).append(i)
    scores: dict[tuple[int, int], float] = {}

    def score(i: int, nid: int) -> float:
        if (i, nid) not in scores:
            scores[i, nid] = _similarity(cards[i], fields(nid))
        return scores[i, nid]

    # the only card with this front and type and the only note: this card's when its other fields are alike
    # too (`Translate:` of another lesson is another card: tester r4); several: each the one clearly most like it
    given = pair_alike([(i, nid) for i, nids in wants.items() for nid in nids], score)
    for i, nid in given:  # (a card or a note is in one pair at most: each beats the others by MARGIN)
        change = cards[i]
        if nid in gone:
            gone.remove(nid)
        change.nid, change.kinds, change.changed_fields = nid, [], []
        claimed[nid] = change.card
        compare(change)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _similarity(change, note: dict[str, str]) -> float:
    """The share in common (see :data:`SIMILAR`) of the card's fields after the first and the note's same
    fields (NFC, each side cut to :data:`MAX_TEXT` characters): 0.0 to 1.0."""
    names = list(change.fields)[1:]
    return similarity("\x1f".join(_nfc(change.fields[n]) for n in names),
                      "\x1f".join(_nfc(note.get(n, "")) for n in names))
