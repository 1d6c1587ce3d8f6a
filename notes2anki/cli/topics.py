"""`notes2anki topics VAULT`: the vault's cards clustered into labelled topics."""
from __future__ import annotations

from collections import Counter

import click
from .shown import escape
from rich.table import Table
from rich.tree import Tree

from ..messages import counted
from ..model import Diagnostic
from .common import (EXIT_OK, encode_progress, fatal, message_options, open_vault, out, print_json,
                     show_diagnostics, vault_argument)
from .params import NumberRange



def semantic_model(vault: str, diags: list[Diagnostic]) -> str | None:
    """``[semantic] model`` of the vault's `.notes2anki.toml` (None when unset; a wrong type is a warning)."""
    from pathlib import Path

    from ..config import load_config

    value = load_config(Path(vault), []).section("semantic").get("model")
    if value is None or isinstance(value, str):
        return value
    diags.append(Diagnostic(".notes2anki.toml", 0, "warning",
                            f"[semantic] model should be a string, got {value!r}; default used"))
    return None


def lazy_embedder_or_exit(model, diags, progress=None, config=None):
    """A :class:`~notes2anki.semantic.lazy_embedder.LazyEmbedder` for ``model`` (nothing is opened until a
    text must be embedded; ``progress``: the encoder's progress callback, see ``encode_progress``; ``config``:
    its ``[semantic] device``); a model that cannot be found prints ``diags`` and exits 2."""
    from ..semantic import device
    from ..semantic.encoder import EncoderError
    from ..semantic.lazy_embedder import LazyEmbedder

    options: dict = device.options(config) if config is not None else {}
    if progress is not None:
        options["progress"] = progress
    try:
        return LazyEmbedder(model, **options)
    except EncoderError as exc:
        fatal(diags, str(exc))


@click.command("topics")
@vault_argument
@click.option("--tree", "as_tree", is_flag=True,
              help="Show subjects → sub-topics → example cards as a tree.")
@click.option("--k", "k", type=click.IntRange(min=1),
              help="Number of broad subjects (default: chosen by the data, or [topics] k).")
@click.option("--examples", type=click.IntRange(min=0), default=3, show_default=True,
              help="Example cards shown per topic (the most typical ones).")
@click.option("--threshold", type=NumberRange(0, 2, min_open=True, max_open=True),
              help="Cut subjects at this cosine distance instead of choosing their number "
                   "(or [topics] threshold); lower gives more, narrower subjects.")
@click.option("--min-size", type=click.IntRange(min=1),
              help="Smallest topic; cards of smaller groups join a near topic or stay unassigned "
                   "(default: 3, or 1 card in 200).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (stable format, see the README).")
@click.option("--model", help="Sentence-transformers model (default: the bundled all-MiniLM-L6-v2, or "
                              "[semantic] model).")
