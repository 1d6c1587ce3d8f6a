"""A plain `build` of a vault whose folder was renamed: stop, as `sync` and `ids` do, instead of new identities.

A card without an ID is identified under the vault's namespace, the folder's name unless ``[sync] vault_id``
is set (identity.py). `sync` and `ids` stop when the folder was renamed (sync_guards, id_renamed.py) and name
the ``vault_id`` to set; a plain `build` packaged every such card under a new GUID without a word, and
importing that package beside the earlier one added every card again as a new note (tester 12-03: `bv/` →
`bv renamed/`, 2 cards, 4 notes after the second import).

`build` finds the rename from this machine's build states (``<state dir>/<folder name>-<path hash>.json``,
paths.vault_key): this folder has no state of its own yet, and the state of a folder beside it, under
another name, that is gone, holds the GUIDs at least half of this vault's cards without an ID have under
that name (or whose text it holds: files renamed too). The build stops before writing anything (once it has written a package and its state under the
new name, the next build keeps the new identities: a card follows the note its earlier card built) and
names the ``vault_id`` to set — or, for another vault, its own. (A vault moved to another parent folder
keeps its name, so its identities do not change; a state that cannot be read is passed over.)

:func:`copied_vault_problem`: the same states tell `sync` of a vault the collection has no record of that this
folder is a copy of a vault only ever built and imported (or that vault moved and renamed at once).
"""
from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable

from ..messages import counted, of_these
from ..model import Card
from .identity import card_ids, guid_of, vault_namespace
from .state import BuildState

MAX_STATES = 32  # other vaults' build states looked at, newest first


