"""The click command group. Commands are thin: options → library → rich or JSON output."""
from __future__ import annotations

import click

from .. import __version__
from .build import build_command
from .check import check_command
from .dupes import dupes_command
from .ids import ids_command
from .related import related_command
from .sync import sync_command
from .topics import topics_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="notes2anki")
def main() -> None:
    """Flashcards written in an Obsidian vault → an Anki deck; near-duplicates, related notes, topics."""


for command in (build_command, check_command, ids_command, dupes_command, related_command, topics_command,
                sync_command):
    main.add_command(command)
