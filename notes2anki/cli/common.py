"""Shared rendering for the click commands: consoles, tables, diagnostics, exit codes.

Every command goes through the same pieces: :func:`collected` for the diagnostics it gathers (so an
interrupted run can still show them), :func:`report_diagnostics` to show them, :func:`finish` to exit,
and :func:`~notes2anki.cli.guard.guarded` (applied to every command in ``cli/__init__``) which turns Ctrl-C
into exit 130 and any unexpected exception into an "internal error" message with exit 2.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from rich.console import Console, ConsoleDimensions
from .shown import escape
from .vault_place import contained_vaults_problem, inside_vault_problem, pasted_path  # noqa: F401 - re-exported
from rich.table import Table

from ..config import Config, fatal_problems, load_config, table_problems
from ..messages import by_kind, counted, heading, kind_of, messages_file_problem, no_note_problem, shared_form  # noqa: F401 - kind_of, shared_form re-exported
from ..model import Diagnostic
from ..parsers import load_vault

EXIT_OK, EXIT_VAULT_ERRORS, EXIT_FATAL, EXIT_INTERRUPTED = 0, 1, 2, 130  # SIGTERM 143, SIGHUP 129: interrupts.exit_code
PIPE_WIDTH = 10_000  # output that is not a terminal is never wrapped (tables stay as wide as their text)
LIST_UP_TO = 25  # diagnostics listed one by one up to this many; above: a summary by kind
PLACES_SHOWN = 3  # places named per kind in the summary
_META_KEY = "notes2anki.diagnostics"


class _Console(Console):
    """A rich console that never crops: a terminal's width is honoured (tables fold their cells), output
    that goes to a pipe or a file is as wide as its text; ``NO_COLOR`` (any value) means no escape codes."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._width is None and not self.is_terminal and not (self._environ.get("COLUMNS", "").isascii() and self._environ.get("COLUMNS", "").isdigit()):
            return ConsoleDimensions(PIPE_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size) -> None:
        self._width, self._height = new_size

    @property
    def _color_system(self):  # read by rich when it renders: None means plain text, no escape codes
        return None if self._environ.get("NO_COLOR") else self.__dict__.get("_detected_colors")

    @_color_system.setter
    def _color_system(self, value) -> None:
        self.__dict__["_detected_colors"] = value

    def print(self, *objects, **kwargs) -> None:
        """Console.print, with every Table folding its cells and nothing cropped at the right edge."""
        for obj in objects:
            if isinstance(obj, Table):
                fold(obj, self.width)
        kwargs.setdefault("crop", False)
        super().print(*objects, **kwargs)

    def on_broken_pipe(self) -> None:
        """The reader closed the pipe (``notes2anki dupes V | head``): it has what it wanted; stop quietly,
        with the messages gathered so far on stderr when it was stdout's reader (tester 12-03: `topics |
        head -1` dropped its warning)."""
        self.quiet = True
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if not self.stderr:
            with contextlib.suppress(Exception):
                show_unshown()
        raise SystemExit(EXIT_OK)

    @property
    def live_ok(self) -> bool:
        """Spinners and progress bars: only on a real terminal, never with NO_COLOR or TERM=dumb."""
        return self.is_terminal and not self.is_dumb_terminal and not self._environ.get("NO_COLOR")


out = _Console(highlight=False, soft_wrap=False)
err = _Console(stderr=True, highlight=False, soft_wrap=True)  # file:line never split

vault_argument = click.argument(
    "vault", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=str))


def fold(t: Table, width: int | None = None) -> Table:
    """Make every cell of ``t`` fold: words wrap, an over-long word breaks over lines; nothing is cut off
    or replaced by an ellipsis, whatever the width (the console does this to every table it prints).
    Minimum column widths are dropped when together they would not fit in ``width`` characters."""
    for col in t.columns:
        col.overflow = "fold"
        col.no_wrap = False
    if width is not None and sum((c.min_width or 12) + 3 for c in t.columns) + 1 > width:
        for col in t.columns:
            col.min_width = None
    return t


