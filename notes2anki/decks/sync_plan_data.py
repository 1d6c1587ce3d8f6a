"""The data of a sync plan and the collection's registry of vaults, read by ``sync_plan.plan_sync``.

:class:`Change` (one card and the note it becomes or updates), :class:`Deletion` (a note sync deletes) and
:class:`SyncPlan` (all of them, with their counts and ``--json`` form); the registry: the collection's
config key :data:`REGISTRY_KEY`, each vault's notes and note types (see decks/sync_plan.py's module doc).
Moved unchanged from sync_plan.py (which re-exports them) when it outgrew its size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import Card, Diagnostic
from .build import _plain
from .sync_retype import Loss

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
    note_guids: dict[int, str] = field(default_factory=dict)  # nid -> GUID of this vault's notes (as recorded)
    missing: list[str] = field(default_factory=list)  # file:line of cards left out: their note deleted in Anki
    taken: dict[int, str] = field(default_factory=dict)  # notes moved here from another vault -> that vault
    vault_types: dict[int, str] = field(default_factory=dict)  # nid -> card note type the last sync recorded
    card_types: dict[int, str] = field(default_factory=dict)  # nid -> card note type at the last sync (any note)
    held_retypes: list[Change] = field(default_factory=list)  # retypes not confirmed (sync.py): left as they are
    skipped: list[Change] = field(default_factory=list)  # cards skipped for an error (or warning) at the card: not synced
    mass_held: list[Deletion] = field(default_factory=list)  # deletions the mass-deletion guard held (sync_guards)
    writes_ids: bool = False  # sync writes the cards' IDs after applying the plan (--write-ids, not a dry run)
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


MAX_OTHER_STATES = 256  # other vaults' build states read for the GUIDs their cards hold (newest first)


def built_notes(root: Path, by_guid: dict[str, int], recorded, skip_guids=frozenset(), config=None,
                written: set[int] | None = None) -> dict[int, str]:
    """The collection's notes that the vault at ``root`` put there by a package (``build``, then an import in
    Anki) and no sync recorded: their GUID is in the vault's build state on this machine
    (:func:`~notes2anki.decks.build.default_state_path`, read only; none when there is no usable state) for a card
    built without an ID line (its GUID is then the vault's own: a card moved, ID line and all, into another
    vault built but not rebuilt since, or not synced, would otherwise lose its note: tester 12-03 round 3;
    entries of states written before this was kept are not taken).
    ``by_guid``: the collection's GUID → nid; ``recorded``: the nids some vault's registry entry holds (left
    out: those are that vault's); ``skip_guids``: GUIDs left out too (a plugin ID's GUID whose card holds the
    plugin's note: a package's copy of it, not a note of its own). A GUID that another vault's build state
    (the :data:`MAX_OTHER_STATES` newest) gives a card still there is left out: an ID line's GUID does not
    depend on the vault, so a file moved with its ID lines into another vault, or a vault copied for a new
    term and pruned, would have this vault delete that vault's notes (tester 12-03 round 2). Returns nid →
    the card's last ``file:line`` in the state. `sync` counts them as this vault's own (tester 12-03: a card
    deleted between the last import and the first sync left its note in Anki, and only `build` named it).
    ``written`` (a set, filled when given): the collection's notes whose card the state records with an ID
    line (built with one, or `ids` wrote it since)."""
    from .build import default_state_path
    from .state import BuildState

    path = default_state_path(root)
    try:
        state = BuildState.load(path, [])
        if not state.cards:  # a renamed vault named by its old vault_id: the old folder's state
            from .build_renamed import inherited_state

            inherited = inherited_state(root, config, path) if config is not None else None
            state = BuildState.load(inherited, []) if inherited is not None else state
            path = inherited or path
    except (OSError, ValueError):
        return {}
    found: dict[int, str] = {}
    for card_guid, card in state.cards.items():
        nid = by_guid.get(card_guid)
        if nid and card.written and written is not None:
            written.add(nid)
        if nid and nid not in recorded and card_guid not in skip_guids and card.written is False:
            found[nid] = card.where  # (an ID line's GUID is its card's in any vault it is moved to: not taken)
    if found:
        held = _held_elsewhere(path, {guid for guid, card in state.cards.items() if by_guid.get(guid) in found},
                               _resolved(root))
        found = {nid: where for nid, where in found.items() if nid not in {by_guid[g] for g in held}}
    return found


def other_vault_folders(root: Path) -> list[Path]:
    """The folders of the other vaults this machine's build states name (the :data:`MAX_OTHER_STATES` newest)
    that are there now: where a card moved with its ID line out of this vault may be, though no sync recorded
    that vault and its state is older than the move (tester 12-03 round 5: two machines, `ids` on one)."""
    from .build import default_state_path
    from .state import BuildState

    here = _resolved(root)
    found: list[Path] = []
    for path in _other_states(default_state_path(root)) or ():
        try:
            folder = BuildState.load(path, []).root
            if folder and Path(folder).is_dir() and Path(folder).resolve() != here and Path(folder) not in found:
                found.append(Path(folder))
        except (OSError, ValueError, RuntimeError):
            continue
    return found


def _other_states(own: Path) -> list[Path] | None:
    """The other build states beside ``own``, the :data:`MAX_OTHER_STATES` newest first (no sync records);
    None when the folder cannot be listed."""
    try:
        return sorted((p for p in own.parent.glob("*.json") if p != own and not p.name.endswith(".ids.json")),
                      key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_OTHER_STATES]
    except (OSError, RuntimeError):
        return None


def _resolved(root: Path) -> Path | None:
    try:
        return Path(root).resolve()
    except (OSError, RuntimeError):
        return None


def _held_elsewhere(own: Path, guids: set[str], own_root: Path | None = None) -> set[str]:
    """Those of ``guids`` that another build state beside ``own`` holds for a card present at its last build,
    unless that state names its vault's folder and the folder is gone or is ``own_root`` (resolved): a vault
    moved leaves its old state behind (tester 12-03 round 4: the first sync after a move and a file rename
    added every renamed card again). A state written before it named its folder counts."""
    from .state import BuildState

    others = _other_states(own)
    if others is None:
        return set(guids)  # cannot tell: none of them taken as this vault's
    held: set[str] = set()
    for other in others:
        try:
            state = BuildState.load(other, [])
            if state.root and (not Path(state.root).is_dir() or Path(state.root) == own_root):
                continue  # that folder is gone (this vault moved, or renamed with vault_id): it holds nothing
        except (OSError, ValueError):
            continue
        held |= {g for g in guids if g in state.cards and not state.cards[g].removed}
    return held


def registered_guids(entry) -> dict[int, str]:
    """A registry entry's note GUIDs, ``nid -> GUID`` (entries written before they were kept have none;
    ill-formed items ignored): what tells, once a note is gone from the collection, which card's note it was."""
    guids = entry.get("guids") if isinstance(entry, dict) else None
    return {int(nid): guid for nid, guid in (guids.items() if isinstance(guids, dict) else ())
            if isinstance(nid, str) and nid.isascii() and nid.isdigit() and isinstance(guid, str)}


def registered_id_lines(entry) -> frozenset[int]:
    """A registry entry's ``id_lines``: the notes whose card carried an ``<!--ID: n-->`` line when last synced
    (entries written before they were kept have none; ill-formed items ignored). Such a note goes to no card
    without that line by its place alone (:func:`~.sync_gaps.keep_gaps`): the line travels with its card, so a
    card without it in the old card's place is another card."""
    nids = entry.get("id_lines") if isinstance(entry, dict) else None
    return frozenset(n for n in (nids if isinstance(nids, list) else ()) if isinstance(n, int) and not isinstance(n, bool))


def registered_types(entry) -> dict[str, int]:
    """A registry entry's note types, ``vault note type -> Anki note type id`` (ill-formed items ignored)."""
    types = entry.get("note_types") if isinstance(entry, dict) else None
    return {name: mid for name, mid in (types.items() if isinstance(types, dict) else ())
            if isinstance(name, str) and isinstance(mid, int) and not isinstance(mid, bool)}