@message_options
def topics_command(vault, as_tree, k, examples, threshold, min_size, as_json, model):
    """Group the cards of VAULT into broad subjects and their sub-topics, each labelled by keywords.

    The number of subjects is chosen from the data unless --k is given. The same vault gives the same
    topics on every run, whatever the order of its files.
    """
    from ..semantic.encoder import EncoderError
    from ..semantic.topic_cache import cached_vault_topics
    from ..semantic.topics import settings

    if k is not None and threshold is not None:
        raise click.UsageError("--k and --threshold both choose the subjects; give one of them")
    v, defaults, diags, config = open_vault(vault, "topics", settings)
    if threshold is not None:  # an option given on the command line replaces the other way from the config
        defaults["threshold"] = threshold
        defaults.pop("k", None)
    if min_size is not None:
        defaults["min_size"] = min_size
    if k is not None:
        defaults["k"] = k
        defaults.pop("threshold", None)
    model = model or semantic_model(vault, diags)
    try:
        with encode_progress("Embedding cards…", quiet=as_json) as progress:
            embedder = lazy_embedder_or_exit(model, diags, progress, config)
            with embedder:
                result = cached_vault_topics(v, embedder, examples=examples, model=model, **defaults)
                diags += [Diagnostic("", 0, "warning", w) for w in embedder.warnings]
    except EncoderError as exc:
        fatal(diags, str(exc))
    if (shortfall := result.k_shortfall()):
        diags.append(Diagnostic("", 0, "warning", f"{'--k' if k is not None else '[topics] k'} {shortfall}"))
    elif "min_size" in defaults and (too_large := result.min_size_too_large()):  # (set by the user: said)
        diags.append(Diagnostic("", 0, "warning", f"{'--min-size' if min_size is not None else '[topics] min_size'}: "
                                f"{too_large}"))
    if result.uncovered:  # gathered before the output: `topics | head` still shows it (see guard)
        from ..semantic.language import MULTILINGUAL_HINT

        how = ("the topics come from character n-grams" if result.method == "chargrams"
               else "they were placed by their notes")
        diags.append(Diagnostic("", 0, "warning", f"{counted(result.uncovered, 'card')} "
                                f"{'is' if result.uncovered == 1 else 'are'} in a language the embedding "
                                f"model does not read; {how}; {MULTILINGUAL_HINT}"))
    if as_json:
        print_json(result.as_json())
    else:
        (_show_tree if as_tree else _show_table)(result, v.name)
        _summary(result, 0 if as_tree else examples)  # the tree lists the unassigned cards itself
    show_diagnostics(diags)
    raise SystemExit(EXIT_OK)


def _front(card) -> str:
    from ..semantic.text import question_text

    return question_text(card) or card.where  # whole: tables fold it (a cut front can invert its meaning)


TAG_WIDTH = 40  # the Subject column is as wide as the longest tag up to this (at least 24); longer: below
OTHER_COLUMNS = 40  # the terminal columns the table keeps beside Subject: #, Cards, Notes, borders, 12 of examples
NARROW_OTHER_COLUMNS = 25  # ... without the examples: #, Cards and Notes (their headers whole), borders
EXAMPLES_FROM = 60  # a terminal narrower than this gets no Example column (``--tree`` shows the cards)


def _show_table(result, vault_name: str) -> None:
    """The topics as a table: each subject's label, its copyable tag (whole, never folded mid-word: the column
    is as wide as the longest tag, up to :data:`TAG_WIDTH` or what a narrow terminal leaves beside the other
    columns, :data:`OTHER_COLUMNS`; a longer tag is printed below the table on a line
    that never wraps) and sub-topics; the cards and notes counts;
    example cards, one line each (cut with an ellipsis: a cloze paragraph made medu4's table 1,481 lines;
    ``--tree`` and ``--json`` give them whole), left out on a terminal narrower than :data:`EXAMPLES_FROM`."""
    from rich.text import Text

    with_examples = out.width >= EXAMPLES_FROM
    room = out.width - (OTHER_COLUMNS if with_examples else NARROW_OTHER_COLUMNS)
    widest = max(16, min(TAG_WIDTH, room))  # a narrow terminal keeps the other columns
    tag_width = max((len(t.tag) for t in result.topics if len(t.tag) <= widest), default=0)
    from .common import PIPE_WIDTH

    # a terminal's width is filled (the examples end where it does); a pipe's table is as wide as its text
    table = Table(title=f"Topics in {escape(vault_name)}", show_lines=True, expand=out.width < PIPE_WIDTH)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Subject (sub-topics)", overflow="fold", width=max(min(24, widest), tag_width))
    table.add_column("Cards", justify="right", no_wrap=True, min_width=5)
    table.add_column("Notes", justify="right", no_wrap=True, min_width=5)
    if with_examples:
        table.add_column("Example cards", ratio=1, no_wrap=True, overflow="ellipsis")
    for topic in result.topics:
        notes = len({c.file for c in topic.cards})
        subs = "".join(f"\n  {topic.id}.{t.id} {escape(t.label)} ({len(t.cards)})" for t in topic.subtopics)
        lines = "\n".join("• " + " ".join(_front(c).split()) for c in topic.examples)
        tag = escape(topic.tag) if len(topic.tag) <= widest else "tag below the table"
        table.add_row(str(topic.id), f"[bold]{escape(topic.label)}[/bold]\n[dim]{tag}[/dim]{subs}",
                      str(len(topic.cards)), str(notes),
                      *([Text(lines, no_wrap=True, overflow="ellipsis")] if with_examples else []))
    out.print(table)
    long = [t for t in result.topics if len(t.tag) > widest]
    if long:  # whole, on lines of their own that never wrap (a folded tag is no longer copyable)
        out.print(f"{'Tag' if len(long) == 1 else 'Tags'} longer than {widest} characters:")
        for topic in long:
            out.print(Text(f"  {topic.id}  {topic.tag}"), soft_wrap=True)


