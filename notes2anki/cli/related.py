"""`notes2anki related VAULT NOTE`: the notes most similar to a note (or a card), with missing links marked."""
from __future__ import annotations


import click
from .shown import escape
from rich.table import Table

from ..messages import counted
from ..model import Diagnostic
from .common import EXIT_OK, encode_progress, fatal, message_options, open_vault, out, print_json, \
    show_diagnostics, vault_argument
from .params import NumberRange


@click.command("related")
@vault_argument
@click.argument("note", required=False)
@click.option("-k", "--top", "k", type=click.IntRange(min=1),
              help="How many related notes to show (default 5, or [related] k).")
@click.option("--card", "card_at", metavar="FILE:LINE", help="Related notes for one card instead of a note.")
@click.option("--all", "all_notes", is_flag=True,
              help="For every note, its best suggestions not linked yet (each pair once; templates, daily notes "
                   "and [related] exclude left out).")
@click.option("--min-score", type=NumberRange(-1, 1),
              help="Leave out notes scoring below this cosine (default 0.25, for --all 0.5; or [related] "
                   "min_score).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (stable format, see the README).")
@click.option("--model", help="Sentence-transformers model (default: the bundled all-MiniLM-L6-v2, or "
                              "[semantic] model).")
@message_options
def related_command(vault, note, k, card_at, all_notes, min_score, as_json, model):
    """Notes of VAULT related to NOTE (a vault path or a name as in a wiki link, e.g. "Mitosis"), best first.

    Notes already linked to or from NOTE are marked, so missing links stand out.
    """
    from ..semantic.encoder import EncoderError
    from ..semantic.related import ALL_MIN_SCORE, NOTE_MIN_SCORE, NoteNotFound, RelatedIndex, all_json, has_words, link_names, \
        notes_also_named, related_json, resolve_card, resolve_note, settings
    from ..semantic.related_exclusion import left_out_summary, not_read_why
    from ..semantic.unread_notes import unread_notes_warning

    given = sum(bool(x) for x in (note, card_at, all_notes))
    if given != 1:
        raise click.UsageError("give exactly one of NOTE, --card FILE:LINE or --all")
    v, defaults, diags, config = open_vault(vault, "related", settings)
    diags[:] = [d for d in diags if d.kind != "no-cards"]  # related reads notes: a vault without cards is fine
    k = k or defaults.get("k", 5)
    chosen_floor = min_score is not None or "min_score" in defaults
    if min_score is None:  # --all: the library's own default
        min_score = defaults.get("min_score", None if all_notes else NOTE_MIN_SCORE)
    try:
        card = resolve_card(v, card_at) if card_at else None
        target = resolve_note(v, note) if note else None
    except NoteNotFound as exc:
        fatal(diags, not_read_why(v, config, note or card_at.rsplit(":", 1)[0]) or str(exc))
    others = notes_also_named(v, note, target.path) if target is not None else []
    if others:
        diags.append(Diagnostic("", 0, "warning", f"{note!r} names {len(others) + 1} notes ({', '.join(others)} "
                                f"too); showing {target.path} — give a note's path to choose another"))
    from .topics import lazy_embedder_or_exit, semantic_model

    try:
        with encode_progress("Embedding notes…", quiet=as_json) as progress:
            chosen = model or semantic_model(vault, diags)
            embedder = lazy_embedder_or_exit(chosen, diags, progress, config)
            with embedder:
                index = RelatedIndex.build(v, embedder, exclude=defaults.get("exclude"),
                                           exclude_defaults=defaults.get("exclude_defaults", True), config=config)
                if all_notes:
                    rows = index.suggestions_all(k, min_score=min_score)
                elif card is not None:
                    found = index.for_card(card, k, min_score=min_score)
                else:
                    found = index.for_note(target.path, k, min_score=min_score)
                diags += [Diagnostic("", 0, "warning", w) for w in embedder.warnings]
                unread = chargram_notice(index) or unread_notes_warning(v, chosen, embedder)
                diags += [Diagnostic("", 0, "warning", unread)] if unread else []
    except EncoderError as exc:
        fatal(diags, str(exc))
    if as_json:
        print_json(all_json(rows) if all_notes else
                   related_json(card.file if card else target.path, found, card))
    elif all_notes:
        _show_all(rows, link_names(v), left_out_summary(index.why_excluded))
    elif not found and index.is_excluded(path := card.file if card else target.path):
        why = index.why_excluded.get(path, "it matches [related] exclude")
        out.print(escape(f"{path} is left out of related notes: {why}; nothing to suggest."))
    elif not found and card is None and not has_words(target.text):
        out.print(f"{escape(target.path)} has no text to compare (only its title); nothing to suggest.")
    else:
        _show_one(card.where if card else target.path, found, card is not None, link_names(v), min_score,
                  link_floor=min_score if chosen_floor else ALL_MIN_SCORE)
        if index.why_excluded:
            out.print(escape(left_out_summary(index.why_excluded) + "."))
    show_diagnostics(diags)
    raise SystemExit(EXIT_OK)


