"""The cards Anki still has that the vault no longer builds, and the GUIDs ``build --collection`` adopted.

A build lists each card gone from the vault (deleted, or marked DELETE) so the student can delete its note
in Anki (an ``.apkg`` cannot delete). The build state remembers a gone card for :data:`REMOVED_LISTED_S`
after the first build that missed it (``removed``), so every build in that time lists it. A card whose ID
is still in the vault (packaged under another GUID, or its ID line still in a note) is never listed.

``build --collection`` packages a card under the GUID of the Anki note it updates (the plugin's notes keep
the random GUIDs Anki gave them). A plain build after it packages the card under that GUID again
(:func:`adopted_guids`), also when the card was gone for a while and comes back with its ID (cut and pasted
back, moved to another file): the state keeps a removed card's adopted GUID after it stops listing it.

A card without an ID whose file was renamed, or that moved to another file, is packaged under the GUID the
card had (:func:`renamed_guids`), so the import updates its reviewed note and the gone list does not name it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model import Card, where_order
from .identity import card_id, guid, guid_of
from .state import BuildState, CardState

REMOVED_LISTED_S = 30 * 86400  # a card gone from the vault is listed by every build for 30 days (a quiet build,
# or one to another -o, does not use the list up), then no longer listed


@dataclass
class GoneCard:
    """A card Anki still has but the vault no longer builds (deleted, or marked DELETE)."""

    id: int
    where: str
    front: str
    reason: str  # "removed" | "DELETE"
    nid: int = 0  # Anki note id, when this tool built the card before


def adopted(card_guid: str, old: CardState) -> bool:
    """Whether the state entry ``old`` (under ``card_guid``) is a card packaged under a GUID that is not its
    own: the GUID of the Anki note ``build --collection`` found for it (a plugin note's)."""
    return bool(old.id) and card_guid != guid_of(old.id)


def adopted_guids(state: BuildState) -> dict[int, str]:
    """ID → GUID of the cards an earlier build packaged under a GUID that is not their own (``build
    --collection`` adopted the Anki note's: a plugin note keeps its random GUID), whether the card was in
    the vault at the last build or gone from it since. A plain build packages such a card under that GUID
    again, so the import still updates its note instead of adding it again. A card in the vault at the last
    build wins over a removed one; an ID held by two entries of one kind is left out (neither can be told
    to be the card's)."""
    here: dict[int, list[str]] = {}  # in the vault at the last build
    removed: dict[int, list[str]] = {}  # gone from it since
    for card_guid, old in state.cards.items():
        if adopted(card_guid, old):
            (removed if old.removed else here).setdefault(old.id, []).append(card_guid)
    out = {ident: guids[0] for ident, guids in removed.items() if len(guids) == 1 and ident not in here}
    out.update((ident, guids[0]) for ident, guids in here.items() if len(guids) == 1)
    return out


def marked_delete(cards: list[Card], state: BuildState, namespace: str) -> list[GoneCard]:
    """The DELETE-marked ``cards``, each with the note id the build state knows for it: under its GUID, else
    under the GUID ``build --collection`` adopted for it (a plugin note's)."""
    out: list[GoneCard] = []
    earlier: dict[int, str] | None = None
    for card in cards:
        if not card.delete:
            continue
        ident, old = card_id(card, namespace), state.cards.get(guid(card, namespace))
        if old is None:
            earlier = adopted_guids(state) if earlier is None else earlier
            old = state.cards.get(earlier.get(ident, ""))
        out.append(GoneCard(ident, card.where, " ".join(card.front.split()), "DELETE", old.nid if old else 0))
    return out


def renamed_guids(state: BuildState, identified: list, ids: dict, earlier: dict[int, str], marked: list[GoneCard],
                  still, front: Callable[[str], str], matched: dict | None = None,
                  built_hash: Callable[[Card], str] | None = None) -> dict:
    """``Card.key`` → the GUID of an earlier build's card that the card is, though its own GUID is new: a card
    without an ID whose file was renamed or that moved to another file (its back edited or not) has a new
    implicit ID, and the package would add it anew while the gone list told the student to delete its
    reviewed note (tester r11). A new card takes the state entry no card of this build holds with its note
    type and first field (``front``: as the state keeps it, its first 80 characters) and its other fields
    alike (:func:`alike`) when it is the only such card and the entry the only such entry; never the entry of a card marked DELETE, or of one that
    may still be in the vault (``still``, as :func:`settle_gone` reads it). ``matched`` (``build
    --collection``): card key → the GUID of the Anki note the card adopts: such a card takes no entry, and
    no other card takes that note's entry."""
    matched = matched or {}
    held = {g for _, g in identified} | {earlier[ids[c.key]] for c, g in identified
                                         if g not in state.cards and ids.get(c.key) in earlier} \
        | set(matched.values())
    arrived: dict[tuple[str, str], list[Card]] = {}
    for card, card_guid in identified:
        if card.id is None and card_guid not in state.cards and ids.get(card.key) not in earlier \
                and card.key not in matched:
            arrived.setdefault((card.note_type, front(card.front)[:80]), []).append(card)
    if not arrived:
        return {}
    present, deleted = set(ids.values()), {g.id for g in marked}
    pool: dict[tuple[str, str], list[str]] = {}
    for old_guid, old in state.cards.items():
        if old_guid not in held and old.type and old.front and old.id not in present and old.id not in deleted:
            pool.setdefault((old.type, old.front), []).append(old_guid)
    partners = _renamed_files(state, arrived, pool, built_hash)
    out = {}
    for key, cards in arrived.items():
        groups = _by_partner(cards, pool.get(key, []), state, partners)
        taken: set[str] = set()
        for n, (cards_, guids_) in enumerate(groups):
            if n == len(groups) - 1 and not any(c.file in partners for c in cards_):  # the rest: with the entries
                guids_ = [g for g in pool.get(key, []) if g not in taken]  # a paired file's cards left (a twin
                # moved to a third file takes the twin entry its file's partner did not: tester 12-03 r4)
            took = _take(cards_, guids_, state, still, built_hash)
            out.update(took)
            taken.update(took.values())
    return out


def _file(where: str) -> str:
    return where.rpartition(":")[0]


def _renamed_files(state: BuildState, arrived: dict, pool: dict, built_hash) -> dict[str, str]:
    """New file -> the old file it is (file_pairs.pair_files, tester A r6): by the state entries no card
    holds whose text (content hash, else other fields) a new card of the file has (1), or its note type and
    front (file_pairs.SAME_FRONT)."""
    from .file_pairs import SAME_FRONT, pair_files

    sizes: dict[str, int] = {}
    for guids in pool.values():
        for g in guids:
            sizes[_file(state.cards[g].where)] = sizes.get(_file(state.cards[g].where), 0) + 1
    found = []
    for key, cards in arrived.items():
        guids = pool.get(key, ())
        if not guids or len(cards) * len(guids) > MAX_PAIRED * MAX_PAIRED:
            continue
        for card in cards:
            digest, rest = (built_hash(card) if built_hash else None), rest_of(card)
            for g in guids:
                old = state.cards[g]
                same = old.hash == digest or (old.rest is not None and old.rest == rest)
                found.append((card.file, _file(old.where), g, 1.0 if same else SAME_FRONT))
    return pair_files(found, sizes) if found else {}


def _by_partner(cards: list[Card], guids: list[str], state: BuildState,
                partners: dict[str, str]) -> list[tuple[list[Card], list[str]]]:
    """The cards and state entries of one note type and front, the cards of each paired new file with the
    entries of its old file first (file_pairs.py), then the rest with the entries left."""
    out = []
    left, free = list(cards), list(guids)
    for new, old in partners.items():
        mine = [c for c in left if c.file == new]
        theirs = [g for g in free if _file(state.cards[g].where) == old]
        if mine and theirs:
            out.append((mine, theirs))
            left = [c for c in left if c.file != new]
            free = [g for g in free if g not in theirs]
    if left:  # (its entries: those left, and those the paired files' cards did not take; see renamed_guids)
        out.append((left, free))
    return out


def _take(cards: list[Card], guids: list[str], state: BuildState, still, built_hash) -> dict:
    """:func:`renamed_guids` for the cards and state entries of one note type and front."""
    out = {}
    if len(cards) == len(guids) == 1:
        old = state.cards[guids[0]]
        if alike(cards[0], old, built_hash) and not still().reason(old.where, old.id, old.front):
            out[cards[0].key] = guids[0]
    elif cards and guids and len(cards) <= MAX_PAIRED and len(guids) <= MAX_PAIRED:
        exact = _exact(cards, guids, state, built_hash)  # the same text first: never a near tie (tester 12-03 r2)
        rest = [c for c in cards if c.key not in exact]
        free = [g for g in guids if g not in exact.values() and state.cards[g].rest is not None]
        for card, old_guid in [(c, exact[c.key]) for c in cards if c.key in exact] + _paired(rest, free, state):
            old = state.cards[old_guid]
            if not still().reason(old.where, old.id, old.front):
                out[card.key] = old_guid
    return out


def _exact(cards: list[Card], guids: list[str], state: BuildState, built_hash) -> dict:
    """Card key → the entry whose text it has (its other fields, else its content hash): three ``Translate:``
    cards of a renamed file, backs ``dog 1``, ``dog 2``, ``dog 3``, each alike the others' (a near tie for
    :func:`_paired`), follow their own entries. Cards of one text (twins) take the entries of that text
    nearest their place in the group, so an edited twin is left to :func:`_paired` with the entry of its place
    (tester 12-03 round 3), in order, as the alignment of the whole group pairs them (twin_align.align, as
    ``sync`` pairs them: rounds 14 and 15)."""
    from .twin_align import align, pair_aligned, realigned, rest_like

    def text(card: Card) -> tuple:
        return (rest_of(card), built_hash(card) if built_hash else None)

    mine: dict = {}
    for card in cards:
        mine.setdefault(text(card), []).append(card)
    theirs: dict = {}
    token: dict = {}  # entry -> the (first) card text it has, for the alignment
    for g in guids:
        old = state.cards[g]
        for key in [k for k in mine if (old.rest is not None and k[0] == old.rest) or
                    (old.rest is None and k[1] is not None and k[1] == old.hash)]:
            theirs.setdefault(key, []).append(g)
            token.setdefault(g, key)
    rank = {c.key: n for n, c in enumerate(cards)}  # place among the group's cards, and among its entries
    ordered = sorted(guids, key=lambda g: where_order(state.cards[g].where))
    place = {g: n for n, g in enumerate(ordered)}
    aligned: dict | None = None
    out = {}
    for k, same in mine.items():  # twins (one text twice) by place: they cannot be told apart, only kept apart
        entries = sorted(theirs.get(k, ()), key=lambda g: place[g])  # (in order, as sync_twins pairs them)
        if len(same) < 2 and len(entries) < 2:
            aligned_here: dict = {}
        else:
            if aligned is None:
                now, then = [text(c) for c in cards], [token.get(g, g) for g in ordered]
                like = rest_like([rest_of(c) for c in cards], [state.cards[g].rest for g in ordered])
                aligned = realigned(now, then, like, dict(align(now, then, like)))
            aligned_here = aligned
        for i, j in pair_aligned([rank[c.key] for c in same], [place[g] for g in entries], aligned_here):
            out[same[i].key] = entries[j]
    return out


MAX_PAIRED = 64  # cards (and entries) of one note type and front compared pairwise; more: none paired


def _paired(cards: list[Card], guids: list[str], state: BuildState) -> list[tuple[Card, str]]:
    """Several cards and earlier entries with one note type and front (two ``Translate:`` cards of a renamed
    file, both backs edited: tester r5): each card with the entry most like it, as ``sync`` pairs them
    (sync_rematch: :data:`~.sync_rematch.SIMILAR` or more, and :data:`~.sync_rematch.MARGIN` above every
    other pairing of that card and of that entry: :func:`~.sync_rematch.pair_alike`); a near tie pairs neither."""
    from .sync_rematch import pair_alike, similarity

    rests = [rest_of(c) for c in cards]
    scores: dict = {}

    def score(i: int, g: str) -> float:
        if (i, g) not in scores:
            scores[i, g] = similarity(rests[i], state.cards[g].rest)
        return scores[i, g]

    return [(cards[i], g) for i, g in pair_alike([(i, g) for i in range(len(cards)) for g in guids], score)]


REST_CHARS = 300  # characters of a card's other fields the build state keeps (CardState.rest)


def rest_of(card: Card) -> str:
    """A card's fields after the first, as the build state keeps them (:data:`REST_CHARS`, NFC)."""
    import unicodedata

    return unicodedata.normalize("NFC", "\x1f".join(list(card.fields.values())[1:]))[:REST_CHARS]


def alike(card: Card, old: CardState, built_hash: Callable[[Card], str] | None = None) -> bool:
    """Whether ``card``'s other fields are like those of the earlier card ``old`` (with its note type and
    front): ``sync``'s measure (sync_rematch.SIMILAR: half of both texts in common), so a typo fixed in the
    back still follows (tester r11) and a ``Translate:`` card of another lesson does not take a deleted
    card's note (r4/r5). A state entry written before the build state kept that text: taken only when the
    card builds to the entry's content hash (``built_hash``: renamed, nothing else changed), else no text,
    no guess."""
    from .sync_rematch import SIMILAR, similarity

    if old.rest is None:
        return built_hash is not None and built_hash(card) == old.hash
    return similarity(rest_of(card), old.rest) >= SIMILAR


def settle_gone(state: BuildState, new_state: dict[str, CardState], gone: list[GoneCard], present: set[int],
                still, now_s: int) -> None:
    """Carry the state entries of the cards this build did not package into ``new_state``, and list in
    ``gone`` those Anki still has that are gone from the vault. ``present``: the IDs of the vault's cards
    (packaged under another GUID: not gone, whatever the state says); ``still``: a ``still_there.StillThere``
    (or a callable giving one), which says when a card not found may still be in the vault."""
    # (of two entries of one card, the GUID --collection adopted first: its note is the one the card updated)
    for old_guid, old in sorted(state.cards.items(), key=lambda kv: (where_order(kv[1].where), not adopted(*kv))):
        if old_guid in new_state:
            continue
        if old.id in present:  # in the vault under another GUID (e.g. before a --collection build adopted it)
            new_state[old_guid] = old
            continue
        why = still().reason(old.where, old.id, old.front,  # (moved into an ignored folder without an ID line)
                             fields=(lambda: [old.front, *old.rest.split("\x1f")]) if old.rest is not None else None)
        # mistyped, hidden in an unclosed code fence, its file empty for a moment...: not "delete it in Anki";
        # a card already listed as gone stays listed unless its ID line is back
        if why and (not old.removed or why in ("ids", "excluded_ids")):
            new_state[old_guid] = old
            continue
        since = old.removed or now_s  # listed on every build for REMOVED_LISTED_S, not only the first
        if now_s - since > REMOVED_LISTED_S:
            if adopted(old_guid, old):  # no longer listed; its adopted GUID kept for the card's return
                new_state[old_guid] = replace(old, removed=since)
            continue
        if not any(g.id == old.id for g in gone):
            gone.append(GoneCard(old.id, old.where, old.front, "removed", old.nid))
        new_state[old_guid] = replace(old, removed=since)
