"""Where notes2anki keeps its own files. Never inside the vault: `build` only reads the vault."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_dir() -> Path:
    """Embedding cache and other re-computable data.

    ``NOTES2ANKI_CACHE_DIR`` overrides the platform's user cache dir (``~/.cache/notes2anki`` on Linux).
    """
    env = os.environ.get("NOTES2ANKI_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("notes2anki", appauthor=False))


def state_dir() -> Path:
    """Per-vault build state (card change times).

    ``NOTES2ANKI_STATE_DIR`` overrides the platform's user state dir (``~/.local/state/notes2anki``).
    """
    env = os.environ.get("NOTES2ANKI_STATE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_state_dir

    return Path(user_state_dir("notes2anki", appauthor=False))


def vault_key(root: Path) -> str:
    """A short stable name for a vault, ``<folder name>-<12 hex digits of SHA-1 of its absolute path>``,
    used for the vault's build state, lock and caches. The path's own bytes are hashed (``os.fsencode``:
    the UTF-8 bytes for a UTF-8 name), so a folder whose name is not UTF-8 has a key too, never an error."""
    resolved = str(Path(root).resolve())
    name = Path(resolved).name or "vault"
    return f"{name}-{hashlib.sha1(os.fsencode(resolved)).hexdigest()[:12]}"
