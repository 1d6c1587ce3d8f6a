"""Where the folder a command was given lies, said for the user: inside an Obsidian vault, or above vaults.

A card's implicit identity depends on the vault it belongs to (its name and the card's path in it), and a
vault's settings (its ``.notes2anki.toml``, the Obsidian_to_Anki plugin's settings in ``.obsidian/``) are
read from the vault folder only. The commands that write or package cards refuse such a folder with these
messages; the ones that only read warn with them first (see :func:`notes2anki.cli.common.warn_inside_vault`).
Paths in the commands suggested are written by :func:`pasted_path` (shell-quoted, ``./`` before a relative
path starting with ``-``), so they can be pasted. A vault holding other vaults (a subfolder with its own
``.obsidian/`` or ``.notes2anki.toml``) takes their cards in under its own identities: see
:func:`inner_vaults_problem`.
"""
from __future__ import annotations

import json
import shlex
from pathlib import Path


def pasted_path(path) -> str:
    """``path`` as written in a command to paste: shell-quoted, and a relative path starting with ``-`` with
    ``./`` in front (else the command reads it as an option: `notes2anki build -dash`)."""
    text = str(path)
    return shlex.quote(f"./{text}" if text.startswith("-") else text)


def inside_vault_problem(root: Path, command: str, *, writes: bool = True) -> str | None:
    """The message for a command run on a folder inside an Obsidian vault (see
    :func:`notes2anki.decks.identity.enclosing_vault`), else None. ``writes``: the command would write or
    package cards (``build``, ``ids``, ``sync``: they refuse with it); else it only reads (``check``,
    ``dupes``, ``topics``, ``related``, ``report``: they warn with it first, see :func:`notes2anki.cli.common.warn_inside_vault`)."""
    from ..decks.identity import enclosing_vault

    parent = enclosing_vault(root)
    if parent is None:
        return None
    settings = ("the vault's settings (its .notes2anki.toml, the Obsidian_to_Anki plugin's note types and "
                "regular expressions in .obsidian/) are not read from a folder inside it, and a card's identity "
                "depends on the vault it belongs to")
    effect = (f"so `{command}` here would give its cards new identities (new notes in Anki, review history "
              "left behind)" if writes else
              f"so what `{command}` says here (note types, IDs, duplicates) may not hold for the vault")
    return (f"{root} is a folder inside the Obsidian vault {parent} (it holds {_marker(parent)}): {settings}, {effect}. "
            f"Run `notes2anki {command} {pasted_path(parent)}` (to work on one folder, set `scan_directory` "
            f"in {parent / '.notes2anki.toml'}); if {root} is a vault of its own, give it a .notes2anki.toml "
            f"(`notes2anki init {pasted_path(root)}`)")


def contained_vaults_problem(root: Path, files, command: str) -> str | None:
    """The message for ``ids`` / ``sync`` run on a folder that is no vault of its own (no ``.obsidian/``,
    no ``.notes2anki.toml``) but holds Obsidian vaults below it (``files``: the walk's list, whose
    ``nested_vaults`` names them), else None: the cards' identities would be computed for the wrong vault
    (its name and paths), so IDs written there, or notes synced, belong to no vault."""
    nested = getattr(files, "nested_vaults", ())
    if not nested or (root / ".obsidian").is_dir() or (root / ".notes2anki.toml").is_file():
        return None
    shown = ", ".join(str(root / n) for n in nested[:3]) + (f" and {len(nested) - 3} more" if len(nested) > 3 else "")
    return (f"{root} is not an Obsidian vault but holds {'one' if len(nested) == 1 else len(nested)} "
            f"({shown}: {'it holds' if len(nested) == 1 else 'each holds'} .obsidian/): a card's identity depends "
            f"on the vault it belongs to, so `{command}` here would give its cards new identities (new notes in "
            f"Anki, review history left behind). Run `notes2anki {command} {pasted_path(root / nested[0])}`; "
            f"if {root} is one vault, give it a .notes2anki.toml (`notes2anki init {pasted_path(root)}`)")


def _marker(folder: Path) -> str:
    return ".obsidian/" if (folder / ".obsidian").is_dir() else ".notes2anki.toml"


def inner_vaults(root: Path, files, note_paths) -> list[str]:
    """The folders below the vault ``root`` that are vaults of their own (they hold ``.obsidian/`` or a
    ``.notes2anki.toml``) and hold a note the command reads (``note_paths``: vault paths); ``files``: the
    walk's list (:func:`notes2anki.parsers.files.walk_vault`). The outermost only, sorted."""
    folders = set(getattr(files, "nested_vaults", ()))
    for path in files:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            if folder not in folders and (root / folder / ".notes2anki.toml").is_file():
                folders.add(folder)
    notes = list(note_paths)
    held = [f for f in folders if any(p.startswith(f + "/") for p in notes)]
    return sorted(f for f in held if not any(f.startswith(o + "/") for o in held))


def inner_vaults_problem(root: Path, folders, command: str) -> str | None:
    """The message for a command run on a vault (``.obsidian/`` or ``.notes2anki.toml`` at ``root``) that
    holds other vaults with notes (``folders``: :func:`inner_vaults`), else None: their cards are read
    with this vault's identities (its name, their paths in it), so building or syncing the inner vault
    on its own too gives each of them a second identity (a duplicate note in Anki)."""
    if not folders or not ((root / ".obsidian").is_dir() or (root / ".notes2anki.toml").is_file()):
        return None
    shown = ", ".join(str(root / f) for f in folders[:3]) + (f" and {len(folders) - 3} more" if len(folders) > 3 else "")
    one = len(folders) == 1
    patterns = ", ".join(json.dumps(f"/{f}/", ensure_ascii=False) for f in folders)  # TOML basic strings
    return (f"{root} holds {'a vault' if one else f'{len(folders)} vaults'} of {'its' if one else 'their'} own "
            f"({shown}: {'it holds' if one else 'each holds'} .obsidian/ or .notes2anki.toml): `{command}` here "
            f"takes {'its' if one else 'their'} cards in with the identities of the vault {root}, so building "
            f"or syncing {'that vault' if one else 'those vaults'} on {'its' if one else 'their'} own too gives "
            f"each such card a second identity (duplicate notes in Anki). To leave {'it' if one else 'them'} "
            f"out, add to {root / '.notes2anki.toml'}: ignore = [{patterns}]"
            + ("" if (root / ".notes2anki.toml").is_file() else f" (`notes2anki init {pasted_path(root)}` writes the file)"))