def chargram_notice(index) -> str | None:
    """The warning for an index built from character n-grams (most notes not read by the model)."""
    if index.method != "chargrams" or index.readership is None:
        return None
    from ..semantic.language import MULTILINGUAL_HINT

    r, total = index.readership, len(index.paths)
    of = counted(r.measured, "note") if r.measured == total else \
        f"the {r.measured} notes with text ({total} in all)"
    return (f"the embedding model does not read {r.unread} of {of} (their language): "
            f"related notes come from character n-grams, no model loaded; {MULTILINGUAL_HINT}")


def _link_mark(s) -> str:
    if s.link_out and s.link_in:
        return "↔ linked"
    if s.link_out:
        return "→ linked"
    if s.link_in:
        return "← links here"
    return "[bold yellow]+ not linked[/bold yellow]"


def _show_one(about: str, found, is_card: bool, names: dict[str, str], min_score: float, *,
              link_floor: float = -1.0) -> None:
    """The table of one note's (or card's) suggestions, best first, then the links to paste: those not linked
    yet with a score of at least ``link_floor`` (the default: related --all's floor, 0.5 — tester B r5: a
    music note at 0.44 was offered as a missing link of an anatomy note), the weaker ones counted."""
    if not found:
        above = f" above {min_score:.2f}" if min_score > -1 else ""
        out.print(f"No related notes{above} for {escape(about)}{' (--min-score to see lower ones)' if above else ''}.")
        return
    table = Table(title=f"Notes related to {'the card at ' if is_card else ''}{escape(about)}")
    from ..semantic.related import out_of_order

    reordered = out_of_order(found)
    table.add_column("#", justify="right")
    table.add_column("Score", justify="right")
    if reordered:
        table.add_column("Ranked by", justify="right")
    table.add_column("Note")
    table.add_column("Link")
    for rank, s in enumerate(found, 1):
        style = None if s.linked else "bold"
        ranked = [f"{s.rank_score:.2f}"] if reordered else []
        table.add_row(str(rank), f"{s.score:.2f}", *ranked, escape(s.note), _link_mark(s), style=style)
    if reordered:
        table.caption = RANK_CAPTION
    out.print(table)
    missing = [s for s in found if not s.linked and s.score >= link_floor]
    weak = sum(1 for s in found if not s.linked and s.score < link_floor)
    if missing:
        links = ", ".join(f"[[{names.get(s.note, s.note)}]]" for s in missing)
        above = f" ({link_floor:.2f} or more)" if weak else ""
        below = f"; {weak} more not linked, below {link_floor:.2f}: weaker matches" if weak else ""
        out.print(f"{len(missing)} of {len(found)} not linked yet{above}: {escape(links)}{below}",
                  soft_wrap=True)  # whole: a link cut by a line break cannot be pasted
    elif weak:
        what = (f"None of the {weak} unlinked notes scores {link_floor:.2f} or more" if weak > 1
                else f"The unlinked note scores under {link_floor:.2f}")
        out.print(f"{what}: no link to suggest (--min-score lowers the floor).")
    else:
        out.print("All of them are linked already.")


RANK_CAPTION = ("Score: the cosine (--min-score and the link floor apply to it); ranked by the cosine less "
                "half the note's mean cosine to its 5 nearest notes, so notes close to every note (hubs) rank lower")


def _show_all(rows, names: dict[str, str], left_out: str = "") -> None:
    """The table of every note's suggestions not linked yet (score: the cosine), the count of notes with
    some, and ``left_out``: which notes were left out (templates, daily notes)."""
    from ..semantic.related import out_of_order

    table = Table(title="Related notes not linked yet")
    if any(out_of_order(found) for _, found in rows):
        table.caption = "score: the cosine; each note's suggestions ranked by it less a hub correction " \
                        "(notes close to every note rank lower)"
    table.add_column("Note")
    table.add_column("Suggestions (score)")
    shown = 0
    for path, found in rows:
        if not found:
            continue
        shown += 1
        table.add_row(escape(path), escape(", ".join(f"[[{names.get(s.note, s.note)}]] {s.score:.2f}" for s in found)))
    if shown:
        out.print(table)
    out.print(f"{shown} of {counted(len(rows), 'note')} {'has' if shown == 1 else 'have'} suggestions.")
    if left_out:
        out.print(escape(left_out + "."))
