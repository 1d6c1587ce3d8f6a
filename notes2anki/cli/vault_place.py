"""Where the folder a command was given lies, said for the user: inside an Obsidian vault, or above vaults.

A card's implicit identity depends on the vault it belongs to (its name and the card's path in it), and a
vault's settings (its ``.notes2anki.toml``, the Obsidian_to_Anki plugin's settings in ``.obsidian/``) are
read from the vault folder only. The commands that write or package cards refuse such a folder with these
messages; the ones that only read warn with them first (see :func:`notes2anki.cli.common.warn_inside_vault`).
Paths in the commands suggested are shell-quoted, so they can be pasted.
"""
from __future__ import annotations

import shlex
from pathlib import Path


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
    return (f"{root} is a folder inside the Obsidian vault {parent} (it holds .obsidian/): {settings}, {effect}. "
            f"Run `notes2anki {command} {shlex.quote(str(parent))}` (to work on one folder, set `scan_directory` "
            f"in {parent / '.notes2anki.toml'}); if {root} is a vault of its own, give it a .notes2anki.toml "
            f"(`notes2anki init {shlex.quote(str(root))}`)")


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
            f"Anki, review history left behind). Run `notes2anki {command} {shlex.quote(str(root / nested[0]))}`; "
            f"if {root} is one vault, give it a .notes2anki.toml (`notes2anki init {shlex.quote(str(root))}`)")
