"""`notes2anki ids VAULT`: write an ID comment into every card that lacks one."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..decks.write_ids import apply_ids, plan_ids
from .common import err, finish, load_for_command, message_options, out, vault_argument


@click.command("ids")
@vault_argument
@click.option("--dry-run", is_flag=True, help="Show the changes as a diff; write nothing.")
@message_options
def ids_command(vault, dry_run):
    """Write <!--ID: n--> into every card of VAULT that has none (only those lines change)."""
    root = Path(vault)
    config, v, diags = load_for_command(vault)
    diags += v.diagnostics
    report = plan_ids(v)
    total = sum(len(e.ids) for e in report.edits)
    if dry_run:
        for edit in report.edits:  # the diff as it is, never wrapped or cut: `> x.patch; git apply x.patch`
            _write_diff(edit.diff())
        err.print(f"Would add {total} IDs in {len(report.edits)} files (dry run: nothing written).")
    else:
        apply_ids(v, report)
        for rel in report.written:
            out.print(f"  {escape(rel)}")
        out.print(f"Added {total} IDs in {len(report.written)} files.")
    diags += report.diagnostics
    diags[:] = [d for d in diags if d.severity == "error" or d.file]
    finish(diags)


def _write_diff(diff: str) -> None:
    """Write a unified diff byte for byte (tabs, CR and long lines kept, so it applies with ``git apply``);
    on a colour terminal the +/- lines are coloured."""
    import sys

    if not (out.is_terminal and out.color_system):
        sys.stdout.write(diff)
        sys.stdout.flush()
        return
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        code = ("1" if line.startswith(("+++", "---")) else "32" if line.startswith("+")
                else "31" if line.startswith("-") else "36" if line.startswith("@@") else "")
        sys.stdout.write(f"\x1b[{code}m{body}\x1b[0m{line[len(body):]}" if code else line)
    sys.stdout.flush()
