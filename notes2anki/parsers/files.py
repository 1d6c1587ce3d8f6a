"""Vault walking and file reading: which files belong to the vault, and their text."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from ..model import Diagnostic

SKIP_DIRS = {".obsidian", ".git", ".trash", ".notes2anki", "node_modules", ".stversions", ".sync"}


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern:
    """A minimatch-style glob as a regex over vault-relative POSIX paths.

    ``*`` and ``?`` stay within one path segment, ``**`` spans any number of segments.
    """
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out) + r"\Z")


def is_ignored(rel: str, globs: list[str]) -> bool:
    return any(glob_regex(g).match(rel) for g in globs)


def walk_vault(root: Path) -> list[str]:
    """Every file of the vault (vault-relative POSIX paths, sorted), skipping hidden/tool folders."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            if name.startswith("."):
                continue
            found.append(name if rel_dir == "." else f"{rel_dir}/{name}")
    return sorted(found)


def markdown_files(all_files: list[str], scan_directory: str, ignore: list[str]) -> list[str]:
    """The notes to read: .md files under the scan directory, minus ignored globs."""
    scan = scan_directory.strip("/")
    prefix = f"{scan}/" if scan else ""
    return [f for f in all_files
            if f.lower().endswith(".md") and f.startswith(prefix) and not is_ignored(f, ignore)]


def read_text(path: Path, rel: str, diagnostics: list[Diagnostic]) -> str | None:
    """The file's text with a BOM removed and line endings normalised to \\n; None if unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(Diagnostic(rel, 0, "error", f"cannot read file: {exc.strerror or exc}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diagnostics.append(Diagnostic(rel, line, "error",
                                      f"not UTF-8 text (byte 0x{data[exc.start]:02x}); file skipped"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
