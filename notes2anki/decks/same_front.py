"""Same-front cards without an ID: which recorded card each one is, by its text before its order.

Cards of one file with the same note type and first field (``Translate:``, an image-only front) and no
``<!--ID: n-->`` line are told apart by their order (identity.py: the *occurrence* in their implicit ID).
Inserting such a card above the others, or deleting the first of them, shifts every occurrence: each
reviewed note would take the text of another card (tester finding: ``build`` printed "1 new, 3 changed").

:func:`match_group` is the one rule that pairs the cards of such a group with the entries recorded for it
(the sync record or the build state, id_record.py). A note must never take another card's text (that moves
its review history onto the wrong fact); when in doubt a card is new and the unmatched note is listed as
gone. So: a card with the text of an entry takes its ID; then a card clearly like an entry (its other fields
edited: :func:`~.similar_cards.pair_alike`, the rule ``sync`` pairs same-front cards by); then a card left
over takes an entry left over only when both sit in the same gap between the cards matched so (an edited
back between unchanged neighbours keeps its note; a card added at the top does not take the note of one
deleted at the bottom); the others take IDs no recorded entry, no card of the vault and no entry of the
build state has. ``ids`` writes those IDs (``Records.resolve``); ``build`` gives them
(:func:`known_group_ids`), so a build, the import of its package and a later ``ids`` keep each card on
the note it was made under, and the next build, reading the state this one wrote, chooses the same.
"""
from __future__ import annotations

from collections.abc import Callable

from ..model import Card
from .identity import _front_key, _implicit, guid_of


def match_group(group: list[Card], recorded: list, digest: Callable[[Card], str], computed: dict,
                written: set[int], namespace: str, busy: Callable[[int], bool] = lambda ident: False,
                closed: bool = False, moved: dict | None = None, moved_out: frozenset = frozenset(),
                held: Callable[[object], bool] | None = None) -> dict:
    """IDs for one group (its cards in file order) from its recorded entries (``id_record.Entry``: ``id``,
    ``digest``, ``live``, ``rest``, ``order``: the entry's place in its file when recorded), ``Card.key`` -> ID
    for every card of ``group``. The rule (a note must never take another card's text; when in doubt a card
    is new and the unmatched entry's note is gone):

    1. text: a card with the text of a live entry gets its ID, the cards and entries kept in order (the most
       such pairs, then the alignment whose other cards and entries side by side are the most alike, then the
       fewest cards and entries left between them: of identical copies, an edited one stays on its own
       copy's note: twin_align.py), then a card moved since, then a card with the text of an entry gone
       (not ``live``); then a card and a live entry whose other fields are clearly alike (``rest``:
       ``build_gone.rest_of``; :func:`~.similar_cards.pair_alike`);
    2. gaps: a card left over takes a live entry left over only when both sit in the same gap between
       matched cards (the same matched neighbour before and after, in file order now and then) and that gap
       holds as many cards as entries left over (paired in order); ``closed`` (``ids`` wrote IDs to this
       group since it was recorded, so a card without one is a card added since): none;
    3. the others are new: their own order ID when it is free, else the first occurrence no recorded entry,
       no written ID (``written``), no ID given here and nothing ``busy`` (an ID a card of the vault or the
       build state holds elsewhere) has.

    ``computed``: ``Card.key`` -> ``identity.card_ids``; ``digest``: the text compared with ``Entry.digest``;
    ``moved``: ``Card.key`` -> ID of the cards of ``group`` moved here from another file (:func:`cross_file_moves`);
    ``moved_out``: the IDs of entries of this group whose card moved to another file (no card's here, never
    given again); ``held(entry)``: the entry's card is still in the vault elsewhere (moved into a file the
    settings leave out): it goes to no card by the gap rule."""
    moved = {c.key: moved[c.key] for c in group if moved and c.key in moved}
    live = sorted((e for e in recorded if e.live and e.id not in moved_out), key=lambda e: getattr(e, "order", 0))
    out: dict = dict(moved)
    digests = [object() if c.key in moved else digest(c) for c in group]
    for i, j in _in_order(digests, [e.digest for e in live], _rests(group, live)):
        out[group[i].key] = live[j].id
    taken = set(out.values())
    for pool in (live, [e for e in recorded if not e.live and e.id not in moved_out]):  # moved since, or an entry gone come back
        for card, text in zip(group, digests):
            if card.key not in out:
                entry = next((e for e in pool if e.id not in taken and e.digest == text), None)
                if entry is not None:
                    out[card.key] = entry.id
                    taken.add(entry.id)
    rest = [c for c in group if c.key not in out]
    free = [e for e in live if e.id not in taken]
    if rest and free and not closed:
        for card, entry in _alike(rest, free):
            out[card.key] = entry.id
            taken.add(entry.id)
        rest = [c for c in rest if c.key not in out]
        free = [e for e in free if e.id not in taken]
        if rest and free and held is not None:
            free = [e for e in free if not held(e)]
        if rest and free:
            for card, entry in _same_gaps(group, live, out, rest, free):
                out[card.key] = entry.id
                taken.add(entry.id)
            rest = [c for c in rest if c.key not in out]
    avoid = {e.id for e in recorded} | taken | set(written)
    for card in rest:  # cards added since: an ID no other card or entry has
        ident, occurrence = computed[card.key], 0
        while ident in avoid or busy(ident):
            ident = _implicit(_front_key(card), occurrence, namespace)
            occurrence += 1
        avoid.add(ident)
        out[card.key] = ident
    return out


