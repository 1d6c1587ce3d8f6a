"""Vault paths compared as Obsidian compares them: in Unicode normal form C.

A name with an accent can be stored two ways: composed (NFC, ``é`` = U+00E9, what a keyboard types and
what Obsidian writes in its settings) or decomposed (NFD, ``e`` + U+0301, what macOS HFS+, git or rsync
can leave on disk). Both look the same and Obsidian treats them as one name. So every place a configured
path, folder or pattern is matched against a vault path (``folder_decks``, ``folder_tags``,
``scan_directory``, ignore patterns, the plugin's data.json settings, template folders, ``[related]
exclude``, ``[dupes] ignore`` references, wiki links and embeds) compares the NFC forms here, while files
are still opened by their real names on disk (:func:`spelled_on_disk`).
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

MAX_ENTRIES = 10_000  # entries of one folder read to find a name spelled in another normal form


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (composed), the form vault paths are compared in."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def nfc_in_folder(path: str, folder: str) -> bool:
    """Whether vault path ``path`` lies inside vault folder ``folder`` (at any depth), comparing NFC forms;
    ``folder`` "" is the whole vault."""
    return not folder or nfc(path).startswith(nfc(folder).rstrip("/") + "/")


def spelled_on_disk(root: Path, folder: str) -> str | None:
    """The vault folder ``folder`` (vault-relative, ``/``-separated) spelled as the file system keeps it:
    each part taken as written when that folder exists, else the entry of its parent with the same NFC
    form; None when some part is not there. Reads at most :data:`MAX_ENTRIES` entries a level; never
    raises."""
    current, parts = Path(root), []
    for part in folder.split("/"):
        try:
            if (current / part).is_dir():
                parts.append(part)
                current = current / part
                continue
            want = nfc(part)
            with os.scandir(current) as entries:
                match = next((e.name for _, e in zip(range(MAX_ENTRIES), entries)
                              if nfc(e.name) == want and e.is_dir()), None)
        except (OSError, ValueError):
            return None
        if match is None:
            return None
        parts.append(match)
        current = current / match
    return "/".join(parts)
