"""`notes2anki sync VAULT`: the vault's cards straight into the Anki collection."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from .shown import escape
from rich.progress import Progress

from .. import interrupts
from ..decks.collection import CollectionError, find_collection
from ..messages import counted
from ..model import Diagnostic
from ..parsers import load_vault
from .vault_place import inner_vaults, inner_vaults_problem
from .common import (EXIT_OK, EXIT_VAULT_ERRORS, err, fatal, load_settings, message_options, out,
                     contained_vaults_problem, inside_vault_problem, print_json, refuse_unsafe_paths, show_diagnostics, vault_argument)

LIST_LIMIT = 50  # rows per kind in the printed plan (--json lists all)


@click.command("sync")
@vault_argument
@click.option("--collection", "collection", type=click.Path(path_type=str),
              help="The collection file (collection.anki2) or its profile folder.")
@click.option("--profile", help="Anki profile name (default: [sync] profile, else the only profile).")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--yes", "-y", is_flag=True,
              help="Delete the listed notes, and make note type changes that remove reviewed cards or field "
                   "text, without asking.")
@click.option("--retype", is_flag=True,
              help="Also change notes whose note type was chosen in Anki (kept otherwise) to the card's.")
@click.option("--allow-mass-delete", is_flag=True,
              help="Delete the notes of more than a quarter of the vault in one sync (held otherwise).")
@click.option("--recreate-missing", is_flag=True,
              help="Add cards whose plugin ID names a note deleted in Anki (left out otherwise).")
@click.option("--write-ids", is_flag=True, help="Afterwards write IDs into cards that have none (as `ids`).")
@click.option("--json", "as_json", is_flag=True, help="The plan and result as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors and warnings, and the summary line of what changed in the collection.")
@message_options
def sync_command(vault, collection, profile, dry_run, yes, retype, allow_mass_delete, recreate_missing, write_ids,
                 as_json, quiet):
    """Sync VAULT into your Anki collection (Anki must be closed): add, update, move, retype, delete."""
    from ..decks.sync import sync_vault

    def stop(message: str) -> None:
        """Exit 2 with ``message``; with --json, a JSON document saying so on stdout too (scripts parse it:
        :func:`~notes2anki.cli.common.fatal`)."""
        fatal(diags, message)

    root = Path(vault)
    diags: list[Diagnostic] = []
    refuse_unsafe_paths(root, diags)  # never a note overwritten by --messages-file
    config = load_settings(root, diags)
    inside = inside_vault_problem(root, "sync")
    if inside:
        stop(inside + "; nothing written")
    try:
        configured = config.sync.collection  # a relative path in .notes2anki.toml: relative to the vault
        path = find_collection(collection, profile, {
            "collection": root / Path(configured).expanduser() if configured else None,
            "profile": config.sync.profile})
    except CollectionError as exc:
        stop(str(exc))
    v = load_vault(root, config)
    diags += v.diagnostics
    holds = contained_vaults_problem(root, v.files, "sync")
    inner = inner_vaults_problem(root, inner_vaults(root, v.files, (n.path for n in v.notes)), "sync")
    if inner:  # a warning, as build's: what the vault holds is not changed
        diags.append(Diagnostic("", 0, "warning", inner))
    if holds:
        stop(holds + "; nothing written")
    interactive = sys.stdin.isatty() and not as_json

    def confirm(plan) -> bool:
        if yes:
            return True
        if not as_json and (not quiet or interactive and not dry_run):  # -q: listed only to ask
            if plan.deletions:
                _show_deletions(plan.deletions)
            if plan.lossy:
                _show_retypes(plan.lossy, "Note type changes that remove reviewed cards or field text")
        if not interactive or dry_run:  # a dry run never asks: it counts them as not confirmed (and says so)
            return False
        what = ([f"delete {_these(len(plan.deletions), 'note')}"] if plan.deletions else []) + (
            [f"make {_these(len(plan.lossy), 'note type change')}"] if plan.lossy else [])
        return click.confirm(f"{' and '.join(what).capitalize()} in Anki?", default=False, err=True)

    try:
        with _progress(quiet or as_json) as progress:
            result = sync_vault(v, config, path, dry_run=dry_run, confirm=confirm, write_ids=write_ids,
                                progress=progress, retype=retype, allow_mass_delete=allow_mass_delete,
                                recreate_missing=recreate_missing)
    except CollectionError as exc:
        stop(str(exc))
    except OSError as exc:
        stop(f"sync failed, the collection is unchanged: {exc.strerror or exc}")
    diags += result.diagnostics
    errors = any(d.severity == "error" for d in diags)
    if as_json:
        data = result.plan.to_json()
        data.update(collection=str(path), dry_run=dry_run, backup=str(result.backup) if result.backup else None,
                    not_deleted=[d.nid for d in result.not_deleted], not_retyped=[c.nid for c in result.not_retyped],
                    ids_written=result.ids_written,
                    errors=[str(d) for d in diags if d.severity == "error"])
        print_json(data)
    else:
        _report(result, quiet, asks=interactive and not yes)
    own = [d for d in result.diagnostics if not d.file and d.severity != "error"]  # about the sync as a whole
    show_diagnostics([d for d in diags if d.severity == "error" or d.file] + own)
    if result.interrupted:
        ids = ("; it stopped while writing the IDs into the vault: some files may have theirs, the others none "
               "(each file is rewritten whole or not at all); sync again with --write-ids to write the rest."
               if result.ids_cut else "; no IDs were written into the vault." if write_ids else ".")
        err.print("[yellow]Interrupted after the changes were written: this sync is complete" + ids + "[/yellow]")
        raise SystemExit(interrupts.exit_code())  # 130 for Ctrl-C, 128 + the signal for SIGTERM / SIGHUP
    raise SystemExit(EXIT_VAULT_ERRORS if errors else EXIT_OK)


def _these(n: int, noun: str) -> str:
    """"this note" or "these 3 notes", for the question asked before deleting."""
    return f"this {noun}" if n == 1 else f"these {counted(n, noun)}"


@contextlib.contextmanager
def _progress(silent: bool):
    """A progress bar on stderr while notes are written (none when quiet, --json or not a terminal).
    It appears at the first note written, after any deletion question."""
    if silent or not err.is_terminal:
        yield None
        return
    bar = Progress(console=err, transient=True)
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("Writing notes", total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if task is not None:
            bar.stop()


FRONT_WIDTH = 40  # characters of a card's front shown in a row; what changed is always shown whole


def _print_row(file_line: str, nid: int, front: str, detail: str) -> None:
    out.print(_row(file_line, nid, front, detail), soft_wrap=True)


def _row(file_line: str, nid: int, front: str, detail: str) -> str:
    """One listed note: where, its note ID, its front on one line (shortened with "…"), then ``detail``
    (the change, or why a note is deleted) whole."""
    front = " ".join(front.split())
    if len(front) > FRONT_WIDTH:
        front = front[:FRONT_WIDTH - 1] + "…"
    return f"  {escape(file_line)}  nid:{nid or '-'}  {escape(front)}  {escape(detail)}"


def _show_deletions(deletions, title: str = "To delete") -> None:
    out.print(f"[bold]{title} ({counted(len(deletions), 'note')} of this vault):[/bold]")
    for d in deletions[:LIST_LIMIT]:
        why = "marked DELETE" if d.reason == "DELETE" else "gone from the vault"
        _print_row(d.where, d.nid, d.front, f"({why})")
    if len(deletions) > LIST_LIMIT:
        out.print(f"  ... and {len(deletions) - LIST_LIMIT} more")


def _retype_detail(c) -> str:
    """A note type change as listed: ``old → new``, then what it removes (cards, field text), if anything."""
    loss = c.loss.describe() if c.loss else ""
    return f"{c.old_type} → {c.card.note_type}" + (f"; {loss}" if loss else "")


def _show_retypes(changes, title: str) -> None:
    out.print(f"[bold]{title} ({len(changes)}):[/bold]")
    for c in changes[:LIST_LIMIT]:
        _print_row(c.where, c.nid, c.card.front, f"[{_retype_detail(c)}]")
    if len(changes) > LIST_LIMIT:
        out.print(f"  ... and {len(changes) - LIST_LIMIT} more")


def _removed(changes) -> str:
    """What the listed note type changes remove, for the summary: " (2 cards removed, 1 reviewed; text of
    1 field dropped)", or "" when they remove nothing."""
    losses = [c.loss for c in changes if c.loss]
    cards, reviewed = sum(len(x.cards) for x in losses), sum(len(x.reviewed) for x in losses)
    fields = sum(len(x.fields) for x in losses)
    parts = ([f"{counted(cards, 'card')} removed" + (f", {reviewed} reviewed" if reviewed else "")] if cards else []) \
        + ([f"text of {counted(fields, 'field')} dropped"] if fields else [])
    return f" ({'; '.join(parts)})" if parts else ""


