"""From a parsed Vault to an .apkg: identities, change times, media names, packaging."""
from __future__ import annotations

import hashlib
import json
import time
from json.encoder import encode_basestring as _encode_string
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config
from ..model import Card, Diagnostic, Vault, note_type_fields
from ..parsers.media import MediaIndex
from ..paths import state_dir, vault_key
from . import build_memo, build_warnings
from .build_synced import replayed_pairs, synced_copies
from .build_gone import REMOVED_LISTED_S, GoneCard, adopted_guids, marked_delete, renamed_guids, rest_of, settle_gone
from .identity import (assign_identities, card_ids, guid, guid_of, legacy_ids, remember_guids,
                       vault_namespace)
from .package import MediaFile, PackageContent, PackagedNote, write_apkg
from .same_front import known_group_ids
from .state import BuildState, CardState

NID_STEP = 100  # note ids are spaced so a note's card ids (nid + ord) never meet the next note's


@dataclass
class Adopted:
    """An existing collection note a card updates (``build --collection``): the package carries its
    GUID, note id and note type so a plain import updates it instead of adding a copy."""

    guid: str
    nid: int
    min_mod: int = 0  # the package's modification time must exceed this for Anki to take the update
    model: object = None  # genanki.Model of the note's own note type, or None: notes2anki's
    fields: list[str] | None = None  # the note's fields in ``model``'s order (None: notes2anki's order)
    tags: list[str] | None = None  # the tags the note gets (sync's: the card's and those it keeps); None: the card's
    deck: str = ""  # the note's deck in Anki, when not the card's (an import does not move it)
    kept_type: str = ""  # the note's type in Anki, when not the card's and sync keeps it (chosen in Anki)
    missing: list[str] = field(default_factory=list)  # ... the fields of the card's type that type lacks


@dataclass
class BuildReport:
    """What one :func:`build_package` did: the ``.apkg`` written, the cards packaged, notes per deck, the
    number of distinct media files, new / changed / unchanged counts against the build state, the cards
    Anki still has that the vault no longer builds (``gone``), and the diagnostics of the build.
    """

    output: Path
    cards: list[Card] = field(default_factory=list)  # packaged cards
    decks: Counter = field(default_factory=Counter)  # deck -> notes
    media: int = 0
    new: int = 0
    adopted: int = 0  # cards first packaged for a note the collection has (build --collection): not new to Anki
    changed: int = 0  # cards whose content (fields, note type, deck) changed
    tags_changed: int = 0  # cards whose tags alone changed (also get a newer time: tags are part of the note)
    unchanged: int = 0
    gone: list[GoneCard] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def content_hash(card: Card, fields: list[str], tags: list[str] | None = None, media: list[str] = ()) -> str:
    """Hash of what the card shows: note type, rendered fields, deck, and the bytes of the media files it
    embeds (``media``: their digests; an image edited under the same name changes the card, so Anki
    imports the note again and keeps the new picture) (``tags`` given: the hash of a state file written
    before tags had their own hash, which mixed them in)."""
    data = [card.note_type, fields, card.deck] if tags is None else \
        [card.note_type, fields + tags, sorted(card.tags), card.deck]
    if media and tags is None:
        data.append(list(media))
    return hashlib.sha256(_json(data).encode("utf-8")).hexdigest()[:20]


def tags_hash(tags: list[str]) -> str:
    """Hash of a card's tags, in any order."""
    return hashlib.sha256(_json(sorted(tags)).encode("utf-8")).hexdigest()[:20]


def _json(data: list) -> str:
    """``json.dumps(data, ensure_ascii=False)`` of a list of strings and lists of strings, the same text made
    with json's own string encoder alone (10,000 cards: 0.25 s -> 0.05 s); anything else goes to json.dumps."""
    parts = []
    for item in data:
        if type(item) is str:
            parts.append(_encode_string(item))
        elif type(item) is list and all(type(x) is str for x in item):
            parts.append("[" + ", ".join(map(_encode_string, item)) + "]")
        else:
            return json.dumps(data, ensure_ascii=False)
    return "[" + ", ".join(parts) + "]"