def own_text_matches(group: list[Card], recorded: list, digest: Callable[[Card], str]) -> tuple[set, set]:
    """The ``Card.key`` of the cards of ``group`` and the IDs of its live entries that :func:`match_group`'s
    first stage pairs by their text (in order, then moved within the file)."""
    live = sorted((e for e in recorded if e.live), key=lambda e: getattr(e, "order", 0))
    digests = [digest(c) for c in group]
    cards, entries = set(), set()
    for i, j in _in_order(digests, [e.digest for e in live], _rests(group, live)):
        cards.add(group[i].key)
        entries.add(live[j].id)
    for card, text in zip(group, digests):
        if card.key not in cards:
            entry = next((e for e in live if e.id not in entries and e.digest == text), None)
            if entry is not None:
                cards.add(card.key)
                entries.add(entry.id)
    return cards, entries


def cross_file_moves(groups: dict, recorded: dict, digest: Callable[[Card], str],
                     own: Callable[[Card], bool] = lambda card: False) -> tuple[dict, dict]:
    """Cards moved from one file to another: a card without an ID whose text (``digest``: note type and all
    fields) is that of a live entry recorded for the same note type and first field in ANOTHER file, an entry
    no card of its own file matches by text, takes that entry's ID (in file order, each entry once), and that
    entry is no card's in its own file (so never paired there by the gap rule). ``groups``: group key
    (``identity._front_key``) -> its cards in vault order; ``recorded``: group key -> its entries (the groups
    :func:`match_group` matches; a group of ``groups`` without one has its cards matched by ``own``: the card
    holds its own recorded text). Returns (``Card.key`` -> ID, group key -> IDs of its entries moved out)."""
    spare: dict[tuple[str, str], list] = {}  # (note type + front, digest) -> [(group key, entry)]
    matched_cards: set = set()
    for key, entries in recorded.items():
        cards, ids = own_text_matches(groups.get(key, []), entries, digest)
        matched_cards |= cards
        rest_key = key.split("\x1f", 1)[1] if "\x1f" in key else key
        for e in sorted((e for e in entries if e.live and e.id not in ids), key=lambda e: getattr(e, "order", 0)):
            spare.setdefault((rest_key, e.digest), []).append((key, e))
    moves: dict = {}
    out_of: dict = {}
    if not spare:
        return moves, out_of
    for key, group in groups.items():
        rest_key = key.split("\x1f", 1)[1] if "\x1f" in key else key
        for card in group:
            if card.key in matched_cards or (key not in recorded and own(card)):
                continue
            hits = spare.get((rest_key, digest(card)))
            while hits:
                there, entry = hits.pop(0)
                if there != key:
                    moves[card.key] = entry.id
                    out_of.setdefault(there, set()).add(entry.id)
                    break
    return moves, out_of


def held_entries(group: list[Card], left_out: Callable[[list[str], str], bool] | None
                 ) -> Callable[[object], bool] | None:
    """``held`` for :func:`match_group`: an entry (with ``rest``, its fields after the first) of ``group``'s
    front and file whose card a file the settings leave out holds (``left_out(texts, file)``:
    ``still_there.left_out_text``): its card was moved there without an ID line. None without ``left_out``."""
    if left_out is None:
        return None
    front, file = next(iter(group[0].fields.values()), ""), group[0].file
    return lambda entry: entry.rest is not None and left_out([front, *entry.rest.split("\x1f")], file)


