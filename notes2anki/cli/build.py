"""`notes2anki build VAULT`: the vault's cards → an .apkg."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import click
from .shown import escape
from rich.progress import Progress
from rich.table import Table

from ..decks.background import package_alongside
from ..decks.build import BuildReport, default_state_path, plan_package
from ..decks.package import output_problem
from ..fileio import copy_to_stdout, output_argument, stdout_state
from ..decks.build_renamed import renamed_vault_problem
from ..decks.state import state_file_problem
from ..messages import counted
from ..model import Diagnostic
from ..parsers import load_vault
from .vault_place import inner_vaults, inner_vaults_problem
from .common import (EXIT_FATAL, collected, contained_vaults_problem, err, fatal, finish, inside_vault_problem, load_settings,
                     message_options, out, show_diagnostics, vault_argument)

PROGRESS_FROM = 200  # files: show a progress bar on vaults at least this large


@click.command("build")
@vault_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
              help="Where to write the deck (default: <vault name>.apkg in the current folder; '-': "
                   "standard output, when it is not a terminal).")
@click.option("--deck", help="Default deck for files without TARGET DECK / folder deck.")
@click.option("--tag", "default_tag", multiple=True, help="A tag added to every card (repeat for more).")
@click.option("--wikilinks", type=click.Choice(["obsidian", "text"]),
              help="Wiki links as obsidian:// links (default) or plain text.")
@click.option("--state-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Build state file (card change times); default: in the user state dir.")
@click.option("--dupes/--no-dupes", default=True, show_default=True,
              help="List likely duplicate cards after the build (uses the sentence encoder).")
@click.option("--topic-tags", is_flag=True, help="Tag each card topic::<label> (see `notes2anki topics`).")
@click.option("--model", help="Sentence-transformers model for --dupes/--topic-tags.")
@click.option("--collection", type=click.Path(path_type=str),
              help="Your Anki collection (only read): cards whose notes it has keep their GUIDs, so the "
                   "import updates them (e.g. notes the Obsidian_to_Anki plugin made).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and warnings.")
@click.option("--force", is_flag=True,
              help="Write -o even inside the vault or over a file that is not an Anki package.")
@click.option("--allow-empty", is_flag=True, help="Write a deck even when the vault has no note (else exit 2).")
@click.option("--sanitize-html", is_flag=True, default=None,
              help="Strip scripts, event handlers, iframes and javascript: links from fields (decks to share).")
@message_options
def build_command(vault, output, deck, default_tag, wikilinks, state_file, dupes, topic_tags, model, collection,
                  quiet, force, allow_empty, sanitize_html):
    """Build an Anki package from every card in VAULT (the vault is only read)."""
    root = Path(vault)
    diags: list[Diagnostic] = collected()
    config = load_settings(root, diags, default_deck=deck, default_tag=default_tag or None, wikilinks=wikilinks,
                           sanitize_html=sanitize_html)
    inside = inside_vault_problem(root, "build")
    if inside:  # as ids and sync: its cards' identities would not be the vault's (duplicates on import)
        fatal(diags, inside + "; nothing written")
    to_stdout, output = output == "-", output_argument(output)  # ./- is a file named "-"
    if to_stdout and stdout_state() == "closed":
        fatal(diags, "cannot write standard output: it is closed; nothing built")
    if to_stdout and stdout_state() == "terminal":
        fatal(diags, "-o -: an .apkg is binary and is not written to a terminal; redirect it "
                     "(`-o - > deck.apkg`), pipe it, or give a file name")
    output = output or default_output(root)
    clash = _same_file(None if to_stdout else output, state_file)
    if clash:
        fatal(diags, clash)
    problem = (None if to_stdout else output_problem(output, root)) or \
        (state_file and state_file_problem(state_file, root))
    if problem and not force:
        fatal(diags, problem)
    with package_destination(output, root) as output:
        _build(root, config, diags, output, to_stdout, state_file, dupes, topic_tags, model, collection, quiet,
               allow_empty, vault)


def _same_file(output, state_file) -> str | None:
    """Why two of the files `build` writes are one file (the package, the build state, the messages file),
    else None: each would overwrite the other (a package written over the build state loses every card's
    change time; messages over the package leave no deck). Not overridden by --force."""
    import os

    ctx = click.get_current_context(silent=True)
    messages = ctx.meta.get("notes2anki.messages_file") if ctx is not None else None
    named = [(opt, os.path.realpath(path)) for opt, path in (("-o", output), ("--state-file", state_file),
                                                              ("--messages-file", messages)) if path]
    for i, (first, a) in enumerate(named):
        for second, b in named[i + 1:]:
            if a == b:
                if ctx is not None and "--messages-file" in (first, second):
                    ctx.meta["notes2anki.messages_file"] = None  # the message itself must not overwrite it
                return f"{first} and {second} name one file ({a}): each would overwrite the other; nothing built"
    return None


@contextlib.contextmanager
def package_destination(output: Path, root: Path):
    """The path to build into: ``output`` itself, or for ``-o -`` a file in a private temporary folder
    whose bytes go to stdout afterwards (while the tables and messages go to stderr)."""
    if str(output) != "-":
        yield output
        return
    with tempfile.TemporaryDirectory(prefix="notes2anki-") as folder:
        out.stderr = True  # stdout carries the package: every table goes to stderr
        try:
            yield Path(folder) / f"{root.resolve().name}.apkg"
        finally:
            out.stderr = False


def _build(root, config, diags, output, to_stdout, state_file, dupes, topic_tags, model, collection, quiet,
           allow_empty, vault):
    """The build proper, into ``output`` (see :func:`build_command`); with ``to_stdout`` the package's
    bytes are then written to stdout."""
    v = _load(root, config, quiet)
    diags += v.diagnostics
    holds = contained_vaults_problem(root, v.files, "build")
    inner = inner_vaults_problem(root, inner_vaults(root, v.files, (n.path for n in v.notes)), "build")
    if inner:  # built all the same (what is built does not change), with the warning
        diags.append(Diagnostic("", 0, "warning", inner))
    if holds:  # built all the same, with the warning (as for a folder inside a vault)
        diags.append(Diagnostic("", 0, "warning", holds + "; importing its package next to the vaults' own "
                                "would add these cards again"))
    if collection is None:  # (with --collection the notes are matched in the collection)
        renamed = renamed_vault_problem(root, config, v.cards, Path(state_file or default_state_path(root)))
        if renamed:
            fatal(diags, renamed)
    if not v.notes and not allow_empty:
        fatal(diags, f"No note (.md file) to build in {vault}{_where(config)}; nothing written "
                     "(--allow-empty writes an empty deck).")
    extra_tags = None
    if topic_tags:
        from ..semantic.topics import topic_tags as compute_topic_tags

        extra_tags, topic_warnings = compute_topic_tags(v, model=model, config=config)
        diags += topic_warnings
    check = None  # the duplicate check, run while the package is written (decks/background.py)
    if dupes:
        from .dupes import check_build_duplicates

        def check(cards):
            try:
                return check_build_duplicates(cards, model=model, config=config, quiet=quiet, vault=v) if cards else None
            except OSError as exc:  # not the package's: raised below, after the package's own errors
                return exc

    wrote = None  # the package's report once it is written

    def written(report) -> None:  # the package is written: its messages, stdout, the summary
        nonlocal wrote
        wrote = report
        diags.extend(report.diagnostics)
        if to_stdout:
            try:
                copy_to_stdout(output)
            except OSError as exc:
                fatal(diags, f"cannot write standard output: {exc.strerror or exc}")
        if not quiet:
            _summary(v, report, "standard output" if to_stdout else str(report.output))

    try:
        with adopting(collection, v, config, diags) as adopt:
            plan = plan_package(v, config, output, state_path=state_file, extra_tags=extra_tags, adopt=adopt)
            report, checked = package_alongside(plan, check, written)
    except OSError as exc:
        if wrote is not None:  # not the package's (e.g. a closed pipe while the summary is printed)
            raise
        show_diagnostics(diags)
        err.print(f"[red]cannot write {escape(str(output))}: {escape(exc.strerror or str(exc))}[/red]")
        raise SystemExit(EXIT_FATAL)
    if isinstance(checked, OSError):
        raise checked
    if checked is not None:
        from .dupes import render_build_duplicates

        found, warnings = checked
        diags += warnings
        if not quiet:
            render_build_duplicates(found)
    if not quiet and wrote is not None:  # counted once the duplicate check's own warnings are in
        _counts(v, wrote)
    finish(diags)


@contextlib.contextmanager
def adopting(collection, v, config, diags):
    """The adopt hook of ``--collection`` (a private copy of the collection, opened read-only), or None."""
    if not collection:
        yield None
        return
    from ..decks.collection import CollectionError, find_collection, open_copy
    from ..decks.adopt import collection_adopter

    try:
        opened = open_copy(find_collection(collection))
    except CollectionError as exc:
        fatal(diags, str(exc))
    try:
        try:  # a vault the collection's record says is another (renamed, same name): stopped, as sync stops
            adopt, problems = collection_adopter(opened.col, v, config)
        except CollectionError as exc:
            fatal(diags, str(exc))
        diags += problems
        yield adopt
    finally:
        opened.close()


def _where(config) -> str:
    """' under FOLDER' / ' (after the ignore patterns)' for the no-note message."""
    scan = f" under {config.scan_directory!r}" if config.scan_directory else ""
    ignore = config.origin.get("ignore")
    return scan + (f" (after the ignore patterns of {ignore})" if ignore else "")


def default_output(root: Path) -> Path:
    """``<vault name>.apkg`` in the current folder, or next to the vault when that folder is inside it
    (build never writes into the vault unless told to)."""
    vault = root.resolve()
    here = Path.cwd().resolve()
    folder = vault.parent if here == vault or vault in here.parents else Path(".")
    return folder / f"{vault.name}.apkg"


def _load(root: Path, config, quiet: bool):
    md_count = sum(1 for _ in root.rglob("*.md"))
    if quiet or md_count < PROGRESS_FROM or not err.live_ok:
        return load_vault(root, config)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Reading notes", total=md_count)
        return load_vault(root, config, progress=lambda done, total: progress.update(task, completed=done,
                                                                                      total=total))


def _summary(v, report: BuildReport, destination: str) -> None:
    # the title on a line of its own: as a table title it was wrapped to the table's width (a long output
    # path cut mid-word, into a pipe too)
    out.print(f"[italic]notes2anki build → {escape(destination)}[/italic]", soft_wrap=True)
    table = Table(show_footer=True)
    table.add_column("Deck", footer="Total")
    table.add_column("Notes", justify="right", footer=str(sum(report.decks.values())))
    for deck, count in sorted(report.decks.items()):
        table.add_row(escape(deck), str(count))
    out.print(table)
    if report.gone:
        gone = Table(title="In Anki but no longer in the vault: delete these notes in Anki "
                           "(an .apkg cannot delete)")
        # one number per card, the one Anki's search takes: the ID written in the vault is not the Anki note id
        # of a note the build gave a note id or adopted (tester: two numbers, one unnamed)
        for col in ("Anki note id", "Was at", "Front", "Why"):
            gone.add_column(col)
        for g in report.gone:
            nid = str(g.nid) if g.nid else f"not known [dim](ID in the vault: {g.id})[/dim]"
            gone.add_row(nid, escape(g.where), escape(g.front), g.reason)
        out.print(gone)
        nids = [str(g.nid) for g in report.gone if g.nid]
        if nids:
            out.print(f"To find them in Anki's browser, search by Anki note id: nid:{','.join(nids)}",
                      soft_wrap=True)  # whole: an id cut by a line break finds nothing (tester 12-02)
        if len(nids) < len(report.gone):
            out.print("Anki note id not known: the card was never built on this machine; a note the "
                      "Obsidian_to_Anki plugin made has its ID in the vault as its note id.")


def _counts(v, report: BuildReport) -> None:
    """The summary line, after every message of the build (the duplicate check's too) is collected."""
    shown = dict.fromkeys(collected())  # what finish() prints: configuration, vault and build messages, once each
    errors = sum(1 for d in shown if d.severity == "error")
    warnings = sum(1 for d in shown if d.severity == "warning")
    tags_only = getattr(report, "tags_changed", 0)
    adopted = getattr(report, "adopted", 0)  # --collection: first built for a note Anki has (not new to Anki)
    adopted = f"{adopted} updating {'a note' if adopted == 1 else 'notes'} Anki has, " if adopted else ""
    out.print(f"{counted(len(v.notes), 'note')} read, {counted(len(report.cards), 'card')} packaged "
              f"({report.new} new, {adopted}{report.changed} changed, {report.unchanged} unchanged), "
              f"{counted(report.media, 'media file')}, {counted(errors, 'error')}, {counted(warnings, 'warning')}.")
    if tags_only:
        out.print(f"Tags changed on {counted(tags_only, 'card')} (their text did not change; Anki updates their "
                  "tags).")
