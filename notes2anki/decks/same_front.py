"""Same-front cards without an ID: which recorded card each one is, by its text before its order.

Cards of one file with the same note type and first field (``Translate:``, an image-only front) and no
``<!--ID: n-->`` line are told apart by their order (identity.py: the *occurrence* in their implicit ID).
Inserting such a card above the others, or deleting the first of them, shifts every occurrence: each
reviewed note would take the text of another card (tester finding: ``build`` printed "1 new, 3 changed").

:func:`match_group` is the one rule that pairs the cards of such a group with the entries recorded for it
(the sync record or the build state, id_record.py): a card with the text of an entry takes its ID, then a
card clearly like an entry (its other fields edited: :func:`~.similar_cards.pair_alike`, the rule ``sync``
pairs same-front cards by), then, when the group has as many cards as were recorded, the rest in order;
cards added take IDs no recorded card has. ``ids`` writes those IDs (``Records.resolve``); ``build`` gives
them (:func:`known_group_ids`), so a build, the import of its package and a later ``ids`` keep each card on
the note it was made under, and the next build, reading the state this one wrote, chooses the same.
"""
from __future__ import annotations

from collections.abc import Callable

from ..model import Card
from .identity import _front_key, _implicit


def match_group(group: list[Card], recorded: list, digest: Callable[[Card], str], computed: dict,
                written: set[int], namespace: str) -> dict | None:
    """IDs for one group (its cards in file order) from its recorded entries (``id_record.Entry``: ``id``,
    ``digest``, ``live``, ``rest``; in occurrence order): a card with the text of an entry gets its ID (the
    last sync's or build's entries first); then a card and a live entry whose other fields are clearly alike
    (``rest``: ``build_gone.rest_of``; :func:`~.similar_cards.pair_alike`); the others get the unmatched live
    entries in order when the group has as many cards as were recorded, or new IDs (the first occurrences no
    recorded card and no written ID has) when every live entry is taken (cards added); else None (cannot be
    told). ``computed``: ``Card.key`` -> ``identity.card_ids``; ``written``: the IDs written in the vault."""
    live = [e for e in recorded if e.live]
    if len(group) == len(live) == len(recorded) == 1:
        return {group[0].key: live[0].id}
    out: dict = {}
    taken: set[int] = set()
    digests = {c.key: digest(c) for c in group}
    for pool in (live, [e for e in recorded if not e.live]):
        for card in group:
            if card.key in out:
                continue
            entry = next((e for e in pool if e.id not in taken and e.digest == digests[card.key]), None)
            if entry is not None:
                out[card.key] = entry.id
                taken.add(entry.id)
    rest = [c for c in group if c.key not in out]
    free = [e for e in live if e.id not in taken]
    if rest and free:
        for card, entry in _alike(rest, free):
            out[card.key] = entry.id
            taken.add(entry.id)
        rest = [c for c in rest if c.key not in out]
        free = [e for e in free if e.id not in taken]
    if not rest:
        return out
    if len(rest) == len(free) and len(group) == len(live):
        out.update({c.key: e.id for c, e in zip(rest, free)})
        return out
    if free:
        return None
    avoid = {e.id for e in recorded} | taken | written
    for card in rest:  # cards added since: an ID no recorded card has
        ident, occurrence = computed[card.key], 0
        while ident in avoid:
            ident = _implicit(_front_key(card), occurrence, namespace)
            occurrence += 1
        avoid.add(ident)
        out[card.key] = ident
    return out


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
                    digest: Callable[[Card], str]) -> tuple[dict, frozenset[str]]:
    """``build``'s identities of same-front cards without an ID whose group the build state knows
    (``state_cards``: GUID -> ``state.CardState`` of the last build; ``digest``: the build's content hash of a
    card, compared with the state's ``hash``): :func:`match_group` of the group against its state entries, as
    ``ids`` reads them (``id_record.Records``), for a group of several cards or of which the state knows
    several, or of one card the state knows under another ID. ``cards``: the kept cards in vault order; ``ids``: their ``identity.card_ids``. Returns ``ids``
    with those groups' IDs (a new dict) and the groups (``identity._front_key``) so told apart. A group
    whose cards cannot be told apart (cards both added and gone, text edited) keeps its order IDs."""
    if not state_cards:
        return ids, frozenset()
    from .id_record import Records, _nfc

    def near(file: str, front: str) -> tuple[str, str]:  # as id_record.Records.built keys the state
        return (file, front) if file.isascii() and front.isascii() else (_nfc(file), _nfc(front))

    groups: dict[str, list[Card]] = {}
    for card in cards:
        if card.id is None:
            groups.setdefault(_front_key(card), []).append(card)
    known: dict[tuple[str, str], list[str]] = {}  # (file, front as the state keeps it) -> GUIDs
    for guid, state in state_cards.items():
        if state.id:
            known.setdefault(near(state.where.rpartition(":")[0], state.front), []).append(guid)
    placed = []
    places: dict[tuple[str, str], int] = {}  # -> groups there (two: a file and its name in the other normal
    for key, group in groups.items():  # form, both kept by Linux: identity.py tells those apart)
        place = near(group[0].file, key[len(group[0].file) + len(group[0].note_type) + 2:][:80])
        if place in known:
            placed.append((key, group, place))
            places[place] = places.get(place, 0) + 1
    # a group of several cards, or of which the state knows several, or one card not under its order ID (the
    # first deleted, its entry since forgotten)
    todo = [(key, group) for key, group, place in placed if places[place] == 1 and (
        len(group) > 1 or len(known[place]) > 1 or state_cards[known[place][0]].id != ids[group[0].key])]
    if not todo:
        return ids, frozenset()
    records = Records(None, namespace, {g: state_cards[g] for file, front in places for place in
                                        ((file, front), (file, "")) for g in known.get(place, ())},
                      digest, entries=[])
    written = {c.id for c in cards if c.id is not None}
    out, by_text = dict(ids), set()
    for key, group in todo:
        _, recorded, _ = records.entries(group)
        recorded = [e for e in recorded if e.id not in written]
        if not recorded:
            continue
        found = match_group(group, recorded, digest, ids, written, namespace)
        if found is not None:
            out.update(found)
            by_text.add(key)
    return out, frozenset(by_text)
