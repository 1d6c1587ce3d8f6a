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

Reading only: this module never changes the collection (the plan is applied by decks/sync.py).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..messages import named
from ..model import Card, Diagnostic, Vault, note_type_fields
from ..parsers.media import MediaIndex
from .build import _field_html, _plain
from .identity import other_form_guids, assign_identities, card_ids, guid_of, legacy_ids, vault_namespace
from .notetypes import type_id_for
from .sync_media import plan_media, rename_media
from .sync_retype import Loss, TypeRules, recorded_card_types, recorded_types

REGISTRY_KEY = "notes2anki:vaults"
ANKI_TAGS = {"marked", "leech"}  # tags Anki itself sets: kept on a note when the vault's tags are applied
PLUGIN_TAG = "Obsidian_to_Anki"  # the tag the plugin gives every note it adds (its "Tag" setting's default)


@dataclass
class Change:
    """One card of the vault and the note it becomes or updates."""

    card: Card
    guid: str
    nid: int = 0  # 0: a new note
    kinds: list[str] = field(default_factory=list)  # "new" | "updated" | "moved" | "retyped"
    fields: dict[str, str] = field(default_factory=dict)  # field name -> HTML the note should have
    changed_fields: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # tags the note should have
    old_deck: str = ""
    old_type: str = ""
    field_map: list[int] = field(default_factory=list)  # retype: new field i <- old field (-1: none)
    loss: Loss | None = None  # retype (planned or held): the cards and field text it removes
    kept_type: str = ""  # the note keeps this type, chosen in Anki (not the card's; sync_retype.py)
    kept_first: bool = False  # ... and no sync kept it before (it is listed)
    missing: list[str] = field(default_factory=list)  # ... fields of the card's type it lacks: left as it is
    record: str = ""  # the card's note type, recorded for a note left in a type notes2anki did not make
    keep_card_type: bool = False  # a type change asked and not made: the card type the last sync recorded stays
    left: bool = False  # the note is left as it is (nothing synced): an error or a warning at the card says why

    @property
    def where(self) -> str:
        """``file:line`` of the card (its START line, or the line of an inline card or regex match)."""
        return self.card.where


@dataclass
class Deletion:
    """A note of this vault that sync deletes from Anki: its note id, the card's last place, its front
    (plain text, for the listing) and why ("DELETE": marked in the vault; "removed": no longer there)."""

    nid: int
    where: str  # file:line of the card when last synced (or of the DELETE-marked card)
    front: str
    reason: str  # "DELETE" | "removed"


