"""`notes2anki init [VAULT]`: write a commented `.notes2anki.toml` to start from."""
from __future__ import annotations

from pathlib import Path

import click
from .shown import escape

from ..fileio import atomic_write
from ..messages import counted
from .common import collected, fatal, finish, message_options, out, refuse_unsafe_paths
from .vault_place import pasted_path


@click.command("init")
@click.argument("vault", default=".", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=str))
@click.option("--force", is_flag=True, help="Replace an existing .notes2anki.toml.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the file instead of writing it.")
@message_options
def init_command(vault, force, to_stdout):
    """Write VAULT/.notes2anki.toml (default VAULT: the current folder): every setting with a comment, the
    values of the Obsidian_to_Anki plugin's settings when the vault has them, and a folder → deck mapping
    suggested by the vault's top folders. Nothing else is written; an existing file is kept unless --force.
    """
    from ..config_files import PLUGIN_SETTINGS
    from ..init_config import config_path, keep_previous, replace_refusal, suggest

    root = Path(vault)
    target = config_path(root)
    diags = collected()
    refuse_unsafe_paths(root, diags)
    if (target.exists() or target.is_symlink()) and not force and not to_stdout:  # a dangling link too
        fatal(diags, f"{target} exists already: edit it, or use --force to replace it "
                     "(--stdout shows the suggestion without writing)")
    refusal = replace_refusal(root) if not to_stdout else None
    if refusal:  # a link (dotfiles) would be replaced by a file
        fatal(diags, refusal)
    suggestion = suggest(root)
    diags += suggestion.diagnostics
    if to_stdout:
        click.echo(suggestion.text, nl=False)
        finish(diags)
    if any(d.severity == "error" and d.file == PLUGIN_SETTINGS for d in suggestion.diagnostics):
        # a file from defaults would later override the plugin's other values unseen (tester 12-03)
        fatal(diags, f"{target} not written: the plugin's settings could not all be read (above); fix "
                     f"{PLUGIN_SETTINGS} and run init again (--stdout shows what it would write)")
    try:
        backup = keep_previous(root)
    except OSError as exc:
        fatal(diags, f"{target} not replaced: its backup could not be written ({exc.strerror or exc})")
    try:
        atomic_write(target, suggestion.text.encode("utf-8"))
    except OSError as exc:
        fatal(diags, f"cannot write {target}: {exc.strerror or exc}")
    if backup is not None:
        out.print(f"The previous file, its comments included, is kept as {escape(str(backup))}.", soft_wrap=True)
    made_from = ["the plugin's settings"] if suggestion.from_plugin else []
    active = sum(1 for _, moved in suggestion.folders.values() if moved)
    if active:
        made_from.append(f"{counted(active, 'top folder')} as decks")
    moving = sum(moved for _, moved in suggestion.folders.values())
    out.print(f"Wrote {escape(str(target))}" + (f" (from {' and '.join(made_from)})" if made_from else "")
              + f". Check it, then: notes2anki build {escape(pasted_path(vault))}", soft_wrap=True)
    if suggestion.templates:  # not proposed as decks: said here too, not only in the file
        named = ", ".join(f"{f} ({counted(n, 'card')})" for f, (n, _) in suggestion.templates.items())
        out.print(f"[yellow]Named like template folders, so listed under template_folders (their cards are not "
                  f"built and get no ID) instead of proposed as decks: {escape(named)}; remove a folder there if "
                  "its notes are real cards.[/yellow]", soft_wrap=True)
    if moving:  # a synced card that changes deck is moved in Anki by the next sync
        out.print(f"[yellow]With its \\[folder_decks], {counted(moving, 'card')} now in the default deck "
                  f"{'move' if moving > 1 else 'moves'} to {'their folders’ decks' if moving > 1 else 'its folder’s deck'} "
                  "(the next `sync` moves them in Anki too); comment out a line under \\[folder_decks] to keep a "
                  "folder's cards where they are.[/yellow]", soft_wrap=True)
    finish(diags)
