"""The ``notes2anki`` console command's entry point: Ctrl-C handled from its first instruction.

The console script imports its entry function's module before calling it; importing ``notes2anki.cli``
(click, rich, the command's module) takes 0.1–0.5 s, and a Ctrl-C then printed a KeyboardInterrupt
traceback and exited 1 (click's "Aborted!") or -2, not 130 as the README promises (tester A r5). This module
imports nothing heavy: :func:`main` first installs the stop-signal handler (interrupts.py), then imports the
command group and runs it; a stop signal at any point before a command's own handler takes over (guard.py)
ends the process with the one-line "Interrupted" message and exit 128 + the signal (130 for Ctrl-C). Only the
interpreter's own start, before any of notes2anki's code runs, is outside it.

The process ends without the interpreter's teardown of its objects (:func:`_exit_now`, the last atexit
handler): once every thread has ended and every other atexit handler has run, freeing a big command's heap
object by object only delays the shell prompt — after editing one note of a 10,000-card vault, `build`'s
~600 MiB of objects took 0.20–0.28 s to free, about a tenth of that row (2-core AMD EPYC; a no-op build or
`related` 0.03–0.05 s). The same idea as Instagram's ``os._exit`` at the end of a worker ("Dismissing Python
Garbage Collection at Instagram", 2017). Files are written and closed by the commands themselves (``with``,
``atomic_write``), SQLite commits before returning, and the standard streams are flushed here. Only when
:func:`main` is what the process's ``__main__`` runs (the console script's wrapper imports it there), never in
a program that calls it and catches its ``SystemExit``.
"""
from __future__ import annotations

import atexit
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


_STATUS = [1]  # the exit status _exit_now ends with: the command's, else 1 (an uncaught error exits 1 too)


def exit_status(code: object) -> int:
    """The process status ``sys.exit(code)`` gives: 0 for None, an int as it is, 1 for anything else (whose
    text Python has printed on stderr by then)."""
    if code is None:
        return 0
    return int(code) if isinstance(code, int) else 1


def _exit_now() -> None:
    """End the process with :data:`_STATUS` without the interpreter's teardown: registered before any other
    atexit handler, so it runs after all of them, and after the interpreter has waited for every non-daemon
    thread (``threading._shutdown`` runs before atexit). The standard streams are flushed first; a closed
    pipe (``notes2anki dupes V | head``) changes nothing (guard.py has made stdout /dev/null)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream or pipe: nothing more can be written
            pass
    os._exit(_STATUS[0])


HUGE_PAGES = "NUMPY_MADVISE_HUGEPAGE"


def no_huge_pages() -> None:
    """Ask NumPy (through its documented environment variable, read when NumPy is imported; a value the user
    set is kept) not to mark its large arrays for transparent huge pages. Where the kernel's THP ``defrag``
    setting is ``madvise`` (the default of many distributions), each first touch of such an array's memory
    may compact memory synchronously to find a free 2 MiB page. The duplicate check after an edit makes a
    dozen short-lived arrays of 30–46 MB; on the 2-core test VM their faults cost 1.0–1.6 s of system
    time per edit of the 10,000-card bench vault with huge pages and 0.45–0.55 s without (the
    ``lazy_verdicts.split`` step alone 0.37–0.52 s against 0.13 s). Results are the same either way."""
    os.environ.setdefault(HUGE_PAGES, "0")


def main() -> None:
    """Run the ``notes2anki`` command (``sys.argv``), exit 128 + the signal on Ctrl-C, SIGTERM or SIGHUP."""
    try:
        interrupts.install()
        if getattr(sys.modules.get("__main__"), "main", None) is main:  # the console script (not a caller's
            atexit.register(_exit_now)  # process): first, so it runs last (atexit runs handlers in reverse order)
        no_huge_pages()
        from .cli import main as group

        group.interrupted = stop  # the group's own handler (cli._Group) ends the same way
        try:
            group(prog_name="notes2anki")
        except SystemExit as done:
            _STATUS[0] = exit_status(done.code)
            raise
        _STATUS[0] = 0
    except KeyboardInterrupt:
        stop()
