"""`notes2anki ids VAULT`: write an ID comment into every card that lacks one."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.syntax import Syntax

from ..decks.write_ids import apply_ids, plan_ids
from ..model import Diagnostic
from ..parsers import load_vault
from .common import EXIT_OK, EXIT_VAULT_ERRORS, load_settings, out, show_diagnostics, vault_argument


@click.command("ids")
@vault_argument
@click.option("--dry-run", is_flag=True, help="Show the changes as a diff; write nothing.")
def ids_command(vault, dry_run):
    """Write <!--ID: n--> into every card of VAULT that has none (only those lines change)."""
    root = Path(vault)
    diags: list[Diagnostic] = []
    config = load_settings(root, diags)
    v = load_vault(root, config)
    diags += v.diagnostics
    report = plan_ids(v)
    total = sum(len(e.ids) for e in report.edits)
    if dry_run:
        for edit in report.edits:
            out.print(Syntax(edit.diff(), "diff", theme="ansi_dark", background_color="default"))
        out.print(f"Would add {total} IDs in {len(report.edits)} files (dry run: nothing written).")
    else:
        apply_ids(v, report)
        for rel in report.written:
            out.print(f"  {escape(rel)}")
        out.print(f"Added {total} IDs in {len(report.written)} files.")
    diags += report.diagnostics
    show_diagnostics([d for d in diags if d.severity == "error" or d.file])
    raise SystemExit(EXIT_VAULT_ERRORS if any(d.severity == "error" for d in diags) else EXIT_OK)
