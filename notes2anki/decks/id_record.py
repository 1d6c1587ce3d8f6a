"""Which note each card without an ID is matched to, recorded so that ``ids`` writes *that* identity.

A card without an ID has an implicit ID computed from its place (identity.py), but ``sync`` may match it to
its note through a fallback: the second of two same-front cards keeps its own note when the first is deleted
(sync_rematch.py), a note file renamed only NFD -> NFC or a front re-normalised keeps its note
(``other_form_guids``), a card keeps the GUID it had before namespaces. Writing the implicit ID computed now
would move the card off that note: the next sync would add it as new and delete the reviewed note (tester U8).

So every sync that is not a dry run records, on this machine (``<state dir>/<vault key>.ids.json``, beside
the build state, never in the vault), for each card without an ID: its file and *group* (vault path, note type
and first field, all in NFC: the cards told apart by order only), a digest of its text and the ID whose GUID is
its note's GUID (the nid for a note whose GUID is not notes2anki's, as the plugin writes IDs). ``ids`` (and
``sync --write-ids``, from the sync it has just made) then gives each card the ID of its own entry, found by
its text, else by its other fields clearly like the entry's (an edited back), else by its place: the same
gap between cards matched by text, now and then (same_front.match_group, the rule ``build`` gives these IDs
by too); a card that cannot be told apart so gets a new ID (its entry's note is then gone). A card with no
entry of its own (its file renamed, its note type changed, the card moved into another file) takes, by
equal text, an entry no card of the vault claims any more (``Records.settle``; tester 08:45 V8), else, its other fields edited too, an entry of another file with its note type and first
field whose other fields are like its own (tester r11); several such cards and entries are paired one to one
by similarity as ``sync`` and ``build`` pair them, a near tie getting no ID (an error). Without a sync record, the build state (GUID -> id, place, content hash) plays the same part;
with neither, a card gets its implicit ID.

The record is input like the build state: read bounded, validated entry by entry; a file that cannot be used
is ignored with a warning naming it. Writing it is best effort (a failure is a warning).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..model import Card, Diagnostic
from .id_record_file import (MAX_ID, RECORD_VERSION, _group_key, _nfc, group_of, load_record,  # noqa: F401
                             record_head, record_path, save_record, sync_digest, sync_entries, text_digest)
from .id_twins import entry_places, entry_rests, place_found
from .identity import candidate_ids, guid_of
from .same_front import held_entries, match_group as _match


def _line(where: str) -> int:
    """The line of a ``file:line`` (0 when there is none)."""
    line = where.rpartition(":")[2]
    return int(line) if line.isdigit() else 0


MAX_OCCURRENCES = 1 << 17  # same-front cards of one file searched in the build state (1,024 before: a
# group of 1,100 `Translate:` cards re-keyed every card past the 1,024th on each build, tester 12-03 r16;
# 131,072 occurrences cost about 0.7 s of hashing, and only a group that big asks for them)


@dataclass
class Entry:
    """One recorded card of a group: the ID it is matched to, the digest of its text (``sync_digest`` for the
    sync record, the build's ``content_hash`` for the build state) and whether the last sync or build had it
    (``live``; a build state entry of a card gone since is not), and ``text``, the digest of its field values
    alone (:func:`text_digest`; sync record only)."""

    id: int
    digest: str
    live: bool = True
    text: str = ""  # the sync record's text_digest ("" in records written before it); build: the note type
    rest: str | None = None  # the sync record's fields after the first (None: a record written before)
    order: int = 0  # its place in its file when recorded (the build state's line; the sync record's index)


class Records:
    """What ``ids`` knows of the identities of cards without an ID: the sync record (``entries``, else read
    from disk), else the build state (``state``: GUID -> CardState), else nothing. ``build_digest(card)``: the
    build's content hash of a card (compared with the build state's ``hash``)."""

    def __init__(self, root: Path, namespace: str, state_cards: dict, build_digest: Callable[[Card], str],
                 entries: list[dict] | None = None, diagnostics: list[Diagnostic] | None = None,
                 note_guids: frozenset[str] = frozenset(), left_out: Callable[[list[str], str], bool] | None = None):
        self.namespace = namespace
        self.left_out = left_out  # a file the settings leave out holds these field texts (StillThere.holds_text)
        self.note_guids = note_guids  # the GUIDs of a collection's notes (ids --collection): see _busy
        self.build_digest = build_digest
        self.source = "sync"
        entries = load_record(root, diagnostics if diagnostics is not None else []) if entries is None else entries
        self.synced: dict[tuple[str, str], list[Entry]] = {}
        for e in entries:
            entries_here = self.synced.setdefault((e["file"], e["group"]), [])
            entries_here.append(Entry(e["id"], e["digest"], text=e.get("text", ""), rest=e.get("rest"),
                                      order=len(entries_here)))
        self.adopted: dict = {}  # Card.key -> ID of an entry no card claims (see settle)
        self.unsure: dict = {}  # Card.key -> why it may be one of several such entries
        self.edited: set = set()  # Card.key of the cards settle matched by note type and first field alone
        self.built: dict[tuple[str, str], list] = {}  # (NFC file, NFC front) -> build state entries
        self._used: set[int] | None = None  # the IDs of every entry (see _busy)
        for state in state_cards.values():
            file = state.where.rpartition(":")[0]
            if file and state.id:
                self.built.setdefault((_nfc(file), _nfc(state.front)), []).append(state)

    def entries(self, group: list[Card]) -> tuple[str, list[Entry], Callable[[Card], str]]:
        """The recorded entries of a group (same file and :func:`group_of`), in card order, the record they come
        from ("sync" | "build" | "") and the digest to compare their ``digest`` with."""
        first = group[0]
        synced = self.synced.get((_nfc(first.file), group_of(first)))
        if synced:
            return "sync", synced, sync_digest
        fronts = {_nfc(" ".join(unicodedata.normalize(form, first.front).split())[:80]) for form in ("NFC", "NFD")}
        file = _nfc(first.file)
        states = [s for front in sorted(fronts | {""}) for s in self.built.get((file, front), ())]
        if not states:  # (the build state keeps each card's front as its first 80 characters, spaces collapsed)
            return "", [], sync_digest
        candidates = candidate_ids(first, self.namespace, min(len(states) + len(group), MAX_OCCURRENCES))
        found = sorted((s for s in states if s.id in candidates), key=lambda s: (candidates[s.id], bool(s.removed)))
        return "build", [Entry(s.id, s.hash, not s.removed, rest=s.rest, order=_line(s.where))
                         for s in found], self.build_digest

    def resolve(self, cards: list[Card], computed: dict, written: set[int]) -> tuple[dict, list[Diagnostic]]:
        """IDs for the cards without an ID of one file (``cards``, in file order): ``Card.key`` -> ID, and the
        errors of the groups left without (see the module doc). ``computed``: ``identity.card_ids`` of the
        file; ``written``: the IDs written in the vault (never given again)."""
        groups: dict[str, list[Card]] = {}
        for card in cards:
            groups.setdefault(group_of(card), []).append(card)
        out: dict = {}
        problems: list[Diagnostic] = []
        for group in groups.values():
            _, recorded, digest = self.entries(group)
            closed = any(e.id in written for e in recorded)  # `ids` wrote this group's IDs since
            recorded = [e for e in recorded if e.id not in written]
            if not recorded:
                out.update({c.key: computed[c.key] for c in group})
                self._adopt(group, out, problems)
                continue
            ids = _match(group, recorded, digest, computed, written, self.namespace, self._busy, closed,
                         held=held_entries(group, self.left_out))
            out.update(ids)
            self._adopt(group, out, problems)
        return out, problems

    def _busy(self, ident: int) -> bool:
        """Whether ``ident`` is held by an entry of the sync record or the build state, given to a card by
        :meth:`settle`, or names a note of the collection read (``note_guids``: a new card of a group takes
        none of them: same_front.match_group). The last, because ``ids --collection`` records only the notes
        the sync would match cards to: a note it holds (a reviewed twin whose card was edited beyond
        recognition) is in no record, and a card added above took that note's ID, then its text and
        history at the next sync (tester 12-03 round 16)."""
        if self._used is None:
            self._used = {e.id for entries in self.synced.values() for e in entries} | {
                s.id for states in self.built.values() for s in states}
        return ident in self._used or ident in self.adopted.values() or (
            bool(self.note_guids) and guid_of(ident) in self.note_guids)

    def _adopt(self, group: list[Card], out: dict, problems: list[Diagnostic]) -> None:
        """Give the cards of ``group`` that :meth:`settle` matched to an unclaimed entry that entry's ID; drop
        those it could not tell apart, with an error at each."""
        for card in group:
            if card.key in self.adopted:
                out[card.key] = self.adopted[card.key]
            elif card.key in self.unsure:
                out.pop(card.key, None)
                problems.append(Diagnostic(card.file, card.line, "error",
                                           f"no ID written to this card: {self.unsure[card.key]}, so which Anki "
                                           "note it is cannot be told (sync, then run `ids` again; or write the "
                                           "note's id as the card's <!--ID: n-->)"))

    def settle(self, cards: list[Card], computed: dict, written: set[int]) -> None:
        """The vault-wide pass, before :meth:`resolve`: a card with no recorded entry of its own (its group is
        new: its file renamed, its note type changed, the card moved in from another file) takes, by equal
        text, an entry that no card of the vault claims any more (its file or group is gone, or its group has
        fewer cards now): that entry's note is the card's (tester 08:45 V8, V6). The text compared: the
        sync record's ``text`` (field values alone: a note type changed too), else its ``digest``; the build
        state's content hash, of the card as it is or built in the note type of the entry. A card equal to
        two such entries, or two cards equal to one, get no ID (an error). A card no such entry's text
        equals may take one with its note type and first field (:meth:`_same_front`). ``cards``: the vault's cards
        without an ID (``delete`` ones left out), in vault order; ``computed``: their
        ``identity.card_ids``; ``written``: the IDs written in the vault."""
        groups: dict[tuple[str, str], list[Card]] = {}
        for card in cards:
            groups.setdefault((_nfc(card.file), group_of(card)), []).append(card)
        claimed: set[int] = set(written)
        orphans: list[Card] = []
        for group in groups.values():
            _, recorded, digest = self.entries(group)
            closed = any(e.id in written for e in recorded)
            recorded = [e for e in recorded if e.id not in written]
            if not recorded:
                orphans += group
                continue
            ids = _match(group, recorded, digest, computed, written, self.namespace, self._busy, closed,
                         held=held_entries(group, self.left_out))
            mine = {e.id for e in recorded}
            claimed |= set(ids.values()) & mine
            orphans += [c for c in group if ids[c.key] not in mine]
        if not orphans:
            return
        if self.synced:
            pool = [e for entries in self.synced.values() for e in entries if e.id not in claimed]
            texts = {c.key: (text_digest(c), sync_digest(c)) for c in orphans}
            fits = lambda card, e: e.text == texts[card.key][0] if e.text else e.digest == texts[card.key][1]
        else:
            pool = [Entry(s.id, s.hash, text=s.type) for states in self.built.values() for s in states
                    if not s.removed and s.id not in claimed]
            hashes = {(c.key, c.note_type): self.build_digest(c) for c in orphans}

            def fits(card: Card, e: Entry) -> bool:  # e.text: the note type it was built in
                if e.text and e.text != card.note_type and (card.key, e.text) not in hashes:
                    try:  # the note type line changed: its hash were the card built in its old type
                        hashes[card.key, e.text] = self.build_digest(replace(card, note_type=e.text))
                    except (KeyError, ValueError):
                        hashes[card.key, e.text] = ""
                return e.digest in (hashes[card.key, card.note_type], hashes.get((card.key, e.text)))
        if not pool:
            return
        wanted: dict[int, list[Card]] = {}
        found: dict = {}
        for card in orphans:
            found[card.key] = list({e.id: e for e in pool if fits(card, e)})
        found = self._pair_files(orphans, found, {e.id for e in pool})
        found = place_found(groups, orphans, found, entry_places(self.synced, self.built),  # twins in order
                            entry_rests(self.synced, self.built))
        for card in orphans:
            for ident in found[card.key]:
                wanted.setdefault(ident, []).append(card)
        self._same_front(orphans, found, wanted, claimed)
        for card in orphans:
            hits = found[card.key]
            what = "note type and first field (its other fields edited)" if card.key in self.edited else "text"
            if len(hits) > 1:
                self.unsure[card.key] = f"its {what} {'are those' if card.key in self.edited else 'is that'} of " \
                                        f"{len(hits)} notes last synced or built from places no card holds now " \
                                        "(renamed or moved)"
            elif hits and len(wanted[hits[0]]) > 1:
                other = next(c for c in wanted[hits[0]] if c is not card)
                self.unsure[card.key] = f"it and the card at {other.where} have the " \
                                        f"{what.replace('its other', 'other')} of one note last synced or built " \
                                        "from a place no card holds now (renamed or moved)"
            elif hits:
                self.adopted[card.key] = hits[0]

    def _pair_files(self, orphans: list[Card], found: dict, free: set[int]) -> dict:
        """Renamed files paired with the files of recorded cards no card claims (file_pairs.py: tester A r6):
        by the entries each new file's cards equal in text (``found``) or have the note type and first field
        of. Sets ``self.partners`` (new file -> old file, NFC) and ``self.entry_file`` (ID -> old file) and
        returns ``found`` with each paired file's entries its partner's first (file_pairs.prefer_partners)."""
        from .file_pairs import SAME_FRONT, pair_files, prefer_partners

        self.entry_file: dict[int, str] = {}
        if self.synced:
            groups = {(file, group): [e.id for e in entries if e.id in free]
                      for (file, group), entries in self.synced.items()}
        else:
            groups = {}
            for (file, front), states in self.built.items():
                for s in states:
                    if s.id in free and s.type:
                        groups.setdefault((file, f"{s.type}\x1f{front}"), []).append(s.id)
        sizes: dict[str, int] = {}
        for (file, _), ids in groups.items():
            sizes[file] = sizes.get(file, 0) + len(ids)
            self.entry_file.update(dict.fromkeys(ids, file))
        pairs = []
        files = sorted(sizes)
        for card in orphans:
            mine = _nfc(card.file)
            pairs += [(mine, self.entry_file[i], i, 1.0) for i in found[card.key] if i in self.entry_file]
            if len(files) > MAX_PAIRED:
                continue
            front = _nfc(" ".join(card.front.split())[:80])
            for file in files:
                key = _group_key(file, card) if self.synced else f"{card.note_type}\x1f{front}"
                pairs += [(mine, file, i, SAME_FRONT) for i in groups.get((file, key), ())]
        self.partners = pair_files(pairs, sizes)
        return prefer_partners(found, {c.key: _nfc(c.file) for c in orphans}, self.entry_file, self.partners)

    def _same_front(self, orphans: list[Card], found: dict, wanted: dict, claimed: set[int]) -> None:
        """The orphans that no unclaimed entry's text equals: a card takes an unclaimed entry of another file
        with its note type and first field (its group there, :func:`_group_key`), its other fields edited
        (the file renamed or the card moved, and its back edited in the same session: tester r11) when its
        other fields are like the entry's (``rest``, sync_rematch.SIMILAR). Several such cards or entries
        (a renamed file's two ``Translate:`` cards, both backs edited) are paired one to one by
        ``sync_rematch.pair_alike``, the rule ``sync`` and ``build`` use: a card in a near tie gets no ID (an
        error), a card like none of them is new (its own ID). An entry written before the record kept the
        other fields: taken by no card of several. Without a sync record, the build state's entries (their
        note type and front, its first 80 characters) in the same way.
        Fills ``found`` and ``wanted`` as :meth:`settle` reads them."""
        rest = [c for c in orphans if not found[c.key]]
        if not rest:
            return
        from .build_gone import rest_of
        from .file_pairs import prefer_partners
        from .sync_rematch import SIMILAR, pair_alike, similarity

        candidates: dict = {}  # Card.key -> [(ID, fields after the first)] of the unclaimed entries it may be
        # group -> (file, ID, fields after the first) of the entries no card claims
        pool: dict[str, list[tuple[str, int, str | None]]] = {}
        for (file, group), entries in self.synced.items():
            pool.setdefault(group, []).extend((file, e.id, e.rest) for e in entries
                                              if e.id not in claimed and e.id not in wanted)
        built: dict[tuple[str, str], list[tuple[str, int, str | None]]] = {}  # (note type, front) -> build state
        if not self.synced:  # (it keeps the first 80 characters of a front, spaces collapsed)
            for (file, front), states in self.built.items():
                for s in states:
                    if front and s.type and not s.removed and s.id not in claimed and s.id not in wanted:
                        built.setdefault((s.type, front), []).append((file, s.id, s.rest))
        files = sorted({file for entries in pool.values() for file, _, _ in entries})
        for card in rest:
            mine = _nfc(card.file)
            fronts = {_nfc(" ".join(unicodedata.normalize(form, card.front).split())[:80]) for form in ("NFC", "NFD")}
            hits = list(dict.fromkeys(
                [(ident, rest) for file in files if file != mine
                 for where, ident, rest in pool.get(_group_key(file, card), ()) if where == file]
                + [(ident, rest) for front in sorted(fronts)
                   for where, ident, rest in built.get((card.note_type, front), ()) if where != mine]))
            candidates[card.key] = hits
        kept = prefer_partners({k: [i for i, _ in hits] for k, hits in candidates.items()},
                               {c.key: _nfc(c.file) for c in rest}, getattr(self, "entry_file", {}),
                               getattr(self, "partners", {}))
        candidates = {k: [h for h in hits if h[0] in kept[k]] for k, hits in candidates.items()}
        for cards, entries in _linked(rest, candidates):
            if len(cards) == len(entries) == 1 or any(text is None for text in entries.values()) \
                    or len(cards) > MAX_PAIRED or len(entries) > MAX_PAIRED:
                for card in cards:  # the only such card and entry: taken when the other fields are alike too
                    hits = candidates[card.key]  # (tester r4); a record written before it kept them, or too many
                    if len(hits) == 1:  # to compare: no text, no guess (several: an error at each card)
                        hits = [h for h in hits if h[1] is not None and similarity(rest_of(card), h[1]) >= SIMILAR]
                    self._found(card, [ident for ident, _ in hits], found, wanted)
                continue
            # several cards or entries with one note type and first field (a renamed file's two `Translate:`
            # cards, both backs edited): each with the entry clearly most like it, as sync and build pair them
            rests = {card.key: rest_of(card) for card in cards}
            scores = {(card.key, ident): similarity(rests[card.key], text)
                      for card in cards for ident, text in candidates[card.key]}  # (at most MAX_PAIRED² pairs)
            paired = dict(pair_alike(list(scores), lambda key, ident: scores[key, ident]))
            taken = set(paired.values())
            for card in cards:
                self._found(card, [paired[card.key]] if card.key in paired else [], found, wanted)
                if card.key not in paired and any(v >= SIMILAR for (key, ident), v in scores.items()
                                                  if key == card.key and ident not in taken):
                    # a near tie: no guess (a card like no entry left is new: its own ID, as sync adds it)
                    self.unsure[card.key] = (
                        f"its note type and first field are those of {len(entries)} notes last synced or built "
                        "from places no card holds now (renamed or moved), and its other fields (edited) are not "
                        "clearly more like one of them" if len(entries) > 1 else
                        f"it and {len(cards) - 1} other card{'s' if len(cards) > 2 else ''} have the note type "
                        "and first field of one note last synced or built from a place no card holds now "
                        "(renamed or moved), and its other fields (edited) are not clearly more like that note's "
                        "than theirs")

    def _found(self, card: Card, hits: list[int], found: dict, wanted: dict) -> None:
        """Record the unclaimed entries (IDs) :meth:`_same_front` found for ``card`` as :meth:`settle` reads
        them."""
        hits = list(dict.fromkeys(hits))
        found[card.key] = hits
        self.edited.update({card.key} if hits else ())
        for ident in hits:
            wanted.setdefault(ident, []).append(card)


MAX_PAIRED = 64  # cards (and entries) of one note type and first field compared pairwise (as build_gone's)


def _linked(cards: list[Card], candidates: dict) -> list[tuple[list[Card], dict]]:
    """The cards with candidate entries (``candidates``: ``Card.key`` -> [(ID, other fields)]), in sets that
    share candidates (one note type and first field, mostly): each set's cards, in vault order, and its
    entries (ID -> other fields)."""
    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for card in cards:
        for ident, _ in candidates[card.key]:
            parent[root(("card", card.key))] = root(("entry", ident))
    out: dict = {}
    for card in cards:
        if candidates[card.key]:
            cards_, entries = out.setdefault(root(("card", card.key)), ([], {}))
            cards_.append(card)
            entries.update(candidates[card.key])
    return list(out.values())
