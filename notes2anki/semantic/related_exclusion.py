"""Which notes ``related`` leaves out: scaffolding the vault's Obsidian settings name (the template folders of
Obsidian's Templates and Templater, the daily-notes folder), the template folders of ``.notes2anki.toml``,
notes named as daily notes, and the notes matching ``[related] exclude`` (added to the defaults;
``[related] exclude_defaults = false`` turns the defaults off). Such notes are never suggested and get no suggestions
(:class:`~notes2anki.semantic.related.RelatedIndex`). Nothing here prints.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..model import Vault
from .daily_names import DEFAULT_FORMAT, SETTINGS, daily_matcher, settings_format


def default_folders(root: Path, templates: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """``(folder, why)`` of each folder of scaffolding: the template folders (``templates``, as
    :func:`notes2anki.template_folders.template_folders` gives them — Obsidian's Templates and Templater,
    ``.notes2anki.toml`` ``template_folders``; None: those the Obsidian settings name) and the daily-notes
    folder (``.obsidian/daily-notes.json`` key ``folder``)."""
    from ..template_folders import settings_folder, template_folders

    if templates is None:
        templates = template_folders(root)
    found = [(folder, f"it is in the template folder {folder} (named in {source})") for folder, source in templates]
    found += [(folder, f"it is in the daily-notes folder {folder} (named in {SETTINGS})")
              for folder in settings_folder(root, SETTINGS, "folder")]
    return found


def default_excludes(root: Path) -> list[str]:
    """Globs of the notes in :func:`default_folders` (anchored at the vault root, the names literal)."""
    from ..template_folders import glob_for

    return [glob_for(folder) for folder, _ in default_folders(root)]


def excluded_notes(vault: Vault, globs: list[str] | None = None, defaults: bool = True) -> dict[str, str]:
    """The notes left out of related-note suggestions, each path → why (for a message): with ``defaults``
    (``[related] exclude_defaults``, on unless set false) the notes in :func:`default_folders` and those
    named as daily notes (the whole name in the daily-notes format of ``.obsidian/daily-notes.json``,
    default YYYY-MM-DD: :func:`~notes2anki.semantic.daily_names.daily_matcher`); and those matching the
    gitignore-style ``globs`` (``[related] exclude``), which come after the default folders' globs, so a
    ``!pattern`` there takes a note of those folders back (a daily note's name is not a glob: only
    ``defaults=False`` takes those back)."""
    from ..template_folders import glob_for, in_folder

    root = vault.root
    folders = default_folders(root, vault.template_folders) if defaults else []
    own = _matcher(list(globs or []))
    every = _matcher([*(glob_for(folder) for folder, _ in folders), *(globs or [])])
    daily = daily_matcher(root) if defaults else (lambda rel: False)
    out: dict[str, str] = {}
    said_daily = ""
    for note in vault.notes:
        path = note.path
        if daily(path):
            said_daily = said_daily or _daily_why(root)
            out[path] = said_daily
        elif every(path):
            out[path] = _own_why(root, path, list(globs or [])) if own(path) else \
                next((why for folder, why in folders if in_folder(path, folder)), "it matches [related] exclude")
    return out


def _own_why(root: Path, path: str, globs: list[str]) -> str:
    """Why ``[related] exclude`` leaves out ``path``: the pattern that decides (the last one matching it;
    later patterns win) and its line of `.notes2anki.toml`: ``it matches "Drafts/" of [related] exclude
    (.notes2anki.toml:3)``."""
    from ..config_files import CONFIG_FILE
    from ..config_lines import line_of, shown

    for i in range(len(globs) - 1, -1, -1):
        glob = globs[i]
        if glob.startswith("!"):
            if _matcher([glob[1:]])(path):  # taken back by a later pattern: not this list's doing after all
                break
            continue
        if _matcher([glob])(path):
            try:
                text = (root / CONFIG_FILE).read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                text = ""
            line = line_of(text, ["related", "exclude", i], exact=True) if text else 0
            return f"it matches {shown(glob)} of [related] exclude{f' ({CONFIG_FILE}:{line})' if line else ''}"
    return "it matches [related] exclude"


def _matcher(globs: list[str]):
    from ..parsers.files import path_filter

    try:
        return path_filter(globs) if globs else (lambda rel: False)
    except Exception:  # a bad pattern: reported when the configuration was read
        return lambda rel: False


# A daily note by name is no glob match: a `!path` in [related] exclude cannot take it back (README).
TAKE_BACK = "set [related] exclude_defaults = false to include it"


def _daily_why(root: Path) -> str:
    fmt = settings_format(root)
    if fmt is None:
        return f"it is named as a daily note ({DEFAULT_FORMAT}: the daily-notes plugin's default format; {TAKE_BACK})"
    return f"it is named as a daily note (the format {json.dumps(fmt, ensure_ascii=False)} of {SETTINGS}; {TAKE_BACK})"