def build_package(vault: Vault, config: Config, output: Path, state_path: Path | None = None,
                  now: float | None = None, extra_tags: dict[tuple[str, int, int], list[str]] | None = None,
                  adopt=None) -> BuildReport:
    """Package every card of the vault. ``extra_tags`` maps ``Card.key`` → tags to add (e.g. topics).

    ``adopt``: None, or ``adopt(card, card_guid, fields_by_name) -> Adopted | None`` naming the
    existing collection note the card updates (``build --collection``, see decks/sync_plan.py).
    :func:`plan_package` then :func:`write_package` (``background.package_alongside`` runs the second
    in a forked process while the duplicate check runs)."""
    return write_package(plan_package(vault, config, output, state_path, now, extra_tags, adopt))


@dataclass
class PackagePlan:
    """A build up to packaging (:func:`plan_package`). ``replayed``: nothing changed since the last build
    (:mod:`.build_memo`): the report is complete and :func:`write_package` writes nothing. Else
    :func:`identify` (called by :func:`write_package` when not yet done) reads the state and assigns every
    card's identity, so ``report.cards`` lists the cards the package holds: the ``kept`` cards (not marked
    DELETE) less those whose ID another card has."""

    report: BuildReport
    replayed: bool
    vault: Vault
    config: Config
    extra_tags: dict | None = None
    adopt: object = None
    memo: Path | None = None
    inputs: str = ""
    state_file: Path | None = None
    now_s: int = 0
    kept: list = field(default_factory=list)  # the cards not marked DELETE, in vault order
    identified: list | None = None  # (card, GUID) in vault order, once identify() ran
    state: BuildState | None = None
    namespace: str = ""
    ids: dict = field(default_factory=dict)  # Card.key -> ID
    identity_diags: list = field(default_factory=list)


def plan_package(vault: Vault, config: Config, output: Path, state_path: Path | None = None,
                 now: float | None = None, extra_tags: dict[tuple[str, int, int], list[str]] | None = None,
                 adopt=None) -> PackagePlan:
    """The first part of :func:`build_package` (same arguments): the stored build when nothing changed
    (``replayed``), else what :func:`identify` and :func:`write_package` need. Writes nothing."""
    report = BuildReport(output=Path(output))
    state_file = Path(state_path or default_state_path(vault.root))
    memo = build_memo.memo_path(state_file, output) if adopt is None else None
    inputs = build_memo.inputs_digest(vault, config, output, extra_tags) if memo is not None else ""
    stored = build_memo.load(memo, inputs, state_file, output) if memo is not None else None
    if stored is not None:
        _replay(report, vault, stored, now)
        pairs = replayed_pairs(BuildState.load(state_file, []), report.cards)
        report.diagnostics.extend(filter(None, [synced_copies(vault.root, pairs)]))
        return PackagePlan(report, True, vault, config)
    now_s = int(now if now is not None else time.time())
    return PackagePlan(report, False, vault, config, extra_tags, adopt, memo, inputs, state_file, now_s,
                       [c for c in vault.cards if not c.delete])


def identify(plan: PackagePlan) -> PackagePlan:
    """Read the build state and assign every kept card its identity (duplicate IDs reported and dropped):
    ``plan.report.cards`` then lists the cards the package holds. Once per plan; returns ``plan``."""
    if plan.replayed or plan.identified is not None:
        return plan
    report, vault, config, kept = plan.report, plan.vault, plan.config, plan.kept
    diags = report.diagnostics
    if plan.memo is not None:
        remember_guids(build_memo.last_guids(plan.memo))
    state = BuildState.load(plan.state_file, diags)
    if not state.cards and not state.foreign:  # a renamed vault named by its old vault_id: its old state
        from .build_renamed import inherited_state

        inherited = inherited_state(vault.root, config, plan.state_file)
        if inherited is not None:
            state = replace(BuildState.load(inherited, diags), path=Path(plan.state_file), foreign=False)
    namespace = vault_namespace(vault.root, config)
    report.gone.extend(marked_delete(vault.cards, state, namespace))
    known = frozenset(state.cards)  # GUIDs of earlier builds: pre-namespace implicit IDs stay
    before = len(diags)
    ids = card_ids(kept, namespace, known)  # same-front cards the state knows: told apart by their text
    from .still_there import left_out_text

    left_out = left_out_text(vault, config)  # a card moved into an ignored folder without an ID line
    ids, by_text = known_group_ids(kept, ids, state.cards, namespace,
                                   _hasher(config, lambda: MediaIndex(vault.root, vault.files)), diags, left_out)
    plan.identified = assign_identities(kept, diags, namespace, known, ids, by_text)
    report.cards = [card for card, _ in plan.identified]
    plan.state, plan.namespace, plan.ids, plan.identity_diags = state, namespace, ids, diags[before:]
    return plan


