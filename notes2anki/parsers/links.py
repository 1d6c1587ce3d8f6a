"""Resolving wiki links and embeds to vault files, the way Obsidian does.

A target is tried as (1) an exact vault path, (2) a path relative to the linking note, (3) the file of
that name anywhere in the vault (Obsidian's "shortest path" links, e.g. an attachments folder).
When several files share the name, the one closest to the linking note wins. Names compare in Unicode
NFC form, so ``Übung.png`` typed in a note finds a file whose name the file system keeps decomposed (macOS).
"""
from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict

IMAGE_EXT = {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "avif", "tif", "tiff", "ico"}
AUDIO_EXT = {"mp3", "ogg", "oga", "opus", "wav", "m4a", "flac", "aac", "webm", "mp4", "mov", "mkv", "3gp"}


class LinkResolver:
    def __init__(self, files: list[str]):
        self.files = {_nfc(f): f for f in files}  # NFC path -> the path as stored
        self.lower = {_nfc(f).lower(): f for f in files}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for f in sorted(files):
            self.by_name[posixpath.basename(_nfc(f)).lower()].append(f)

    def media(self, target: str, note_path: str) -> str | None:
        """The vault path of an embedded file, or None."""
        return self._find(target.strip(), note_path)

    def note(self, target: str, note_path: str) -> str | None:
        """The vault path of a linked note (``Note``, ``folder/Note``, ``Note.md``), or None."""
        target = target.strip()
        if not target.lower().endswith(".md"):
            found = self._find(target + ".md", note_path)
            if found:
                return found
        return self._find(target, note_path)

    def _find(self, target: str, note_path: str) -> str | None:
        if not target:
            return None
        target = _nfc(target.lstrip("/"))
        candidates = [target, posixpath.normpath(posixpath.join(posixpath.dirname(_nfc(note_path)), target))]
        for cand in candidates:
            if cand in self.files:
                return self.files[cand]
            if cand.lower() in self.lower:
                return self.lower[cand.lower()]
        same_name = self.by_name.get(posixpath.basename(target).lower(), [])
        if "/" in target:  # a partial path: the files whose path ends with it
            same_name = [f for f in same_name if _nfc(f).lower().endswith("/" + target.lower())]
        if not same_name:
            return None
        here = posixpath.dirname(note_path)
        return min(same_name, key=lambda f: (_distance(here, posixpath.dirname(f)), f))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _distance(a: str, b: str) -> int:
    pa, pb = [p for p in a.split("/") if p], [p for p in b.split("/") if p]
    common = 0
    while common < min(len(pa), len(pb)) and pa[common] == pb[common]:
        common += 1
    return (len(pa) - common) + (len(pb) - common)