@dataclass
class SyncPlan:
    """Everything a sync would do, computed before anything is written: one :class:`Change` per card of
    the vault (its ``kinds`` empty when the note is already up to date), the :class:`Deletion` list, the
    media to add (name in Anki → vault file) and the problems found while planning. ``vault_id``: the
    key of this vault in the collection's registry of synced notes."""

    vault_id: str
    changes: list[Change] = field(default_factory=list)  # one per card synced (unchanged ones too)
    deletions: list[Deletion] = field(default_factory=list)
    media: dict[str, Path] = field(default_factory=dict)  # name in Anki -> vault file, to add
    names: dict[str, str] = field(default_factory=dict)  # vault media path -> name in Anki
    registry: dict = field(default_factory=dict)  # the collection's registry as read
    type_ids: dict[str, int] = field(default_factory=dict)  # vault note type -> the Anki note type id it syncs to
    held: dict[int, str] = field(default_factory=dict)  # notes of this vault kept though no card claimed them
    taken: dict[int, str] = field(default_factory=dict)  # notes moved here from another vault -> that vault
    vault_types: dict[int, str] = field(default_factory=dict)  # nid -> card note type the last sync recorded
    card_types: dict[int, str] = field(default_factory=dict)  # nid -> card note type at the last sync (any note)
    held_retypes: list[Change] = field(default_factory=list)  # retypes not confirmed (sync.py): left as they are
    skipped: list[Change] = field(default_factory=list)  # cards skipped for an error (or warning) at the card: not synced
    mass_held: list[Deletion] = field(default_factory=list)  # deletions the mass-deletion guard held (sync_guards)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Change]:
        """The changes of one kind ("new", "updated", "moved", "retyped"), in card order."""
        return [c for c in self.changes if kind in c.kinds]

    def counts(self) -> dict[str, int]:
        """The summary's numbers, each card counted once: under the first of its kinds in the order new,
        retyped, moved, updated (a retyped note whose fields change too is counted as retyped), or as
        unchanged, not synced (:attr:`not_synced`, the cards skipped included), or not retyped (a note type
        change not confirmed, :attr:`held_retypes`: the note is left as it is); ``"cards"``: all of them,
        the sum of the others."""
        counts = dict.fromkeys(("new", "updated", "moved", "retyped"), 0)
        for change in self.changes:
            first = next((k for k in ("new", "retyped", "moved", "updated") if k in change.kinds), None)
            if first:
                counts[first] += 1
        return {"cards": len(self.changes) + len(self.skipped), **counts, "unchanged": self.unchanged,
                "not_synced": len(self.not_synced), "not_retyped": len(self.held_retypes)}

    @property
    def lossy(self) -> list[Change]:
        """The note type changes that remove reviewed cards or field text: confirmed as deletions are."""
        return [c for c in self.of_kind("retyped") if c.loss and c.loss.at_stake]

    @property
    def kept(self) -> list[Change]:
        """Notes that keep a type chosen in Anki: kept for the first time, or left as they are (``missing``)."""
        return [c for c in self.changes if c.kept_type and (c.kept_first or c.missing)]

    @property
    def unchanged(self) -> int:
        """How many cards need no change (their note is already as the vault says; not those whose note type
        change was held, :attr:`held_retypes`)."""
        held = {c.card.key for c in self.held_retypes}
        return sum(1 for c in self.changes if not c.kinds and not c.left and c.card.key not in held)

    @property
    def not_synced(self) -> list[Change]:
        """The cards whose note is left as it is because of an error or a warning at the card (a note type
        change no field maps, a type chosen in Anki that lacks a field), and the cards the plan skipped for an
        error or a warning at the card (:attr:`skipped`: a filtered deck, a note another vault synced or
        another card syncs to, an ID given twice, a plugin note deleted in Anki): neither synced nor
        unchanged. In file order."""
        left = [c for c in self.changes if c.left and not c.kinds] + self.skipped
        return sorted(left, key=lambda c: (c.card.file, c.card.line))

    @property
    def is_empty(self) -> bool:
        """True when applying the plan would change nothing: no change, deletion or media to add."""
        return not self.deletions and not self.media and all(not c.kinds for c in self.changes)

    def to_json(self) -> dict:
        """The plan for scripts: lists of {file, line, nid, front, ...} per kind (nid 0: not yet made)."""
        def item(c: Change, **extra) -> dict:
            return {"file": c.card.file, "line": c.card.line, "nid": c.nid,
                    "front": _plain(c.card.front)[:80], **extra}
        held = {c.card.key for c in self.held_retypes}
        return {
            "vault_id": self.vault_id,
            "new": [item(c, deck=c.card.deck) for c in self.of_kind("new")],
            "updated": [item(c, fields=c.changed_fields) for c in self.of_kind("updated")],
            "moved": [item(c, **{"from": c.old_deck, "to": c.card.deck}) for c in self.of_kind("moved")],
            "retyped": [item(c, **{"from": c.old_type, "to": c.card.note_type, "removes": c.loss.to_json()})
                        for c in self.changes if c.card.key in held or "retyped" in c.kinds],
            "kept_type": [item(c, type=c.kept_type, card_type=c.card.note_type, missing=c.missing) for c in self.kept],
            "deleted": [_deletion_item(d) for d in self.deletions],
            "held_deletions": [_deletion_item(d) for d in self.mass_held],
            "unchanged": self.unchanged,
            "not_synced": [item(c) for c in self.not_synced],
            "media": sorted(self.media),
            "counts": self.counts(),
        }


def _deletion_item(d: Deletion) -> dict:
    """A deletion for ``--json``: ``{"file", "line", "nid", "front", "reason"}``."""
    return {"file": d.where.rpartition(":")[0], "line": int(d.where.rpartition(":")[2] or 0),
            "nid": d.nid, "front": d.front, "reason": d.reason}


def load_registry(col) -> dict:
    """The collection's record of which vault made or adopted which notes (see the module doc)."""
    value = col.get_config(REGISTRY_KEY, {})
    return value if isinstance(value, dict) else {}


def _registered(entry) -> dict[int, str]:
    """A registry entry's notes, ``nid -> file:line``; entries that are not what sync writes are ignored
    (the config is the user's too: a hand edit must not stop a sync)."""
    notes = entry.get("notes") if isinstance(entry, dict) else None
    out: dict[int, str] = {}
    for nid, where in (notes.items() if isinstance(notes, dict) else ()):
        if isinstance(nid, str) and nid.isascii() and nid.isdigit() and isinstance(where, str):
            out[int(nid)] = where
    return out