# -- diagnostics ------------------------------------------------------------------------------------------
def collected() -> list[Diagnostic]:
    """The list a command gathers its diagnostics in; shown even when the run is interrupted (Ctrl-C)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return []
    return ctx.meta.setdefault(_META_KEY, [])


def summarize(diagnostics: list[Diagnostic]) -> list[tuple[str, str, list[Diagnostic]]]:
    """``(severity, kind, diagnostics)`` per kind: errors first, then the most frequent kinds."""
    return by_kind(diagnostics)


def _place(d: Diagnostic) -> str:
    return f"{d.file}:{d.line}" if d.line else (d.file or "vault")


def report_diagnostics(diagnostics: list[Diagnostic], *, all_messages: bool = False,
                       messages_file: Path | None = None) -> None:
    """Show diagnostics on stderr, the same way for every command.

    Up to :data:`LIST_UP_TO` (or with ``all_messages``): each as ``file:line: severity: message``, errors
    first. More: a summary by kind (``1,565× warning: frontmatter is not valid YAML`` and the first places)
    with a hint how to see them all. ``messages_file``: every message also written there, one a line.
    """
    ordered = sorted(dict.fromkeys(diagnostics), key=lambda d: (d.severity != "error", d.file, d.line))
    if messages_file is not None:
        try:
            Path(messages_file).write_text("".join(f"{d}\n" for d in ordered), encoding="utf-8")
        except OSError as exc:
            err.print(f"[red]cannot write {escape(str(messages_file))}: {escape(exc.strerror or str(exc))}[/red]")
            messages_file = None
    if all_messages or len(ordered) <= LIST_UP_TO:
        for d in ordered:
            colour = "red" if d.severity == "error" else "yellow"
            err.print(f"[{colour}]{escape(str(d))}[/{colour}]")
        return
    errors = sum(1 for d in ordered if d.severity == "error")
    err.print(f"[bold]{counted(len(ordered), 'message')} ({counted(errors, 'error')}, "
              f"{counted(len(ordered) - errors, 'warning')}), "
              f"by kind:[/bold]")
    for severity, kind, ds in summarize(ordered):
        colour = "red" if severity == "error" else "yellow"
        places = ", ".join(_place(d) for d in ds[:PLACES_SHOWN]) + (", …" if len(ds) > PLACES_SHOWN else "")
        label = heading(kind, ds)  # what every message of the group says (as the report page heads it)
        err.print(f"[{colour}]{len(ds):>6,}× {severity}: {escape(label)}[/{colour}]  [dim]{escape(places)}[/dim]")
    where = (f"all of them are in {messages_file}" if messages_file is not None
             else "see them all with --all-messages, or --messages-file FILE")
    err.print(f"[dim]({where})[/dim]")


def show_diagnostics(diagnostics: list[Diagnostic], limit: int | None = None) -> None:
    """Kept for callers of the old name: :func:`report_diagnostics` with the command's message options."""
    opts = _message_options()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_SHOWN_KEY] = True
    report_diagnostics(diagnostics, **opts)


_SHOWN_KEY = "notes2anki.diagnostics_shown"


def show_unshown() -> None:
    """The command's :func:`collected` diagnostics, unless it has shown its messages already: what a command
    stopped early (its reader closed the pipe, Ctrl-C) still says, once."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and not ctx.meta.get(_SHOWN_KEY):
        show_diagnostics(collected())


def message_options(f):
    """``--all-messages`` and ``--messages-file FILE`` for a command (read back by :func:`show_diagnostics`)."""

    def remember(ctx, param, value):
        ctx.meta[f"notes2anki.{param.name}"] = value
        return value

    f = click.option("--messages-file", type=click.Path(dir_okay=False, path_type=str), expose_value=False,
                     callback=remember, help="Also write every error and warning to FILE, one a line.")(f)
    return click.option("--all-messages", is_flag=True, expose_value=False, callback=remember,
                        help="List every error and warning (default: a summary by kind above "
                             f"{LIST_UP_TO}).")(f)


def _message_options() -> dict:
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return {"all_messages": bool(meta.get("notes2anki.all_messages")),
            "messages_file": meta.get("notes2anki.messages_file")}


def finish(diagnostics: list[Diagnostic], code: int | None = None) -> None:
    """Show the diagnostics and exit: ``code``, or 1 when any is an error, else 0."""
    show_diagnostics(diagnostics)
    if code is None:
        code = EXIT_VAULT_ERRORS if any(d.severity == "error" for d in diagnostics) else EXIT_OK
    raise SystemExit(code)


def print_json(data) -> None:
    """Write ``data`` to stdout as indented JSON (UTF-8, non-ASCII kept), one trailing newline."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def fatal(diagnostics: list[Diagnostic], message: str) -> None:
    """Show what was collected, then the reason the command cannot go on; exit 2. A command run with
    ``--json`` also says so on stdout, where scripts read it: ``{"stopped": true, "errors": [...]}`` (the
    errors collected, then ``message``; ``"dry_run"`` too for a command that has that option)."""
    show_diagnostics(diagnostics)
    err.print(f"[red]{escape(message)}[/red]")
    print_stopped([str(d) for d in diagnostics if d.severity == "error"] + [message])
    raise SystemExit(EXIT_FATAL)


