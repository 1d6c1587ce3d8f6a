"""The sync record of :mod:`~notes2anki.decks.id_record`: which note each card without an ID was matched to
by the last sync, kept on this machine (``<state dir>/<vault key>.ids.json``, never in the vault) — the
card digests it is keyed by, and writing and reading the file (read bounded, validated entry by entry; a file
that cannot be used is ignored with a warning naming it)."""
from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

from ..fileio import MAX_STATE_BYTES, atomic_write, read_bounded
from ..messages import counted
from ..model import Card, Diagnostic
from .identity import card_ids, guid_of, id_for_guid

RECORD_VERSION = 1
MAX_ID = 2 ** 63


def record_path(root: Path) -> Path:
    """The sync record of the vault at ``root``: ``<state dir>/<vault key>.ids.json``."""
    from ..paths import state_dir, vault_key

    return state_dir() / f"{vault_key(root)}.ids.json"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def group_of(card: Card) -> str:
    """The cards told apart by order only: vault path, note type and first field (spaces collapsed), in NFC
    so a file renamed or a front re-normalised from NFD stays in its group. A short hex digest."""
    return _group_key(card.file, card)


def _group_key(file: str, card: Card) -> str:
    """:func:`group_of` the card would have in ``file`` (its note type and first field as they are)."""
    key = f"{_nfc(file)}\x1f{card.note_type}\x1f{_nfc(' '.join(card.front.split()))}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def sync_digest(card: Card) -> str:
    """A digest of the card's text (note type and the Markdown of every field, in NFC): which card of a group
    a recorded one is, whatever line it moved to."""
    text = json.dumps([card.note_type, [_nfc(v) for v in card.fields.values()]], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def text_digest(card: Card) -> str:
    """A digest of the card's field values only (the Markdown of every field, in NFC; no note type, no
    field names): the same card after its note type line changed (Basic -> Basic (and reversed card))."""
    text = json.dumps([_nfc(v) for v in card.fields.values()], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def sync_entries(col, plan, namespace: str) -> list[dict]:
    """The record of a sync: for each synced card without an ID (``plan.changes`` after the plan was applied,
    so new notes have their nid), ``{"file", "group", "digest", "id"}``, ``id`` the ID whose GUID is the
    GUID of the note the card is matched to (:func:`identity.id_for_guid`), else that note's id, and ``text``
    (:func:`text_digest`; records written before it have none), and ``rest``, its fields after the first
    (``build_gone.rest_of``: what tells a renamed card with an edited back from another with its front), and
    ``guid``, the note's GUID (records written before it have none: a renamed card's note has the GUID of its
    old path, which no ID of the card gives, so ``id`` is then the note's id)."""
    from .build_gone import rest_of

    changes = [c for c in plan.changes if c.card.id is None and c.nid]
    if not changes:
        return []
    guids = dict(col.db.all("select id, guid from notes"))
    computed = card_ids([c.card for c in plan.changes], namespace)
    out = []
    for change in changes:
        card, note_guid = change.card, guids.get(change.nid)
        if note_guid is None:
            continue
        ident = computed.get(card.key)
        if ident is None or guid_of(ident) != note_guid:
            ident = id_for_guid(card, note_guid, namespace) or change.nid
        out.append({"file": _nfc(card.file), "group": group_of(card), "digest": sync_digest(card), "id": ident,
                    "text": text_digest(card), "rest": rest_of(card), "guid": note_guid})
    return out


def foreign_guid_ids(col, plan) -> list[int]:
    """The written IDs of the synced cards (``plan.changes`` after the plan was applied) whose note has a GUID
    other than the one a package gives that ID (:func:`identity.guid_of`): notes the plugin or Anki made,
    adopted by sync. A plain build packages those cards under their own GUIDs, so importing it into this
    collection would add them again (build_synced.py); a note made by importing such a package is not one."""
    guids = dict(col.db.all("select id, guid from notes"))
    return sorted({c.card.id for c in plan.changes if c.card.id is not None and c.nid
                   and guids.get(c.nid) not in (None, guid_of(c.card.id))})


def save_record(root: Path, entries: list[dict], namespace: str = "",
                foreign: list[int] | None = None) -> Diagnostic | None:
    """Write the sync record atomically, with the vault's folder (``root``, resolved) and ``namespace`` (so
    that ``ids`` in the vault renamed finds it: id_renamed.py), and ``foreign`` (:func:`foreign_guid_ids`;
    None: not known); a warning when it cannot be written (``ids`` then falls back to the build state)."""
    path = record_path(root)
    try:
        folder = str(Path(root).resolve())
    except (OSError, RuntimeError):
        folder = str(root)
    data = {"version": RECORD_VERSION, "cards": entries, "root": folder, "vault_id": namespace}
    if foreign is not None:
        data["foreign"] = list(foreign)
    text = json.dumps(data, ensure_ascii=True, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, (text + "\n").encode())
    except OSError as exc:
        return Diagnostic(str(path), 0, "warning", f"the record of which note each card without an ID is "
                                                   f"matched to was not saved ({exc.strerror or exc}): "
                                                   "`notes2anki ids` may not know it; use `sync --write-ids`")
    return None


def load_record(root: Path, diagnostics: list[Diagnostic], path: Path | None = None,
                limit: int = MAX_STATE_BYTES) -> list[dict]:
    """The sync record's valid entries (empty when there is none). A file that cannot be used is ignored and
    entries that are not what sync writes are dropped, each with a warning naming the file. ``path``: another
    record than ``root``'s, read up to ``limit`` bytes."""
    path = record_path(root) if path is None else path
    return record_head(path, diagnostics, limit)[0]


def record_head(path: Path, diagnostics: list[Diagnostic], limit: int = MAX_STATE_BYTES) -> tuple[list[dict], dict]:
    """A sync record's valid entries (as :func:`load_record`) and its ``{"root", "vault_id"}`` (the strings
    it holds of them; none in records written before them) and ``"foreign"`` (a frozenset of
    :func:`foreign_guid_ids`; absent from records written before it)."""
    head: dict = {}
    try:
        raw = read_bounded(path, limit)
    except FileNotFoundError:
        return [], head
    except OSError as exc:
        diagnostics.append(Diagnostic(str(path), 0, "warning", f"sync record ignored ({exc.strerror or exc})"))
        return [], head
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    cards = data.get("cards") if isinstance(data, dict) and data.get("version") == RECORD_VERSION else None
    if not isinstance(cards, list):
        diagnostics.append(Diagnostic(str(path), 0, "warning", "sync record ignored (not a notes2anki sync "
                                                               "record); cards without an ID get their implicit ID"))
        return [], head
    valid = [e for e in cards if _valid(e)]
    if len(valid) != len(cards):
        diagnostics.append(Diagnostic(str(path), 0, "warning",
                                      f"sync record: {counted(len(cards) - len(valid), 'entry', 'entries')} "
                                      "dropped (not what sync writes)"))
    head = {k: data[k] for k in ("root", "vault_id") if isinstance(data.get(k), str) and data[k]}
    foreign = data.get("foreign")
    if isinstance(foreign, list) and all(type(n) is int for n in foreign):
        head["foreign"] = frozenset(foreign)
    return valid, head


def _valid(entry) -> bool:
    return (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("file", "group", "digest"))
            and type(entry.get("id")) is int and 0 < entry["id"] < MAX_ID
            and isinstance(entry.get("text", ""), str) and isinstance(entry.get("rest", ""), str))