def registered_types(entry) -> dict[str, int]:
    """A registry entry's note types, ``vault note type -> Anki note type id`` (ill-formed items ignored)."""
    types = entry.get("note_types") if isinstance(entry, dict) else None
    return {name: mid for name, mid in (types.items() if isinstance(types, dict) else ())
            if isinstance(name, str) and isinstance(mid, int) and not isinstance(mid, bool)}


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

    namespace = vault_namespace(vault.root, config)
    plan = SyncPlan(vault_id=namespace, registry=load_registry(col))
    plan.type_ids = registered_types(plan.registry.get(namespace))
    plan.vault_types = recorded_types(plan.registry.get(namespace))
    plan.card_types = recorded_card_types(plan.registry.get(namespace))
    refuse_same_name(plan.registry.get(namespace), vault.root, namespace)
    diags = plan.diagnostics
    mine = _registered(plan.registry.get(namespace))
    others = {nid: vid for vid, entry in plan.registry.items() if vid != namespace for nid in _registered(entry)}
    notes = {nid: (guid, mid) for nid, guid, mid in col.db.all("select id, guid, mid from notes")}
    by_guid = {g: nid for nid, (g, _) in notes.items()}
    kept = [c for c in vault.cards if not c.delete]
    refuse_new_identity(plan.registry, vault.root, namespace, [c for c in kept if c.id is None], by_guid)
    ids = card_ids(kept, namespace)
    identified = assign_identities(kept, diags, namespace, ids=ids)
    legacy = legacy_ids(kept)
    types = note_type_fields(config.note_types)
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
            nid = next((by_guid[g] for g in other_form_guids(card, namespace) if by_guid.get(g) in mine), 0)
        return nid

    moved_vaults: dict[str, int] = {}  # another vault whose folder is gone → cards here naming its notes

    elsewhere = OtherVaults(plan.registry, namespace)

    def owned_elsewhere(card: Card, nid: int) -> bool:
        if nid in others and nid not in mine:
            if folder_gone(plan.registry.get(others[nid])):
                moved_vaults[others[nid]] = moved_vaults.get(others[nid], 0) + 1
                return True
            if card.id is not None and elsewhere.holding(nid, notes[nid][0]) is None:
                plan.taken[nid] = others[nid]  # its note moved here (ID line and all): this vault's now
                return False
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
        if nid in mine:
            plan.held.setdefault(nid, card.where)

    chosen = {c.key for c, _ in identified}
    for card in kept:  # an ID given twice: the second card is skipped (assign_identities says so)
        if card.key not in chosen:
            plan.skipped.append(Change(card, "", nid=find(card, guid_of(ids[card.key])), left=True))
    missing = MissingPluginNotes(kept, notes)
    for card, card_guid in identified:
        change = Change(card, card_guid, fields={f: _field_html(card.html.get(f, ""), config)
                                                 for f in types[card.note_type]}, tags=list(card.tags))
        if reused and card.media:
            change.fields = rename_media(change.fields, reused)
        nid = find(card, card_guid)
        if nid and owned_elsewhere(card, nid):
            skip(card, nid)
            continue
        if nid in claimed:
            diags.append(Diagnostic(card.file, card.line, "error",
                                    f"the note nid:{nid} is already synced from the card at "
                                    f"{claimed[nid].where}; this card skipped"))
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
            if not recreate_missing and missing.deleted_in_anki(card):
                skip(card)
                continue
            change.kinds.append("new")
            plan.changes.append(change)
            continue
        claimed[nid] = card
        change.nid = nid
        compare(change)
        plan.changes.append(change)
    rematch_shifted(col, plan.changes, {n: w for n, w in mine.items() if n in notes}, claimed, compare,
                    files=frozenset(n.path for n in vault.notes), namespace=namespace, types=plan.card_types)

    missing.report(diags)
    if moved_vaults:
        refuse_renamed(moved_vaults, plan.registry, vault.root, namespace)
    plan_deletions(plan, vault, config, notes, by_guid, mine, others, claimed, namespace,
                   allow_mass_delete=allow_mass_delete)
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


def first_field_text(col, nid: int) -> str:
    """A note's first field as plain text (for listing notes that will be deleted)."""
    try:
        note = col.get_note(nid)
    except Exception:
        return ""
    return " ".join(re.sub(r"<[^>]+>", " ", note.fields[0] if note.fields else "").split())[:80]
