"""Shared rendering for the click commands: consoles, diagnostics, exit codes."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from ..config import Config, fatal_problems, load_config
from ..model import Diagnostic
from ..parsers import load_vault

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
    """Write ``data`` to stdout as indented JSON (UTF-8, non-ASCII kept), one trailing newline."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def fatal(diagnostics: list[Diagnostic], message: str) -> None:
    """Show what was collected, then the reason the command cannot go on; exit 2."""
    show_diagnostics(diagnostics)
    err.print(f"[red]{escape(message)}[/red]")
    raise SystemExit(EXIT_FATAL)


def working(message: str, quiet: bool):
    """A spinner on stderr while embeddings are computed (nothing when quiet or stderr is not a terminal)."""
    if quiet or not err.is_terminal:
        return contextlib.nullcontext()
    return err.status(message)


def load_settings(root: Path, diagnostics: list[Diagnostic], **overrides) -> Config:
    """The vault's validated configuration (see :func:`notes2anki.config.load_config`). When a
    configuration file cannot be read or holds a value that cannot be used, every command stops here:
    the messages, then exit 2 (a deck built with the wrong decks and tags is worse than none)."""
    config = load_config(root, diagnostics, **overrides)
    problems = fatal_problems(diagnostics)
    if problems:
        files = ", ".join(sorted({d.file for d in problems}))
        fatal(diagnostics, f"Stopped: {len(problems)} configuration problem{'s' if len(problems) > 1 else ''} "
                           f"in {files}; fix {'them' if len(problems) > 1 else 'it'} and run again.")
    return config


def open_vault(vault: str, section: str, settings):
    """(vault, config defaults from ``[section]``, diagnostics worth showing) for a semantic command;
    exits 2 on a configuration problem."""
    root = Path(vault)
    diags: list[Diagnostic] = []
    config = load_settings(root, diags)
    defaults, problems = settings(config.section(section))
    diags += [Diagnostic(".notes2anki.toml", 0, "warning", p) for p in problems]
    v = load_vault(root, config)
    diags += [d for d in v.diagnostics if d.severity == "error"]  # cards that could not be read
    return v, defaults, diags


def embedder_or_exit(model, diags):
    """The :class:`~notes2anki.semantic.encoder.Embedder` for ``model`` (None: the bundled model); when it
    cannot be made (EncoderError: model not found or not loadable offline) prints ``diags`` and exits 2.
    """
    from ..semantic.encoder import Embedder, EncoderError

    try:
        return Embedder(model)
    except EncoderError as exc:
        fatal(diags, str(exc))
