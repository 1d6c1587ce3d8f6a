"""`notes2anki ids VAULT`: write an ID comment into every card that lacks one."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from .shown import escape

from ..decks.build import default_state_path
from ..decks.build_renamed import renamed_vault_problem as built_renamed
from ..decks.id_renamed import renamed_vault_problem
from ..decks.ids_changed import changed_while_running
from ..decks.ids_collection import remember_ids_written, unplaced_problem, unplaced_warning
from ..decks.write_ids import apply_ids, plan_ids, stale_temp_files_removed
from ..fileio import VaultLocked, vault_lock
from ..messages import counted, no_note_problem
from ..template_folders import TEMPLATE_LIKE
from ..model import Diagnostic, shown_path
from ..parsers import load_vault
from .vault_place import inner_vaults, inner_vaults_problem
from .common import (collected, contained_vaults_problem, err, fatal, finish, inside_vault_problem, load_settings, message_options, out,
                     vault_argument)

COLOURS = {b"+": b"\x1b[32m", b"-": b"\x1b[31m", b"@": b"\x1b[36m"}


@click.command("ids")
@vault_argument
@click.option("--dry-run", is_flag=True,
              help="Print the changes as a unified diff (git apply accepts it); write nothing.")
@click.option("--collection", "collection", type=click.Path(path_type=str),
              help="The Anki collection (collection.anki2 or its profile folder), only read: write the IDs the "
                   "cards are synced under there (needed where this machine has no record of the last sync).")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors and warnings (no list of files, no count; --dry-run still prints the diff).")
@message_options
def ids_command(vault, dry_run, collection, quiet):
    """Write <!--ID: n--> into every card of VAULT that has none (only those lines change)."""
    root = Path(vault)
    diags: list[Diagnostic] = collected()
    config = load_settings(root, diags)
    inside = inside_vault_problem(root, "ids")
    if inside:
        fatal(diags, inside + "; nothing written")
    try:
        with vault_lock(root):
            v = load_vault(root, config)
            diags += [d for d in v.diagnostics if d.kind != TEMPLATE_LIKE]  # ids says it per note (write_ids)
            holds = contained_vaults_problem(root, v.files, "ids")
            inner = inner_vaults_problem(root, inner_vaults(root, v.files, (n.path for n in v.notes)), "ids")
            if inner:  # a warning, as build's: what the vault holds is not changed
                err.print(f"[yellow]vault: warning: {escape(inner)}[/yellow]")  # vault-wide: not kept below
            if holds:
                fatal(diags, holds + "; nothing written")
            empty = no_note_problem(vault, len(v.notes), config.scan_directory, config.origin.get("ignore", ""))
            if empty:
                fatal(diags, empty)
            renamed = renamed_vault_problem(v, config) or (  # a sync record, else this machine's build states
                None if collection is not None else built_renamed(root, config, v.cards, default_state_path(root)))
            if renamed:
                fatal(diags, renamed)
            record, unsure, guids = None, None, frozenset()
            if collection is not None:
                record, guids = _collection_record(v, config, collection, diags)
            else:
                unplaced = unplaced_problem(v, config)
                if unplaced:
                    fatal(diags, unplaced)
                unsure = unplaced_warning(v, config)
            report = plan_ids(v, config, record, guids)
            if not dry_run:
                diags += stale_temp_files_removed(root, v)  # before writing: each write also drops its note's
                apply_ids(v, report)
                if report.written:
                    remember_ids_written(root)
                diags += changed_while_running(v, report)  # an editor saved a note meanwhile
    except VaultLocked:
        fatal(diags, f"{root}: another notes2anki command is writing to this vault (waited 5 s); "
                     "nothing written — try again when it has finished")
    except OSError as exc:
        fatal(diags, f"{root}: cannot take the vault's write lock: {exc.strerror or exc}")
    total = sum(len(e.ids) for e in report.edits)
    if dry_run:
        _print_diff(b"".join(edit.diff() for edit in report.edits))
        if not quiet:
                err.print(f"Would add {counted(total, 'ID')} in {counted(len(report.edits), 'file')} (dry run: "
                      "nothing written).")
    elif not quiet:
        for rel in report.written:
            out.print(f"  {escape(shown_path(rel))}")
        written = sum(len(e.ids) for e in report.edits if e.path in set(report.written))
        out.print(f"Added {counted(written, 'ID')} in {counted(len(report.written), 'file')}.")
        if written and collection is None and unsure:
            out.print(f"({escape(unsure)})")
    diags += report.diagnostics
    diags[:] = [d for d in diags if d.severity == "error" or d.file]
    if not dry_run and report.written and config.dupes.ignore:
        from ..semantic.dupe_settings import moved_line_refs

        changed = {e.path: dict(e.ids) for e in report.edits if e.path in set(report.written)}
        diags += moved_line_refs(config, v.cards, changed)
    finish(diags)


def _collection_record(v, config, collection: str, diags: list[Diagnostic]) -> tuple[list[dict], frozenset[str]]:
    """The IDs a sync into ``collection`` matches the cards without an ID under, and the GUIDs of its notes
    (ids_collection.py); a collection that cannot be read, or a sync that would refuse, stops the command
    (nothing written)."""
    from ..decks.collection import CollectionError, find_collection
    from ..decks.ids_collection import collection_record

    try:
        path = find_collection(collection, None, {"collection": None, "profile": None})
        entries, errors, guids = collection_record(v, config, path)
    except CollectionError as exc:
        fatal(diags, f"{exc}; nothing written")
    diags += errors
    return entries, guids


def _print_diff(diff: bytes) -> None:
    """The diff's bytes on stdout, unchanged (so ``> x.patch`` then ``git apply x.patch`` works), never
    wrapped or cropped; coloured per line only when stdout is a terminal."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # a text-only stream (embedding): the diff as text
        sys.stdout.write(diff.decode("utf-8", "replace"))
        return
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        lines = diff.splitlines(keepends=True)
        diff = b"".join(COLOURS[line[:1]] + line.rstrip(b"\n") + b"\x1b[0m\n"
                        if line[:1] in COLOURS and not line.startswith((b"---", b"+++")) else line
                        for line in lines)
    stream.write(diff)
    stream.flush()
