"""The wrapper every command runs in (:func:`guarded`): encoding-safe output, raised collector thresholds,
Ctrl-C → exit 130 with what was collected, any unexpected exception → an "internal error" message with
exit 2 — never a Python traceback — and exit 1 whenever an error was reported (except for the commands
of :data:`OWN_EXIT_CODE`)."""
from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
import traceback
from pathlib import Path

import click

from .. import interrupts
from .common import EXIT_FATAL, EXIT_OK, EXIT_VAULT_ERRORS, collected, err, out, print_stopped, show_diagnostics, show_unshown
from .shown import escape


def safe_streams() -> None:
    """Output to a terminal or pipe whose encoding cannot show a character (``PYTHONIOENCODING=latin-1``,
    a C locale) gets ``?`` for it instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="replace")


def _own_process() -> bool:
    """Whether this process is the `notes2anki` command itself (its console script, or ``python -m
    notes2anki.cli``), not a caller running a command in-process (tests, scripts)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return script.name == "notes2anki" or script.parts[-3:] == ("notes2anki", "cli", "__main__.py")


# Collector thresholds while a command runs (mypy sets the same): a command allocates millions of objects that
# live until it ends (the vault's cards, the duplicate check's texts and verdicts), and the default young
# threshold (700) ran ~840 collections, ~0.2 s of CPU of a `build` after an edit of a 10,000-card vault, most
# of it full collections walking those objects; with these, one. Objects freed by reference counting (nearly
# all) are freed as before; the previous thresholds come back when the command ends.
GC_THRESHOLDS = (200_000, 30, 30)


def guarded(callback):
    """Wrap a command's callback: encoding-safe output; Ctrl-C → what was collected, "interrupted", exit 130;
    a closed pipe → the messages gathered so far on stderr, exit 0; any other exception → "internal error" with a hint to report it, exit 2.
    ``NOTES2ANKI_DEBUG=1`` adds the traceback."""

    @functools.wraps(callback)
    def run(*args, **kwargs):
        safe_streams()
        interrupts.install()  # a Ctrl-C that a C extension reports as its own error stays a Ctrl-C
        thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            result = callback(*args, **kwargs)
        except SystemExit as exc:
            raise SystemExit(_with_errors(exc.code)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM or SIGHUP (interrupts): exit 128 + the signal
            ignored = interrupts.ignore_all()  # a second signal must not cut the report short
            with contextlib.suppress(Exception):
                show_diagnostics(collected())
            with contextlib.suppress(Exception):  # after SIGHUP the terminal may be gone
                err.print("[red]Interrupted: stopped before the end; nothing more was written.[/red]")
            if _own_process():  # the notes2anki command itself: end now, not through the interpreter's
                with contextlib.suppress(Exception):  # shutdown, which puts SIGINT back to its default
                    sys.stdout.flush()  # (a second Ctrl-C there killed the process: exit -2, not 130)
                    sys.stderr.flush()
                os._exit(interrupts.exit_code())
            interrupts.restore(ignored, interrupts.SIGNALS[1:])  # in-process: SIGINT stays ignored
            raise SystemExit(interrupts.exit_code())
        except BrokenPipeError:  # `notes2anki dupes V | head`: the reader has what it wanted
            with contextlib.suppress(Exception):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            with contextlib.suppress(Exception):  # the warnings gathered so far still reach stderr
                show_unshown()
            raise SystemExit(EXIT_OK)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, never a traceback
            with contextlib.suppress(Exception):
                show_diagnostics(collected())
            err.print(f"[red]internal error: {escape(type(exc).__name__)}: {escape(str(exc))}[/red]")
            if os.environ.get("NOTES2ANKI_DEBUG"):
                err.print(escape("".join(traceback.format_exception(exc))), markup=True)
            err.print("This is a bug in notes2anki, not in your vault. Please report it with the command you "
                      "ran (NOTES2ANKI_DEBUG=1 shows the details to include).")
            with contextlib.suppress(Exception):  # --json: stdout says the command stopped
                print_stopped([f"internal error: {type(exc).__name__}: {exc}"])
            raise SystemExit(EXIT_FATAL)
        finally:
            interrupts.uninstall()
            gc.set_threshold(*thresholds)
        code = _with_errors(EXIT_OK)
        if code != EXIT_OK:
            raise SystemExit(code)
        return result

    return run


# Commands that answer a question about the cards that could be read (which are duplicates, which notes are
# related, which topics): their exit code is their own (dupes --fail: 1 when duplicates are found), never 1
# because some note of the vault has an error. Those errors are shown as messages (file:line) all the same;
# `check` and `build` exit 1 for them. (Tester 12-03: `dupes --json` exited 1 for a bad card block, so
# `notes2anki dupes V --json > d.json && …` stopped though d.json was complete, and `dupes --fail` in CI
# could not tell duplicates from a vault error.)
OWN_EXIT_CODE = frozenset({"dupes", "related", "topics"})


def _with_errors(code):
    """A command's exit code, made 1 (README: "1 the vault has errors") when it would exit 0 though an
    error is among the diagnostics it collected (:func:`collected`), except for the commands of
    :data:`OWN_EXIT_CODE`; a reader that closed the pipe early still ends quietly with 0."""
    if code not in (None, EXIT_OK) or out.quiet:
        return code
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.command.name in OWN_EXIT_CODE:
        return code
    return EXIT_VAULT_ERRORS if any(d.severity == "error" for d in collected()) else code