def print_stopped(errors: list[str]) -> None:
    """``{"stopped": true, ["dry_run": bool,] "errors": errors}`` on stdout when the running command was
    given ``--json`` (nothing otherwise): a script reading stdout learns the command stopped (exit 2)."""
    params = getattr(click.get_current_context(silent=True), "params", None) or {}
    if params.get("as_json"):
        extra = {"dry_run": bool(params["dry_run"])} if "dry_run" in params else {}
        print_json({"stopped": True, **extra, "errors": errors})


def working(message: str, quiet: bool):
    """A spinner on stderr while embeddings are computed (nothing when quiet or stderr is not a terminal)."""
    if quiet or not err.live_ok:
        return contextlib.nullcontext()
    return err.status(message)


@contextlib.contextmanager
def encode_progress(message: str, quiet: bool = False, console: Console | None = None):
    """A progress display on stderr for the sentence encoder; yields the callback to hand to the library
    (``Embedder(progress=...)``, ``find_duplicates(progress=...)``), or None when nothing is shown
    (``quiet``, ``--json`` output). Piped output never gets escape codes.

    The callback takes ``(done, total, phase)`` as :data:`notes2anki.semantic.encoder.Progress` says: phase
    "convert model" (the one-time ONNX conversion) and "load model" show a spinner with the phase, "encode"
    a bar with ``done/total`` texts, elapsed time and ETA. Until the first call (e.g. a run served from the
    caches) only a spinner with ``message`` shows. When stderr is not a terminal (and not ``quiet``) the
    callback of :func:`conversion_lines`: a line where the one-time conversion starts and ends. Usage::

        with encode_progress("Embedding cards…", quiet=as_json) as progress:
            embedder = Embedder(model, progress=progress)
    """
    console = console or err
    if quiet:
        yield None
        return
    if not console.live_ok:  # a pipe, CI, a script: no bar, only the one-time conversion's start and end
        yield conversion_lines(console)
        return
    from ..semantic.encoder import CONVERTED_PHASE, NOT_CONVERTED_PHASE
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(message, total=None)

        def label(what: str) -> str:  # on a narrow terminal the phase alone: the counts and ETA keep their room
            return f"{message} {what}" if len(message) + len(what) + 56 <= console.width else what

        def progress(done: int, total: int, phase: str) -> None:
            if phase in (CONVERTED_PHASE, NOT_CONVERTED_PHASE):
                return  # "load model" (or the encoding) follows at once
            if phase == "encode":
                bar.update(task, description=label("encoding texts"), completed=done, total=total or None)
            else:
                bar.update(task, description=label(f"{phase}…"), completed=0, total=None)

        yield progress


def conversion_lines(console: Console | None = None):
    """The encoder's progress callback where no live display can be shown (output not a terminal): one line
    when the one-time ONNX conversion starts and one when it ends, with its seconds; every other phase
    (loading, encoding) says nothing. A run of 20-90 s with no word at all looks hung (tester 12-03 C)."""
    import time

    from ..semantic.encoder import CONVERT_PHASE, CONVERTED_PHASE, NOT_CONVERTED_PHASE

    console = console or err
    started: list[float] = []

    def progress(done: int, total: int, phase: str) -> None:
        if phase == CONVERT_PHASE:
            started[:] = [time.monotonic()]
            console.print("Converting the sentence encoder to ONNX (once; 30-90 s)…", soft_wrap=True)
        elif phase in (CONVERTED_PHASE, NOT_CONVERTED_PHASE) and started:
            took = time.monotonic() - started.pop()
            console.print(f"Model converted in {took:.0f} s." if phase == CONVERTED_PHASE else
                          f"Model not converted ({took:.0f} s): it cannot run under ONNX here; PyTorch is used.",
                          soft_wrap=True)

    return progress


def load_settings(root: Path, diagnostics: list[Diagnostic], **overrides) -> Config:
    """The vault's validated configuration (see :func:`notes2anki.config.load_config`). When a
    configuration file cannot be read or holds a value that cannot be used, every command stops here:
    the messages, then exit 2 (a deck built with the wrong decks and tags is worse than none)."""
    refuse_unsafe_paths(root, diagnostics)
    config = load_config(root, diagnostics, **overrides)
    problems = fatal_problems(diagnostics)
    if problems:
        files = ", ".join(sorted({d.file for d in problems}))
        fatal(diagnostics, f"Stopped: {len(problems)} configuration problem{'s' if len(problems) > 1 else ''} "
                           f"in {files}; fix {'them' if len(problems) > 1 else 'it'} and run again.")
    return config


