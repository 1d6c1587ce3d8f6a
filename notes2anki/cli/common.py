"""Shared rendering for the click commands: consoles, diagnostics, exit codes."""
from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape

from ..model import Diagnostic

EXIT_OK, EXIT_VAULT_ERRORS, EXIT_FATAL = 0, 1, 2

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # file:line never split

vault_argument = click.argument(
    "vault", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=str))


def show_diagnostics(diagnostics: list[Diagnostic], limit: int = 50) -> None:
    """Errors first, then warnings, each as ``file:line: severity: message`` on stderr."""
    ordered = sorted(diagnostics, key=lambda d: (d.severity != "error", d.file, d.line))
    for d in ordered[:limit]:
        colour = "red" if d.severity == "error" else "yellow"
        err.print(f"[{colour}]{escape(str(d))}[/{colour}]")
    if len(ordered) > limit:
        err.print(f"... and {len(ordered) - limit} more")


def print_json(data) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