def renamed_vault_problem(root: Path, config, cards: list[Card], state_path: Path) -> str | None:
    """Why a plain build of the vault at ``root`` (``config`` its settings, ``cards`` its cards, ``state_path``
    its build state) must not write: the message naming the ``vault_id`` to set when this is a renamed
    vault's first build in its new folder (see the module doc), else None. Never raises."""
    if getattr(getattr(config, "sync", None), "vault_id", None):
        return None  # named: the folder's name plays no part
    loose = [c for c in cards if c.id is None and not c.delete]
    if not loose:
        return None
    try:
        if Path(state_path).exists():  # this folder has built before (its state speaks for it; not read here:
            return None  # a warm build stays as fast)
    except OSError:
        return None
    namespace = vault_namespace(root, config)
    try:
        here = Path(root).resolve()
        others = sorted((p for p in Path(state_path).parent.glob("*.json") if p != Path(state_path)),
                        key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_STATES]
    except (OSError, RuntimeError):
        return None
    for path in others:
        name, _, digest = path.stem.rpartition("-")
        old_root = here.parent / name
        if not name or name == namespace or _key_digest(old_root) != digest or _exists(old_root):
            continue
        old = BuildState.load(path, [])
        ids = card_ids(loose, name, frozenset(old.cards))
        present = [e for e in old.cards.values() if not e.removed]
        texts = {(e.type, e.front, e.rest) for e in present if e.rest is not None}
        found = sum(1 for c in loose if guid_of(ids[c.key]) in old.cards or _text(c) in texts)  # (the text:
        # a file renamed in the same session, tester 12-03 round 4)
        fronts = Counter((e.type, e.front) for e in present)  # (backs edited too: its cards by front, once each)
        found = max(found, sum((Counter(_text(c)[:2] for c in loose) & fronts).values()))
        # at least half of this vault's cards, or of that vault's (cards added here since: tester 12-03 round 5)
        if found >= max(1, (len(loose) + 1) // 2) or found >= max(2, (len(present) + 1) // 2):
            config_file = here / ".notes2anki.toml"
            twin = "" if unicodedata.normalize("NFC", name) != unicodedata.normalize("NFC", namespace) else (
                " (the same name written in the other Unicode normal form, NFC / NFD, as a copy from macOS or a "
                "sync tool writes it)")  # (tester 12-03 r3: the two names printed alike)
            return (f"this vault's cards without an ID are those built as vault {json.dumps(name, ensure_ascii=False)} "
                    f"on this machine, from {old_root}, which is gone ({of_these(found, len(loose), 'card')}): under "
                    f"the name {json.dumps(namespace, ensure_ascii=False)}{twin} they would get new identities, and "
                    "Anki, where the earlier package was imported, would get every one again as a new note "
                    f"(a package imported, a sync, IDs written). If this is that vault renamed, add `vault_id = "
                    f"{json.dumps(name)}` under [sync] in {config_file} and run the command again; if it is another "
                    f"vault, give it its own name there (`vault_id = {json.dumps(namespace)}`); nothing written")
    return None


def _text(card: Card) -> tuple:
    """A card as a build state entry keeps its text: note type, front (plain, 80 characters), other fields."""
    from .build import _plain
    from .build_gone import rest_of

    return card.note_type, _plain(card.front)[:80], rest_of(card)


def _key_digest(root: Path) -> str:
    """The path hash of :func:`notes2anki.paths.vault_key` for a folder at ``root`` (resolved already)."""
    return hashlib.sha1(os.fsencode(str(root))).hexdigest()[:12]


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # cannot tell: not said


def copied_vault_problem(root: Path, config, cards: list[Card], state_path: Path, by_guid: dict[str, int],
                         exact: Callable[[Card, int], bool]) -> str | None:
    """Why `sync` (or `build --collection`) of a vault the collection has no record of must not write: more
    than half of its cards without an ID are, under another vault's name, notes that vault's build state on
    this machine holds (present at its last build) and the collection has with exactly their fields
    (``exact(card, nid)``): this folder is a copy of a vault only ever built and imported — or that vault
    moved to another parent folder and renamed — and its cards would be added again as new notes (tester
    12-03 round 3: `Bio copy` synced "6 new" without a word; a vault synced before was already stopped, see
    sync_vaults.refuse_copy). None when a ``vault_id`` is set (a copy made a vault of its own), when it has
    no such cards, or when this folder has built before (its own state: not a fresh copy). ``by_guid``: the
    collection's GUID → nid. Never raises."""
    if getattr(getattr(config, "sync", None), "vault_id", None):
        return None
    loose = [c for c in cards if c.id is None and not c.delete]
    try:
        if not loose or Path(state_path).exists():
            return None
        others = sorted((p for p in Path(state_path).parent.glob("*.json")
                         if p != Path(state_path) and not p.name.endswith(".ids.json")),
                        key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_STATES]
    except (OSError, RuntimeError):
        return None
    namespace = vault_namespace(root, config)
    for path in others:
        name = path.stem.rpartition("-")[0]
        if not name or name == namespace:
            continue
        old = BuildState.load(path, [])
        ids = card_ids(loose, name, frozenset(old.cards))
        found = 0
        for card in loose:
            g = guid_of(ids[card.key])
            entry = old.cards.get(g)
            found += bool(entry is not None and not entry.removed and g in by_guid and exact(card, by_guid[g]))
        if found * 2 > len(loose):
            config_file = Path(root) / ".notes2anki.toml"
            return (f"{found} of this vault's {counted(len(loose), 'card')} without an ID are, with the same files, "
                    f"fronts and fields, notes that vault {json.dumps(name, ensure_ascii=False)}, built on this machine, put in "
                    "this collection: this folder looks like a copy of it, and synced its cards would be added again "
                    f"as new notes. If it is a copy you want apart (a new term), add `vault_id = "
                    f"{json.dumps(namespace)}` under [sync] in {config_file}; if it is that vault moved here, "
                    f"`vault_id = {json.dumps(name)}`; nothing written")
    return None


def inherited_state(root: Path, config, state_path: Path) -> Path | None:
    """The build state a renamed vault takes over: when ``state_path`` (this folder's) does not exist yet and
    ``[sync] vault_id`` names the folder's old name, the state of that folder beside it (gone), which holds
    what the earlier builds knew — cards by text, files renamed since (tester 12-03 round 4: the folder and a
    file renamed at once, `vault_id` set as the stop said, and `sync` and `build` still made every card new).
    None otherwise. Never raises."""
    name = getattr(getattr(config, "sync", None), "vault_id", None)
    try:
        if not name or Path(state_path).exists():
            return None
        here = Path(root).resolve()
        for path in Path(state_path).parent.glob("*.json"):
            stem_name, _, digest = path.stem.rpartition("-")
            old_root = here.parent / stem_name
            if stem_name == name and old_root != here and _key_digest(old_root) == digest and not _exists(old_root):
                return path
    except (OSError, RuntimeError):
        return None
    return None


def vault_state(root: Path, config, state_path: Path | None = None) -> BuildState:
    """The build state of the vault at ``root`` (``state_path``, default its own), read only: a renamed vault
    named by its old ``vault_id`` and not built here yet gets its old folder's (:func:`inherited_state`), so
    `ids` writes the IDs `build` packages under (tester 12-03 round 5: `ids` stopped, "no record", and `ids
    --collection` said the collection held none of the vault's notes)."""
    from dataclasses import replace

    from .build import default_state_path

    path = Path(state_path or default_state_path(root))
    state = BuildState.load(path, [])
    if not state.cards and not state.foreign:
        inherited = inherited_state(root, config, path)
        if inherited is not None:
            return replace(BuildState.load(inherited, []), path=path, foreign=False)
    return state
