"""`notes2anki sync`: apply a vault's cards to the user's Anki collection, in one transaction.

What an .apkg cannot do, sync does: it adopts the plugin's notes (a card whose ID is a note id updates
that note: GUID, scheduling and review history untouched), updates only what changed, moves cards to
their new deck, changes a note's type with Anki's change-notetype operation (review history of the
cards that map is kept), deletes the notes of cards marked DELETE or gone from the vault (only this
vault's, and only when confirmed), and adds media.

Safety: the collection is refused while Anki holds it open; Anki's own backup is made before the first
change; every change to the database happens inside one SQLite transaction (``col.db.transact``:
Anki's operations nest as savepoints in it), so a sync killed half-way leaves the collection as it was.
Media files are written to Anki's media folder first (an unused file there is harmless: Tools > Check
Media lists it). The vault is only read, unless ``write_ids`` asks for the IDs to be written as
``notes2anki ids`` does.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import interrupts
from ..config import Config
from ..fileio import MAX_MEDIA_BYTES, read_bounded, vault_lock
from ..messages import counted
from ..model import Diagnostic, Vault, note_type_fields
from .collection import backup, media_folder, open_collection, open_copy
from .id_record_file import foreign_guid_ids, save_record, sync_entries
from .identity import NO_ID_WARNING
from .notetypes import models_for
from .sync_media import rename_media
from .sync_plan import ANKI_TAGS, REGISTRY_KEY, Change, Deletion, SyncPlan, plan_sync, same_text
from .sync_plan_data import registered_id_lines
from .sync_retype import field_map, find_notetype, record_card_types, record_types, template_map

Progress = Callable[[int, int], None]


@dataclass
class SyncResult:
    """What :func:`sync_vault` did: the collection file written (or that would be, with ``dry_run``), the
    plan it applied, the backup made first, the notes deleted and those left (deletion not confirmed),
    the vault files that got IDs, and every problem as a Diagnostic (file:line)."""

    collection: Path
    plan: SyncPlan
    dry_run: bool = False
    backup: Path | None = None  # Anki backup made before the changes (None: nothing changed)
    deleted: list[Deletion] = field(default_factory=list)
    not_deleted: list[Deletion] = field(default_factory=list)  # listed, not confirmed
    not_retyped: list[Change] = field(default_factory=list)  # type changes removing reviewed cards or text, not confirmed
    ids_written: list[str] = field(default_factory=list)  # vault files that got IDs (--write-ids)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C arrived after the changes were committed (IDs then not written)
    ids_cut: bool = False  # ... while --write-ids was writing IDs: some files may have theirs, the others not


def sync_vault(vault: Vault, config: Config, collection: Path, *, dry_run: bool = False,
               confirm: Callable[[SyncPlan], bool] | None = None, write_ids: bool = False,
               progress: Progress | None = None, retype: bool = False,
               allow_mass_delete: bool = False, recreate_missing: bool = False) -> SyncResult:
    """Sync ``vault`` into the collection file ``collection``.

    ``confirm(plan)`` is asked when the plan deletes notes or changes note types in a way that removes
    reviewed cards or field text (``plan.lossy``); without it (or when it answers False) those deletions
    and type changes are left out (the notes stay as they are) and reported in ``not_deleted`` and
    ``not_retyped``. ``dry_run``: plan on a private copy of the collection and change nothing; ``confirm``
    is asked there too (it must not ask the user: it answers what the real run would be told, e.g. True
    for ``--yes``), so ``deleted``, ``not_deleted``, ``not_retyped`` and the plan's counts predict the
    real run.
    ``progress(done, total)`` is called as notes are written. ``retype``: change note types chosen in
    Anki to the card's too (see sync_retype.py). ``allow_mass_delete``: delete the notes of most of the
    vault at once (held otherwise, with a warning). Raises ``collection.CollectionError`` (not found,
    locked by Anki, no ``anki`` package, no backup).
    """
    opened = open_copy(collection) if dry_run else open_collection(collection)
    committed = False
    record = None  # which ID each card without one is matched under (id_record.py), for `ids`
    try:
        # a dry run's copy has an empty media folder of its own: plan against the collection's real one
        plan = plan_sync(opened.col, vault, config, media_dir=media_folder(collection) if dry_run else None,
                         retype=retype, allow_mass_delete=allow_mass_delete,
                         recreate_missing=recreate_missing)
        plan.writes_ids = write_ids and not dry_run
        result = SyncResult(Path(collection), plan, dry_run=dry_run, diagnostics=list(plan.diagnostics))
        writes = not (plan.is_empty and _registry_after(plan, vault, keep=plan.deletions) == plan.registry)
        if writes or dry_run:  # a dry run predicts the real one: what is not confirmed is held there too
            agreed = bool(plan.deletions or plan.lossy) and confirm is not None and confirm(plan)
            result.deleted = list(plan.deletions) if agreed else []
            result.not_deleted = [] if agreed else list(plan.deletions)
            if not agreed:
                result.not_retyped = _hold(plan)
        if writes and not dry_run:
            registry = _registry_after(plan, vault, keep=result.not_deleted)
            declined_only = not agreed and registry == plan.registry and not plan.media \
                and all(not c.kinds for c in plan.changes)  # nothing to write: no backup either
            if not declined_only:
                # no note changes (deletions and lossy type changes not confirmed are not changes): only the
                # record of where each note's card is and of its type (lines moved by --write-ids, a type
                # kept), a config key: no backup
                if result.deleted or plan.media or any(c.kinds for c in plan.changes):
                    result.backup = backup(opened)
                _add_media(opened.col, plan, config, vault, result)
                opened.col.db.transact(lambda: _apply(opened.col, plan, config, vault, result, progress))
                committed = True
        if not dry_run:
            record = sync_entries(opened.col, plan, plan.vault_id)
            foreign = foreign_guid_ids(opened.col, plan)
    finally:
        if committed:  # the changes are in: a Ctrl-C now must not make them look undone
            with interrupts.deferred() as arrived:
                opened.close()
            result.interrupted = arrived()
        else:
            opened.close()
    try:
        if record is not None:
            result.diagnostics += filter(None, [save_record(vault.root, record, plan.vault_id, foreign)])
        if write_ids and not dry_run and not result.interrupted:
            _write_ids(vault, result, record)
    except KeyboardInterrupt:  # (a stop signal) while the record or the IDs were written: the sync itself is
        result.interrupted = True  # done; each note file is rewritten whole or not at all (tester 12-03: it said
        result.ids_cut = write_ids and not dry_run  # "nothing more was written" after a committed sync)
    return result


def _hold(plan: SyncPlan) -> list[Change]:
    """Leave the notes of the plan's unconfirmed lossy type changes as they are (listed again next time:
    their recorded card type stays the one of the last sync)."""
    held = plan.lossy
    for change in held:
        change.kinds.clear()
        change.changed_fields = []
        change.record = plan.vault_types.get(change.nid, "")
        change.keep_card_type = True  # the card type of the last sync stays: the change is asked again
    plan.held_retypes = held
    return held


def _add_media(col, plan: SyncPlan, config: Config, vault: Vault, result: SyncResult) -> None:
    """Write the plan's media into Anki's media folder; a name Anki already uses for other bytes gets
    another name from Anki, and the fields that show the file follow it. Files are read bounded and
    only from inside the vault."""
    renamed: dict[str, str] = {}
    for name, source in sorted(plan.media.items()):
        try:
            data = read_bounded(source, MAX_MEDIA_BYTES, root=vault.root)
        except OSError as exc:
            rel = source.relative_to(vault.root).as_posix() if source.is_relative_to(vault.root) else str(source)
            result.diagnostics.append(Diagnostic(rel, 0, "warning", f"media file not added: {exc}"))
            continue
        actual = col.media.write_data(name, data)
        if actual != name:
            renamed[name] = actual
    if not renamed:
        return
    for path, name in list(plan.names.items()):
        plan.names[path] = renamed.get(name, name)
    for change in plan.changes:
        if not any(plan.names.get(p) in renamed.values() for p in change.card.media):
            continue
        before = change.fields
        change.fields = rename_media(change.fields, renamed)
        if "retyped" in change.kinds and "updated" not in change.kinds:  # the note holds ``before`` (mapped)
            change.changed_fields = [f for f, v in change.fields.items() if before.get(f) != v]
            if change.changed_fields:
                change.kinds.append("updated")
        elif change.nid and "updated" not in change.kinds and "retyped" not in change.kinds \
                and not change.missing and change.loss is None:  # not a note left as it is (type held)
            note = col.get_note(change.nid)
            current = dict(zip(note.keys(), note.fields))
            change.changed_fields = [f for f, v in change.fields.items()
                                     if f in current and not same_text(current[f], v)]
            if change.changed_fields:
                change.kinds.append("updated")


def _apply(col, plan: SyncPlan, config: Config, vault: Vault, result: SyncResult,
           progress: Progress | None) -> None:
    types = note_type_fields(config.note_types)
    models = models_for({c.card.note_type: types[c.card.note_type] for c in plan.changes}, config.note_types)
    notetypes: dict[str, dict] = {}
    decks: dict[str, int] = {}

    def notetype(name: str) -> dict:
        if name not in notetypes:
            notetypes[name] = ensure_notetype(col, models[name], plan.type_ids.get(name))
            plan.type_ids[name] = notetypes[name]["id"]
        return notetypes[name]

    def deck(name: str) -> int:
        if name not in decks:
            decks[name] = col.decks.id(name)
        return decks[name]

    todo = [c for c in plan.changes if c.kinds]
    updates = []
    for done, change in enumerate(todo, 1):
        card = change.card
        if "new" in change.kinds:
            note = col.new_note(notetype(card.note_type))
            note.guid = change.guid
            _set_fields(note, change.fields)
            note.tags = list(change.tags)
            col.add_note(note, deck(card.deck))
            change.nid = note.id
        else:
            if "retyped" in change.kinds:
                _retype(col, change.nid, notetype(card.note_type))
            if "updated" in change.kinds:
                note = col.get_note(change.nid)
                _set_fields(note, change.fields)
                note.tags = list(change.tags) + [t for t in note.tags if t.casefold() in ANKI_TAGS]
                updates.append(note)
            if "moved" in change.kinds or "retyped" in change.kinds:
                col.set_deck(col.card_ids_of_note(change.nid), deck(card.deck))
        if progress:
            progress(done, len(todo))
    if updates:
        col.update_notes(updates)
    if result.deleted:
        col.remove_notes([d.nid for d in result.deleted])
    col.set_config(REGISTRY_KEY, _registry_after(plan, vault, keep=result.not_deleted))


def _set_fields(note, values: dict[str, str]) -> None:
    names = set(note.keys())
    for name, value in values.items():
        if name in names:
            note[name] = value


def _retype(col, nid: int, new: dict) -> None:
    """Anki's change-notetype operation for one note: fields and templates mapped by name (templates
    by position when the name is new), so the cards that map keep their scheduling and history."""
    old = col.get_note(nid).note_type()
    info = col.models.change_notetype_info(old_notetype_id=old["id"], new_notetype_id=new["id"])
    request = info.input
    request.note_ids.extend([nid])
    request.new_fields[:] = field_map(old, [f["name"] for f in new["flds"]])
    if not request.is_cloze:
        request.new_templates[:] = template_map(old, new)
    col.models.change_notetype_of_notes(request)


def ensure_notetype(col, model, known_id: int | None = None) -> dict:
    """The collection's note type for a notes2anki (genanki) model: the one sync last wrote it to
    (``known_id``) or the one with the model's id, whatever the user renamed it to in Anki, when it still
    has the model's fields (fields the user added stay); else the one of the model's name with the same
    fields; else a new one made from the model (fields, templates, CSS, kind)."""
    found = find_notetype(col, model, known_id)
    if found:
        return found
    want = [f["name"] for f in model.fields]
    new = col.models.new(model.name)
    for name in want:
        col.models.add_field(new, col.models.new_field(name))
    for tmpl in model.templates:
        t = col.models.new_template(tmpl["name"])
        t["qfmt"], t["afmt"] = tmpl["qfmt"], tmpl["afmt"]
        col.models.add_template(new, t)
    new["css"] = model.css
    new["type"] = int(model.model_type)
    added = col.models.add_dict(new)
    return col.models.get(added.id)


def _registry_after(plan: SyncPlan, vault: Vault, keep: list[Deletion]) -> dict:
    """The registry with this vault's entry: every note a card now syncs to, plus the notes listed for
    deletion but not deleted (they stay this vault's, and are listed again next time)."""
    registry = {k: v for k, v in plan.registry.items()}
    for nid, old in plan.taken.items():  # a note moved here from another vault is no longer that vault's
        entry = registry.get(old)
        if isinstance(entry, dict) and isinstance(entry.get("notes"), dict):
            registry[old] = dict(entry, notes={k: v for k, v in entry["notes"].items() if k != str(nid)})
    notes = {str(c.nid): c.where for c in plan.changes if c.nid}
    notes.update({str(d.nid): d.where for d in keep})
    notes.update({str(nid): where for nid, where in plan.held.items() if str(nid) not in notes})  # still ours
    registry[plan.vault_id] = {"name": vault.name, "root": str(vault.root.resolve()), "notes": notes}
    # each note's GUID: once the note is deleted in Anki, it still tells which card's note it was (sync_skips)
    guids = {str(c.nid): plan.note_guids.get(c.nid) or c.guid for c in plan.changes if c.nid}
    guids.update({key: plan.note_guids[int(key)] for key in notes if key not in guids and plan.note_guids.get(int(key))})
    registry[plan.vault_id]["guids"] = guids
    # the notes whose card carries an ID line: no card without it takes such a note by its place (sync_gaps)
    kept_lines = registered_id_lines(plan.registry.get(plan.vault_id)) & {int(k) for k in notes}
    lines = {c.nid for c in plan.changes if c.nid and (c.card.id is not None or plan.writes_ids)} | \
        {nid for nid in kept_lines if nid not in {c.nid for c in plan.changes}}
    if lines:
        registry[plan.vault_id]["id_lines"] = sorted(lines)
    if plan.type_ids:  # so a note type the user renames in Anki is still recognised as the vault's
        registry[plan.vault_id]["note_types"] = dict(sorted(plan.type_ids.items()))
    # the card type of each note left in a type notes2anki did not make: an edit of the card's type line
    # is then told apart from a type chosen in Anki (sync_retype.py)
    types = {nid: t for nid, t in plan.vault_types.items() if str(nid) in notes}
    for c in plan.changes:
        if c.nid:
            types[c.nid] = c.record
    types = {nid: t for nid, t in types.items() if t}
    if types:
        registry[plan.vault_id]["vault_types"] = record_types(types)
    # the card type of every note: a type the user chose in Anki among notes2anki's own is then told
    # apart from an edit of the card's type line (sync_retype.py)
    card_types = {nid: t for nid, t in plan.card_types.items() if str(nid) in notes}
    card_types.update({c.nid: c.card.note_type for c in plan.changes if c.nid and not c.keep_card_type})
    if card_types:
        registry[plan.vault_id]["card_types"] = record_card_types(card_types)
    return registry


def _write_ids(vault: Vault, result: SyncResult, record: list[dict] | None = None) -> None:
    from ..fileio import VaultLocked
    from .write_ids import apply_ids, plan_ids

    try:
        with vault_lock(vault.root):
            report = plan_ids(vault, record=record)  # the IDs this sync matched the cards under
            apply_ids(vault, report)
    except VaultLocked as exc:
        result.diagnostics.append(Diagnostic("", 0, "error", f"IDs not written: {exc.strerror or exc}"))
        return
    result.ids_written = list(report.written)
    result.diagnostics += report.diagnostics
    written = Counter({edit.path: len(edit.ids) for edit in report.edits if edit.path in set(report.written)})
    if written:  # the warning about cards without an ID counts what is left (none: it no longer holds)
        left = Counter(c.file for c in vault.cards if c.id is None and not c.delete)
        left = {f: n - written[f] for f, n in left.items() if n > written[f]}
        result.diagnostics = [_no_id_left(d, left) if NO_ID_WARNING in d.message else d
                              for d in result.diagnostics if left or NO_ID_WARNING not in d.message]


def _no_id_left(warning: Diagnostic, left: dict[str, int]) -> Diagnostic:
    """The warning about cards without an ID, counting the cards ``left`` (file → cards still without one)
    after ``--write-ids`` wrote some."""
    cards = sum(left.values())
    head = f"{counted(cards, 'card')} in {counted(len(left), 'file')} {'has' if cards == 1 else 'have'} "
    _, _, rest = warning.message.partition(NO_ID_WARNING)
    return Diagnostic(warning.file, warning.line, warning.severity, head + NO_ID_WARNING + rest, warning.kind)

