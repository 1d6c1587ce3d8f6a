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

Folders of templates the Obsidian settings do not name (skeletons copied by hand, another template plugin, a
settings file not synced) are named in ``.notes2anki.toml`` ``template_folders`` (:func:`checked_config_folders`
validates them); they are template folders like the others. A folder is never taken for one by its name
alone: :func:`named_like_templates` only finds the candidates ``init`` suggests and ``ids`` will not stamp.
"""
from __future__ import annotations

import json
import posixpath
import re
from dataclasses import replace
from pathlib import Path

from .fileio import read_bounded
from .messages import counted
from .model import Diagnostic, Vault
from .unicode_paths import nfc, nfc_in_folder, spelled_on_disk

SOURCES = ((".obsidian/templates.json", "folder"),
           (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"))
CONFIG_SOURCE = ".notes2anki.toml template_folders"  # where a folder of the key came from, as messages say it
MAX_SETTINGS_BYTES = 1 << 20  # Obsidian's own settings files are a few hundred bytes
NAME_HINT = "templat"  # a folder whose name holds this (any case): Templates, 06-Templates, Šablony-templates


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
    return spellings(root, folder)


def spellings(root: Path, folder: str) -> list[str]:
    """The vault folder ``folder`` (vault-relative, normalised) under every name the vault walk may list
    its notes by: as written, as spelled on disk (another Unicode normal form) and, reached through a
    symlink inside the vault, its real path."""
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


def template_folders(root: Path, config=None) -> list[tuple[str, str]]:
    """``(folder, where it is named)`` of each template folder of the vault, sorted, each folder once: those
    the vault's Obsidian settings name (the settings file) and those of ``config.template_folders``
    (:data:`CONFIG_SOURCE`) — vault-relative POSIX paths without a trailing ``/``, a folder reached through
    a symlink also under its real path (:func:`settings_folder`, :func:`spellings`)."""
    found: dict[str, str] = {}
    for source, key in SOURCES:
        for folder in settings_folder(root, source, key):
            found.setdefault(folder, source)
    for folder in getattr(config, "template_folders", None) or ():
        for name in spellings(Path(root), folder):
            found.setdefault(name, CONFIG_SOURCE)
    return sorted(found.items())


def named_like_templates(name: str) -> bool:
    """Whether a folder's own name says it holds templates (``Templates``, ``06-Templates``, ``templates
    (old)``: it contains "templat", any case, NFC). Only a hint for ``init`` and ``ids``: nothing is skipped
    by its name."""
    return NAME_HINT in nfc(name).casefold()


# What a skeleton for new notes holds and a card does not: a variable of Obsidian's core Templates plugin or of
# another template plugin ({{title}}, {{date:YYYY-MM-DD}}, {{VALUE}}: a name in double braces, never a curly
# cloze {{c1::…}}), or a Templater command (<% tp.file.title %>).
TEMPLATE_SYNTAX = re.compile(r"<%.*?%>|\{\{\s*(?!c\d+::)[A-Za-z_][\w.:\- ]*\}\}", re.S)


def templates_folder_name(name: str) -> bool:
    """Whether a folder's own name is just "templates" (or "template", any case), once a leading number and
    the separators around it are stripped: ``Templates``, ``06-Templates``, ``_templates``, ``99 Template``
    — not ``C++ templates`` or ``Vorlagen-Templates``."""
    return re.sub(r"^[\d\W_]+|[\W_]+$", "", nfc(name).casefold()) in ("templates", "template")


def looks_like_templates(folder: str, notes) -> bool:
    """Whether a folder named like templates (:func:`named_like_templates`) holding ``notes`` with cards
    looks like a folder of skeletons, which ``init`` then lists under ``template_folders`` rather than
    proposing as a deck: its own name is just "templates" (:func:`templates_folder_name`), or one of its
    notes holds template syntax (:data:`TEMPLATE_SYNTAX`). A folder such as ``CS/C++ templates`` whose cards
    hold none is a folder of real cards about templates."""
    return templates_folder_name(folder.rsplit("/", 1)[-1]) or any(TEMPLATE_SYNTAX.search(n.text) for n in notes)


def template_like_folder(path: str) -> str | None:
    """The outermost folder of vault path ``path`` (a note) whose name :func:`named_like_templates`, as a
    vault path; None when there is none."""
    parts = path.split("/")[:-1]
    for depth, part in enumerate(parts, 1):
        if named_like_templates(part):
            return "/".join(parts[:depth])
    return None


def unnamed_template_like(vault: Vault, config) -> dict[str, list]:
    """Folders named like templates (:func:`template_like_folder`) whose notes hold cards, while
    ``.notes2anki.toml`` does not set ``template_folders`` (once it does, even ``[]``, the key is the whole
    answer — unless one of its entries names no folder of the vault and is not used: a typo such as
    ``"templates"`` for ``Templates`` must not turn the protection off) and ``skip_templates`` is on: folder →
    its notes with cards. Notes in a template folder have
    lost their cards already (:func:`skip_template_cards`), so those folders are not here."""
    if not getattr(config, "skip_templates", True):
        return {}
    if "template_folders" in getattr(config, "origin", {}) and not getattr(config, "template_folders_unusable", 0):
        return {}  # set, every entry a folder of the vault: the key is the whole answer
    found: dict[str, list] = {}
    for note in vault.notes:
        if note.cards:
            folder = template_like_folder(note.path)
            if folder is not None:
                found.setdefault(folder, []).append(note)
    return found


TEMPLATE_LIKE = "template-like"


def template_like_warnings(vault: Vault, config) -> list[Diagnostic]:
    """One warning per folder named like templates whose notes hold cards that are built, while
    ``template_folders`` does not settle it (:func:`unnamed_template_like`): ``ids`` writes no ID there and
    says so per note, but ``check`` and ``build`` said nothing and packaged a placeholder card (tester B r8:
    FIT-Statnice's ``Templates/🪛 NoteBoilerplate.md``, OTÁZKA / ODPOVĚĎ). Kind ``template-like``; the line
    naming every such folder, as ``ids`` gives it."""
    found = unnamed_template_like(vault, config)
    if not found:
        return []
    listed = list(config.template_folders) if "template_folders" in getattr(config, "origin", {}) else []
    line = "template_folders = [" + ", ".join(
        json.dumps(f, ensure_ascii=False) for f in dict.fromkeys([*listed, *sorted(found)])) + "]"
    out = []
    for folder, notes in sorted(found.items()):
        cards = sum(1 for note in notes for card in note.cards if not card.delete)
        first = min(notes, key=lambda n: n.path)
        out.append(Diagnostic(
            first.path, first.cards[0].line if first.cards else 0, "warning",
            f"{folder} is named like a template folder and its {counted(len(notes), 'note')} "
            f"{'holds' if len(notes) == 1 else 'hold'} "
            f"{counted(cards, 'card')}, which are built: if it holds templates, add {line} to .notes2anki.toml "
            "(their cards are then not built, and ids writes no ID into them); if they are real cards, add "
            f"template_folders = {'[…]' if listed else '[]'}", TEMPLATE_LIKE))
    return out


def checked_config_folders(root: Path, folders: list[str], text: str | None, diags: list,
                           unusable: list | None = None) -> list[str]:
    """``template_folders`` of ``.notes2anki.toml`` normalised as the other folder keys are (``./T``,
    ``T/``, ``T\\``, ``/T`` → ``T``), each once. An entry that names no folder of the vault (missing, empty,
    the whole vault, outside it) is a warning at its line (``text``: the file's text) and is not used; it is
    appended to ``unusable``. A missing folder whose name differs from an existing one only in case (or
    Unicode form) gets a "did you mean" with that folder's name."""
    from .config_checks import _folder_rel
    from .config_files import CONFIG_FILE, _problem
    from .config_lines import key_text, line_of, shown

    kept: dict[str, int] = {}  # nfc name -> entry index
    out: list[str] = []
    for i, value in enumerate(folders):
        line = line_of(text, ["template_folders", i]) if text else 0
        where = key_text(["template_folders", i])
        rel = _folder_rel(value)
        why = None
        if not value.strip():
            why = "an empty folder name"
        elif not rel:
            why = f"{shown(value)} is the whole vault, not a folder of templates"
        elif ".." in rel.split("/"):
            why = f"{shown(value)} leaves the vault"
        elif spelled_on_disk(root, rel) is None:
            why = f"{shown(value)} is not a folder of the vault" + (
                f" (read relative to the vault folder: {rel})" if rel != value else "")
            near = folder_ignoring_case(root, rel)
            if near:
                why += f" (did you mean {shown(near)}? names are matched with their case)"
        if why:
            if unusable is not None:
                unusable.append(value)
            diags.append(_problem(CONFIG_FILE, f"{where}: {why}; not used", line, severity="warning"))
            continue
        if nfc(rel) in kept:
            first = kept[nfc(rel)]
            diags.append(_problem(CONFIG_FILE, f"{where}: names the same folder as {key_text(['template_folders', first])}",
                                  line, severity="warning"))
            continue
        kept[nfc(rel)] = i
        out.append(rel)
    return out


def folder_ignoring_case(root: Path, folder: str) -> str | None:
    """The vault folder whose path equals ``folder`` (vault-relative, ``/``-separated) but for case and
    Unicode normal form, as spelled on disk (``templates`` → ``Templates``); None when there is none or
    several at some level. Reads at most :data:`~notes2anki.unicode_paths.MAX_ENTRIES` entries a level;
    never raises."""
    import os

    from .unicode_paths import MAX_ENTRIES

    current, parts = Path(root), []
    for part in folder.split("/"):
        want = nfc(part).casefold()
        try:
            with os.scandir(current) as entries:
                matches = [e.name for _, e in zip(range(MAX_ENTRIES), entries)
                           if nfc(e.name).casefold() == want and e.is_dir()]
        except (OSError, ValueError):
            return None
        if len(matches) != 1:
            return None
        parts.append(matches[0])
        current = current / matches[0]
    return "/".join(parts)


def in_folder(path: str, folder: str) -> bool:
    """Whether vault path ``path`` lies inside vault folder ``folder`` (at any depth; the NFC forms are
    compared, as Obsidian compares names)."""
    return nfc_in_folder(path, folder)


def skip_template_cards(vault: Vault, config) -> None:
    """Leave out the cards of the notes in the template folders of ``vault`` (and the card problems their
    parse reported) when ``config.skip_templates`` is on; add one warning per folder that had any, unless
    the configuration sets ``skip_templates`` itself. Changes ``vault`` in place (its notes are replaced,
    not mutated: parsed notes may be shared with the parse cache)."""
    folders = template_folders(vault.root, config)
    vault.template_folders = folders  # (related leaves their notes out whatever skip_templates says)
    if not getattr(config, "skip_templates", True) or not folders:
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
        build = (f"remove {json.dumps(folder, ensure_ascii=False)} from template_folders in .notes2anki.toml to "
                 "build its cards, or set" if source == CONFIG_SOURCE
                 else "set skip_templates = false in .notes2anki.toml to build its cards, or")
        vault.diagnostics.append(Diagnostic(
            folder, 0, "warning",
            f"template folder (named in {source}): {' and '.join(what)}; {build} skip_templates = true to skip "
            "them without this message"))