TREE_NOTES = 5  # notes listed under a topic of the tree (the most cards first); the rest are counted


def _notes_branch(branch, topic) -> None:
    examples = {c.key for c in topic.examples}
    notes = sorted(Counter(c.file for c in topic.cards).items(), key=lambda p: (-p[1], p[0]))
    for path, count in notes[:TREE_NOTES]:
        leaf = branch.add(f"{escape(path)} [dim]({count})[/dim]")
        for card in topic.cards:
            if card.file == path and card.key in examples:
                leaf.add(f"[dim]{card.line}:[/dim] {escape(_front(card))}")
    if len(notes) > TREE_NOTES:  # said, not hidden (tester 12-03: "10 notes", 5 listed, no word)
        rest = notes[TREE_NOTES:]
        branch.add(f"[dim]… {counted(len(rest), 'more note')} ({counted(sum(n for _, n in rest), 'card')}; "
                   "--json lists every card)[/dim]")


def _show_tree(result, vault_name: str) -> None:
    tree = Tree(f"Topics in {escape(vault_name)}")
    for topic in result.topics:
        notes = len({c.file for c in topic.cards})
        branch = tree.add(f"[bold]{topic.id}. {escape(topic.label)}[/bold] ({counted(len(topic.cards), 'card')}, {counted(notes, 'note')})")
        if topic.subtopics:
            for sub in topic.subtopics:
                twig = branch.add(f"{topic.id}.{sub.id} {escape(sub.label)} ({counted(len(sub.cards), 'card')})")
                _notes_branch(twig, sub)
        else:
            _notes_branch(branch, topic)
    if result.unassigned:
        loose = tree.add(f"[yellow]unassigned ({counted(len(result.unassigned), 'card')})[/yellow]")
        for card in result.unassigned:
            loose.add(f"{escape(card.where)} {escape(_front(card))}")
    out.print(tree)


def _summary(result, examples: int) -> None:
    total = sum(len(t.cards) for t in result.topics) + len(result.unassigned)
    asked = " asked for" if result.k and result.k != len(result.topics) else ""
    how = (f"k {result.k}{asked}" if result.k else f"threshold {result.threshold:g}" if result.threshold
           else "number chosen by silhouette")
    subs = sum(len(t.subtopics) for t in result.topics)
    loose = (f"; {len(result.unassigned)} unassigned: no text to place them by (only images, embeds or markup)"
             if result.unassigned else "")
    placed = total - len(result.unassigned)
    cards = f"{placed} of {counted(total, 'card')}" if result.unassigned else counted(total, 'card')
    out.print(f"{cards} in {counted(len(result.topics), 'topic')} ({counted(subs, 'sub-topic')}, "
              f"{how}, min size {result.min_size}){loose}.")
    if result.unassigned and examples:
        shown = result.unassigned[:max(examples, 5)]
        out.print("Unassigned: " + ", ".join(escape(c.where) for c in shown)
                  + (" …" if len(result.unassigned) > len(shown) else ""))
