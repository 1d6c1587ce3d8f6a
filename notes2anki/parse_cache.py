"""Per-file parse results kept between runs, so a warm build re-parses only the notes that changed.

A parsed note (its :class:`~notes2anki.model.Note` with cards and rendered HTML, and the diagnostics its
file produced) is stored under its vault path with the SHA-256 of its text and a *settings hash*: the
configuration, the vault name, the code version (a hash of the parser sources) and the vault's file tree
(every path, and size and modification time of every file that is not a note: links and embeds resolve
against the tree and media names carry a content hash). Any change there re-parses every note; an edited
note re-parses only itself and the notes that embed it (``![[Note]]``: each entry keeps the text hash of
every note its parse read for an embed, and is used only while they all still hold that text).

One file per vault, ``paths.cache_dir() / "parse" / <vault key>.pickle``, outside the vault. It is the
user's own re-computable data; pickle is used because a Note is a tree of plain dataclasses. A file of
another version is ignored and replaced; one that cannot be read (truncated, garbage) too, with a warning in
:attr:`ParseCache.warnings` (:mod:`notes2anki.memo_file`); nothing here raises or prints.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .config import Config
from . import memo_file
from .model import Diagnostic, Note

FORMAT = 4  # 2: each note pickled on its own (an edit re-pickles one note, not the vault); 3: embedded notes' hashes;
# 4: each note's pickle with its CRC-32 (a bit flipped on disk must not reach a package as card text)
_CODE_VERSION: str | None = None


def code_version() -> str:
    """Hash of the sources that turn a file into a Note (parsers, model, config, config_schema, config_syntax, fileio,
    unicode_paths)."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        here = Path(__file__).resolve().parent
        digest = hashlib.sha256(f"format={FORMAT}".encode())
        own = [here / name for name in ("model.py", "config.py", "config_schema.py", "config_syntax.py", "fileio.py",
                                          "unicode_paths.py")]
        for path in sorted([*(here / "parsers").glob("*.py"), *(p for p in own if p.exists())]):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_VERSION = digest.hexdigest()[:16]
    return _CODE_VERSION


def settings_hash(root: Path, config: Config, files: list[str], vault_name: str) -> str:
    """The hash every cached note of one build shares (see the module doc)."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(repr(config).encode("utf-8", "surrogatepass") + b"\0"
                  + vault_name.encode("utf-8", "surrogateescape"))
    for rel in files:
        if rel.lower().endswith(".md"):  # a note's own text is hashed per file; here only its name counts
            digest.update(f"{rel}\0md\n".encode("utf-8", "surrogatepass"))
            continue
        try:
            stat = os.stat(root / rel)
            digest.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
        except OSError:
            digest.update(f"{rel}\0-\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def text_hash(text: str) -> str:
    """SHA-256 of a note's decoded text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ParseCache:
    """Parsed notes of one vault: :meth:`get` before parsing a file, :meth:`put` after, :meth:`save` at the
    end (writes only when something changed). ``path=None``: nothing is kept."""

    path: Path | None
    # rel -> (text hash, settings hash, the pickled (Note, diagnostics) (parsed this run: the objects),
    # {embedded note: its text hash})
    entries: dict[str, tuple[str, str, bytes | tuple[Note, list[Diagnostic]], dict[str, str]]] = \
        field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    hits: int = 0
    misses: int = 0
    warnings: list[str] = field(default_factory=list)  # the file was unusable (said once; rebuilt on save)
    _dirty: bool = False

    @classmethod
    def for_vault(cls, root: Path) -> "ParseCache":
        """The cache of the vault at ``root`` (``NOTES2ANKI_PARSE_CACHE=0`` turns it off)."""
        if os.environ.get("NOTES2ANKI_PARSE_CACHE", "1") == "0":
            return cls(None)
        from .paths import cache_dir, vault_key

        path = cache_dir() / "parse" / f"{vault_key(root)}.pickle"
        cache = cls(path)
        data, warning = memo_file.load(path, "parse cache", valid=lambda d: d.get("format") == FORMAT
                                       and d.get("code") == code_version() and isinstance(d["entries"], dict))
        if data is not None:
            cache.entries = data["entries"]
        elif warning:
            cache.warnings.append(warning)
            cache._dirty = True  # replace the unusable file even when no note is parsed
        return cache

    def get(self, rel: str, text_hash: str, settings_hash: str,
            embedded_hash: Callable[[str], str] = lambda path: "-") -> tuple[Note, list[Diagnostic]] | None:
        """The cached Note of ``rel`` and the diagnostics its parse produced, when both hashes match and
        every note it embedded still has the text hash ``embedded_hash(path)`` it had then."""
        self.used.add(rel)
        entry = self.entries.get(rel)
        if entry is not None and len(entry) == 5 and entry[0] == text_hash and entry[1] == settings_hash \
                and all(embedded_hash(path) == digest for path, digest in entry[3].items()):
            try:
                if isinstance(entry[2], bytes) and zlib.crc32(entry[2]) != entry[4]:
                    raise ValueError("checksum")  # bytes changed on disk: parsed again, never shown to Anki
                note, diagnostics = pickle.loads(entry[2]) if isinstance(entry[2], bytes) else entry[2]
            except Exception:  # a damaged entry: parsed again
                note = None
            if isinstance(note, Note):
                self.hits += 1
                return note, list(diagnostics)
        self.misses += 1
        return None

    def put(self, rel: str, text_hash: str, settings_hash: str, note: Note, diagnostics: list[Diagnostic],
            embedded: dict[str, str] | None = None) -> None:
        """Remember the parse of ``rel``; ``embedded``: the text hash of each note the parse embedded."""
        self.used.add(rel)
        self.entries[rel] = (text_hash, settings_hash, (note, list(diagnostics)), dict(embedded or {}), None)
        self._dirty = True

    def save(self) -> None:
        """Write the entries of the files seen in this build (others are dropped); a failure is ignored (the
        next build parses again)."""
        if self.path is None:
            return
        stale = set(self.entries) - self.used
        if not self._dirty and not stale:
            return
        for rel in stale:
            del self.entries[rel]
        entries = {}
        for rel, entry in self.entries.items():  # only new parses are pickled
            if not isinstance(entry, tuple) or len(entry) != 5:
                continue  # a damaged entry read from the file: dropped
            text_key, settings, parsed, embedded, crc = entry
            if not isinstance(parsed, bytes):
                try:
                    parsed = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
                except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
                    continue
                crc = zlib.crc32(parsed)
            entries[rel] = (text_key, settings, parsed, embedded, crc)
        memo_file.save(self.path, {"format": FORMAT, "code": code_version(), "entries": entries})
