"""Which notes ``related`` leaves out: scaffolding the vault's Obsidian settings name (the template folders of
Obsidian's Templates and Templater, the daily-notes folder), notes named as daily notes, and the notes
matching ``[related] exclude``. Such notes are never suggested and get no suggestions
(:class:`~notes2anki.semantic.related.RelatedIndex`). Nothing here prints.
"""
from __future__ import annotations

from pathlib import Path

from ..model import Vault
from .daily_names import daily_matcher


def default_excludes(root: Path) -> list[str]:
    """Globs of notes that are scaffolding: the template folders (Obsidian's Templates and Templater, see
    :func:`notes2anki.template_folders.template_folders`) and the daily-notes folder the vault's Obsidian
    settings name (``.obsidian/daily-notes.json`` key ``folder``)."""
    from ..template_folders import glob_for, settings_folder, template_folders

    globs: list[str] = [glob_for(folder) for folder, _ in template_folders(root)]
    globs += [glob_for(folder) for folder in settings_folder(root, ".obsidian/daily-notes.json", "folder")]
    return globs


def excluded_notes(vault: Vault, globs: list[str] | None = None) -> set[str]:
    """Paths of the notes left out of related-note suggestions: those matching the gitignore-style
    ``globs`` (``[related] exclude``; None or empty: :func:`default_excludes`) and those named as daily
    notes (the whole name in the daily-notes format of ``.obsidian/daily-notes.json``, default YYYY-MM-DD:
    :func:`~notes2anki.semantic.daily_names.daily_matcher`)."""
    from ..parsers.files import path_filter

    globs = list(globs) if globs else default_excludes(vault.root)
    try:
        matches = path_filter(globs) if globs else (lambda rel: False)
    except Exception:  # a bad pattern: reported when the configuration was read
        matches = lambda rel: False  # noqa: E731
    daily = daily_matcher(vault.root)
    return {note.path for note in vault.notes if daily(note.path) or matches(note.path)}
