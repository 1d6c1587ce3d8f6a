"""Naming a note or a card on the command line (``related NOTE``, ``--card FILE:LINE``): a vault path, a name
as written in a wiki link, a frontmatter alias or a file on disk inside the vault; and the text of a wiki link
to a note as Obsidian writes one."""
from __future__ import annotations

import difflib
import posixpath
from pathlib import Path

from ..model import Card, Note, Vault
from ..parsers.links import LinkResolver
from ..parsers.syntax import WIKILINK


def aliases(vault: Vault) -> dict[str, str]:
    """Frontmatter ``aliases`` (a list or a string; ``alias`` too), lower case → note path."""
    out: dict[str, str] = {}
    for note in sorted(vault.notes, key=lambda n: n.path):
        for key in ("aliases", "alias"):
            value = note.frontmatter.get(key) if isinstance(note.frontmatter, dict) else None
            names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            for name in names:
                if isinstance(name, str) and name.strip():
                    out.setdefault(name.strip().lower(), note.path)
    return out


class NoteNotFound(LookupError):
    """A note or card named on the command line is not in the vault (message says what to try)."""


def resolve_note(vault: Vault, query: str, cwd: Path | None = None) -> Note:
    """The note named by ``query``: a vault path (``biology/Mitosis.md``, with or without ``.md``), a note
    name as written in a wiki link (``Mitosis``, ``[[Mitosis|alias]]``, ``folder/Mitosis``), or a file path
    on disk inside the vault. Raises :class:`NoteNotFound` with the closest names."""
    text = query.strip()
    wiki = WIKILINK.fullmatch(text)
    if wiki:
        text = wiki.group(2).split("|", 1)[0].split("#", 1)[0].strip()
    by_path = {n.path: n for n in vault.notes}
    candidate = text.replace("\\", "/").lstrip("/")
    if candidate.startswith("./"):
        candidate = candidate[2:]
    for form in (candidate, candidate + ".md"):
        if form in by_path:
            return by_path[form]
    on_disk = Path(text).expanduser()
    if not on_disk.is_absolute():
        on_disk = (cwd or Path.cwd()) / on_disk
    try:
        rel = on_disk.resolve().relative_to(Path(vault.root).resolve()).as_posix()
        if rel in by_path:
            return by_path[rel]
    except (ValueError, OSError):
        pass
    resolver = LinkResolver(sorted(by_path))
    found = resolver.note(candidate, "")
    if found in by_path:
        return by_path[found]
    found = aliases(vault).get(candidate.lower())
    if found in by_path:
        return by_path[found]
    names = sorted({n.name for n in vault.notes} | set(by_path))
    close = difflib.get_close_matches(posixpath.basename(candidate), names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise NoteNotFound(f"no note {query!r} in the vault{hint}")


def link_names(vault: Vault) -> dict[str, str]:
    """Note path → the text of a wiki link to it, as Obsidian writes one by default ("shortest path when
    possible"): the note's name when no other note of the vault has that name (case-insensitively), else
    its path from the vault root; without ``.md``."""
    notes = [f for f in (getattr(vault, "files", None) or [n.path for n in vault.notes]) if f.lower().endswith(".md")]
    notes = sorted(set(notes) | {n.path for n in vault.notes})
    named: dict[str, int] = {}
    for path in notes:
        key = posixpath.basename(path)[:-3].lower()
        named[key] = named.get(key, 0) + 1
    return {path: (posixpath.basename(path)[:-3] if named[posixpath.basename(path)[:-3].lower()] == 1 else path[:-3])
            for path in notes}


def notes_also_named(vault: Vault, query: str, chosen: str) -> list[str]:
    """The other notes that ``query`` (a bare name, as in a wiki link) could mean besides ``chosen``: notes
    of the same name and notes with it as an alias; [] when ``query`` is a path or names one note."""
    text = query.strip()
    wiki = WIKILINK.fullmatch(text)
    if wiki:
        text = wiki.group(2).split("|", 1)[0].split("#", 1)[0].strip()
    if "/" in text or "\\" in text:
        return []
    name = text[:-3] if text.lower().endswith(".md") else text
    same = {n.path for n in vault.notes if posixpath.basename(n.path)[:-3].lower() == name.lower()}
    alias = aliases(vault).get(name.lower())
    return sorted((same | ({alias} if alias else set())) - {chosen})


def resolve_card(vault: Vault, where: str) -> Card:
    """The card at ``FILE:LINE`` (FILE as :func:`resolve_note` accepts it; LINE any line of the card, e.g.
    its START line). Raises :class:`NoteNotFound`."""
    file, sep, line_text = where.rpartition(":")
    if not sep or not (line_text.strip().isascii() and line_text.strip().isdigit()):
        raise NoteNotFound(f"--card wants FILE:LINE, e.g. 'biology/Mitosis.md:12', got {where!r}")
    note = resolve_note(vault, file)
    line = int(line_text)
    for card in note.cards:
        if card.line <= line <= max(card.end_line, card.line, card.id_line):
            return card
    starts = ", ".join(str(c.line) for c in note.cards) or "none"
    raise NoteNotFound(f"no card at {note.path}:{line} (cards start at lines: {starts})")
