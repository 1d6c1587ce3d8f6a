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
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from notes2anki import memory_reuse
from notes2anki.messages import counted
from notes2anki.model import Card
from notes2anki.semantic import cascade, char_siblings, chargram_memo, dupes_memo, text_memo, vector_memo
from notes2anki.semantic.encoder import Embedder, Progress
from notes2anki.semantic.language import MULTILINGUAL_HINT, covered
from notes2anki.semantic.mining import mine_pairs
from notes2anki.semantic.cache import PairVerdictCache
from notes2anki.semantic import lazy_verdicts
from notes2anki.semantic.pair_cache import JudgeStats, candidate_pairs, judge_cached, measured_rows, mine_cached, verdict_kind  # noqa: F401
from notes2anki.semantic.pair_features import Side, encode, explain
from notes2anki.semantic.scoring import DEFAULT_THRESHOLD, Verdict, judge_pairs, measure, verdicts_from_rows
from notes2anki.semantic.vector_memo import VectorMemo
from notes2anki.semantic.dupe_groups import _maximal_cliques, clique_groups  # noqa: F401
from notes2anki.semantic.dupe_settings import (_ignored_pairs, ignore_problems, parse_ignore,  # noqa: F401
                                              settings_from_config, unmatched_references)
from notes2anki.semantic.text import card_text, question_text  # noqa: F401 - card_text re-exported
from notes2anki.semantic.card_parts import (_exact_key, card_parts, card_side, exact_key,  # noqa: F401 - re-exported
                                            media_of as _media)

__all__ = ["DuplicatePair", "DuplicateGroup", "Rejection", "DuplicateReport", "find_duplicates",
           "judge_pairs", "compare_cards", "parse_ignore", "settings_from_config", "candidate_pairs",
           "ignore_problems", "unmatched_references"]


class DuplicatePair:
    """Two cards reported as duplicates: ``score`` 1.0 for exact, else the judge's probability; ``kind``
    "exact" | "near"; ``method`` "exact" | "model" | "chargrams". ``signals`` (the pair's measurements) are
    made on first use from the ``verdict`` or feature ``row`` it was built from (issue 13: a check after an
    edit of the 10,000-card bench vault made them for its ~3,600 reported pairs, ~0.1 s, though only tests
    and ``explain`` read them)."""

    __slots__ = ("a", "b", "score", "kind", "method", "_signals", "_verdict", "_row")

    def __init__(self, a: Card, b: Card, score: float, kind: str, signals: dict[str, Any] | None = None,
                 method: str = "model", *, verdict: Verdict | None = None, row: Any = None) -> None:
        self.a, self.b, self.score, self.kind, self.method = a, b, score, kind, method
        self._signals, self._verdict, self._row = signals, verdict, row

    @property
    def signals(self) -> dict[str, Any]:
        """Feature name -> value (the verdict's, made on first use; {} for exact pairs)."""
        if self._signals is None:
            if self._verdict is not None:
                self._signals = self._verdict.signals
            else:
                self._signals = explain(self._row) if self._row is not None else {}
        return self._signals

    @signals.setter
    def signals(self, value: dict[str, Any]) -> None:
        """Set the pair's measurements."""
        self._signals = value

    def pending_row(self) -> Any:
        """The feature row its signals will be made from when they have not been made yet, else None (what
        :func:`~notes2anki.semantic.dupes_memo.remember` stores instead of the signals)."""
        if self._signals is not None:
            return None
        if self._verdict is not None:
            return self._verdict.row if self._verdict._signals is None else None
        return self._row

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DuplicatePair):
            return NotImplemented
        return (self.a, self.b, self.score, self.kind, self.signals, self.method) == \
            (other.a, other.b, other.score, other.kind, other.signals, other.method)

    __hash__ = None  # type: ignore[assignment]  (mutable, as the dataclass it was)

    def __repr__(self) -> str:
        return (f"DuplicatePair(a={self.a!r}, b={self.b!r}, score={self.score!r}, kind={self.kind!r}, "
                f"method={self.method!r})")


@dataclass
class DuplicateGroup:
    """Three or more cards every two of which are reported duplicates (a clique)."""

    cards: list[Card]
    score: float  # the weakest pair inside the group
    exact: bool = False  # every card has the same text


