"""Exact and near-duplicate cards: :func:`find_duplicates`.

1. Cards with the same plain text (case counts, Markdown emphasis does not) that embed the same images and
   sounds in the same fields are *exact* duplicates (score 1.0): a card that differs only by an image
   (FIT ``BI-SPOL-14 MLO.md:760/778``) is not exact.
2. Each distinct card is read as question, answer and whole text (a Cloze card: its text with the clozes
   blanked, and the cloze answers); the three are embedded (through the cache). Which cards the model can
   read at all is measured per card (:func:`notes2anki.semantic.language.covered`).
3. Candidate pairs: each card's nearest neighbours by card-text and by question cosine (bounded memory,
   :mod:`~notes2anki.semantic.mining`); for cards the model does not read, by character n-gram cosine.
4. Each candidate is judged (:mod:`~notes2anki.semantic.scoring`): the learned pair model for covered
   cards, character n-grams for the others. Two cards that embed different images or sounds are not
   duplicates ("Which formula is equivalent: [image]" asked of two formulas).
5. Pairs the user keeps on purpose (the ``ignore`` list) are dropped. Groups are *cliques*: three or more
   cards every two of which are reported duplicates (no chaining through a middle card); each card is in at
   most one group, the larger and closer groups first.

The library never prints: problems come back in :attr:`DuplicateReport.warnings`.
"""
from __future__ import annotations

import os
from contextlib import ExitStack
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from notes2anki import memory_reuse
from notes2anki.messages import counted
from notes2anki.model import Card
from notes2anki.semantic import cascade, char_siblings, chargram_memo, dupes_memo, text_memo, token_keep, vector_memo
from notes2anki.semantic.encoder import Embedder, Progress
from notes2anki.semantic.language import MULTILINGUAL_HINT, covered
from notes2anki.semantic.mining import mine_pairs
from notes2anki.semantic.cache import PairVerdictCache
from notes2anki.semantic import lazy_verdicts
from notes2anki.semantic.pair_cache import JudgeStats, candidate_pairs, judge_cached, measured_rows, mine_cached, verdict_kind  # noqa: F401
from notes2anki.semantic.pair_features import Side, encode, fill_card_chars
from notes2anki.semantic.scoring import DEFAULT_THRESHOLD, Verdict, judge_pairs, measure, verdicts_from_rows
from notes2anki.semantic.vector_memo import VectorMemo
from notes2anki.semantic.dupe_report import (DuplicateGroup, DuplicatePair, DuplicateReport, Rejection,  # noqa: F401
                                             card_json)  # (re-exported: the report types lived here)
from notes2anki.semantic.dupe_groups import _maximal_cliques, clique_groups  # noqa: F401
from notes2anki.semantic.dupe_settings import (_ignored_pairs, ignore_problems, parse_ignore,  # noqa: F401
                                              settings_from_config, unmatched_references)
from notes2anki.semantic.text import card_text, question_text  # noqa: F401 - card_text re-exported
from notes2anki.semantic.card_parts import (_exact_key, card_parts, card_side, exact_key,  # noqa: F401 - re-exported
                                            media_of as _media)

__all__ = ["DuplicatePair", "DuplicateGroup", "Rejection", "DuplicateReport", "find_duplicates",
           "judge_pairs", "compare_cards", "parse_ignore", "settings_from_config", "candidate_pairs",
           "ignore_problems", "unmatched_references"]


# -- ignore list -----------------------------------------------------------------------------------------

# -- finding ---------------------------------------------------------------------------------------------

def compare_cards(pairs: Sequence[tuple[Card, Card]], embedder: Embedder,
                  threshold: float | None = None) -> list[Verdict]:
    """Judge the given pairs of cards as :func:`find_duplicates` judges its candidates, whatever their
    cosine (for evaluation on labelled pairs); all cards are taken as covered by the model. With the int8
    encoder, pairs near ``threshold`` (None: the default) are judged again on fp32 vectors
    (:mod:`~notes2anki.semantic.cascade`), as find_duplicates does."""
    sides = [card_side(card) for pair in pairs for card in pair]
    enc = encode(sides, embedder.embed)
    index = [(2 * k, 2 * k + 1) for k in range(len(pairs))]
    covered_all = [True] * len(sides)
    rows = cascade.exact_rows(enc, index, measure(enc, index), covered_all,
                              DEFAULT_THRESHOLD if threshold is None else threshold, embedder)
    verdicts = verdicts_from_rows(index, rows, covered_all, threshold)
    return [verdicts[pair] for pair in index]


MEMO_FAULTS = (IndexError, KeyError, ValueError, TypeError, AttributeError, EOFError, OverflowError)