def write_package(plan: PackagePlan) -> BuildReport:
    """The second half of :func:`build_package`: change times against the build state, the package written
    (``write_apkg``: left untouched when byte-identical), the state saved, the build memo stored. Returns
    ``plan.report`` completed. Raises ``OSError`` when the package cannot be written."""
    if plan.replayed:
        return plan.report
    identify(plan)
    report, vault, config, state, extra_tags, adopt = (plan.report, plan.vault, plan.config, plan.state,
                                                       plan.extra_tags, plan.adopt)
    from .notetypes import models_for  # (genanki: imported only to write a package)

    diags, now_s, ids, identified = report.diagnostics, plan.now_s, plan.ids, plan.identified
    index = MediaIndex(vault.root, vault.files)
    media = _media_files(identified, index)
    types = note_type_fields(config.note_types)
    models = models_for({c.note_type: types[c.note_type] for c, _ in identified}, config.note_types)

    content = PackageContent(root=vault.root)
    next_nid = max([now_s * 1000] + [s.nid + NID_STEP for s in state.cards.values()])
    new_state: dict[str, CardState] = {}
    moved: list[tuple[str, bool, bool]] = []  # cards whose deck or note type changed since the last build
    in_anki: tuple[list, list] = ([], [])  # --collection: cards whose note Anki has in another deck, note type
    earlier = {} if adopt else adopted_guids(state)
    kept_guids: list[str] = []  # cards packaged under the GUID `build --collection` adopted for them
    still = []

    def still_there():
        if not still:
            from .still_there import StillThere

            still.append(StillThere(vault, config))
        return still[0]

    # (--collection too: a card whose file was renamed has no note in Anki under its new implicit GUID, and a
    # collection that `build` + import filled has no sync record to find it by; tester r9)
    renamed = renamed_guids(state, identified, ids, earlier, report.gone, still_there, _plain,
                            getattr(adopt, "matched", {}) if adopt else {}, _hasher(config, lambda: index))
    followed: list[tuple[str, str]] = []  # (card, where its earlier card was built): renamed or moved
    for card, card_guid in identified:
        fields = [_field_html(card.html.get(f, ""), config) for f in types[card.note_type]]
        adopted = adopt(card, card_guid, dict(zip(types[card.note_type], fields))) if adopt else None
        tags = (card.tags if adopted is None or adopted.tags is None else adopted.tags) \
            + (extra_tags or {}).get(card.key, [])
        if adopted is not None:
            card_guid, fields = adopted.guid, adopted.fields if adopted.fields is not None else fields
        elif card_guid not in state.cards and ids.get(card.key) in earlier:
            card_guid = earlier[ids[card.key]]  # packaged with its Anki note's GUID by `build --collection`
            kept_guids.append(card.where)
        elif card.key in renamed:  # its file renamed, or the card moved: the note the earlier card built
            card_guid = renamed[card.key]
            followed.append((card.where, state.cards[card_guid].where))
            anki_deck = adopt.deck_of(card_guid, card.deck) if hasattr(adopt, "deck_of") else ""
            if anki_deck and state.cards[card_guid].deck != card.deck:  # (--collection: said once, as below)
                in_anki[0].append((card.where, anki_deck, card.deck))
        elif adopt is not None and hasattr(adopt, "fresh_guid"):  # new to Anki: not under a GUID a note has
            card_guid = adopt.fresh_guid(card, card_guid)
        digest = content_hash(card, fields, media=[index.digest(p) for p in card.media])
        tag_digest = tags_hash(tags)
        old = state.cards.get(card_guid)
        if old is not None and not old.tags:  # state written before tags had their own hash
            same = old.hash == content_hash(card, fields, tags)
            old = replace(old, hash=digest if same else "", tags=tag_digest if same else "")
        if old is None:
            nid, mod = next_nid, now_s
            next_nid += NID_STEP
            if adopted is None:
                report.new += 1
            else:  # new to this build state, not to Anki: the import updates the note
                report.adopted += 1
        elif old.hash != digest or old.tags != tag_digest:  # tags are part of the note: Anki must update
            nid, mod = old.nid, max(now_s, old.mod + 1)
            if old.hash != digest:
                report.changed += 1
            else:
                report.tags_changed += 1
        else:
            nid, mod = old.nid, old.mod
            report.unchanged += 1
        model = models[card.note_type]
        if adopted is not None:
            nid, model = adopted.nid, adopted.model or model
            mod = max(mod, adopted.min_mod + 1) if old is None or old.hash != digest else mod
        if adopted is not None:  # what the collection holds, said at the first build and after a change
            if adopted.deck and (old is None or old.deck != card.deck):
                in_anki[0].append((card.where, adopted.deck, card.deck))
            if adopted.kept_type and (old is None or old.type != card.note_type):
                in_anki[1].append((card.where, adopted.kept_type, card.note_type, adopted.missing))
        elif not adopt and old is not None and old.deck and (old.deck != card.deck or old.type != card.note_type):
            moved.append((card.where, old.deck != card.deck, old.type != card.note_type))
        new_state[card_guid] = CardState(hash=digest, tags=tag_digest, mod=mod, nid=nid, where=card.where,
                                         id=state.cards[card_guid].id if card.key in renamed else ids[card.key],
                                         front=_plain(card.front)[:80], deck=card.deck,
                                         type=card.note_type, rest=rest_of(card), written=card.id is not None)
        content.notes.append(PackagedNote(model, fields, tags, card_guid, card.deck, nid, mod))
        report.decks[card.deck] += 1

    content.media.extend(media)
    report.media = len(media)
    if moved:
        diags.append(build_warnings.import_cannot_move(moved))
    if in_anki[0]:
        diags.append(build_warnings.anki_decks(in_anki[0]))
    if in_anki[1]:
        diags.append(build_warnings.anki_types(in_anki[1]))
    if kept_guids:
        diags.append(build_warnings.kept_guids(kept_guids))
    if followed:
        diags.append(build_warnings.followed(followed))
    if not adopt:  # a vault `sync` writes into a collection: importing this package there duplicates notes
        packaged = [(card, note.guid) for (card, _), note in zip(identified, content.notes)]
        diags.extend(filter(None, [synced_copies(vault.root, packaged)]))

    settle_gone(state, new_state, report.gone, set(ids.values()), still_there, now_s)

    written = write_apkg(content, report.output)
    diags += written
    state.cards = new_state
    state.root = str(vault.root.resolve())  # (whether its folder is still there, for other vaults' syncs)
    memo = plan.memo
    try:
        state.save()
    except OSError as exc:
        diags.append(Diagnostic(str(state.path), 0, "warning",
                                f"build state not saved ({exc.strerror or exc}): the next build cannot "
                                "tell changed cards from unchanged ones"))
        memo = None
    if memo is not None and not written:
        _remember(memo, plan.inputs, plan.state_file, report.output, vault, report, plan.identity_diags, new_state,
                  plan.namespace, set(ids.values()) | set(legacy_ids(report.cards).values()))
    return report


