"""Build state: each card's content hash, note id and the time it last changed.

Anki updates a note on import only when the package's modification time is newer than its own
(shared/spec/ANKI-IMPORT.md), so a changed card must get a newer time and an unchanged one must keep
its time. The state lives outside the vault (``notes2anki.paths.state_dir()``, one JSON file per
vault), because `build` never writes into the vault.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Diagnostic

STATE_VERSION = 1


@dataclass
class CardState:
    hash: str
    mod: int  # seconds: the time the card last changed
    nid: int  # Anki note id (creation time in ms, unique)
    where: str = ""  # file:line when last built
    id: int = 0
    front: str = ""
    tags: str = ""  # hash of the card's tags ("" in states written before tags had their own hash)

    def to_json(self) -> dict:
        return {"hash": self.hash, "mod": self.mod, "nid": self.nid, "where": self.where, "id": self.id,
                "front": self.front, "tags": self.tags}


@dataclass
class BuildState:
    path: Path
    cards: dict[str, CardState] = field(default_factory=dict)  # GUID -> state

    @classmethod
    def load(cls, path: Path, diagnostics: list[Diagnostic]) -> "BuildState":
        state = cls(path=path)
        if not path.exists():
            return state
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"unknown state version {data.get('version')!r}")
            state.cards = {g: CardState(**v) for g, v in data["cards"].items()}
        except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
            diagnostics.append(Diagnostic(str(path), 0, "warning",
                                          f"build state unreadable ({exc}); starting afresh: every card "
                                          "gets a new modification time"))
            state.cards = {}
        return state

    def save(self) -> None:
        """Write atomically (temp file + rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": STATE_VERSION,
                "cards": {g: s.to_json() for g, s in sorted(self.cards.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=0, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