def _held_ahead(result, asks: bool) -> None:
    """A dry run without --yes: the deletions and lossy note type changes the real run holds unless they are
    confirmed (counted above as not deleted, not retyped), and how to confirm them: the real run asks when
    stdin is a terminal (``asks``), else only --yes makes them."""
    what = ([f"{counted(len(result.not_deleted), 'note')} not deleted"] if result.not_deleted else []) + (
        [f"{counted(len(result.not_retyped), 'note')} not retyped" if not result.not_deleted
         else f"{len(result.not_retyped)} not retyped"] if result.not_retyped else [])
    nids = ",".join(str(x.nid) for x in [*result.not_deleted, *result.not_retyped])
    how = ("unless you answer y to the sync's question (or use --yes" if asks
           else "without --yes (the sync asks only on a terminal")
    out.print(f"[yellow]{' and '.join(what)} {how}; in Anki's browser: nid:{nids})[/yellow]", soft_wrap=True)


def _report(result, quiet: bool, asks: bool = False) -> None:
    """The plan or what was done, the summary line, then what was held. ``asks``: the real run asks before
    deleting notes or making a lossy note type change (stdin is a terminal, no --yes): a dry run says so."""
    plan = result.plan
    kinds = [("new", "New"), ("updated", "Updated"), ("moved", "Moved"), ("retyped", "Note type changed")]
    if not quiet:
        for kind, title in kinds:
            items = plan.of_kind(kind)
            if not items:
                continue
            if kind == "retyped":
                _show_retypes(items, title)
                continue
            out.print(f"[bold]{title} ({len(items)}):[/bold]")
            for c in items[:LIST_LIMIT]:
                extra = {"moved": f"{c.old_deck} → {c.card.deck}",
                         "updated": ", ".join(c.changed_fields) or "tags"}.get(kind, c.card.deck)
                _print_row(c.where, c.nid, c.card.front, f"[{extra}]")
            if len(items) > LIST_LIMIT:
                out.print(f"  ... and {len(items) - LIST_LIMIT} more")
        kept = [c for c in plan.kept if not c.missing]  # those left as they are are warnings
        if kept:
            out.print(f"[bold]Note type kept, chosen in Anki ({len(kept)}; --retype changes them):[/bold]")
            for c in kept[:LIST_LIMIT]:
                _print_row(c.where, c.nid, c.card.front, f"[{c.kept_type}; the card says {c.card.note_type}]")
            if len(kept) > LIST_LIMIT:
                out.print(f"  ... and {len(kept) - LIST_LIMIT} more")
        if result.deleted:  # with --yes nothing listed them before: say which notes go
            _show_deletions(result.deleted, "To delete" if result.dry_run else "Deleted")
    numbers = plan.counts()  # each card once: a retyped note whose fields change too is counted as retyped
    counts = ", ".join(f"{numbers[k]} {k}" + (_removed(plan.of_kind(k)) if k == "retyped" else "")
                       for k, _ in kinds)
    deleted = len(result.deleted)
    verb = "Would sync" if result.dry_run else "Synced"
    left = numbers["not_synced"]  # left as they are: an error or a warning at each card says why
    why = "it is; the message below says" if left == 1 else "they are; the messages below say"
    left = f", {left} not synced (left as {why} why)" if left else ""
    left += f", {numbers['not_retyped']} not retyped (see below)" if numbers["not_retyped"] else ""
    ids = f" IDs written into {counted(len(result.ids_written), 'file')}." if quiet and result.ids_written else ""
    out.print(f"{verb} {counted(numbers['cards'], 'card')} into {escape(str(result.collection))}: {counts}, "
              f"{deleted} deleted, {plan.unchanged} unchanged{left}, {counted(len(plan.media), 'media file')}."
              + (" (dry run: nothing written)" if result.dry_run else "") + ids, soft_wrap=True)
    if result.dry_run and (result.not_deleted or result.not_retyped):
        _held_ahead(result, asks)
    if result.not_deleted and not result.dry_run:
        nids = ",".join(str(d.nid) for d in result.not_deleted)
        out.print(f"[yellow]{counted(len(result.not_deleted), 'note')} not deleted (run again with --yes to delete "
                  f"them; in Anki's browser: nid:{nids})[/yellow]", soft_wrap=True)  # whole: a cut id finds nothing
    if result.not_retyped and not result.dry_run:
        nids = ",".join(str(c.nid) for c in result.not_retyped)
        out.print(f"[yellow]{counted(len(result.not_retyped), 'note')} not retyped: the change would remove reviewed "
                  f"cards or field text (run again with --yes to make it; in Anki's browser: nid:{nids})[/yellow]",
                  soft_wrap=True)
    if quiet:  # -q: errors, warnings and the summary line only (the backup is in backups/ beside the collection)
        return
    if result.backup:
        out.print(f"Backup of the collection before the sync: {escape(str(result.backup))}", soft_wrap=True)
    for rel in result.ids_written:
        out.print(f"  IDs written: {escape(rel)}")

