"""What `sync` would change in a collection: the vault's cards matched against the collection's notes.

Matching, for each card (first hit wins):
1. a card with an ID whose number is the id of an existing note: that note (*adoption* of the notes
   the Obsidian_to_Anki plugin made: their note id is the card's ID, their GUID is Anki's own);
2. the note whose GUID is the card's GUID (notes made by notes2anki: sync or an imported .apkg);
3. a card without an ID: the note with the GUID notes2anki gave it before vault namespaces.
A note recorded as another vault's (the registry below) is never taken: that card is skipped with an
error. A note two cards claim goes to the first.

The registry: the collection's config key ``notes2anki:vaults`` maps each vault id (the namespace of
identity.py) to the notes that vault created or adopted (``{"notes": {nid: "file:line"}}``). It lives
in the collection because that is where the notes are: it follows the collection to another machine
(AnkiWeb sync) and is replaced with it from a backup. Only notes listed for this vault are ever
deleted, and only when their card is marked DELETE or gone from the vault.

Reading only: this module never changes the collection (the plan is applied by decks/sync.py). The
plan's data (Change, Deletion, SyncPlan) and the registry's readers are in sync_plan_data.py.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..config import Config
from ..messages import named
from ..model import Card, Diagnostic, Vault, note_type_fields
from ..parsers.media import MediaIndex
from .build import _field_html
from .identity import other_form_guids, assign_identities, card_ids, guid_of, legacy_ids, vault_namespace
from .notetypes import type_id_for
from .sync_gaps import still_held
from .sync_media import plan_media, rename_media
from .sync_plan_data import (ANKI_TAGS, PLUGIN_TAG, REGISTRY_KEY, Change, Deletion, SyncPlan,  # noqa: F401
                             _deletion_item, _registered, built_notes, load_registry, registered_guids, registered_id_lines,
                             registered_types)
from .sync_retype import TypeRules, recorded_card_types, recorded_types


def plan_sync(col, vault: Vault, config: Config, *, media_dir: Path | None = None, retype: bool = False,
              allow_mass_delete: bool = False, recreate_missing: bool = False) -> SyncPlan:
    """Match every card of ``vault`` against the notes of the open collection ``col``; nothing is
    written. Problems (a card claiming another vault's note, a note type change whose fields do not
    map) become diagnostics with the card's file:line and the note's ``nid:``. ``media_dir``: the
    collection's media folder when ``col`` is a private copy (a dry run), else ``col``'s own.
    ``retype``: change note types chosen in Anki to the card's too (sync_retype.py; else they are kept).
    ``allow_mass_delete``: see :func:`~notes2anki.decks.sync_guards.plan_deletions`. ``recreate_missing``:
    add a card whose ID is a plugin's Anki note id that the collection no longer holds (see
    :func:`_missing_plugin_notes`; else it is left out, with a warning)."""
    from .sync_guards import (OtherVaults, folder_gone, plan_deletions, refuse_new_identity, refuse_renamed,
                              refuse_same_name)
    from .sync_rematch import rematch_shifted
    from .sync_skips import MissingPluginNotes, filtered_deck
    from .sync_copies import hold_reviewed_copies, hold_reviewed_near_copies, warn_added_copies
    from .sync_vaults import refuse_copy, refuse_unproven_move, stored_texts, text_key

    namespace = vault_namespace(vault.root, config)
    plan = SyncPlan(vault_id=namespace, registry=load_registry(col))
    plan.type_ids = registered_types(plan.registry.get(namespace))
    plan.vault_types = recorded_types(plan.registry.get(namespace))
    plan.card_types = recorded_card_types(plan.registry.get(namespace))
    refuse_same_name(plan.registry.get(namespace), vault.root, namespace)
    if namespace not in plan.registry:  # never synced here: a renamed folder shows in this machine's build states
        from .build import default_state_path  # (tester 12-03 round 2: build stopped, sync and ids went on)
        from .build_renamed import renamed_vault_problem
        from .collection import CollectionError

        renamed = renamed_vault_problem(vault.root, config, vault.cards, default_state_path(vault.root))
        if renamed:
            raise CollectionError(renamed)
    diags = plan.diagnostics
    mine = _registered(plan.registry.get(namespace))
    others = {nid: vid for vid, entry in plan.registry.items() if vid != namespace for nid in _registered(entry)}
    notes = {nid: (guid, mid) for nid, guid, mid in col.db.all("select id, guid, mid from notes")}
    by_guid = {g: nid for nid, (g, _) in notes.items()}
    # notes a package of this vault put there (built on this machine, imported), no sync recorded: this vault's too
    copies = {guid_of(c.id) for c in vault.cards if c.id is not None and c.id in notes}  # (a plugin note's card)
    carried: set[int] = set()  # notes whose card had an ID line when last built (or `ids` wrote it since)
    owned = {**built_notes(vault.root, by_guid, mine.keys() | others.keys(), copies, config, carried), **mine}
    recorded_guids = registered_guids(plan.registry.get(namespace))
    gone = {guid: nid for nid, guid in recorded_guids.items() if nid in mine and nid not in notes}
    if not any(nid in notes for nid in mine):  # none of the vault's notes left (a deck deleted to start over, a
        gone = {}  # new profile): every card is added again, as plugin IDs are (tester 12-03)
    plan.note_guids = {nid: guid for nid, (guid, _) in notes.items()}
    plan.note_guids.update((nid, guid) for guid, nid in gone.items())  # (kept while a card still names it)
    kept = [c for c in vault.cards if not c.delete]
    types = note_type_fields(config.note_types)

    def text_of(card: Card) -> tuple:  # a card's fields as synced, for content evidence
        return text_key(_field_html(card.html.get(f, ""), config) for f in types.get(card.note_type, ()))

    refuse_new_identity(plan.registry, vault.root, namespace, [c for c in kept if c.id is None], by_guid,
                        lambda nids: stored_texts(col, {n for n in nids if n in notes}), text_of)

    refuse_unproven_move(plan.registry.get(namespace), mine, vault.root, namespace, kept, notes,
                         lambda nids: stored_texts(col, nids), text_of, set(vault.files))
    ids = card_ids(kept, namespace)
    identified = assign_identities(kept, diags, namespace, ids=ids)
    legacy = legacy_ids(kept)
    index = MediaIndex(vault.root, vault.files)  # the names the renderer gave the files in the HTML
    plan.names = {p: index.name(p) for c, _ in identified for p in c.media if index.problem(p) is None}
    reused = plan_media(Path(media_dir or col.media.dir()), plan, vault.root)  # name in the HTML -> name of the same file in Anki
    deck_names = {d.id: d.name for d in col.decks.all_names_and_ids()}
    deck_ids: dict[str, int | None] = {}
    claimed: dict[int, Card] = {}

    own_ids = frozenset({type_id_for(t, config.note_types) for t in types}
                        | {mid for entry in plan.registry.values() for mid in registered_types(entry).values()})
    rules = TypeRules(types, config.note_types, plan.type_ids, own_ids, plan.vault_types, retype,
                      card_types=plan.card_types)

    keep = plugin_tags_kept(config)

    def compare(change: Change) -> None:
        _compare(col, change, deck_names, deck_ids, diags, rules, keep)

    def find(card: Card, card_guid: str) -> int:
        if card.id is not None and card.id in notes:
            return card.id
        nid = by_guid.get(card_guid, 0)
        if not nid and card.key in legacy:
            nid = by_guid.get(guid_of(legacy[card.key]), 0)
        if not nid:  # its file renamed only in Unicode normalisation: the note this vault synced
            nid = next((by_guid[g] for g in other_form_guids(card, namespace, ids.get(card.key))
                        if by_guid.get(g) in owned), 0)
        return nid

    moved_vaults: dict[str, int] = {}  # another vault whose folder is gone → cards here naming its notes
    copied: dict[str, int] = {}  # another vault whose folder holds the ID lines of cards here → how many

    elsewhere = OtherVaults(plan.registry, namespace)

    def owned_elsewhere(card: Card, nid: int) -> bool:
        if nid in others and nid not in mine:
            if folder_gone(plan.registry.get(others[nid])):
                moved_vaults[others[nid]] = moved_vaults.get(others[nid], 0) + 1
                return True
            if card.id is not None and elsewhere.holding(nid, notes[nid][0]) is None:
                plan.taken[nid] = others[nid]  # its note moved here (ID line and all): this vault's now
                return False
            if card.id is not None:
                copied[others[nid]] = copied.get(others[nid], 0) + 1
            diags.append(Diagnostic(card.file, card.line, "error",
                                    f"this card matches the note nid:{nid}, which vault {others[nid]!r} "
                                    "synced; card skipped (give one of the two cards another ID, or this "
                                    "vault its own `vault_id` under [sync] in .notes2anki.toml)"))
            return True
        return False

    def skip(card: Card, nid: int = 0) -> None:
        """``card`` is skipped (an error or a warning at it says why): counted as not synced; its note, when
        this vault's, stays this vault's (neither deleted nor dropped from the registry)."""
        plan.skipped.append(Change(card, "", nid=nid, left=True))
        if nid in owned:
            plan.held.setdefault(nid, card.where)

    chosen = {c.key for c, _ in identified}
    for card in kept:  # an ID given twice: the second card is skipped (assign_identities says so)
        if card.key not in chosen:
            plan.skipped.append(Change(card, "", nid=find(card, guid_of(ids[card.key])), left=True))
    missing = MissingPluginNotes(kept, notes)
    # the notes an ID line names: a card without one takes such a note by its implicit GUID (front and place,
    # which may be the GUID that note was made under before its ID line was written) only with its text
    # (tester 12-03 r17: `A, X, B` -> `A, X#nid, B` made B take X's note and skipped it, and B's own note
    # was deleted)
    named: dict[int, list[Card]] = {}  # note -> the cards whose ID line names it (two: a duplicate ID, both
    for card in kept:  # skipped above, still name it)
        if card.id is not None:
            named.setdefault(find(card, guid_of(ids[card.key])), []).append(card)
    named.pop(0, None)
    left_as_is = {nid for nid in (i if i in notes else by_guid.get(guid_of(i), 0) for i in vault.shared_ids) if nid}
    owner_alike: dict[int, bool] = {}  # named note -> a card of its ID line holds its text (or clearly alike)

    def card_fields(card: Card) -> dict[str, str]:
        return {f: _field_html(card.html.get(f, ""), config) for f in types[card.note_type]}

    def held_by_line(nid: int) -> bool:  # the ID line's card is that note's card: a card without one takes it not
        if nid not in owner_alike:
            owner_alike[nid] = any(_alike_note(col, Change(c, "", fields=card_fields(c)), nid) for c in named[nid])
        return owner_alike[nid]

    # a note named by an ID line on a card that does not hold its text, while a card without an ID line does
    # (the ID copied onto another card by mistake, above the right one): the card holding the text keeps it
    text_owner: dict[int, Card] = {}
    unlined: dict[tuple, list[Card]] = {}  # (file, note type, front) -> its cards without an ID line
    for card, card_guid in identified:
        if card.id is None and named:
            unlined.setdefault((card.file, card.note_type, card.front), []).append(card)
    for nid, owners in named.items():
        if not any(owner.id is not None and (owner.file, owner.note_type, owner.front) in unlined for owner in owners) \
                or held_by_line(nid):
            continue
        for owner in owners:
            for card in unlined.get((owner.file, owner.note_type, owner.front), ()):
                if nid not in text_owner and card not in text_owner.values() \
                        and _alike_note(col, Change(card, "", fields=card_fields(card)), nid):
                    text_owner[nid] = card
    owned_by_text = {card.key: nid for nid, card in text_owner.items()}
    taken_guids: set[str] = set()
    for card, card_guid in identified:
        change = Change(card, card_guid, fields={f: _field_html(card.html.get(f, ""), config)
                                                 for f in types[card.note_type]}, tags=list(card.tags))
        if reused and card.media:
            change.fields = rename_media(change.fields, reused)
        nid = owned_by_text.get(card.key) or find(card, card_guid)
        if card.key in owned_by_text:
            pass  # the card holding the text of a note an ID line on another card names: it keeps that note
        elif card.id is None and nid in left_as_is:  # an ID two cards carry: its note is left as it is
            nid, change.guid = 0, _free_guid(card, namespace, taken_guids, by_guid, identified)
        elif card.id is None and nid and (nid in named or nid in carried) and (
                not _alike_note(col, change, nid) or (nid in named and held_by_line(nid))):
            # a note an ID line names, or one whose card carried an ID line (built with it, or `ids` wrote it):
            # a card without the line takes it only by its text (equal or alike), not by its place; and not
            # even so from the card of that ID line holding its text (a copy pasted above it: tester 12-03 r18)
            nid, change.guid = 0, _free_guid(card, namespace, taken_guids, by_guid, identified)
        if card.id is not None and nid in text_owner and text_owner[nid] is not card:
            diags.append(Diagnostic(card.file, card.line, "error", (
                f"this card's ID line names the note nid:{nid}, which holds the text of the card at "
                f"{text_owner[nid].where} (no ID line): that card keeps the note; this card skipped (give it "
                "its own ID line, or none, to add it as a new note)")))
            skip(card)
            continue
        if nid and owned_elsewhere(card, nid):
            skip(card, nid)
            continue
        if nid in claimed:
            twin = claimed[nid].file != card.file and \
                unicodedata.normalize("NFC", claimed[nid].file) == unicodedata.normalize("NFC", card.file)
            diags.append(Diagnostic(card.file, card.line, "error",
                                    f"the note nid:{nid} is already synced from the card at "
                                    f"{claimed[nid].where}" + (" (another file of this name, written in the other "
                                    "Unicode normal form: NFC / NFD; keep one of the two)" if twin else "")
                                    + "; this card skipped"))
            skip(card, nid)
            continue
        blocked = filtered_deck(col, card.deck, deck_ids)
        if blocked:
            diags.append(Diagnostic(card.file, card.line, "error", (
                f"deck {card.deck!r} is a filtered deck in Anki: cards cannot be put there" if blocked == card.deck
                else f"deck {card.deck!r}: {blocked!r} is a filtered deck in Anki, which cannot hold decks")
                + "; card skipped (rename the filtered deck in Anki, or give the card another deck)"))
            if nid:
                claimed[nid] = card  # its note stays as it is, not deleted
            skip(card, nid)
            continue
        if not nid:
            deleted = None if recreate_missing else missing.deleted_in_anki(card, gone)
            if deleted is not None:
                skip(card)
                if deleted:  # still this vault's (kept in the registry): said again until settled
                    plan.held[deleted] = card.where
                continue
            change.kinds.append("new")
            plan.changes.append(change)
            continue
        claimed[nid] = card
        change.nid = nid
        compare(change)
        plan.changes.append(change)
    pool = {n: w for n, w in owned.items() if n in notes and n not in left_as_is}  # (no card takes those by text)
    id_lines = registered_id_lines(plan.registry.get(namespace))  # the notes last synced from a card with one
    diags += rematch_shifted(col, plan.changes, pool, claimed, compare,
                             files=frozenset(n.path for n in vault.notes), namespace=namespace, types=plan.card_types,
                             held=still_held(col, vault, config, pool, id_lines),
                             written_since=lambda nid: nid in owned and nid not in id_lines)

    missing.report(diags)
    plan.missing = [c.where for c in missing.cards]  # (build --collection says them too: adopt.py)
    if moved_vaults:
        refuse_renamed(moved_vaults, plan.registry, vault.root, namespace)
    if namespace not in plan.registry:  # a copy of a vault only ever built and imported (tester 12-03 r3)
        from .build import default_state_path
        from .build_renamed import copied_vault_problem
        from .collection import CollectionError

        copy = copied_vault_problem(vault.root, config, kept, default_state_path(vault.root), by_guid,
                                    lambda card, nid: text_of(card) in stored_texts(col, {nid}))
        if copy:
            raise CollectionError(copy)
    refuse_copy(copied, kept, plan.registry, vault.root, namespace, by_guid,
                own=sum(1 for nid in mine if nid in notes), named=bool(getattr(config.sync, "vault_id", None)),
                exact=lambda card, nid: text_of(card) in stored_texts(col, {nid}))
    plan_deletions(plan, vault, config, notes, by_guid, owned, others, claimed, namespace,
                   allow_mass_delete=allow_mass_delete, front_of=lambda nid: first_field_text(col, nid),
                   imported=frozenset(owned.keys() - mine.keys()), fields_of=lambda nid: note_fields(col, nid))
    hold_reviewed_copies(col, plan)  # a reviewed note whose exact card is still in the vault (on a copy)
    hold_reviewed_near_copies(col, plan)  # ... or a card with its front, other fields alike (an edited copy)
    warn_added_copies(plan)
    for d in plan.deletions:
        d.front = d.front or first_field_text(col, d.nid)
    return plan


def plugin_tags_kept(config: Config) -> frozenset[str]:
    """The tags (casefolded) a note keeps when it has them, beyond the vault's: the plugin's tag while no
    default tag is set. The plugin gives it to every note it adds and again at each of its syncs (its "Tag"
    setting, default ``Obsidian_to_Anki``); a vault without the plugin's data.json (the plugin uninstalled,
    ``.obsidian`` not synced) sets no default tag, and its adopted notes would lose it. Never added to a note;
    removed in Anki, it stays removed. A default tag set (data.json's Tag, ``default_tag``, ``--tag``) is
    the tags' say, as the plugin's own Tag setting replaces the tag."""
    return frozenset() if config.default_tag else frozenset({PLUGIN_TAG.casefold()})


def _compare(col, change: Change, deck_names: dict, deck_ids: dict, diags, rules: TypeRules,
             keep: frozenset[str] = frozenset()) -> None:
    """Fill ``change.kinds`` for an existing note: retyped / updated / moved. Whether its note type is
    changed, kept or the note left as it is, ``rules`` decides (sync_retype.py); the fields are then
    compared with what the note holds (after the change: the old fields of the same names). The note's
    tags in ``keep`` (:func:`plugin_tags_kept`) join ``change.tags``."""
    card = change.card
    note = col.get_note(change.nid)
    wanted = {t.casefold() for t in change.tags}
    change.tags += [t for t in note.tags if t.casefold() in keep and t.casefold() not in wanted]
    current = rules.decide(col, change, note, diags)
    change.left = current is None
    if current is None:  # left as it is: a warning or an error says why
        return
    missing = [f for f in change.fields if f not in current and change.fields[f]]
    if missing:
        diags.append(Diagnostic(card.file, card.line, "warning",
                                f"note nid:{change.nid} (note type {change.old_type!r}) has no "
                                f"{named('field', missing)}: that text is not synced"))
    change.changed_fields = [f for f, v in change.fields.items() if f in current and not same_text(current[f], v)]
    # Anki stores tags in NFC as it does field text: a tag typed in NFD (macOS) is the same tag
    have = {unicodedata.normalize("NFC", t).casefold() for t in note.tags if t.casefold() not in ANKI_TAGS}
    want = {unicodedata.normalize("NFC", t).casefold() for t in change.tags}
    if change.changed_fields or have != want:
        change.kinds.append("updated")
    homes = {odid or did for did, odid in col.db.all("select did, odid from cards where nid = ?", change.nid)}
    names = {deck_names.get(d, "") for d in homes}
    if card.deck not in deck_ids:  # Anki's own reading of the name (it normalises case, Unicode, spaces)
        deck_ids[card.deck] = col.decks.id_for_name(card.deck)
    if homes != {deck_ids[card.deck]}:
        change.old_deck = ", ".join(sorted(names))
        change.kinds.append("moved")


def same_text(stored: str, wanted: str) -> bool:
    """Whether a field Anki stored already holds ``wanted``: Anki saves field text in Unicode NFC (its
    default "normalize note text"), so a vault written in another form would otherwise look changed on
    every sync."""
    return stored == wanted or stored == unicodedata.normalize("NFC", wanted)


def _alike_note(col, change: Change, nid: int) -> bool:
    """Whether the note ``nid`` holds ``change``'s text, or text clearly alike (sync_rematch's measure)."""
    from .sync_rematch import SIMILAR, _similarity

    note = col.get_note(nid)
    fields = dict(zip(note.keys(), note.values()))
    if all(name in fields and same_text(fields[name], value) for name, value in change.fields.items()):
        return True
    return _similarity(change, fields) >= SIMILAR


def _free_guid(card, namespace: str, taken: set[str], by_guid: dict, identified: list) -> str:
    """A GUID for ``card`` (no ID line) that no note of the collection, no card of the vault and no GUID given
    before (``taken``, updated) has (:func:`~.identity.free_implicit_guid`; past its first 128 occurrences in
    a group that uses them all: `ids` then writes the note's id for it)."""
    from .identity import free_implicit_guid

    if not taken:
        taken.update(by_guid)
        taken.update(g for _, g in identified)
    return free_implicit_guid(card, namespace, taken) or free_implicit_guid(card, namespace, taken, 1 << 17) or ""


def note_fields(col, nid: int) -> list[str]:
    """A note's fields as Anki holds them (HTML); [] for a note that is not there."""
    try:
        return list(col.get_note(nid).fields)
    except Exception:  # (the anki package's NotFoundError: no common base to name)
        return []


def first_field_text(col, nid: int) -> str:
    """A note's first field as plain text (for listing notes that will be deleted)."""
    try:
        note = col.get_note(nid)
    except Exception:
        return ""
    return " ".join(re.sub(r"<[^>]+>", " ", note.fields[0] if note.fields else "").split())[:80]
