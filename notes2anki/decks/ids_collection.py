"""`ids` where this machine has no record of the vault's last sync: read the collection, or write nothing.

A card without an ID may be synced to its note through a fallback (its file renamed ``Untitled.md`` ->
``ATP.md`` after the first sync, a same-front card shifted): the note's GUID is then not the card's implicit
ID. ``ids`` writes the ID the last sync matched the card under from this machine's sync record
(id_record.py). On a second machine, or after the state folder was lost, there is no record: ``ids`` wrote
the implicit ID, and the next sync planned to delete the reviewed note and add the card anew (tester A r4).

So, with no sync record and no build state for the vault, ``ids``:

- with ``--collection`` (or ``[sync] collection``/``profile`` given), plans the sync on a private copy of the
  collection (nothing is written there) and writes the IDs that sync matched the cards under, as ``sync
  --write-ids`` does (:func:`collection_record`);
- without, writes no ID when the vault may have been synced before (any ID line, the plugin's too, or
  ``[sync] vault_id`` set: :func:`unplaced_problem`) and says to give the collection. A vault with neither
  (never synced, or synced from cards none of which has an ID yet: nothing in it tells) gets the implicit
  IDs as before, with a note saying so (:func:`unplaced_warning`); should one of them name no note while the note
  it was synced to holds its text, or its front with its other fields alike, ``sync`` keeps that note
  (sync_rematch._take_by_content, tester C r2).
"""
from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..model import Diagnostic, Vault


def has_record(vault: Vault, config: Config) -> bool:
    """Whether this machine knows how the vault's cards without an ID were last matched: its sync record
    (at its folder, or at its old place: id_renamed.moved_record), a build state with cards, or the mark
    ``ids`` leaves when it wrote IDs here (:func:`remember_ids_written`)."""
    from .build import default_state_path
    from .build_renamed import vault_state
    from .id_record_file import record_path
    from .id_renamed import moved_record
    from .identity import vault_namespace

    try:
        if record_path(vault.root).exists():
            return True
    except OSError:
        return True  # cannot tell: not refused for it
    loose = [c for c in vault.cards if c.id is None and not c.delete]
    if moved_record(vault.root, vault_namespace(vault.root, config), loose) is not None:
        return True
    if vault_state(vault.root, config, default_state_path(vault.root)).cards:  # (a renamed vault's old one too)
        return True
    return _ids_marker(vault.root).exists()


def _ids_marker(root: Path) -> Path:
    """The file that says ``ids`` wrote IDs into the vault at ``root`` on this machine (beside its build state)."""
    from .build import default_state_path

    return default_state_path(root).with_suffix(".ids")


def remember_ids_written(root: Path) -> None:
    """Leave :func:`_ids_marker` after ``ids`` wrote IDs (into a vault this machine has no sync record of):
    the next ``ids`` knows those ID lines are this machine's own, not another machine's sync — a second ``ids``
    after adding cards was refused and told to give the collection of a vault never synced. Errors ignored
    (the next ``ids`` then asks for the collection, as before)."""
    try:
        marker = _ids_marker(root)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass


def unplaced_problem(vault: Vault, config: Config) -> str | None:
    """Why ``ids`` without a collection must not write IDs (a message saying what to run), or None: the
    vault has cards without an ID, this machine has no record of its last sync or build
    (:func:`has_record`), and the vault may have been synced before: a card has an ID line (notes2anki's,
    or the Obsidian_to_Anki plugin's: a vault synced by the plugin, then by notes2anki, keeps its ID lines;
    tester C r2b), or ``[sync] vault_id`` is set."""
    loose = [c for c in vault.cards if c.id is None and not c.delete]
    if not loose:
        return None
    written = any(c.id is not None for c in vault.cards)
    if not (written or getattr(config.sync, "vault_id", None)) or has_record(vault, config):
        return None
    why = "cards have ID lines" if written else "[sync] vault_id is set"
    return (f"this machine has no record of this vault's last sync ({why}, so it may have been synced before): "
            f"for the {len(loose)} card{'s' if len(loose) != 1 else ''} without an ID it cannot tell which Anki "
            "note each was matched to (a card whose file was renamed keeps its note under another ID), and an "
            "ID written wrong would make the next sync delete that reviewed note. Give the collection: "
            "`notes2anki ids VAULT --collection PATH` (it is only read; a new, empty collection for a vault "
            "never synced), or `notes2anki sync VAULT --write-ids`; nothing written")


def unplaced_warning(vault: Vault, config: Config) -> str | None:
    """A note (printed with the count, not a warning: a first run on a new vault is the usual case) for ``ids`` without a collection where this machine has no record of the vault's last
    sync or build and nothing in the vault tells whether it was synced (no ID line, no ``vault_id``: tester
    C r2, a vault synced from another machine): the IDs written are those of the cards' files and fronts."""
    loose = [c for c in vault.cards if c.id is None and not c.delete]
    if not loose or has_record(vault, config):
        return None
    return ("this machine has no record of a sync of this vault, so these are the IDs of the cards' files and "
            "fronts; if it was synced on another machine, a card whose file was renamed since is synced to its "
            "note under another ID: undo these lines and run `notes2anki ids VAULT --collection PATH` instead")


def collection_record(vault: Vault, config: Config, collection: Path
                      ) -> tuple[list[dict], list[Diagnostic], frozenset[str]]:
    """The sync record a sync of ``vault`` into ``collection`` would write (``id_record_file.sync_entries``:
    the ID each card without an ID is matched under), planned on a private copy (the collection is only
    read), the plan's errors, and the GUIDs of the collection's notes (an ID for a card the sync would add
    must name none of them: ``id_record.Records._busy``). Raises ``collection.CollectionError`` as ``sync`` does, and when the vault
    may have been synced (an ID line, ``vault_id``) while the collection knows none of it: no record of the
    vault, no note any ID line names (the wrong profile: tester C r9)."""
    from .collection import open_copy
    from .id_record_file import sync_entries
    from .sync_plan import plan_sync

    from .collection import CollectionError
    from .sync_plan_data import _registered

    opened = open_copy(collection)
    try:
        plan = plan_sync(opened.col, vault, config)
        entries = sync_entries(opened.col, plan, plan.vault_id)
        guids = frozenset(guid for (guid,) in opened.col.db.all("select guid from notes"))
        named = [c.id for c in vault.cards if c.id is not None]
        known = bool(_registered(plan.registry.get(plan.vault_id))) or any(
            opened.col.db.scalar("select 1 from notes where id = ?", nid) for nid in named[:2000])
    finally:
        opened.close()
    loose = any(c.id is None and not c.delete for c in vault.cards)
    if loose and not known and (named or getattr(config.sync, "vault_id", None)):
        raise CollectionError(
            f"{collection} holds no note of this vault (no record of a sync of vault {plan.vault_id!r}, and "
            f"none of its ID lines names a note there), though {'its ID lines show' if named else '[sync] vault_id says'} "
            "it may have been synced: the wrong "
            "profile or collection? The IDs read from it would name no note. Give the collection this vault "
            "syncs into")
    return entries, [d for d in plan.diagnostics if d.severity == "error"], guids