class Rejection:
    """A candidate pair that was not reported, and why (for --explain). ``reason`` and ``signals`` are
    computed on first use when built from a :class:`~notes2anki.semantic.scoring.Verdict` (a normal run
    explains none of its ~100,000 rejected candidates)."""

    __slots__ = ("a", "b", "score", "_reason", "_signals", "_verdict")

    def __init__(self, a: Card, b: Card, score: float, reason: str | None = None,
                 signals: dict[str, Any] | None = None, verdict: Verdict | None = None) -> None:
        self.a, self.b, self.score = a, b, score
        self._reason, self._signals, self._verdict = reason, signals, verdict

    @property
    def reason(self) -> str:
        """Why the pair was not reported (vetoes, or the score and what weighed against it)."""
        if self._reason is None:
            self._reason = self._verdict.explain((card_side(self.a), card_side(self.b))) \
                if self._verdict is not None else ""
        return self._reason

    @property
    def signals(self) -> dict[str, Any]:
        """The pair's measurements (feature name -> value)."""
        if self._signals is None:
            self._signals = self._verdict.signals if self._verdict is not None else {}
        return self._signals

    @property
    def verdict(self) -> Verdict | None:
        """The judgement it came from (None when read back from a stored result)."""
        return self._verdict

    def __repr__(self) -> str:
        return f"Rejection({self.a.where} ~ {self.b.where}, score={self.score})"


@dataclass
class DuplicateReport:
    """What :func:`find_duplicates` found: pairs, groups, rejected candidates, warnings and counts."""

    pairs: list[DuplicatePair] = field(default_factory=list)
    groups: list[DuplicateGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    cards_checked: int = 0
    encoded: int = 0  # texts the model had to encode (the rest came from the cache)
    ignored: int = 0  # pairs dropped by the ignore list
    uncovered: int = 0  # cards the model does not read, compared by character n-grams
    judged: JudgeStats = field(default_factory=JudgeStats)  # candidate pairs: cached / measured
    cascade: cascade.CascadeStats = field(default_factory=cascade.CascadeStats)  # pairs judged again on fp32
    replayed: bool = False  # the stored result of an unchanged check (see dupes_memo)
    # warnings about this run only (the cache or model it used: corrupt, locked…), never stored for a replay
    run_warnings: list[str] = field(default_factory=list, repr=False)
    _rejected: list[Rejection] = field(default_factory=list, repr=False)
    _load_rejected: Callable[[], list[Rejection]] | None = field(default=None, repr=False, compare=False)
    _lazy: Any = field(default=None, repr=False, compare=False)

    @property
    def rejected(self) -> list[Rejection]:
        """Candidate pairs that were not reported, closest first (for ``--explain``; a replayed result
        reads them from its file on first use)."""
        if self._load_rejected is not None:
            self._rejected, self._load_rejected = self._load_rejected(), None
        return self._rejected

    @rejected.setter
    def rejected(self, value: list[Rejection]) -> None:
        """Set the rejected candidates (a stored list not yet read is dropped)."""
        self._rejected, self._load_rejected, self.lazy_rejected = value, None, None

    @property
    def lazy_rejected(self):
        """Rejected candidates not made into objects yet (a :class:`~notes2anki.semantic.lazy_verdicts.LazyRejected`,
        or None); :attr:`rejected` makes and merges them on first use."""
        return self._lazy

    @lazy_rejected.setter
    def lazy_rejected(self, lazy) -> None:
        """Hold ``lazy`` (None: none); the next read of :attr:`rejected` makes and merges them."""
        self._lazy = lazy
        if lazy is not None:
            eager = self._rejected
            self._load_rejected = lambda: sorted(eager + lazy.rejections(),
                                                 key=lambda r: lazy_verdicts.rejection_order(r.score, r.a, r.b))

    def sort_rejected(self) -> None:
        """Sort the rejected candidates made so far, closest first (the lazy ones are sorted when made)."""
        self._rejected.sort(key=lambda r: lazy_verdicts.rejection_order(r.score, r.a, r.b))

    @property
    def found(self) -> bool:
        """Whether any pair was reported."""
        return bool(self.pairs)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON interface of ``notes2anki dupes --json``."""
        return {
            "pairs": [{"a": card_json(p.a), "b": card_json(p.b), "score": p.score, "kind": p.kind,
                       "method": p.method} for p in self.pairs],
            "groups": [{"cards": [card_json(c) for c in g.cards], "score": g.score,
                        "kind": "exact" if g.exact else "near"} for g in self.groups],
            "cards_checked": self.cards_checked, "cards_by_chargrams": self.uncovered,
        }


def card_json(card: Card) -> dict[str, Any]:
    """A card in ``dupes --json``: file, line and plain question."""
    return {"file": card.file, "line": card.line, "front": question_text(card)}


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
    try:
        if len(reps) >= 2:
            sides = [Side(parts[r][1], parts[r][2], parts[r][0], parts[r][3], kept[r].file) for r in reps]
            is_covered = covered([s.text for s in sides], model if own else embedder.spec.location or None)
            report.uncovered = sum(1 for r, c in zip(reps, is_covered) if not c for _ in group_of[r])
            vectors = VectorMemo(embedder.embed, memo.folder / (memo.name + vector_memo.SUFFIX), embedder.spec.key,
                                 embedder.stats) if memo is not None else embedder.embed
            enc = encode(sides, vectors, is_covered, chars=not all(is_covered), densities=False)
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
        if own:
            embedder.close()
    if report.uncovered:
        report.warnings.append(
            f"{report.uncovered} of {counted(report.cards_checked, 'card')} "
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
