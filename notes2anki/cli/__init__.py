"""The click command group. Commands are thin: options → library → rich or JSON output.

Every command's callback is wrapped by :func:`~notes2anki.cli.common.guarded`: exit codes are 0 (clean),
1 (the vault has errors), 2 (the command could not run, or an internal error), 130 (interrupted).
Shell completion comes from click: ``eval "$(_NOTES2ANKI_COMPLETE=bash_source notes2anki)"``.
"""
from __future__ import annotations

import click

from .. import __version__
from .build import build_command
from .check import check_command
from .common import guarded
from .dupes import dupes_command
from .ids import ids_command
from .init import init_command
from .related import related_command
from .report import report_command
from .sync import sync_command
from .topics import topics_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="notes2anki")
def main() -> None:
    """Flashcards written in an Obsidian vault → an Anki deck; near-duplicates, related notes, topics.

    Exit codes: 0 clean, 1 the vault has errors (what could be read was still done), 2 the command could
    not run, 130 interrupted. Shell completion (bash): eval "$(_NOTES2ANKI_COMPLETE=bash_source notes2anki)".
    """


for command in (build_command, check_command, ids_command, dupes_command, related_command, topics_command,
                sync_command, report_command, init_command):
    if not getattr(command.callback, "__wrapped__", None):
        command.callback = guarded(command.callback)
    main.add_command(command)