def find_duplicates(cards: Sequence[Card], **options: Any) -> DuplicateReport:
    """Exact and near-duplicate pairs and groups among ``cards``: :func:`check_duplicates`, except that a
    stored memo of an earlier check that makes it fail (a file garbled on disk that still unpickles: an
    index out of range, a wrong shape) is removed and the check run again from the start, with a warning;
    a failure that is not the memo's raises as before."""
    threshold = options.get("threshold")
    if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    try:
        return check_duplicates(cards, **options)
    except MEMO_FAULTS as exc:
        if not options.get("use_cache", True):
            raise
        live = [card for card in cards if not card.delete]
        memo = dupes_memo.locate(live, options.get("model"), DEFAULT_THRESHOLD if threshold is None else
                                 float(threshold), options.get("ignore", ()), options.get("cache_path"),
                                 options.get("embedder"), options.get("top_k", 10))
        if memo is None:
            raise
        dupes_memo.forget(memo)
        report = check_duplicates(cards, **options)
        warning = (f"the duplicate check's stored memo in {memo.folder} could not be used "
                   f"({type(exc).__name__}: {exc}); it was removed and the check run from the start")
        report.warnings.append(warning)
        report.run_warnings.append(warning)
        return report


def check_duplicates(cards: Sequence[Card], *, model: str | os.PathLike[str] | None = None,
                     threshold: float | None = None, ignore: Any = (),
                     cache_path: Path | str | None = None, embedder: Embedder | None = None,
                     top_k: int = 10, use_cache: bool = True, progress: Progress | None = None) -> DuplicateReport:
    """Exact and near-duplicate pairs and groups among ``cards`` (cards marked DELETE and empty cards are
    skipped).

    ``model``: a sentence-transformers model name or directory (None: the bundled all-MiniLM-L6-v2);
    ``threshold``: probability in [0, 1] at or above which a near pair is reported (None: the pair model's
    default, ``DEFAULT_THRESHOLD``); ``ignore``: the ``[dupes] ignore`` entries (see :func:`parse_ignore`;
    a reference that names no card: :func:`unmatched_references`);
    ``cache_path``: the embedding cache file (None: the default location, ``":memory:"``: not saved); it
    also holds the measured candidate pairs, so a warm run measures only pairs with a changed card
    (``use_cache=False``: measure every candidate; :attr:`DuplicateReport.judged` counts both).
    ``progress(done, total, phase)``: told while the model is converted or loaded and texts are encoded (see
    :class:`~notes2anki.semantic.encoder.Embedder`; only used when this function makes the embedder).
    Raises :class:`~notes2anki.semantic.encoder.EncoderError` when the model cannot be loaded.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    report = DuplicateReport(threshold=threshold)
    live = [card for card in cards if not card.delete]
    memo = dupes_memo.locate(live, model, threshold, ignore, cache_path, embedder, top_k) if use_cache else None
    if memo is not None and (stored := dupes_memo.load(memo)) is not None:
        return dupes_memo.replay(report, live, stored, memo, lambda: dupes_memo.recheck(lambda: find_duplicates(
            cards, model=model, threshold=threshold, ignore=ignore, cache_path=cache_path, embedder=embedder,
            top_k=top_k).rejected))
    entries, bad = parse_ignore(ignore)
    report.warnings.extend(bad)
    if memo is not None:
        if (memo.folder / (memo.name + ".rows.pickle")).is_file():  # after an edit: its big arrays reuse freed
            memory_reuse.keep_freed_memory()  # memory (not on a cold check: its peak stays as it was)
        if (warning := text_memo.load(text_memo.path_for(memo.folder, memo.name))):
            report.warnings.append(warning)
            report.run_warnings.append(warning)  # about this run's cache: not replayed with the result
        chargram_memo.load(chargram_memo.path_for(memo.folder, memo.name))

    parts = [(card, card_parts(card)) for card in live]  # (each card's texts and media, computed once)
    kept = [card for card, part in parts if part[0]]
    parts = [part for _, part in parts if part[0]]
    report.cards_checked = len(kept)
    ignored = _ignored_pairs(entries, kept)

    # 1. exact duplicates: one representative per distinct Markdown
    members: dict[str, list[int]] = {}
    for index, part in enumerate(parts):
        members.setdefault(_exact_key(part), []).append(index)
    reps = [group[0] for group in members.values()]
    group_of = {rep: group for rep, group in zip(reps, members.values())}
    found: dict[frozenset[int], DuplicatePair] = {}
    for group in members.values():
        for i, j in combinations(group, 2):
            found[frozenset((i, j))] = DuplicatePair(kept[i], kept[j], 1.0, "exact", method="exact")

    # 2-4. near duplicates among the representatives
    own = embedder is None
    embedder = getattr(embedder, "real", embedder) or Embedder(model, cache_path=cache_path, progress=progress)
    kept_states = ExitStack()  # the card texts' token states from the sentence pass (token_keep.py)
    try:
        if len(reps) >= 2:
            sides = [Side(parts[r][1], parts[r][2], parts[r][0], parts[r][3], kept[r].file) for r in reps]
            is_covered = covered([s.text for s in sides], model if own else embedder.spec.location or None)
            report.uncovered = sum(1 for r, c in zip(reps, is_covered) if not c for _ in group_of[r])
            vectors = VectorMemo(embedder.embed, memo.folder / (memo.name + vector_memo.SUFFIX), embedder.spec.key,
                                 embedder.stats) if memo is not None else embedder.embed
            kept_states.enter_context(token_keep.keeping(s.text for s, c in zip(sides, is_covered) if c))
            enc = encode(sides, vectors, is_covered, chars=False, densities=False)
            if not all(is_covered):  # the n-gram search of the sides the model does not read needs every card
                fill_card_chars(enc)  # text's n-grams; the measured pairs' questions and answers come later
            where = "\n".join(sorted({card.file for card in kept}))  # one mining entry per set of files
            store = memo.folder / (memo.name + ".mining.pickle") if memo is not None else None
            candidates = mine_cached(enc, is_covered, top_k, embedder.cache if use_cache else None, where,
                                     store, report.judged)
            cache = PairVerdictCache(embedder.cache, verdict_kind(embedder.spec.key)) if use_cache else None
            rows = measured_rows(enc, candidates, is_covered, cache, report.judged,
                                 memo.folder / (memo.name + ".rows.pickle") if memo is not None else None)
            # int8 vectors: the pairs near the threshold measured again on fp32 ones (cached apart)
            rows = cascade.exact_rows(enc, candidates, rows, is_covered, threshold, embedder, stats=report.cascade,
                                      cache=PairVerdictCache(embedder.cache, verdict_kind(embedder.spec.key) + ":fp32")
                                      if use_cache else None)
            kept_states.close()  # (ctx_diff measured: its temporary file goes)
            verdicts, lazy = lazy_verdicts.split(candidates, rows, is_covered, threshold, [kept[r] for r in reps])
            del rows, enc  # split copied what it keeps; at 100,000 cards these held ~800 MB the saves below need
            media = [tuple(name for field_media in parts[r][4] for name in field_media) for r in reps]
            for (a, b), verdict in verdicts.items():
                ri, rj = reps[a], reps[b]
                if media[a] and media[b] and media[a] != media[b] and verdict.accepted(threshold):
                    verdict.vetoes.append("the cards embed different images or sounds")
                char_siblings.veto(verdict, sides[a].question, sides[b].question, threshold)  # near copies only
                if not verdict.accepted(threshold):
                    report.rejected.append(Rejection(kept[ri], kept[rj], verdict.score, verdict=verdict))
                    continue
                for i in group_of[ri]:
                    for j in group_of[rj]:
                        found.setdefault(frozenset((i, j)), DuplicatePair(
                            kept[i], kept[j], verdict.score, "near", method=verdict.method, verdict=verdict))
            if len(lazy):  # the rejected candidates no one looked at: Rejection objects on first use
                report.lazy_rejected = lazy
            if isinstance(vectors, VectorMemo):
                vectors.save()
        report.encoded = embedder.stats.encoded
        report.warnings.extend(embedder.warnings)
        report.run_warnings.extend(embedder.warnings)
    finally:
        kept_states.close()
        if own:
            embedder.close()
    if report.uncovered:
        report.warnings.append(
            f"{report.uncovered} of the {counted(report.cards_checked, 'card')} checked (cards with text) "
            f"{'is' if report.uncovered == 1 else 'are'} in a language the embedding model does not read; "
            f"{'it was' if report.uncovered == 1 else 'they were'} compared by character n-grams (copies and near "
            "copies only); "
            + MULTILINGUAL_HINT)

    # 5. ignore list, order, groups
    pairs = []
    for key, pair in found.items():
        if key in ignored:
            report.ignored += 1
            continue
        if (pair.a.file, pair.a.line) > (pair.b.file, pair.b.line):
            pair.a, pair.b = pair.b, pair.a
        pairs.append((key, pair))
    pairs.sort(key=lambda kp: (kp[1].kind != "exact", -kp[1].score, kp[1].a.file, kp[1].a.line,
                               kp[1].b.file, kp[1].b.line))
    report.pairs = [pair for _, pair in pairs]
    report.sort_rejected()
    report.groups = clique_groups({tuple(sorted(key)): pair for key, pair in pairs}, kept)
    if memo is not None:
        text_memo.save(text_memo.path_for(memo.folder, memo.name))
        chargram_memo.save(chargram_memo.path_for(memo.folder, memo.name))
        dupes_memo.remember(report, live, kept, memo)
    return report
