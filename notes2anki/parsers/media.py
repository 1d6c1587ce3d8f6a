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
        for f in files:  # names Anki would hold as one (its media folder: case-insensitive on macOS/Windows)
            self.by_name[_anki_name(posixpath.basename(f)).casefold()].append(f)
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
        same = self.by_name.get(base.casefold(), [path])
        if len(same) <= 1 or self.root is None:
            name = base
        else:
            digests = {self._digest(p) for p in same if self.problem(p) is None}
            mine = self._digest(path)
            if len(digests | {mine}) == 1:
                name = base
            else:
                stem, dot, ext = base.rpartition(".")
                name = _anki_name(f"{stem}-{mine[:8]}.{ext}" if dot else f"{base}-{mine[:8]}", tail=mine[:8])
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


def _anki_name(text: str, tail: str = "") -> str:
    """A file name as Anki's media folder holds it (rslib ``media/files.rs`` ``normalize_filename``, checked
    with the ``anki`` package): NFC; without ASCII control characters (tab included; U+001F is its field
    separator) and ``[]<>:"/?*^\\|``; a Windows device name (``con.png``) gets ``_`` after it; a name ending
    in a dot or space gets ``_``; over 120 bytes, the extension is cut to 10 bytes and the stem to fit in
    119. Anki would otherwise store another name than the card's HTML says, and every sync would write the
    note again. ``tail``: a suffix of the stem to keep when cutting (the content hash of a renamed file)."""
    name = _DISALLOWED.sub("", unicodedata.normalize("NFC", text))
    name = _DEVICE.sub(r"\1_\2", name)
    if name.endswith((".", " ")):
        name += "_"
    if len(name.encode("utf-8")) > MAX_MEDIA_NAME:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        ext = _cut(ext, 10)
        room = MAX_MEDIA_NAME - len(ext.encode("utf-8")) - 2
        stem = _cut(stem[:len(stem) - len(tail)], room - len(tail.encode("utf-8"))) + tail if tail else _cut(stem, room)
        name = f"{stem}.{ext}" if ext else stem
        if name.endswith((".", " ")):
            name += "_"
    return name


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, at a character boundary."""
    return text.encode("utf-8")[:max(limit, 0)].decode("utf-8", "ignore")


MAX_MEDIA_NAME = 120  # bytes: Anki's MAX_FILENAME_LENGTH
_DISALLOWED = re.compile(r'[\x00-\x1f\x7f\[\]<>:"/?*^\\|]')
_DEVICE = re.compile(r"(?i)^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)")
