"""Embedded files: whether one may go into a deck, and the name it gets in Anki's media folder.

The renderer asks here while it renders an embed, so the HTML carries the final media name and never
a placeholder (issue 15: placeholders made of private-use characters broke on cards that contain
such a character). The deck builder asks the same questions and gets the same answers.

Names: a file keeps its base name (``pooling.png``) unless another vault file has the same base name
with other bytes; then each gets ``stem-<first 8 hex of its SHA-256>.ext``, so two figures called
``figure.png`` never overwrite each other in Anki and identical copies stay one file.

Checks (``problem``): the file must resolve inside the vault (a symlink to ``~/elsewhere/secret.png``
or ``/etc/hostname`` is refused), be a regular file (not a FIFO, device or ``/dev/zero``), be readable,
and be at most ``fileio.MAX_MEDIA_BYTES``.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from ..fileio import MAX_MEDIA_BYTES, UnsafeFile, check_media, read_bounded


class MediaIndex:
    """Media names and checks for one vault. ``root`` None: no file access (names by base name only)."""

    def __init__(self, root: Path | None, files: list[str]):
        self.root = Path(root) if root is not None else None
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for f in files:
            self.by_name[_anki_name(posixpath.basename(f))].append(f)
        self._names: dict[str, str] = {}
        self._problems: dict[str, str | None] = {}
        self._digests: dict[str, str] = {}

    def problem(self, path: str) -> str | None:
        """Why the vault file ``path`` must be left out of a deck, or None when it may go in."""
        if self.root is None:
            return None
        if path not in self._problems:
            try:
                check_media(self.root / path, MAX_MEDIA_BYTES, self.root)
                self._problems[path] = None
            except UnsafeFile as exc:
                self._problems[path] = str(exc)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                self._problems[path] = f"cannot be read ({reason}); left out"
        return self._problems[path]

    def name(self, path: str) -> str:
        """The file's name in Anki's media folder (see the module docstring)."""
        if path in self._names:
            return self._names[path]
        base = _anki_name(posixpath.basename(path))
        same = self.by_name.get(base, [path])
        if len(same) <= 1 or self.root is None:
            name = base
        else:
            digests = {self._digest(p) for p in same if self.problem(p) is None}
            mine = self._digest(path)
            if len(digests | {mine}) == 1:
                name = base
            else:
                stem, dot, ext = base.rpartition(".")
                name = f"{stem}-{mine[:8]}.{ext}" if dot else f"{base}-{mine[:8]}"
        self._names[path] = name
        return name

    def digest(self, path: str) -> str:
        """SHA-256 (hex) of the vault file ``path``'s bytes, read once, bounded and inside the vault (a file
        that cannot be read: a hash of its path)."""
        return self._digest(path)

    def _digest(self, path: str) -> str:
        if path not in self._digests:
            try:
                data = read_bounded(self.root / path, MAX_MEDIA_BYTES, self.root)
                self._digests[path] = hashlib.sha256(data).hexdigest()
            except OSError:  # UnsafeFile included: named by its path, never packaged anyway
                self._digests[path] = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
        return self._digests[path]


def _anki_name(text: str) -> str:
    """A file name as Anki's media folder holds it: NFC, without ASCII control characters (Anki removes
    them from media names, tab included, and from fields: U+001F, its field separator, above all)."""
    return _CONTROLS.sub("", unicodedata.normalize("NFC", text))


_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
