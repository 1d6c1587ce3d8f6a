"""The last build of a vault, replayed when nothing it read has changed (issue 13: a warm no-op ``build``
must not recompute identities and content hashes, write a collection and zip it only to find the package
byte-identical).

:func:`inputs_digest` hashes everything :func:`~notes2anki.decks.build.build_package` reads: every card as
parsed (its whole ``repr``: fields, HTML, tags, deck, ID, place, media), the vault root and file list, the
size and modification time of every embedded file, the configuration, the output path, the extra tags and
the code (``notes2anki/decks/*.py``, ``model.py``, the genanki module). A replay also needs the package
and the build state file exactly as that build left them (size, modification time, inode): a package
imported and deleted, or a state file another build rewrote, makes the next build run in full.

What is stored is what a second build would report: every card unchanged (the state file now records
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
from notes2anki.memo_file import read_pickle

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


def load(path: Path, digest: str, state_path: Path, output: Path) -> dict | None:
    """The stored build when its inputs had ``digest`` and the package and state file are as it left them."""
    try:
        data = read_pickle(path)
    except Exception:  # missing, corrupt, another version
        return None
    if (not isinstance(data, dict) or data.get("format") != FORMAT or data.get("digest") != digest
            or data.get("output") != _stat(Path(os.path.realpath(output)))
            or data.get("state") != _stat(Path(state_path)) or data["output"] is None or data["state"] is None):
        return None
    return data


def save(path: Path, digest: str, state_path: Path, output: Path, report: dict) -> None:
    """Store ``report`` (see :func:`~notes2anki.decks.build.build_package`) with the package's and state
    file's stat as they are now. Failures are ignored (the next build runs in full)."""
    data = {**report, "format": FORMAT, "digest": digest, "output": _stat(Path(os.path.realpath(output))),
            "state": _stat(Path(state_path))}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        entries = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:  # e.g. `-o -` builds into a new temporary file each time
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, RecursionError):
        pass