def _in_order(now: list[str], then: list[str], like=None) -> list[tuple[int, int]]:
    """(i, j) pairs of equal texts ``now[i] == then[j]``, in order in both: the most such pairs, and of those
    the alignment whose unequal items side by side are the most alike (``like(i, j)``: an edited twin against
    its own old text, not its neighbour's: tester 12-03 round 15), then leaving the fewest unpaired items
    between them (:func:`~.twin_align.align`)."""
    from .twin_align import align

    return align(now, then, like)


def _rests(group: list[Card], entries: list):
    """``like`` for :func:`_in_order`: the similarity of a card's other fields and an entry's (``rest``)."""
    from .build_gone import rest_of
    from .twin_align import rest_like

    return rest_like([rest_of(c) for c in group], [getattr(e, "rest", None) for e in entries])


def _same_gaps(group: list[Card], live: list, out: dict, rest: list[Card], free: list) -> list[tuple[Card, object]]:
    """(card, entry) pairs of the cards and live entries left over that sit in the same gap between matched
    cards: the same matched entry before and after, the cards in file order now (``group``), the entries in
    their order then (``live``, sorted); in order, for a gap with as many cards as entries left over."""
    matched = {ident for ident in out.values()} & {e.id for e in live}

    def gaps(items: list, ident_of, left: set) -> dict:
        found: dict = {}
        before, waiting = None, []
        for item in items:
            ident = ident_of(item)
            if ident in matched:
                for w in waiting:
                    found.setdefault((before, ident), []).append(w)
                before, waiting = ident, []
            elif id(item) in left:
                waiting.append(item)
        for w in waiting:
            found.setdefault((before, None), []).append(w)
        return found

    cards = gaps(group, lambda c: out.get(c.key), {id(c) for c in rest})
    entries = gaps(live, lambda e: e.id, {id(e) for e in free})
    pairs = []
    for gap, here in cards.items():
        there = entries.get(gap, [])
        if len(here) == len(there):
            pairs += zip(here, there)
    return pairs


def _alike(cards: list[Card], entries: list) -> list[tuple[Card, object]]:
    """(card, entry) pairs whose other fields are clearly alike, as ``sync`` pairs the same-front cards whose
    note does not hold their text (sync_rematch._take_similar: :func:`~.similar_cards.pair_alike`); none for
    entries recorded without those fields, or groups too large to compare pairwise."""
    from .build_gone import rest_of
    from .similar_cards import MAX_GROUP, pair_alike, similarity

    entries = [e for e in entries if getattr(e, "rest", None) is not None]
    if not entries or len(cards) > MAX_GROUP or len(entries) > MAX_GROUP:
        return []
    rests = [rest_of(c) for c in cards]
    scores: dict = {}

    def score(i: int, j: int) -> float:
        if (i, j) not in scores:
            scores[i, j] = similarity(rests[i], entries[j].rest)
        return scores[i, j]

    pairs = pair_alike([(i, j) for i in range(len(cards)) for j in range(len(entries))], score)
    return [(cards[i], entries[j]) for i, j in pairs]