OWN_FOLDERS = ("NOTES2ANKI_CACHE_DIR", "NOTES2ANKI_STATE_DIR", "NOTES2ANKI_ONNX_DIR")  # where notes2anki writes


def refuse_unsafe_paths(root: Path, diagnostics: list[Diagnostic]) -> None:
    """Exit 2 before anything is done when a path notes2anki would write names a place it must not: an
    environment variable of :data:`OWN_FOLDERS` inside the vault (the vault is the user's data: caches,
    build state and the converted model never go there), or a bad ``--messages-file`` (see
    :func:`refuse_bad_messages_file`)."""
    from ..fileio import is_inside

    for name in OWN_FOLDERS:
        value = os.environ.get(name)
        if value and root.is_dir() and is_inside(root, Path(value)):
            fatal(diagnostics, f"{name}={value} is inside the vault {root}; notes2anki never writes its caches "
                               "or state into the vault — set it to a folder outside")
    refuse_bad_messages_file(root, diagnostics)


def warn_inside_vault(root: Path, command: str | None = None) -> str | None:
    """For a command that only reads: when ``root`` is a folder inside an Obsidian vault, print
    :func:`inside_vault_problem` on stderr as a warning, before anything else the command says, and return
    it (else None). ``command``: the running command's name when None."""
    if command is None:
        ctx = click.get_current_context(silent=True)
        command = ctx.command.name if ctx is not None and ctx.command is not None else "check"
    problem = inside_vault_problem(root, command, writes=False)
    if problem:
        err.print(f"[yellow]vault: warning: {escape(problem)}[/yellow]")
    return problem


def refuse_bad_messages_file(root: Path, diagnostics: list[Diagnostic]) -> None:
    """Exit 2 before anything is done when ``--messages-file`` names a path that must not be written
    (inside the vault, ``-``, a missing folder, a file that is not plain text: see
    :func:`notes2anki.messages.messages_file_problem`)."""
    ctx = click.get_current_context(silent=True)
    path = ctx.meta.get("notes2anki.messages_file") if ctx is not None else None
    problem = messages_file_problem(path, root) if path is not None else None
    if problem:
        ctx.meta["notes2anki.messages_file"] = None
        fatal(diagnostics, problem)


def load_for_command(vault: str, *, progress=None, **overrides):
    """``(config, vault, diagnostics)`` for any command: the validated configuration (``overrides`` from
    options; a configuration problem exits 2, see :func:`load_settings`) and the parsed vault; every
    problem found so far is in the diagnostics (the list of :func:`collected`). A vault with no note
    exits 2 (:func:`notes2anki.messages.no_note_problem`). A folder inside an Obsidian vault is warned
    about first (:func:`warn_inside_vault`): the commands that load this way only read."""
    root = Path(vault)
    diags: list[Diagnostic] = collected()
    warn_inside_vault(root)  # first: what follows may be wrong for the vault (its settings not read)
    config = load_settings(root, diags, **overrides)
    v = load_vault(root, config, progress=progress) if progress is not None else load_vault(root, config)
    ctx = click.get_current_context(silent=True)
    own_check = ctx is not None and "allow_empty" in ctx.params  # build, report: their own --allow-empty
    empty = None if own_check else no_note_problem(vault, len(v.notes), config.scan_directory,
                                                   config.origin.get("ignore", ""))
    if empty:
        fatal(diags + v.diagnostics, empty)
    return config, v, diags


def open_vault(vault: str, section: str, settings):
    """(vault, config defaults from ``[section]``, diagnostics worth showing, the configuration) for a
    semantic command; exits 2 on a configuration problem."""
    config, v, diags = load_for_command(vault)
    defaults, problems = settings(config.section(section))
    diags += table_problems(config, problems)
    diags += v.diagnostics  # cards that could not be read, near misses: as `dupes` says them (tester 12-03)
    return v, defaults, diags, config


def embedder_or_exit(model, diags):
    """The :class:`~notes2anki.semantic.encoder.Embedder` for ``model`` (None: the bundled model); when it
    cannot be made (EncoderError: model not found or not loadable offline) prints ``diags`` and exits 2.
    """
    from ..semantic.encoder import Embedder, EncoderError

    try:
        return Embedder(model)
    except EncoderError as exc:
        fatal(diags, str(exc))


# -- the guard around every command -------------------------------------------------------------------------
