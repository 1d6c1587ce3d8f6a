"""`notes2anki report VAULT -o report.html`: one self-contained HTML page about the vault."""
from __future__ import annotations

import os
from pathlib import Path

import click
from .shown import escape

from ..fileio import atomic_write, is_inside
from ..messages import counted
from .common import encode_progress, err, fatal, finish, load_for_command, message_options, out, vault_argument

REPORT_MARK = "<title>notes2anki report:"  # a file with this may be replaced without --force


@click.command("report")
@vault_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (default: [report] output, else <vault name>-report.html in the "
                   "current folder).")
@click.option("--model", help="Sentence-transformers model (default: the bundled all-MiniLM-L6-v2).")
@click.option("--no-semantic", is_flag=True,
              help="Leave out duplicates, related notes and the topic map (no embeddings).")
@click.option("--force", is_flag=True, help="Replace OUTPUT even when it is not an earlier report.")
@click.option("--allow-empty", is_flag=True, help="Write a report even when the vault has no note (else exit 2).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and warnings (no progress, no summary line).")
@message_options
def report_command(vault, output, model, no_semantic, force, allow_empty, quiet):
    """Write one HTML page about VAULT: decks, problems by kind (each opens the note in Obsidian), duplicate
    pairs side by side, related notes not linked yet, and a topic map of every card.

    The page works offline: styles, script and images are inside it and it fetches nothing.
    """
    from ..report import assemble, render
    from .build import _where, default_output

    root = Path(vault)
    config, v, diags = load_for_command(vault)
    diags += v.diagnostics
    if not v.notes and not allow_empty:  # as `build`: a wrong folder must not give an empty page silently
        fatal(diags, f"No note (.md file) to report on in {vault}{_where(config)}; nothing written "
                     "(--allow-empty writes an empty report).")
    source = ""  # where the file name came from, when the settings gave it (said in the messages about it)
    if output is None and getattr(getattr(config, "report", None), "output", None):
        output, source = _configured_output(root, config.report.output)
    if output is None:
        default = default_output(root)
        output = default.with_name(default.stem + "-report.html")
    problem = _refuse(output, root, force)
    if problem:
        fatal(diags, source + problem)
    with encode_progress("Finding duplicates, related notes and topics…", quiet=no_semantic or quiet) as progress:
        data = assemble(root, model=model, semantic=not no_semantic, config=config, vault=v, diagnostics=diags,
                        progress=progress)
    page = render(data)
    try:
        atomic_write(output, page.encode("utf-8"))
    except OSError as exc:
        fatal(diags, f"{source}cannot write {output}: {exc.strerror or exc}")
    for notice in data.notices:  # vault-wide warnings of the semantic steps: said as every command says them
        err.print(f"[yellow]vault: warning: {escape(notice)}[/yellow]")
    problems = sum(len(g.problems) for g in data.problems)
    if not quiet:
        out.print(f"Report on {counted(data.cards, 'card')} in {counted(data.notes, 'note')} written to "
                  f"{escape(str(output))} ({len(page.encode('utf-8')) // 1024 + 1} KiB; "
                  f"{counted(len(data.duplicates), 'duplicate pair')}, {counted(len(data.topics), 'topic')}, "
                  f"{counted(problems, 'problem')}).")
    finish(diags)


def _configured_output(root: Path, configured: str) -> tuple[Path, str]:
    """``[report] output`` (relative to the vault) as the path to write, ``..`` resolved as written (not
    through links), and how messages name it: ``[report] output (.notes2anki.toml:2): `` (tester 12-03: a
    message named only ``/v/../out/r.html``)."""
    from ..config_files import CONFIG_FILE
    from ..config_lines import line_of
    from ..fileio import MAX_CONFIG_BYTES, read_bounded

    path = Path(os.path.normpath(root.absolute() / Path(configured).expanduser()))
    try:
        text = read_bounded(root / CONFIG_FILE, MAX_CONFIG_BYTES).decode("utf-8-sig")
        line = line_of(text, ["report", "output"], exact=True)
    except (OSError, UnicodeError):
        line = 0
    return path, f"[report] output ({CONFIG_FILE}{f':{line}' if line else ''}): "


def _refuse(output: Path, root: Path, force: bool) -> str:
    """Why ``output`` must not be written ("" if it may): never into the vault, never over another file."""
    if is_inside(root, output):
        return f"{output} is inside the vault: the report is written elsewhere (the vault is only read)"
    if output.is_dir():
        return f"{output} is a folder: give a file name"
    if output.exists() and not force:
        try:
            head = output.open("r", encoding="utf-8", errors="replace").read(4096)
        except OSError:
            head = ""
        if REPORT_MARK not in head:
            return f"{output} exists and is not a notes2anki report: use --force to replace it"
    return ""

