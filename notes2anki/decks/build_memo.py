"""The last build of a vault, replayed when nothing it read has changed (issue 13: a warm no-op ``build``
must not recompute identities and content hashes, write a collection and zip it only to find the package
byte-identical).

:func:`inputs_digest` hashes everything :func:`~notes2anki.decks.build.build_package` reads: every card as
parsed (its whole ``repr``: fields, HTML, tags, deck, ID, place, media), the vault root and file list, the
size and modification time of every embedded file and of every Markdown file the settings leave out (which
say whether a card gone from the notes is still in the vault), the configuration, the output path, the extra tags and
the code (``notes2anki/decks/*.py``, ``model.py``, the genanki module). A replay also needs the package
and the build state file exactly as that build left them (size, modification time, inode): a package
imported and deleted, or a state file another build rewrote, makes the next build run in full.

Beside it (``<memo>.guids``), the GUID of every card ID the build computed: the next build after an edit
need not compute them again (0.1 s at 10,000 cards). What is stored is what a second build would report: every card unchanged (the state file now records
them all), the same notes per deck, media, diagnostics and DELETE-marked cards (with the note ids the new
state knows). One file per (state file, output) in ``paths.cache_dir() / "build"``, at most :data:`KEEP`;
unreadable files are ignored and replaced; nothing here raises.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..fileio import atomic_write
from notes2anki.memo_file import dumps as memo_dumps, read_pickle

FORMAT = 1
KEEP = 32  # memo files kept (the most recently written); one per (state file, output)


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the build code: ``notes2anki/decks/*.py``, ``model.py`` and the genanki module file (found
    without importing genanki)."""
    from importlib.util import find_spec

    spec = find_spec("genanki")
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"build-memo={FORMAT}".encode())
    for path in sorted(here.glob("*.py")) + [here.parent / "model.py"] + ([Path(spec.origin)] if spec and spec.origin else []):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(path.name.encode())
    return digest.hexdigest()


def inputs_digest(vault: Any, config: Any, output: Path, extra_tags: Any) -> str:
    """Hex digest of what a build reads (see the module doc)."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(repr((str(Path(vault.root).resolve()), str(Path(output).resolve()), config, extra_tags,
                        list(vault.files))).encode("utf-8", "surrogatepass"))
    cards = vault.cards
    digest.update(repr(cards).encode("utf-8", "surrogatepass"))
    for path in sorted({p for card in cards for p in card.media}):
        digest.update(f"{path}\0{_stat(Path(vault.root) / path)}\n".encode("utf-8", "surrogatepass"))
    # the notes the settings leave out (an ignored Archive/): whether a card gone from the notes read is
    # still there (its ID line, or its text, moved into one: still_there.py) depends on them
    read = {note.path for note in vault.notes}
    for path in sorted(f for f in vault.files if f not in read and f.lower().endswith(".md")):
        digest.update(f"left out {path}\0{_stat(Path(vault.root) / path)}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _stat(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime ns, inode) of the file ``path`` points to, or None."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def memo_path(state_path: Path, output: Path) -> Path:
    """The memo file of builds with this state file and output."""
    from ..paths import cache_dir

    key = f"{Path(state_path).resolve()}\0{Path(os.path.realpath(output))}"
    return cache_dir() / "build" / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".pickle")


def read(path: Path) -> dict | None:
    """The memo file's content (any digest), or None when it is missing, unreadable or of another format."""
    try:
        data = read_pickle(path)
    except Exception:  # missing, corrupt, another version
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def load(path: Path, digest: str, state_path: Path, output: Path, data: dict | None = None) -> dict | None:
    """The stored build when its inputs had ``digest`` and the package and state file are as it left them.
    ``data``: :func:`read` of ``path`` when the caller has it already."""
    data = read(path) if data is None else data
    if (data is None or data.get("digest") != digest
            or data.get("output") != _stat(Path(os.path.realpath(output)))
            or data.get("state") != _stat(Path(state_path)) or data["output"] is None or data["state"] is None):
        return None
    return data


def guids_path(path: Path) -> Path:
    """Beside the memo file ``path``: the GUIDs its build computed (read only when the build runs)."""
    return path.with_suffix(".guids")


def last_guids(path: Path) -> dict:
    """The card GUIDs (ID -> GUID) the build that wrote the memo ``path`` computed, checked to be ints and
    strings; empty when there are none or the file cannot be used."""
    try:
        guids = read_pickle(guids_path(path))
    except Exception:  # missing, corrupt
        return {}
    if isinstance(guids, dict) and all(type(k) is int and type(v) is str for k, v in guids.items()):
        return guids
    return {}


def save(path: Path, digest: str, state_path: Path, output: Path, report: dict, guids: dict | None = None) -> None:
    """Store ``report`` (see :func:`~notes2anki.decks.build.build_package`) with the package's and state
    file's stat as they are now, and ``guids`` (ID -> GUID) beside it (:func:`guids_path`). Failures are
    ignored (the next build runs in full)."""
    data = {**report, "format": FORMAT, "digest": digest, "output": _stat(Path(os.path.realpath(output))),
            "state": _stat(Path(state_path))}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if guids is not None:
            atomic_write(guids_path(path), memo_dumps(guids))
        atomic_write(path, memo_dumps(data))
        entries = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:  # e.g. `-o -` builds into a new temporary file each time
            old.unlink(missing_ok=True)
            guids_path(old).unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, RecursionError):
        pass
