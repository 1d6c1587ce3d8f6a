"""The ``notes2anki`` console command's entry point: Ctrl-C handled from its first instruction.

The console script imports its entry function's module before calling it; importing ``notes2anki.cli``
(click, rich, the command's module) takes 0.1–0.5 s, and a Ctrl-C then printed a KeyboardInterrupt
traceback and exited 1 (click's "Aborted!") or -2, not 130 as the README promises (tester A r5). This module
imports nothing heavy: :func:`main` first installs the stop-signal handler (interrupts.py), then imports the
command group and runs it; a stop signal at any point before a command's own handler takes over (guard.py)
ends the process with the one-line "Interrupted" message and exit 128 + the signal (130 for Ctrl-C). Only the
interpreter's own start, before any of notes2anki's code runs, is outside it.
"""
from __future__ import annotations

import os
import sys

from . import interrupts

MESSAGE = "Interrupted: stopped before the end; nothing more was written.\n"


def stop() -> None:
    """End the process after a stop signal outside a command's own handler: the one-line message on
    stderr, exit 128 + the signal (130 for Ctrl-C), without the interpreter's shutdown (where a second
    Ctrl-C would kill the process: exit -2)."""
    interrupts.ignore_all()
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed stream: nothing to flush
        pass
    try:
        sys.stderr.write(MESSAGE)
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - after SIGHUP the terminal may be gone
        pass
    os._exit(interrupts.exit_code())


def main() -> None:
    """Run the ``notes2anki`` command (``sys.argv``), exit 128 + the signal on Ctrl-C, SIGTERM or SIGHUP."""
    try:
        interrupts.install()
        from .cli import main as group

        group.interrupted = stop  # the group's own handler (cli._Group) ends the same way
        group(prog_name="notes2anki")
    except KeyboardInterrupt:
        stop()
