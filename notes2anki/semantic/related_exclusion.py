"""Which notes ``related`` leaves out: scaffolding the vault's Obsidian settings name (the template folders of
Obsidian's Templates and Templater, the daily-notes folder), the template folders of ``.notes2anki.toml``,
the folders named like template folders (the rule ``check`` warns by, :func:`named_template_folders`),
notes named as daily notes (their setting's format, or a date in a common format:
:func:`~notes2anki.semantic.daily_names.daily_matcher`), and the notes matching ``[related] exclude`` (added to the defaults;
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


def _settings_name_templates(root: Path, vault: Vault) -> bool:
    """Whether the Obsidian settings (Templates, Templater) or ``template_folders`` name a template folder."""
    from ..template_folders import template_folders

    return bool(vault.template_folders if vault.template_folders is not None else template_folders(root))


def named_template_folders(vault: Vault, config=None) -> list[tuple[str, str]]:
    """``(folder, why)`` of each folder whose name says it holds templates (``06-Templates``: the rule of
    ``check``'s ``template-like`` warning, :func:`notes2anki.template_folders.template_like_folder`) while
    ``.notes2anki.toml`` does not set
    ``template_folders`` (once it does, even ``[]``, the key is the whole answer, as for ``check``). ``related``
    asks only while no setting names a template folder (Obsidian's Templates or Templater settings, or that key):
    a folder the settings name is the template folder, another of the same name is not."""
    from ..template_folders import template_like_folder

    if "template_folders" in getattr(config, "origin", {}) and not getattr(config, "template_folders_unusable", 0):
        return []
    found = sorted({f for f in (template_like_folder(n.path) for n in vault.notes) if f is not None})
    return [(folder, f"it is in {folder}, named like a template folder (as check says; add "
                     f"template_folders = [{json.dumps(folder, ensure_ascii=False)}] to .notes2anki.toml to confirm, or "
                     "template_folders = [] if it holds real notes)") for folder in found]


def excluded_notes(vault: Vault, globs: list[str] | None = None, defaults: bool = True,
                   config=None) -> dict[str, str]:
    """The notes left out of related-note suggestions, each path → why (for a message): with ``defaults``
    (``[related] exclude_defaults``, on unless set false) the notes in :func:`default_folders`, in the
    folders :func:`named_template_folders` finds (``config``: the vault's configuration) and those
    named as daily notes (the whole name in the daily-notes format of ``.obsidian/daily-notes.json``,
    default YYYY-MM-DD, or a date in a common format: :func:`~notes2anki.semantic.daily_names.daily_matcher`);
    and those matching the
    gitignore-style ``globs`` (``[related] exclude``), which come after the default folders' globs, so a
    ``!pattern`` there takes a note of those folders back, and a note named as a daily note too (a real
    note named ``1789-07-14``: ``"!1789-07-14.md"``) unless a later pattern of ``globs`` leaves it out again."""
    from ..template_folders import glob_for, in_folder

    root = vault.root
    named = default_folders(root, vault.template_folders) if defaults else []
    # folders named like templates only while no setting names the template folder (explicit beats a guess)
    guessed = named_template_folders(vault, config) if defaults and not _settings_name_templates(root, vault) else []
    folders = [*named, *guessed]
    own = _matcher(list(globs or []))
    every = _matcher([*(glob_for(folder) for folder, _ in folders), *(globs or [])])
    daily = daily_matcher(root) if defaults else (lambda rel: False)
    by_format = daily_matcher(root, dates=False)
    taken = _matcher([g[1:] for g in globs or [] if g.startswith("!") and len(g) > 1])
    out: dict[str, str] = {}
    for note in vault.notes:
        path = note.path
        if daily(path) and not (taken(path) and not own(path)):  # a `!pattern` of one's own takes it back
            out[path] = _daily_why(root, path) if by_format(path) else \
                f"its name is a date, as a daily note's ({take_back(path)})"
        elif every(path):
            out[path] = _own_why(root, path, list(globs or [])) if own(path) else \
                next((why for folder, why in folders if in_folder(path, folder)), "it matches [related] exclude")
    return out


def left_out_summary(why: dict[str, str]) -> str:
    """One line saying how many notes :func:`excluded_notes` left out and why, by kind (``why``: its
    answer): ``"12 notes left out (never suggested, no suggestions): 8 in template folders (06-Templates),
    4 named as daily notes"``; "" when none is."""
    from ..messages import counted

    kinds: dict[str, list[str]] = {}
    for path, reason in why.items():
        if "template folder" in reason:
            key = "in template folders"
            folder = reason.split("it is in the template folder ", 1)[-1].split(" (named in", 1)[0] \
                if reason.startswith("it is in the template folder") else reason.split("it is in ", 1)[-1].split(",", 1)[0]
        elif "daily-notes folder" in reason:
            key, folder = "in the daily-notes folder", ""
        elif "daily note" in reason:
            key, folder = "named as daily notes", ""
        else:
            key, folder = "by [related] exclude", ""
        kinds.setdefault(key, []).append(folder)
    if not why:
        return ""
    parts = []
    order = ("in template folders", "in the daily-notes folder", "named as daily notes", "by [related] exclude")
    for key, folders in sorted(kinds.items(), key=lambda kv: order.index(kv[0])):
        named = sorted({f for f in folders if f})
        parts.append(f"{len(folders)} {key}" + (f" ({', '.join(named[:3])}{', …' if len(named) > 3 else ''})"
                                                 if named else ""))
    return f"{counted(len(why), 'note')} left out (never suggested, no suggestions): {', '.join(parts)}"


def _own_why(root: Path, path: str, globs: list[str]) -> str:
    """Why ``[related] exclude`` leaves out ``path``: the pattern that decides (the last one matching it;
    later patterns win) and its line of `.notes2anki.toml`: ``it matches "Drafts/" of [related] exclude
    (.notes2anki.toml:3)``."""
    from ..config_files import CONFIG_FILE
    from ..config_lines import line_of, shown
    from ..fileio import MAX_CONFIG_BYTES, read_bounded

    for i in range(len(globs) - 1, -1, -1):
        glob = globs[i]
        if glob.startswith("!"):
            if _matcher([glob[1:]])(path):  # taken back by a later pattern: not this list's doing after all
                break
            continue
        if _matcher([glob])(path):
            try:  # bounded, as every read (the file was read whole when the settings were loaded)
                text = read_bounded(root / CONFIG_FILE, MAX_CONFIG_BYTES).decode("utf-8-sig")
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


def take_back(path: str) -> str:
    """How to take back a note left out as a daily note by its name: a ``!pattern`` of ``[related] exclude``
    naming it (anchored at the vault root; the glob characters escaped)."""
    from ..template_folders import glob_for

    return f"add {json.dumps('!' + glob_for(path).rstrip('/'), ensure_ascii=False)} to [related] exclude to include it"


def _daily_why(root: Path, path: str) -> str:
    fmt = settings_format(root)
    if fmt is None:
        return (f"it is named as a daily note ({DEFAULT_FORMAT}: the daily-notes plugin's default format; "
                f"{take_back(path)})")
    return (f"it is named as a daily note (the format {json.dumps(fmt, ensure_ascii=False)} of {SETTINGS}; "
            f"{take_back(path)})")


def not_read_why(vault: Vault, config, query: str) -> str | None:
    """Why a note named on the command line by its path (``wiki/grammar/Adverbios``, with or without
    ``.md``, or a file path inside the vault) or by its bare name (``Adverbios``) is not among the vault's notes although the file exists:
    it lies outside the folder read (``scan_directory``: of ``.notes2anki.toml`` or the plugin's Scan
    Directory setting), or the ``ignore`` patterns leave it out. None when no such file exists (the
    caller's "no note … did you mean" applies)."""
    from ..config_files import PLUGIN_SETTINGS
    from ..template_folders import in_folder

    text = query.strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].split("|", 1)[0].split("#", 1)[0].strip()
    root = Path(vault.root)
    given = Path(text).expanduser()
    rel = None
    for path in (given, given.with_name(given.name + ".md")) if not text.lower().endswith(".md") else (given,):
        for where in ((path,) if path.is_absolute() else (root / path, Path.cwd() / path)):
            try:
                if where.is_file():
                    rel = where.resolve().relative_to(root.resolve()).as_posix()
                    break
            except ValueError:  # it resolves outside the vault: a link out of it, when it lies in the vault
                outside = _link_problem(root, where)
                if outside:
                    return outside
                continue
            except OSError:
                continue
        if rel:
            break
    read = {n.path for n in vault.notes}
    if not rel and "/" not in text.replace("\\", "/"):  # a bare name: a note of that name anywhere in the vault
        rel = _unread_named(root, text, read)
    if not rel or rel in read:
        return None
    outside = _link_problem(root, root / rel)
    if outside:
        return outside
    scan = getattr(config, "scan_directory", "") or ""
    if scan and not in_folder(rel, scan):
        source = getattr(config, "origin", {}).get("scan_directory", "")
        named = (f"the Scan Directory of {PLUGIN_SETTINGS}" if source == PLUGIN_SETTINGS else "scan_directory of .notes2anki.toml")
        return (f"{rel} exists but is outside {scan}, the only folder read ({named}); to include it, set "
                'scan_directory = "" (the whole vault) in .notes2anki.toml')
    return (f"{rel} exists but is not read as a note of the vault (the ignore patterns of .notes2anki.toml or "
            "the plugin's settings leave it out, or it is not a Markdown note)")


def _link_problem(root: Path, where: Path) -> str | None:
    """The message for ``where``, a file lying in the vault folder ``root`` (by its path) that resolves outside
    it through a symbolic link, or a symbolic link to nothing (tester 12-03: "exists but is not read … ignore
    patterns" did not say why); None for any other file."""
    import os

    from ..fileio import is_inside

    if os.path.islink(where) and not os.path.exists(where):
        rel = Path(os.path.relpath(os.path.abspath(where), os.path.abspath(root))).as_posix()
        return f"{rel} is a symbolic link to a file that does not exist (a broken link), so it is not read"
    lexical = os.path.abspath(where)  # where it lies by its path (the vault folder as given, or resolved)
    start = next((folder for folder in (os.path.abspath(root), os.path.realpath(root))
                  if lexical.startswith(folder + os.sep)), None)
    if start is None or is_inside(root, where):
        return None
    rel = Path(os.path.relpath(lexical, start)).as_posix()
    return (f"{rel} is a symbolic link to {os.path.realpath(where)}, outside the vault; notes2anki reads only files "
            "inside the vault (nothing outside it ever goes into a deck)")


MAX_WALK = 100_000  # files looked at for a bare name before giving up


def _unread_named(root: Path, name: str, read: set[str]) -> str | None:
    """The vault path of the first Markdown note (sorted) named ``name`` (with or without ``.md``; case as
    Obsidian ignores it, and NFC / NFD alike) that is not among ``read``: hidden folders (``.obsidian``, ``.git``) skipped, at
    most :data:`MAX_WALK` files looked at. None when there is none."""
    import os

    import unicodedata

    def key(text: str) -> str:  # case as Obsidian ignores it, and the Unicode normal form (tester 12-03: a
        return unicodedata.normalize("NFC", text).casefold()  # name typed in NFD was "no note" here)

    want = key(name if name.lower().endswith(".md") else name + ".md")
    found, seen = [], 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in files:
            seen += 1
            if key(file) == want:
                rel = (Path(folder) / file).relative_to(root).as_posix()
                if rel not in read:
                    found.append(rel)
        if seen > MAX_WALK:
            break
    return min(found) if found else None
