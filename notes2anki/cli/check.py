"""`notes2anki check VAULT`: every problem a build would report plus the near-miss lints, grouped by kind."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from .shown import escape

from ..check import check_vault
from ..messages import counted, no_note_problem, write_messages
from ..model import KINDS
from .common import (EXIT_FATAL, EXIT_OK, EXIT_VAULT_ERRORS, err, message_options, out, print_json,
                     refuse_unsafe_paths, vault_argument, warn_inside_vault)


@click.command("check")
@vault_argument
@click.option("--json", "as_json", is_flag=True,
              help='Machine-readable: {"problems": [{file, line, severity, kind, message}], "counts": {kind: n}}.')
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors and warnings, one a line (no counts by kind; nothing when all is well).")
@message_options
def check_command(vault, as_json, strict, quiet):
    """Check VAULT without writing anything: counts by kind, then every problem as file:line.

    Exit 0 when nothing needs fixing, 1 when errors were found (with --strict: or warnings), 2 when
    the check cannot run (a configuration problem, a vault with no note)."""
    inside = warn_inside_vault(Path(vault), "check")  # first: the vault's settings are not read from here
    refuse_unsafe_paths(Path(vault), [])  # never a note overwritten by the messages, no cache in the vault
    report = check_vault(Path(vault))
    if inside:
        report.problems = [_in_a_folder(d, vault) for d in report.problems]
    elif not report.stopped:
        report.problems += _inner_vaults(Path(vault))
    messages_file = click.get_current_context().meta.get("notes2anki.messages_file")
    problem = write_messages(messages_file, report.problems) if messages_file else None
    if problem:
        err.print(escape(problem))
        raise SystemExit(EXIT_FATAL)
    empty = None if report.stopped else no_note_problem(vault, report.notes, report.scan_directory,
                                                        report.ignore_source)
    if as_json:
        data = report.as_json()
        if empty:  # exit 2: the JSON says the check stopped, and why (tester 12-02: it said "stopped": false)
            data.update(stopped=True, reason=empty)
        print_json(data)
    elif not empty or report.problems:  # an empty vault: only why it stops (tester B r11 a: "0 errors" first)
        _show(report, quiet)
    if report.stopped:
        raise SystemExit(EXIT_FATAL)
    if empty:
        err.print(escape(empty))
        raise SystemExit(EXIT_FATAL)
    raise SystemExit(EXIT_VAULT_ERRORS if report.needs_fixing(strict) else EXIT_OK)


def _inner_vaults(root: Path) -> list:
    """The warning that build gives on a vault holding vaults of its own with notes (as a list: none or one)."""
    from ..config import load_config
    from ..model import Diagnostic
    from ..parsers.files import markdown_files, walk_vault
    from .vault_place import inner_vaults, inner_vaults_problem

    if not ((root / ".obsidian").is_dir() or (root / ".notes2anki.toml").is_file()):
        return []
    files = walk_vault(root)
    config = load_config(root, [])
    notes = markdown_files(files, config.scan_directory, config.ignore)
    problem = inner_vaults_problem(root, inner_vaults(root, files, notes), "check")
    return [Diagnostic("", 0, "warning", problem)] if problem else []


def _in_a_folder(d, vault: str):
    """A message for a folder inside a vault: an ID line's is not "delete the line" (the ID may well be a
    card's that the vault's settings, not read from here, make: a custom note type or regular expression);
    the advice to run `ids` names the vault root (`ids` refuses a folder inside a vault)."""
    from ..decks.identity import enclosing_vault
    from .vault_place import pasted_path

    if "`notes2anki ids VAULT`" in d.message:
        return replace(d, message=d.message.replace(
            "`notes2anki ids VAULT`", f"`notes2anki ids {pasted_path(enclosing_vault(Path(vault)))}` (the vault root)"))
    if d.code != "orphan-id" or " belongs to no card " not in d.message:
        return d
    shown = d.message.split(" belongs to no card ", 1)[0]

    return replace(d, message=f"{shown} belongs to no card read in this folder; it may belong to a card that the "
                              f"settings of the vault {enclosing_vault(Path(vault))} read (they are not read from "
                              "a folder inside it): check the vault itself before changing the line or the note")


def _show(report, quiet: bool = False) -> None:
    if quiet:  # as `build -q`: the messages alone, errors first
        for d in sorted(report.problems, key=lambda d: (d.severity != "error", d.file, d.line)):
            colour = "red" if d.severity == "error" else "yellow"
            out.print(f"[{colour}]{escape(str(d))}[/{colour}]", soft_wrap=True)
        return
    if report.stopped:
        out.print("Stopped: the configuration cannot be used; fix it and run again.", soft_wrap=True)
    else:
        out.print(f"{counted(report.notes, 'note')}, {counted(report.cards, 'card')}: "
                  f"{counted(report.errors, 'error')}, {counted(report.warnings, 'warning')}", soft_wrap=True)
    groups = report.by_kind()
    if not groups:
        return
    width = max(len(kind) for kind in groups)
    for kind, items in groups.items():
        about = KINDS.get(kind, "")
        out.print(f"  {len(items):>6}  {kind:<{width}}  {escape(about)}", soft_wrap=True)
    for kind, items in groups.items():
        out.print(f"\n[bold]{kind}[/bold] ({len(items)})")
        for d in items:
            colour = "red" if d.severity == "error" else "yellow"
            out.print(f"  [{colour}]{escape(str(d))}[/{colour}]", soft_wrap=True)