def known_group_ids(cards: list[Card], ids: dict, state_cards: dict, namespace: str,
                    digest: Callable[[Card], str], diagnostics: list | None = None,
                    left_out: Callable[[list[str], str], bool] | None = None) -> tuple[dict, frozenset[str]]:
    """``build``'s identities of same-front cards without an ID whose group the build state knows
    (``state_cards``: GUID -> ``state.CardState`` of the last build; ``digest``: the build's content hash of a
    card, compared with the state's ``hash``): :func:`match_group` of the group against its state entries, as
    ``ids`` reads them (``id_record.Records``), for a group of several cards or of which the state knows
    several, or of one card the state knows under another ID. ``cards``: the kept cards in vault order;
    ``ids``: their ``identity.card_ids``. Returns ``ids`` with those groups' IDs (a new dict) and the groups
    (``identity._front_key``) so told apart. A new card of such a group takes no ID another card of the vault
    or an entry of the state holds. With no build state, a warning (appended to ``diagnostics``) names the
    files whose same-front cards are told apart by order only (:func:`order_only_warning`). ``left_out(texts)``:
    a file the settings leave out holds these field texts (``StillThere.holds_text``): an entry whose card
    was moved there goes to no card of its gap."""
    if not state_cards:
        warning = order_only_warning(cards)
        if warning is not None and diagnostics is not None:
            diagnostics.append(warning)
        return ids, frozenset()
    from .id_record import Records, _nfc

    def near(file: str, front: str) -> tuple[str, str]:  # as id_record.Records.built keys the state
        return (file, front) if file.isascii() and front.isascii() else (_nfc(file), _nfc(front))

    groups: dict[str, list[Card]] = {}
    for card in cards:
        if card.id is None:
            groups.setdefault(_front_key(card), []).append(card)
    known: dict[tuple[str, str], list[str]] = {}  # (file, front as the state keeps it: 80 chars) -> GUIDs
    for guid, state in state_cards.items():
        if state.id:
            known.setdefault(near(state.where.rpartition(":")[0], state.front), []).append(guid)
    placed = []
    places: dict[tuple[str, str], int] = {}  # (file, whole front) -> groups there (two: a file and its name in
    for key, group in groups.items():  # the other normal form, both kept by Linux: identity.py tells those apart)
        front = key[len(group[0].file) + len(group[0].note_type) + 2:]
        place, whole = near(group[0].file, front[:80]), near(group[0].file, front)
        if place in known:
            placed.append((key, group, place, whole))
            places[whole] = places.get(whole, 0) + 1
    # a group of several cards, or of which the state knows several (two fronts may share their first 80
    # characters: the entries are the group's by their ID), or one card not under its order ID (the first
    # deleted, its entry since forgotten)
    todo = [(key, group) for key, group, place, whole in placed if places[whole] == 1 and (
        len(group) > 1 or len(known[place]) > 1 or state_cards[known[place][0]].id != ids[group[0].key])]
    if not todo:
        return ids, frozenset()
    records = Records(None, namespace, {g: state_cards[g] for _, _, place, _ in placed for near_place in
                                        (place, (place[0], "")) for g in known.get(near_place, ())},
                      digest, entries=[])
    written = {c.id for c in cards if c.id is not None}
    out, by_text = dict(ids), set()
    held: dict[int, int] = {}  # ID -> cards of the vault holding it

    def busy_outside(group: list[Card]) -> Callable[[int], bool]:
        mine: dict[int, int] = {}
        for card in group:
            mine[ids[card.key]] = mine.get(ids[card.key], 0) + 1

        def busy(ident: int) -> bool:  # held by a card of the vault outside the group, or by a state entry
            if not held:
                for i in ids.values():
                    held[i] = held.get(i, 0) + 1
            return held.get(ident, 0) > mine.get(ident, 0) or guid_of(ident) in state_cards
        return busy

    prepared = []
    for key, group in todo:
        _, recorded, _ = records.entries(group)
        closed = any(e.id in written for e in recorded)  # `ids` wrote this group's IDs since the last build
        recorded = [e for e in recorded if e.id not in written]
        if recorded:
            prepared.append((key, group, recorded, closed))

    def own(card: Card) -> bool:  # a card of a group not matched here holding its own recorded text
        state = state_cards.get(guid_of(ids[card.key]))
        return state is not None and not state.removed and state.hash == digest(card)

    moves, out_of = cross_file_moves(groups, {key: recorded for key, _, recorded, closed in prepared if not closed},
                                     digest, own)
    for key, group, recorded, closed in prepared:
        out.update(match_group(group, recorded, digest, ids, written, namespace, busy_outside(group), closed,
                               moves, frozenset(out_of.get(key, ())), held_entries(group, left_out)))
        by_text.add(key)
    for key, group in groups.items():  # a card moved into a group matched by order alone
        for card in group:
            if card.key in moves and key not in by_text:
                out[card.key] = moves[card.key]
    return out, frozenset(by_text)


def order_only_warning(cards: list[Card]):
    """The warning (a ``Diagnostic``) of a build with no build state when cards without an ID share their file,
    note type and first field: told apart by their order only here, each keeps its note only while none
    is inserted or deleted above it. None when there are none."""
    from ..model import Diagnostic

    seen: set[str] = set()
    files: dict[str, None] = {}
    for card in cards:
        if card.id is None:
            key = _front_key(card)
            if key in seen:
                files[card.file] = None
            seen.add(key)
    if not files:
        return None
    names = sorted(files)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return Diagnostic("", 0, "warning", (
        f"no build state on this machine (a first build, another machine, or its state folder lost): the cards "
        f"without an ID that share their first field in {shown} are told apart here by their order only, so a "
        "card inserted or deleted above others would move their notes' text and review history. To keep each on "
        "its note, run `notes2anki ids` on the machine that built them (it writes the IDs their notes were made "
        "under), or build with `--collection` or use `sync`, which match them by their text."))
