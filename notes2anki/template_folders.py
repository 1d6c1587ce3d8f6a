"""The vault's template folders, whose notes are skeletons for new notes, not flashcards.

Obsidian's core Templates plugin names its folder in ``.obsidian/templates.json`` (key ``folder``); the
Templater plugin in ``.obsidian/plugins/templater-obsidian/data.json`` (key ``templates_folder``). A
template that holds card syntax (``START`` … ``What is {{title}}?`` … ``END``, ``<% tp.file.title %>``)
would otherwise give a placeholder card in the deck, a duplicate pair with every note made from it and, once
``ids`` had stamped it, the same ID in every new note. The Obsidian_to_Anki plugin builds such cards (vaults
written for it hide the markers from it, ``STA<% "" %>RT``); notes2anki does not, unless ``skip_templates =
false``.

:func:`skip_template_cards` runs after the vault is parsed: notes in a template folder stay notes (links,
``related`` — where ``[related] exclude`` keeps them out of suggestions) but lose their cards and the card
problems their parse reported, so ``build``, ``sync``, ``ids``, ``check``, ``dupes``, ``topics`` and
``report`` all leave them out alike. One warning per folder says what was left out, unless the
configuration sets ``skip_templates`` itself (``true``: skipped silently). Nothing here raises or prints.
"""
from __future__ import annotations

import json
import posixpath
from dataclasses import replace
from pathlib import Path

from .fileio import read_bounded
from .messages import counted
from .model import Diagnostic, Vault
from .unicode_paths import nfc_in_folder, spelled_on_disk

SOURCES = ((".obsidian/templates.json", "folder"),
           (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"))
MAX_SETTINGS_BYTES = 1 << 20  # Obsidian's own settings files are a few hundred bytes


def settings_folder(root: Path, source: str, key: str) -> list[str]:
    """The folder an Obsidian settings file of the vault names (``source``: vault-relative path of the JSON
    file, ``key``: its key), as vault-relative POSIX paths without a trailing ``/``: the name as written
    and, when it reaches a folder through a symlink inside the vault, the real folder too (the vault walker
    reads a linked folder under its real path). Empty when the file is missing, not a regular file, over
    1 MiB, not JSON or nested too deeply to read, or the value is not a string, the vault root or outside
    the vault. Never raises."""
    root = Path(root)
    try:
        data = json.loads(read_bounded(root / source, MAX_SETTINGS_BYTES, root=root))
    except (OSError, ValueError, RecursionError):
        return []
    folder = data.get(key) if isinstance(data, dict) else None
    if not isinstance(folder, str):
        return []
    folder = posixpath.normpath("/" + folder.strip().replace("\\", "/")).strip("/")
    if not folder or folder == "." or folder.startswith(".."):
        return []
    names = [folder]
    spelled = spelled_on_disk(root, folder)
    if spelled and spelled != folder:  # typed composed (NFC), kept decomposed on disk (macOS), or the reverse
        names.append(spelled)
        folder = spelled
    try:
        real = (root / folder).resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError, RuntimeError):
        real = ""  # missing, a link loop, or a link out of the vault: only the name as written
    if real and real != "." and real != folder:
        names.append(real)
    return names


def glob_for(folder: str) -> str:
    """A gitignore-style pattern matching everything under the vault folder ``folder`` (vault-relative) and
    nothing else: anchored at the vault root (a leading ``/``, so a folder of that name deeper down is not
    meant), the name taken literally (``[…]``, ``*``, ``?`` and backslashes escaped; ``#`` and ``!`` are
    special only at a pattern's start, which is the ``/``), e.g. for ``[related] exclude``."""
    return "/" + "".join("\\" + ch if ch in "\\[]*?" else ch for ch in folder) + "/"


def template_folders(root: Path) -> list[tuple[str, str]]:
    """``(folder, settings file)`` of each template folder the vault's Obsidian settings name, sorted, each
    folder once (:func:`settings_folder`: vault-relative POSIX paths without a trailing ``/``, a folder
    reached through a symlink also under its real path)."""
    found: dict[str, str] = {}
    for source, key in SOURCES:
        for folder in settings_folder(root, source, key):
            found.setdefault(folder, source)
    return sorted(found.items())


def in_folder(path: str, folder: str) -> bool:
    """Whether vault path ``path`` lies inside vault folder ``folder`` (at any depth; the NFC forms are
    compared, as Obsidian compares names)."""
    return nfc_in_folder(path, folder)


def skip_template_cards(vault: Vault, config) -> None:
    """Leave out the cards of the notes in the template folders of ``vault`` (and the card problems their
    parse reported) when ``config.skip_templates`` is on; add one warning per folder that had any, unless
    the configuration sets ``skip_templates`` itself. Changes ``vault`` in place (its notes are replaced,
    not mutated: parsed notes may be shared with the parse cache)."""
    if not getattr(config, "skip_templates", True):
        return
    folders = template_folders(vault.root)
    if not folders:
        return
    said = "skip_templates" in getattr(config, "origin", {})
    dropped: dict[str, tuple[int, int]] = {}  # folder -> (cards, notes)
    skipped_files: set[str] = set()
    for index, note in enumerate(vault.notes):
        folder = next((f for f, _ in folders if in_folder(note.path, f)), None)
        if folder is None:
            continue
        skipped_files.add(note.path)
        if note.cards:
            cards, notes = dropped.get(folder, (0, 0))
            dropped[folder] = (cards + len(note.cards), notes + 1)
            vault.notes[index] = replace(note, cards=[])
    problems: dict[str, int] = {}
    kept = []
    for diag in vault.diagnostics:
        folder = next((f for f, _ in folders if in_folder(diag.file, f)), None) if diag.file in skipped_files else None
        if folder is None:
            kept.append(diag)
        else:
            problems[folder] = problems.get(folder, 0) + 1
    vault.diagnostics[:] = kept
    if said:
        return
    for folder, source in folders:
        cards, notes = dropped.get(folder, (0, 0))
        found = problems.get(folder, 0)
        if not cards and not found:
            continue
        what = [f"{counted(cards, 'card')} in {counted(notes, 'note')} not built"] if cards else []
        what += [f"{counted(found, 'problem')} in its notes not reported"] if found else []
        vault.diagnostics.append(Diagnostic(
            folder, 0, "warning",
            f"template folder (named in {source}): {' and '.join(what)}; set skip_templates = false in "
            f".notes2anki.toml to build its cards, or skip_templates = true to skip them without this message"))
