"""Build state: each card's content hash, note id and the time it last changed.

Anki updates a note on import only when the package's modification time is newer than its own
(README, "Identity"), so a changed card must get a newer time and an unchanged one must keep
its time. The state lives outside the vault (``notes2anki.paths.state_dir()``, one JSON file per
vault), because `build` never writes into the vault.

The file is input like any other: it is read with ``fileio.read_bounded`` (at most
``MAX_STATE_BYTES``) and validated entry by entry. A file that cannot be used at all is ignored with
a warning (every card then counts as new); an entry with a wrong value is dropped with a warning
(that card counts as new). Never a traceback.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..fileio import MAX_STATE_BYTES, NotWritable, atomic_write, is_inside, read_bounded
from ..messages import counted
from ..model import Diagnostic

STATE_VERSION = 1
MAX_NID = 2 ** 53  # note ids are ms timestamps (~1.7e12); anything above this was not written by us
MAX_MOD = 2 ** 40  # seconds
MAX_ID = 2 ** 63


@dataclass
class CardState:
    """What the build state remembers of one card: content hash, last change time (s), Anki note id (ms),
    and, for the report of removed cards, its last ``file:line``, ID and the start of its front.
    """

    hash: str
    mod: int  # seconds: the time the card last changed
    nid: int  # Anki note id (creation time in ms, unique)
    where: str = ""  # file:line when last built
    id: int = 0
    front: str = ""
    tags: str = ""  # hash of the card's tags ("" in states written before tags had their own hash)
    removed: int = 0  # seconds: when a build first missed the card (0: in the vault at the last build)
    deck: str = ""  # the deck and note type it was built in ("" in states written before they were kept),
    type: str = ""  # to say when an import of the package will not move or retype the Anki note
    rest: str | None = None  # its fields after the first (NFC, the first REST_CHARS characters), to tell a
    # renamed card whose back was edited from another card with its front (None: a state written before)
    written: bool | None = None  # it had an ID line (whose GUID travels with it into any vault); None: a state
    # written before. `sync` takes a package's note as the vault's own only when False (sync_plan_data.built_notes)

    def to_json(self) -> dict:
        """The entry as written in the state file (a JSON object with the same keys; ``removed`` only when
        the card is gone)."""
        entry = {"hash": self.hash, "mod": self.mod, "nid": self.nid, "where": self.where, "id": self.id,
                 "front": self.front, "tags": self.tags, "deck": self.deck, "type": self.type}
        if self.rest is not None:
            entry["rest"] = self.rest
        if self.written is not None:
            entry["written"] = self.written
        return {**entry, "removed": self.removed} if self.removed else entry


# field -> (type, lowest, highest) for integers, (type,) for strings; required fields have no default
_FIELDS = {"hash": (str,), "mod": (int, 0, MAX_MOD), "nid": (int, 1, MAX_NID), "where": (str,),
           "id": (int, 0, MAX_ID), "front": (str,), "tags": (str,), "removed": (int, 0, MAX_MOD),
           "deck": (str,), "type": (str,), "rest": (str,), "written": (bool,)}
_REQUIRED = ("hash", "mod", "nid")


class StateError(ValueError):
    """Why a state file or entry cannot be used (a message for the user)."""


def state_file_problem(path: Path, vault_root: Path) -> str | None:
    """Why the build state must not be written to ``path`` unless forced, as a message naming it:
    a path inside the vault (``build`` only reads the vault). None when it may be written."""
    if is_inside(vault_root, path):
        return f"{path}: the build state file is inside the vault (build only reads the vault); use --force"
    return None


@dataclass
class BuildState:
    """The build state of one vault: GUID → :class:`CardState`, read from and saved to ``path``; ``foreign``
    when ``path`` holds something else (it is then never overwritten).
    """

    path: Path
    cards: dict[str, CardState] = field(default_factory=dict)  # GUID -> state
    foreign: bool = False  # the file exists but is not a notes2anki state: never overwritten
    root: str = ""  # the vault folder it was last saved for ("" in states written before it was kept): another
    # vault's state whose folder is gone holds no card (sync_plan_data.built_notes; tester 12-03 round 4)

    @classmethod
    def load(cls, path: Path, diagnostics: list[Diagnostic]) -> "BuildState":
        """The state at ``path`` (empty when there is none). Problems become warnings naming the
        file: the whole file ignored, or single entries dropped."""
        state = cls(path=Path(path))
        try:
            raw = read_bounded(state.path, MAX_STATE_BYTES)
        except FileNotFoundError:
            return state
        except OSError as exc:
            _ignored(state.path, exc.strerror or str(exc), diagnostics)
            return state
        try:
            entries, root = _entries(raw)
            state.root = root
        except StateError as exc:
            state.foreign = not _ours(state.path, raw)
            _ignored(state.path, str(exc), diagnostics)
            return state
        dropped: list[str] = []
        nids: set[int] = set()
        for guid, value in sorted(entries.items()):
            try:
                card = _card_state(value)
                if card.nid in nids:
                    raise StateError(f"note id {card.nid} used twice")
            except StateError as exc:
                dropped.append(f"{guid[:40]!r}: {exc}")
                continue
            nids.add(card.nid)
            state.cards[guid] = card
        if dropped:
            diagnostics.append(Diagnostic(str(state.path), 0, "warning",
                                          f"build state: {counted(len(dropped), 'entry', 'entries')} dropped (first: "
                                          f"{dropped[0]}); those cards count as new"))
        return state

    def save(self) -> None:
        """Write atomically (``fileio.atomic_write``). Raises ``OSError``; ``NotWritable`` when the
        file there is not a notes2anki state file (e.g. ``--state-file`` naming some other file)."""
        if self.foreign:
            raise NotWritable("the file there is not a notes2anki build state; not overwritten — "
                              "choose another --state-file")
        target = Path(os.path.realpath(self.path))  # a symlink stays a link; its target is written
        target.parent.mkdir(parents=True, exist_ok=True)
        # ASCII JSON: file names that are not valid UTF-8 (kept as surrogates) still round-trip. One card a
        # line, each through json's C encoder (``indent`` would take the pure-Python one: 0.5 s at 10,000 cards)
        cards = ",\n".join(json.dumps(g, ensure_ascii=True) + ": " + json.dumps(s.to_json(), ensure_ascii=True,
                                                                             sort_keys=True)
                            for g, s in sorted(self.cards.items()))
        root = (', "root": ' + json.dumps(self.root, ensure_ascii=True)) if self.root else ""
        text = '{"cards": {\n' + cards + '\n}' + root + ', "version": ' + json.dumps(STATE_VERSION) + "}\n"
        atomic_write(target, text.encode())


def mark_written(path: Path, guids) -> None:
    """Record in the build state at ``path`` that the cards of ``guids`` now have an ID line (``ids`` wrote it):
    such a card's GUID goes with it into any vault it is moved to, so `sync` no longer takes its imported note
    as only this vault's (sync_plan_data.built_notes; tester 12-03 round 3). A state that is missing, foreign or
    not fully usable is left as it is; never raises."""
    problems: list[Diagnostic] = []
    try:
        state = BuildState.load(path, problems)
        if state.foreign or problems:
            return
        changed = False
        for guid in guids:
            card = state.cards.get(guid)
            if card is not None and card.written is not True:
                state.cards[guid] = replace(card, written=True)
                changed = True
        if changed:
            state.save()
    except (OSError, ValueError):
        return


def _ignored(path: Path, why: str, diagnostics: list[Diagnostic]) -> None:
    diagnostics.append(Diagnostic(str(path), 0, "warning",
                                  f"build state ignored ({why}); starting afresh: every card gets a "
                                  "new modification time"))


def _ours(path: Path, raw: bytes) -> bool:
    """Whether an unusable state file may be replaced: it is empty, lies in notes2anki's own state
    folder, or still starts like a state file (a damaged one of ours)."""
    from ..paths import state_dir

    head = re.sub(rb"\s", b"", raw[:200])
    return not head or is_inside(state_dir(), path) or head.startswith(b'{"cards":')


def _entries(raw: bytes) -> tuple[dict, str]:
    """The ``cards`` object of a state file's bytes and its ``root`` ("" when absent or not text). Raises
    ``StateError``."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StateError("not UTF-8 text") from None
    except RecursionError:
        raise StateError("nested too deeply") from None
    except ValueError as exc:
        raise StateError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise StateError("not a JSON object")
    if data.get("version") != STATE_VERSION:
        raise StateError(f"unknown state version {str(data.get('version'))[:40]!r}")
    cards = data.get("cards")
    if not isinstance(cards, dict):
        raise StateError("'cards' is not an object")
    root = data.get("root")
    return cards, root if isinstance(root, str) else ""


def _card_state(value) -> CardState:
    """One entry, checked field by field. Raises ``StateError``."""
    if not isinstance(value, dict):
        raise StateError("not an object")
    values = {}
    for name, spec in _FIELDS.items():
        if name not in value:
            if name in _REQUIRED:
                raise StateError(f"{name} missing")
            continue
        item = value[name]
        kind = spec[0]
        if kind is bool:
            if not isinstance(item, bool):
                raise StateError(f"{name} is not true or false")
        elif not isinstance(item, kind) or isinstance(item, bool):
            raise StateError(f"{name} is not {'an integer' if kind is int else 'a string'}")
        if kind is int and not spec[1] <= item < spec[2]:
            raise StateError(f"{name} {str(item)[:30]} is out of range")
        values[name] = item
    return CardState(**values)
