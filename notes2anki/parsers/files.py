"""Vault walking and file reading: which files belong to the vault, and their text.

- :func:`walk_vault` lists the vault's files without ever leaving it: hidden and tool folders are
  skipped, a symlink (file or folder) that resolves outside the vault is skipped with a warning, a
  folder reached twice (a link to a folder already walked, a link loop) is walked once, and a name that
  is not valid UTF-8 is reported (escaped) and skipped.
- Ignore patterns are gitignore-style (:mod:`notes2anki.parsers.ignore_patterns`, re-exported here).
- :func:`read_text` reads a note through :func:`notes2anki.fileio.read_bounded` (regular files inside
  the vault, at most ``MAX_NOTE_BYTES``).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..fileio import MAX_NOTE_BYTES, RealPaths, UnsafeFile, is_inside, not_utf8, read_bounded
from ..model import SKIPPED_PATH, Diagnostic
from ..unicode_paths import nfc_in_folder
from .ignore_patterns import (PatternError, _matcher, expand_braces, gitignore_patterns,  # noqa: F401
                              is_ignored, path_filter, plugin_glob_to_gitignore)

SKIP_DIRS = {".obsidian", ".git", ".trash", ".notes2anki", "node_modules", ".stversions", ".sync"}


# -- walking -----------------------------------------------------------------------------------------------

def display_name(name: str) -> str:
    """A file name as text that can be printed: bytes that are not UTF-8 become ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _valid(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def walk_vault(root: Path, diagnostics: list[Diagnostic] | None = None) -> list[str]:
    """Every file of the vault (vault-relative POSIX paths, sorted), never one outside it.

    Skips hidden folders and files (``.name``) and tool folders (``SKIP_DIRS``). Folder symlinks are
    followed only when they resolve inside the vault to a folder not walked yet (so no loop and no folder
    twice); file symlinks are listed only when they resolve inside the vault. Skipped links and names
    that are not UTF-8 are reported in ``diagnostics`` (warnings), when given.
    """
    root = Path(root)
    diags = diagnostics if diagnostics is not None else []
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    try:
        info = os.stat(root)
        seen.add((info.st_dev, info.st_ino))
    except OSError:
        return []
    links: list[tuple[str, str]] = []
    linked: list[str] = []  # file links listed
    nested: list[str] = []  # folders holding .obsidian/: Obsidian vaults of their own
    _walk("", str(root), root, found, seen, links, diags, linked, nested)
    out = VaultFiles(found)
    out.has_links = bool(links or linked)
    while links:  # links are followed after every real folder is known, so real paths win
        rel, path = links.pop(0)
        if not is_inside(root, Path(path)):
            diags.append(Diagnostic(rel, 0, "warning", "folder link leads outside the vault; not followed",
                                    SKIPPED_PATH))
            continue
        try:
            info = os.stat(path)
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key not in seen:
            seen.add(key)
            _walk(rel, path, root, found, seen, links, diags, linked, nested)
    out[:] = sorted(found)
    out.nested_vaults = tuple(sorted(nested))
    return out


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class VaultFiles(list):
    """The list :func:`walk_vault` returns; ``has_links``: whether any listed file is a link or lies in a
    followed folder link (when not, no two paths are one file and :func:`distinct_notes` has nothing to do)."""

    has_links = True
    nested_vaults: tuple[str, ...] = ()  # folders below the root that hold .obsidian/ (vaults of their own)


def _walk(rel_dir: str, path: str, root: Path, found: list[str], seen: set[tuple[int, int]],
          links: list[tuple[str, str]], diags: list[Diagnostic], linked: list[str] | None = None,
          nested: list[str] | None = None) -> None:
    stack = [(rel_dir, path)]
    while stack:
        rel_dir, path = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            diags.append(Diagnostic(rel_dir or ".", 0, "warning",
                                    f"folder not read: {exc.strerror or exc}", SKIPPED_PATH))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in SKIP_DIRS:
                if name == ".obsidian" and rel_dir and nested is not None and _is_dir(entry):
                    nested.append(rel_dir)
                continue
            shown = f"{rel_dir}/{display_name(name)}" if rel_dir else display_name(name)
            if not _valid(name):
                diags.append(Diagnostic(shown, 0, "warning", "file name is not valid UTF-8; skipped "
                                                             "(rename it to include it)", SKIPPED_PATH))
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError as exc:  # a symlink loop (a.md → b.md → a.md), an entry gone while listed
                diags.append(Diagnostic(rel, 0, "warning", f"not read: {exc.strerror or exc}; skipped",
                                        SKIPPED_PATH))
                continue
            if is_dir and is_link:
                links.append((rel, entry.path))
            elif is_dir:
                try:
                    info = entry.stat()
                except OSError as exc:  # a path longer than the system allows (PATH_MAX), a folder gone
                    diags.append(Diagnostic(rel, 0, "warning", f"folder not read: {exc.strerror or exc}; skipped",
                                            SKIPPED_PATH))
                    continue
                if (info.st_dev, info.st_ino) not in seen:
                    seen.add((info.st_dev, info.st_ino))
                    subdirs.append((rel, entry.path))
            elif is_link and not is_inside(root, Path(entry.path)):
                diags.append(Diagnostic(rel, 0, "warning", "link to a file outside the vault; skipped", SKIPPED_PATH))
            else:
                found.append(rel)
                if is_link and linked is not None:
                    linked.append(rel)
        stack.extend(reversed(subdirs))


def markdown_files(all_files: list[str], scan_directory: str, ignore: list[str]) -> list[str]:
    """The notes to read: .md files under the scan directory (vault-relative), minus those the
    gitignore-style ``ignore`` patterns match (both compared in Unicode NFC, as Obsidian compares names:
    :mod:`notes2anki.unicode_paths`)."""
    scan = scan_directory.strip().replace("\\", "/").strip("/")
    ignored = _matcher(tuple(ignore))  # None: a pattern that cannot be used, reported with the configuration
    return [f for f in all_files
            if f.lower().endswith(".md") and nfc_in_folder(f, scan) and not (ignored and ignored(f))]


def distinct_notes(root: Path, paths: list[str]) -> list[str]:
    """``paths`` less the notes that are file symlinks to another listed note (the same file would be
    read twice: every card twice, and after ``ids`` a false "ID also used" error). The real file is
    kept; of several links to one file outside the list, the first in order. Order is kept."""
    by_target: dict[str, str] = {}
    for rel in paths:
        try:
            target = os.path.realpath(root / rel)
            is_link = os.path.islink(root / rel)
        except (OSError, ValueError):
            continue
        kept = by_target.get(target)
        if kept is None or (os.path.islink(root / kept) and not is_link):
            by_target[target] = rel
    keep = set(by_target.values())
    return [rel for rel in paths if rel in keep]


# -- reading -----------------------------------------------------------------------------------------------

def read_text(path: Path, rel: str, diagnostics: list[Diagnostic], root: Path | None = None, *,
              real_root: str | RealPaths | None = None) -> str | None:
    """The note's text with a BOM removed and line endings normalised to \\n; None if not read.

    Read with ``read_bounded`` (at most ``MAX_NOTE_BYTES``; regular files only; inside ``root``, by
    default the vault folder that ``path`` = root/rel lies in). A file outside the vault is a warning;
    a FIFO/device, a file over the limit, an unreadable one or one that is not UTF-8 is an error.
    ``real_root``: ``os.path.realpath(root)`` or a :class:`~notes2anki.fileio.RealPaths` of ``root``, when the
    caller reads many notes.
    """
    path = Path(path)
    if root is None:
        depth = len(rel.split("/"))
        root = path.parents[depth - 1] if len(path.parents) >= depth else path.parent
    try:
        data = read_bounded(path, MAX_NOTE_BYTES, root=root, real_root=real_root)
    except UnsafeFile as exc:
        outside = not is_inside(root, path)
        diagnostics.append(Diagnostic(rel, 0, "warning" if outside else "error", f"{exc}; file skipped",
                                      SKIPPED_PATH if outside else ""))
        return None
    except OSError as exc:
        diagnostics.append(Diagnostic(rel, 0, "error", _unreadable(path, exc)))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, why = not_utf8(exc)
        diagnostics.append(Diagnostic(rel, line, "error", f"{why}; file skipped"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unreadable(path: Path, exc: OSError) -> str:
    """The message for a note that could not be opened: a symbolic link whose target does not exist is named
    as such, with its target (tester 12-03: "cannot read file: No such file or directory" did not say the
    note was a broken link)."""
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"is a symbolic link to {target!r}, which does not exist (a broken link); file skipped"
    return f"cannot read file: {exc.strerror or exc}"
