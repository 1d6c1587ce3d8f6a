"""Resolving wiki links and embeds to vault files, the way Obsidian does.

A target is tried as (1) an exact vault path, (2) a path relative to the linking note, (3) the file of
that name anywhere in the vault (Obsidian's "shortest path" links, e.g. an attachments folder).
When several files share the name, Obsidian's ``getFirstLinkpathDest`` rule picks one: the file in the
linking note's own folder (an ancestor folder counts for nothing), else the shortest vault path (in
characters; equal lengths: the first path in sort order, where Obsidian's choice is not stable). That
rule was observed on Obsidian 1.13.7 through ``app.metadataCache.getFirstLinkpathDest`` and recorded in
pvliesdonk/markdown-vault-mcp issue #1350 / pull request #1380. Such a choice is returned as an
:class:`Ambiguity` (``media_choice``, ``note_choice``) so the card can say so. Names compare in Unicode
NFC form, so ``Übung.png`` typed in a note finds a file whose name the file system keeps decomposed (macOS).
A relative path that climbs above the vault root (``../../../Assets/x.png`` from a note two folders
deep, issue 10 F7) is looked up by its remaining path, then by its name, inside the vault, as Obsidian
does; nothing outside the vault is ever returned.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..unicode_paths import nfc as _nfc
from .media import MediaIndex

IMAGE_EXT = {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "avif", "tif", "tiff", "ico"}
AUDIO_EXT = {"mp3", "ogg", "oga", "opus", "wav", "m4a", "flac", "aac", "webm", "mp4", "mov", "mkv", "3gp"}


@dataclass(frozen=True)
class Ambiguity:
    """A name several vault files answer to: every candidate (vault paths), the one used and why."""

    candidates: tuple[str, ...]
    chosen: str
    reason: str

    def message(self, written: str, name: str, path_form: Callable[[str], str], where: str = "") -> str:
        """The warning for ``written`` (as in the note, e.g. ``![[acid.png]]``) whose ``name`` several files
        answer to; ``path_form`` turns a vault path into the text to write instead of ``name``; ``where``:
        e.g. " (in the embedded note X.md)"."""
        more = len(self.candidates) - 6
        shown = list(self.candidates[:6]) + ([f"and {more} more"] if more > 0 else [])
        other = next(p for p in self.candidates if p != self.chosen)
        choices = " or ".join(written.replace(name, path_form(p), 1) for p in (self.chosen, other))
        return (f"{written}{where} matches {len(self.candidates)} files: {', '.join(shown)}; {self.chosen} is "
                f"used ({self.reason}, as Obsidian chooses; adding or moving a file of that name can change "
                f"it); write the path to choose one, e.g. {choices}")


class LinkResolver:
    """Finds the vault files that links and embeds name; ``root`` (optional) enables media checks,
    content-based media names and reading embedded notes (``media_index``, ``note_text``)."""

    def __init__(self, files: list[str], root: Path | None = None):
        self.root = Path(root) if root is not None else None
        self.media_index = MediaIndex(self.root, files)
        self._note_texts: dict[str, str | None] = {}
        self.unreadable: dict[str, str] = {}  # note path -> why note_text gave None (a FIFO, too large, …)
        self.notes_read: set[str] = set()  # the notes note_text was asked for (embeds): a parse's dependencies
        self.files = {_nfc(f): f for f in files}  # NFC path -> the path as stored
        self.lower = {_nfc(f).lower(): f for f in files}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for f in sorted(files):
            self.by_name[posixpath.basename(_nfc(f)).lower()].append(f)

    def media(self, target: str, note_path: str) -> str | None:
        """The vault path of an embedded file, or None."""
        return self._find(target.strip(), note_path)[0]

    def note(self, target: str, note_path: str) -> str | None:
        """The vault path of a linked note (``Note``, ``folder/Note``, ``Note.md``), or None."""
        return self.note_choice(target, note_path)[0]

    def media_choice(self, target: str, note_path: str) -> tuple[str | None, Ambiguity | None]:
        """:meth:`media`, and the :class:`Ambiguity` when several files share the name it found."""
        return self._find(target.strip(), note_path)

    def note_choice(self, target: str, note_path: str) -> tuple[str | None, Ambiguity | None]:
        """:meth:`note`, and the :class:`Ambiguity` when several notes share the name it found."""
        target = target.strip()
        if not target.lower().endswith(".md"):
            found = self._find(target + ".md", note_path)
            if found[0]:
                return found
        return self._find(target, note_path)

    def _find(self, target: str, note_path: str) -> tuple[str | None, Ambiguity | None]:
        if not target:
            return None, None
        target = _nfc(target.lstrip("/"))
        here = posixpath.dirname(_nfc(note_path))
        relative = posixpath.normpath(posixpath.join(here, target))
        candidates = [target, relative]
        climbs = relative == ".." or relative.startswith("../")
        if climbs:  # above the vault root (F7): the rest of the path, then the name, inside the vault
            target = relative
            while target == ".." or target.startswith("../"):
                target = target[3:]
            candidates.append(target)
        elif "../" in target or target.startswith("./"):
            target = relative
        for cand in candidates:
            found = self.files.get(cand) or self.lower.get(cand.lower())
            if found:  # (a bare name found beside the note: Obsidian's "own folder" rule, which no file added or
                return found, None  # moved elsewhere changes: nothing to warn about)
        same_name = self.by_name.get(posixpath.basename(target).lower(), [])
        if "/" in target:  # a partial path: the files whose path ends with it
            partial = [f for f in same_name if _nfc(f).lower().endswith("/" + target.lower())]
            same_name = partial if partial or not climbs else same_name
        if not same_name:
            return None, None
        beside = [f for f in same_name if posixpath.dirname(_nfc(f)) == here]
        found = min(beside or same_name, key=lambda f: (len(_nfc(f)), f))
        if len(same_name) == 1 or beside:
            return found, None
        tied = [f for f in same_name if f != found and len(_nfc(f)) == len(_nfc(found))]
        why = (f"its path is as short as {', '.join(tied[:3])}{' …' if len(tied) > 3 else ''}: a tie, broken "
               "by name order" if tied else "it has the shortest path")
        return found, Ambiguity(tuple(same_name), found, why)

    def note_text(self, path: str) -> str | None:
        """The text of the vault note ``path`` (``\\n`` line ends), read once; None when unreadable,
        outside the vault, too large or without ``root``."""
        self.notes_read.add(path)
        if path not in self._note_texts:
            self._note_texts[path] = None
            if self.root is not None:
                from ..fileio import MAX_NOTE_BYTES, UnsafeFile, read_bounded

                try:
                    data = read_bounded(self.root / path, MAX_NOTE_BYTES, self.root)
                    text = data.decode("utf-8-sig")
                    self._note_texts[path] = text.replace("\r\n", "\n").replace("\r", "\n")
                except OSError as exc:
                    self.unreadable[path] = str(exc) if isinstance(exc, UnsafeFile) else \
                        f"cannot be read: {exc.strerror or exc}"
                except UnicodeDecodeError:
                    self.unreadable[path] = "is not UTF-8 text"
        return self._note_texts[path]

