"""`notes2anki dupes VAULT`: exact and near-duplicate cards, as a table or JSON.

No logic here: options and `.notes2anki.toml` → :func:`notes2anki.semantic.dupes.find_duplicates` →
rendering. ``show_build_duplicates`` is the same list after ``notes2anki build``.
"""
from __future__ import annotations

from typing import Sequence

import click
from .shown import escape
from rich.table import Table

from ..messages import counted
from ..model import Card, Diagnostic
from .common import EXIT_OK, encode_progress, fatal, load_for_command, message_options, out, print_json, \
    show_diagnostics, table_problems, vault_argument
from .params import NumberRange

EXIT_DUPES_FOUND = 1  # with --fail
TABLE_LIMIT = 100  # blocks shown in the table, close pairs in --explain's, by default (--limit; --json: every pair)


@click.command("dupes")
@vault_argument
@click.option("--threshold", type=NumberRange(0.0, 1.0),
              help="Report near duplicates whose probability is at least this (0-1; default: [dupes] "
                   "threshold, else the pair model's).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (stable format, see the README).")
@click.option("--fail", is_flag=True, help="Exit with status 1 when any duplicate is found (for CI; an error "
                                         "in the vault alone does not: `notes2anki check` exits 1 for it).")
@click.option("--model", help="Sentence-transformers model name or directory "
                              "(default: the bundled all-MiniLM-L6-v2, or [semantic] model).")
@click.option("--explain", is_flag=True,
              help="Also list the close pairs that were not reported, and why (e.g. 'numbers differ').")
@click.option("--limit", type=click.IntRange(min=0), default=TABLE_LIMIT, show_default=True,
              help="Blocks (pairs or groups) shown in the table, best first, and close pairs shown by --explain "
                   "(also in --json), closest first; 0 shows all. The summary line counts every one; --json "
                   "lists every duplicate pair.")
@message_options
def dupes_command(vault, threshold, as_json, fail, model, explain, limit):
    """Exact and near-duplicate cards in VAULT.

    Each close pair is scored by a small learned model from how alike the questions, answers and whole
    cards are (embeddings and character n-grams), which words differ and whether numbers differ by value.
    Cards in a language the model does not read are compared by character n-grams. A group is three or
    more cards that are all duplicates of one another. Pairs kept on purpose go in `.notes2anki.toml`:
    [dupes] ignore = [["a.md:12", "b.md:40"], [1768062256217, 1768062256218]].
    """
    from ..semantic import device
    from ..semantic.dupes import card_json, find_duplicates, ignore_problems, settings_from_config
    from ..semantic.encoder import EncoderError
    from ..semantic.lazy_embedder import LazyEmbedder

    config, loaded, diags = load_for_command(vault)
    cfg_model, cfg_threshold, ignore, problems = settings_from_config(config)
    diags += table_problems(config, problems)
    diags += loaded.diagnostics + ignore_problems(config, loaded.cards)
    try:
        with encode_progress("Looking for duplicates…", quiet=as_json) as progress:
            with LazyEmbedder(model or cfg_model, progress=progress, **device.options(config)) as embedder:
                report = find_duplicates(loaded.cards, embedder=embedder, ignore=ignore,
                                         threshold=threshold if threshold is not None else cfg_threshold)
    except EncoderError as exc:
        fatal(diags, str(exc))
    diags += [Diagnostic("", 0, "warning", w) for w in report.warnings]
    show_diagnostics(diags)
    if as_json:
        data = report.to_json()
        if explain:  # the close pairs not reported, closest first, as the table shows them (--limit)
            rejected = report.rejected
            data["rejected"] = [{"a": card_json(r.a), "b": card_json(r.b), "score": round(r.score, 4),
                                 "reason": r.reason} for r in (rejected[:limit] if limit else rejected)]
            data["rejected_total"] = len(rejected)
        print_json(data)
    else:
        render(report, limit=limit, vault=vault)
        if explain:
            render_rejected(report, limit=limit, vault=vault)
    raise SystemExit(EXIT_DUPES_FOUND if fail and report.found else EXIT_OK)


def show_build_duplicates(cards: Sequence[Card], *, model: str | None = None, config=None,
                          quiet: bool = False, vault=None) -> list[Diagnostic]:
    """After a build: print likely duplicates among ``cards`` (unless ``quiet``); problems come back as
    warnings, never as errors (the deck is already written). ``vault``: also store its notes' vectors with
    the same encoder (the first ``related`` then only reads them)."""
    report, diags = check_build_duplicates(cards, model=model, config=config, quiet=quiet, vault=vault)
    if not quiet:
        render_build_duplicates(report)
    return diags


def check_build_duplicates(cards: Sequence[Card], *, model: str | None = None, config=None,
                           quiet: bool = False, vault=None):
    """:func:`show_build_duplicates` without the table: ``(DuplicateReport or None, warnings)`` (None: the
    check could not run; the warnings say why). ``quiet``: no progress display."""
    from ..semantic import device
    from ..semantic.dupes import find_duplicates, ignore_problems, settings_from_config
    from ..semantic.encoder import EncoderError
    from ..semantic.lazy_embedder import LazyEmbedder
    from ..semantic.note_cache import prepare

    cfg_model, threshold, ignore, problems = settings_from_config(config)
    diags = table_problems(config, problems) + ignore_problems(config, cards)
    try:
        with encode_progress("Looking for duplicates…", quiet=quiet) as progress:
            with LazyEmbedder(model or cfg_model, progress=progress, **device.options(config)) as embedder:
                report = find_duplicates(cards, threshold=threshold, ignore=ignore, embedder=embedder)
                if vault is not None:
                    diags += [Diagnostic("", 0, "warning", w) for w in prepare(vault, embedder)]
    except EncoderError as exc:
        return None, diags + [Diagnostic("", 0, "warning", f"duplicate check skipped: {exc}")]
    diags += [Diagnostic("", 0, "warning", w) for w in report.warnings]
    return report, diags


