"""The click command group. Commands are thin: options → library → rich or JSON output.

Every command's callback is wrapped by :func:`~notes2anki.cli.guard.guarded`: exit codes are 0 (clean),
1 (the vault has errors; not for ``dupes``, ``related`` and ``topics``, whose exit code is their own: see
:data:`~notes2anki.cli.guard.OWN_EXIT_CODE`), 2 (the command could not run, or an internal error), 130
(interrupted).
Shell completion comes from click: ``eval "$(_NOTES2ANKI_COMPLETE=bash_source notes2anki)"``.
"""
from __future__ import annotations

import importlib

import click

from .. import __version__
from .guard import guarded

# name -> (module, attribute): a command's module is imported when the command runs (or is listed), so
# `notes2anki related` does not import the build, sync and report code (0.8 s of a 1 s warm run, issue 13)
COMMANDS = {"build": ("build", "build_command"), "check": ("check", "check_command"), "ids": ("ids", "ids_command"),
            "dupes": ("dupes", "dupes_command"), "related": ("related", "related_command"),
            "topics": ("topics", "topics_command"), "sync": ("sync", "sync_command"),
            "report": ("report", "report_command"), "init": ("init", "init_command")}


class _LazyCommands(dict):
    """``main.commands``: the command names at once, each command object (guarded) on first use."""

    def _load(self, name: str) -> click.Command:
        command = dict.__getitem__(self, name)
        if command is None:
            module, attribute = COMMANDS[name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
            if not getattr(command.callback, "__wrapped__", None):
                command.callback = guarded(command.callback)
            dict.__setitem__(self, name, command)
        return command

    def __getitem__(self, name: str) -> click.Command:
        return self._load(name)

    def get(self, name, default=None):
        """The command ``name`` (imported now), or ``default``."""
        return self._load(name) if name in self else default

    def items(self):
        """(name, command) of every command (all imported)."""
        return [(name, self._load(name)) for name in self]

    def values(self):
        """Every command (all imported)."""
        return [self._load(name) for name in self]


class _Group(click.Group):
    """The command group: a usage error of a command run with ``--json`` (a VAULT that does not exist, an
    option out of range) also says so on stdout, as every stop with exit 2 does:
    ``{"stopped": true, ["dry_run": bool,] "errors": [message]}``; click's message stays on stderr."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        cmd_name, cmd, rest = super().resolve_command(ctx, args)
        ctx.meta["notes2anki.command_args"] = (cmd, list(rest))
        return cmd_name, cmd, rest

    interrupted = None  # set by notes2anki.entry: how the command itself ends on a stop signal

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            if self.interrupted is None:
                raise
            self.interrupted()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # before a command's guard (importing its module): not click's "Aborted!"
            if self.interrupted is None:
                raise
            self.interrupted()
        except click.UsageError as exc:
            cmd, args = ctx.meta.get("notes2anki.command_args", (None, []))
            _print_usage_stop(cmd, args, exc.format_message())
            raise


def _print_usage_stop(cmd: click.Command | None, args: list[str], message: str) -> None:
    """``{"stopped": true, ...}`` on stdout when ``cmd`` has ``--json`` and ``args`` (before ``--``) give it."""
    options = args[:args.index("--")] if "--" in args else args
    names = {param.name for param in getattr(cmd, "params", ())}
    if "as_json" not in names or "--json" not in options:
        return
    from .common import print_json

    extra = {"dry_run": "--dry-run" in options} if "dry_run" in names else {}
    print_json({"stopped": True, **extra, "errors": [message]})


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="notes2anki")
def main() -> None:
    """Flashcards written in an Obsidian vault → an Anki deck; near-duplicates, related notes, topics.

    Exit codes: 0 clean, 1 the vault has errors (what could be read was still done; dupes, related and
    topics exit 0 when they ran, dupes --fail 1 when duplicates are found), 2 the command could not run,
    130 interrupted. Shell completion (bash): eval "$(_NOTES2ANKI_COMPLETE=bash_source notes2anki)".
    """


main.commands = _LazyCommands(dict.fromkeys(COMMANDS))