def _remember(memo: Path, digest: str, state_file: Path, output: Path, vault: Vault, report: BuildReport,
              identity_diags: list[Diagnostic], new_state: dict[str, CardState], namespace: str,
              used_ids: set[int]) -> None:
    """Store what the next build of the same inputs would report (see :mod:`.build_memo`): every card
    unchanged, DELETE-marked cards with the note ids the new state knows, the identity diagnostics; and the
    GUIDs of ``used_ids`` (the cards' IDs and pre-namespace IDs) for the next build."""
    cards = vault.cards
    where = {card.key: n for n, card in enumerate(cards)}
    if len(where) != len(cards):
        return
    gone, removed = [], []
    since = {s.id: s.removed for s in new_state.values() if s.removed}
    for g in report.gone:
        if g.reason != "DELETE":  # a card gone from the vault: listed again until REMOVED_LISTED_S after
            if since.get(g.id):  # it went (tester 12-02: a replayed build dropped the list)
                removed.append((g, since[g.id]))
            continue
        card = next(c for c in cards if c.delete and c.where == g.where)
        old = new_state.get(guid(card, namespace))
        gone.append(GoneCard(g.id, g.where, g.front, g.reason, old.nid if old else 0))
    build_memo.save(memo, digest, state_file, output, {
        "cards": [where[card.key] for card in report.cards], "decks": dict(report.decks), "media": report.media,
        "gone": gone, "removed": removed, "diagnostics": list(identity_diags)},
        {i: guid_of(i) for i in sorted(used_ids)})  # (pre-namespace GUIDs computed here when first needed)