def render_build_duplicates(report) -> None:
    """The table :func:`show_build_duplicates` prints (nothing when ``report`` is None or found nothing)."""
    if report is not None and report.found:
        render(report, title="Likely duplicates (notes2anki dupes VAULT --explain for details)")


# -- rendering -------------------------------------------------------------------------------------------

def _front(card: Card) -> str:
    from ..semantic.text import question_text

    return question_text(card)  # whole: the table folds it (a cut front can invert its meaning)


def _add_cards(table: Table, first: list[str], cards: Sequence[Card], last: list[str] | None = None) -> None:
    """One table row per card; ``first`` (and ``last``) cells only on the first row; a rule after."""
    for k, card in enumerate(cards):
        lead = first if k == 0 else [""] * len(first)
        tail = (last if k == 0 else [""] * len(last)) if last is not None else []
        table.add_row(*lead, escape(card.where), escape(card.deck), escape(_front(card)), *tail,
                      end_section=k == len(cards) - 1)


def render(report, title: str = "Duplicate cards", limit: int = TABLE_LIMIT, vault: str = "VAULT") -> None:
    """Groups of three or more as one block each, the other pairs one block each, best first; the first
    ``limit`` blocks (0: all), then a line saying how many more there are and the command (on ``vault``)
    that shows them."""
    if not report.found:
        out.print(f"No duplicates among {counted(report.cards_checked, 'card')} (threshold {report.threshold:.2f}).")
        return
    table = Table(title=title)
    table.add_column("Score", justify="right")
    table.add_column("Kind")
    table.add_column("Card (file:line)", overflow="fold")
    table.add_column("Deck", overflow="fold")
    table.add_column("Front", ratio=1, min_width=24)
    in_groups: dict[tuple, set[int]] = {}  # card key → the groups holding it
    for number, group in enumerate(report.groups):
        for card in group.cards:
            in_groups.setdefault(card.key, set()).add(number)
    rows = [(group.score, f"{'exact ' if group.exact else ''}group of {len(group.cards)}", group.cards)
            for group in report.groups]
    rows += [(pair.score, pair.kind if pair.method != "chargrams" else "near (n-grams)", [pair.a, pair.b])
             for pair in report.pairs  # a pair inside a group is shown by the group's block
             if not in_groups.get(pair.a.key, set()) & in_groups.get(pair.b.key, set())]
    rows.sort(key=lambda row: -row[0])
    shown = rows[:limit] if limit else rows
    for score, kind, cards in shown:
        _add_cards(table, [f"{score:.2f}", kind], cards)
    out.print(table)
    if len(shown) < len(rows):
        out.print(f"... and {counted(len(rows) - len(shown), 'more block')} (scores {rows[len(shown)][0]:.2f}"
                  f"–{rows[-1][0]:.2f}): `{_command(vault)} --limit 0` shows all, --json lists every pair.")
    twins = report.same_text_other_notes()
    if twins:
        first = twins[0]
        out.print(f"{counted(len(twins), 'pair')} of cards with the same text in different notes (first: "
                  f"{escape(first.a.where)} and {escape(first.b.where)}): Anki shows both alike. One fact twice: "
                  "delete one. If the note or heading is what tells them apart, put that into the cards' text "
                  "instead (Anki shows no heading).")
    exact = sum(1 for p in report.pairs if p.kind == "exact")
    out.print(f"{counted(len(report.pairs), 'duplicate pair')} ({exact} exact) in {counted(len(rows), 'block')} "
              f"among {counted(report.cards_checked, 'card')} (threshold {report.threshold:.2f}"
              + (f", {report.ignored} ignored by \\[dupes] ignore" if report.ignored else "")
              + (f"; {counted(report.uncovered, 'card')} compared by character n-grams" if report.uncovered else "") + ").")


def _command(vault: str) -> str:
    from .vault_place import pasted_path

    return f"notes2anki dupes {escape(pasted_path(vault))}"


def render_rejected(report, limit: int = TABLE_LIMIT, vault: str = "VAULT") -> None:
    """The candidate pairs that were not reported, with the reason, closest first: the first ``limit``
    (0: all), then how many more there are and the command that shows them."""
    rejected = report.rejected
    if not rejected:
        out.print("No other close pairs.")
        return
    table = Table(title="Close pairs not reported (--explain)",
                  caption="Score: the judge's probability (cards read by character n-grams: their similarity) "
                          "before the reason given — a reason such as a swapped term rejects whatever the score")
    table.add_column("Score", justify="right")
    table.add_column("Card (file:line)", overflow="fold")
    table.add_column("Deck", overflow="fold")
    table.add_column("Front", ratio=1, min_width=24)
    table.add_column("Why not", ratio=1, min_width=20)
    shown = rejected[:limit] if limit else rejected
    for rejection in shown:
        _add_cards(table, [f"{rejection.score:.2f}"], [rejection.a, rejection.b], [escape(rejection.reason)])
    out.print(table)
    if len(shown) < len(rejected):
        out.print(f"... and {counted(len(rejected) - len(shown), 'more close pair')} not reported (scores "
                  f"{rejected[len(shown)].score:.2f}–{rejected[-1].score:.2f}): `{_command(vault)} --explain "
                  f"--limit 0` shows all, or --limit N the closest N.")