def _replay(report: BuildReport, vault: Vault, stored: dict, now: float | None = None) -> BuildReport:
    """The stored build (nothing changed since: the package and state file are left as they are); cards gone
    from the vault are listed until :data:`REMOVED_LISTED_S` after they went, by ``now`` (None: the clock)."""
    cards = vault.cards  # (a property that collects them)
    report.cards = [cards[n] for n in stored["cards"]]
    report.decks.update(stored["decks"])
    report.media = stored["media"]
    report.unchanged = len(report.cards)
    now_s = int(now if now is not None else time.time())
    report.gone = list(stored["gone"]) + [g for g, since in stored.get("removed", ())
                                          if now_s - since <= REMOVED_LISTED_S]
    report.diagnostics.extend(stored["diagnostics"])
    return report


def known_guids(root: Path) -> frozenset[str]:
    """The GUIDs the vault's build state (default path) records, read only; empty when there is none
    or it cannot be used. ``ids`` passes them to ``identity.card_ids`` so it writes the IDs build uses."""
    return frozenset(BuildState.load(default_state_path(root), []).cards)


def default_state_path(root: Path) -> Path:
    """The build state file of the vault at ``root``: ``<state dir>/<vault name>-<path hash>.json``, outside
    the vault (``NOTES2ANKI_STATE_DIR`` overrides the state dir).
    """
    return state_dir() / f"{vault_key(root)}.json"


def _hasher(config: Config, index_of):
    """``card -> content hash`` as :func:`write_package` hashes a card (what the build state's ``hash`` holds).
    ``index_of()``: the vault's MediaIndex (made when a card is first hashed)."""
    types = note_type_fields(config.note_types)
    index: list[MediaIndex] = []

    def built_hash(card: Card) -> str:
        index[:] = index or [index_of()]
        fields = [_field_html(card.html.get(f, ""), config) for f in types[card.note_type]]
        return content_hash(card, fields, media=[index[0].digest(p) for p in card.media])
    return built_hash


def _media_files(identified: list, index: MediaIndex) -> list[MediaFile]:
    """The files to ship, one per media name. The renderer already wrote these names into the HTML
    (same ``MediaIndex`` rules) and refused unsafe files with a warning on their card; a file that
    changed since (gone, now a FIFO or a link out of the vault) is left out by ``write_apkg``, which
    reads each one bounded and inside the vault, with a warning naming it."""
    files: dict[str, MediaFile] = {}
    for card, _ in identified:
        for path in card.media:
            files.setdefault(index.name(path), MediaFile(index.name(path), index.root / path))
    return [files[n] for n in sorted(files)]


def _field_html(html: str, config: Config) -> str:
    """A field's HTML as packaged: sanitised when ``sanitize_html`` is on (decks meant for sharing)."""
    if getattr(config, "sanitize_html", False):
        from ..parsers.sanitize import sanitize_html

        return sanitize_html(html)
    return html


def _plain(markdown: str) -> str:
    return " ".join(markdown.split())
