"""Exact and near-duplicate cards: :func:`find_duplicates`.

1. Cards whose plain text (:func:`~notes2anki.semantic.text.card_text`, case and spacing ignored) is equal
   are *exact* duplicates (score 1.0).
2. The card texts are embedded (through the cache) and candidate pairs mined by cosine in bounded memory
   (:mod:`~notes2anki.semantic.mining`).
3. Each candidate is judged on its question and answer (:mod:`~notes2anki.semantic.scoring`): a score
   compared with the threshold, then lexical vetoes against hard negatives (TLS 1.3 vs TLS 1.2).
4. Pairs the user keeps on purpose (the ``ignore`` list) are dropped; the rest are joined into groups
   (connected cards), and groups of three or more cards are reported as groups as well.

The library never prints: problems come back in :attr:`DuplicateReport.warnings`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, Sequence

from notes2anki.model import Card
from notes2anki.semantic.encoder import Embedder
from notes2anki.semantic.mining import mine_pairs
from notes2anki.semantic.scoring import CANDIDATE_MIN, DEFAULT_THRESHOLD, Side, Verdict, judge
from notes2anki.semantic.text import card_text, is_cloze, question_and_answer, question_text

__all__ = ["DuplicatePair", "DuplicateGroup", "Rejection", "DuplicateReport", "find_duplicates",
           "judge_pairs", "compare_cards", "parse_ignore", "settings_from_config"]


@dataclass
class DuplicatePair:
    a: Card
    b: Card
    score: float
    kind: str  # "exact" | "near"
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass
class DuplicateGroup:
    cards: list[Card]
    score: float  # the weakest reported pair that joins the group


@dataclass
class Rejection:
    """A candidate pair that was not reported, and why (for --explain)."""

    a: Card
    b: Card
    score: float
    reason: str
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass
class DuplicateReport:
    pairs: list[DuplicatePair] = field(default_factory=list)
    groups: list[DuplicateGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    cards_checked: int = 0
    encoded: int = 0  # texts the model had to encode (the rest came from the cache)
    ignored: int = 0  # pairs dropped by the ignore list

    @property
    def found(self) -> bool:
        return bool(self.pairs)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON interface of ``notes2anki dupes --json``."""
        return {
            "pairs": [{"a": card_json(p.a), "b": card_json(p.b), "score": p.score, "kind": p.kind}
                      for p in self.pairs],
            "groups": [{"cards": [card_json(c) for c in g.cards], "score": g.score} for g in self.groups],
        }


def card_json(card: Card) -> dict[str, Any]:
    return {"file": card.file, "line": card.line, "front": question_text(card)}


# -- ignore list -----------------------------------------------------------------------------------------

_WHERE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)$")


def _ref_matches(ref: int | tuple[str, int], card: Card) -> bool:
    if isinstance(ref, int):
        return card.id == ref
    path, line = ref
    return card.file == path and (card.line == line or card.line <= line <= card.end_line)


def parse_ignore(entries: Any) -> tuple[list[list[int | tuple[str, int]]], list[str]]:
    """The ``[dupes] ignore`` list: each entry a list of two or more card references; every pair among
    them is ignored. A reference is a card ID (``1768062256217`` or ``"1768062256217"``) or
    ``"path/in/vault.md:LINE"`` with the line of the card's START (any line of the block works).
    Returns (entries, warnings about malformed ones)."""
    if entries in (None, ()):
        return [], []
    warnings: list[str] = []
    parsed: list[list[int | tuple[str, int]]] = []
    if not isinstance(entries, (list, tuple)):
        return [], [f"[dupes] ignore must be a list of lists of card references, got {entries!r}"]
    for entry in entries:
        if not isinstance(entry, (list, tuple)) or len(entry) < 2:
            warnings.append(f"[dupes] ignore entry {entry!r} skipped: give two or more card references")
            continue
        refs: list[int | tuple[str, int]] = []
        for ref in entry:
            if isinstance(ref, int) and not isinstance(ref, bool):
                refs.append(ref)
            elif isinstance(ref, str) and ref.strip().isdigit():
                refs.append(int(ref.strip()))
            elif isinstance(ref, str) and (m := _WHERE.match(ref.strip().replace("\\", "/"))):
                refs.append((m.group("file").removeprefix("./"), int(m.group("line"))))
            else:
                warnings.append(f"[dupes] ignore reference {ref!r} not understood: use a card ID or "
                                f"\"file.md:LINE\"")
        if len(refs) >= 2:
            parsed.append(refs)
    return parsed, warnings


def _ignored_pairs(entries: list[list[int | tuple[str, int]]], cards: Sequence[Card],
                   warnings: list[str]) -> set[frozenset[int]]:
    """Index pairs (as frozensets of positions in ``cards``) the ignore list covers."""
    out: set[frozenset[int]] = set()
    for entry in entries:
        groups = []
        for ref in entry:
            hits = [i for i, card in enumerate(cards) if _ref_matches(ref, card)]
            if not hits:
                shown = ref if isinstance(ref, int) else f"{ref[0]}:{ref[1]}"
                warnings.append(f"[dupes] ignore reference {shown} matches no card")
            groups.append(hits)
        for ga, gb in combinations(groups, 2):
            out.update(frozenset((i, j)) for i in ga for j in gb if i != j)
    return out


def settings_from_config(config: Any) -> tuple[str | None, float | None, Any, list[str]]:
    """(model, threshold, ignore entries, warnings) from ``[semantic] model`` and ``[dupes] threshold`` /
    ``ignore`` of a :class:`notes2anki.config.Config` (None where unset)."""
    warnings: list[str] = []
    semantic = config.section("semantic") if config is not None else {}
    dupes = config.section("dupes") if config is not None else {}
    model = semantic.get("model")
    if model is not None and not isinstance(model, str):
        warnings.append(f"[semantic] model should be a string, got {model!r}; default used")
        model = None
    threshold = dupes.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or not 0.0 <= threshold <= 1.0):
        warnings.append(f"[dupes] threshold should be a number between 0 and 1, got {threshold!r}; "
                        "default used")
        threshold = None
    return model, None if threshold is None else float(threshold), dupes.get("ignore", ()), warnings


# -- finding ---------------------------------------------------------------------------------------------

def _exact_key(text: str) -> str:
    return " ".join(text.casefold().split())


def judge_pairs(sides: Sequence[Side] | dict[int, Side], candidates: Iterable[tuple[int, int, float]],
                embedder: Embedder, threshold: float | None = None) -> dict[tuple[int, int], Verdict]:
    """Judge candidate pairs ``(i, j, card cosine)`` of ``sides``; the questions and answers of the cards
    involved are embedded here (through the cache). With ``threshold``, vetoes are looked for only in
    pairs scoring at least that."""
    candidates = list(candidates)
    involved = sorted({i for i, j, _ in candidates} | {j for i, j, _ in candidates})
    if not involved:
        return {}
    questions = embedder.embed([sides[i].question for i in involved])
    answers = embedder.embed([sides[i].answer or sides[i].question for i in involved])
    row = {card: k for k, card in enumerate(involved)}
    verdicts = {}
    for i, j, card_cos in candidates:
        has_answers = bool(sides[i].answer and sides[j].answer)
        verdicts[(i, j)] = judge(
            sides[i], sides[j], card_cos=card_cos,
            question_cos=float(questions[row[i]] @ questions[row[j]]),
            answer_cos=float(answers[row[i]] @ answers[row[j]]) if has_answers else None, threshold=threshold)
    return verdicts


def compare_cards(pairs: Sequence[tuple[Card, Card]], embedder: Embedder) -> list[Verdict]:
    """Judge the given pairs of cards as :func:`find_duplicates` judges its candidates, whatever their
    cosine (for evaluation on labelled pairs)."""
    cards = [card for pair in pairs for card in pair]
    vectors = embedder.embed([card_text(card) for card in cards])
    sides = [Side(*question_and_answer(card), cloze=is_cloze(card)) for card in cards]
    candidates = [(2 * k, 2 * k + 1, float(vectors[2 * k] @ vectors[2 * k + 1])) for k in range(len(pairs))]
    verdicts = judge_pairs(sides, candidates, embedder)
    return [verdicts[(i, j)] for i, j, _ in candidates]


def find_duplicates(cards: Sequence[Card], *, model: str | os.PathLike[str] | None = None,
                    threshold: float | None = None, ignore: Any = (),
                    cache_path: Path | str | None = None, embedder: Embedder | None = None,
                    top_k: int = 16) -> DuplicateReport:
    """Exact and near-duplicate pairs among ``cards`` (cards marked DELETE and empty cards are skipped).

    ``model``: a sentence-transformers model name or directory (None: the bundled all-MiniLM-L6-v2);
    ``threshold``: score in [0, 1] at or above which a near pair is reported (None: ``DEFAULT_THRESHOLD``);
    ``ignore``: the ``[dupes] ignore`` entries (see :func:`parse_ignore`); ``cache_path``: the embedding
    cache file (None: the default location, ``":memory:"``: not saved). Raises
    :class:`~notes2anki.semantic.encoder.EncoderError` when the model cannot be loaded.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    report = DuplicateReport(threshold=threshold)
    entries, bad = parse_ignore(ignore)
    report.warnings.extend(bad)

    texts = {id(card): card_text(card) for card in cards}
    kept = [card for card in cards if not card.delete and texts[id(card)]]
    report.cards_checked = len(kept)
    ignored = _ignored_pairs(entries, kept, report.warnings)

    # 1. exact duplicates: one representative per distinct text
    members: dict[str, list[int]] = {}
    for index, card in enumerate(kept):
        members.setdefault(_exact_key(texts[id(card)]), []).append(index)
    reps = [group[0] for group in members.values()]
    group_of = {rep: group for rep, group in zip(reps, members.values())}
    found: dict[frozenset[int], DuplicatePair] = {}
    for group in members.values():
        for i, j in combinations(group, 2):
            found[frozenset((i, j))] = DuplicatePair(kept[i], kept[j], 1.0, "exact")

    # 2-3. near duplicates among the representatives
    own = embedder is None
    embedder = embedder or Embedder(model, cache_path=cache_path)
    try:
        if len(reps) >= 2:
            vectors = embedder.embed([texts[id(kept[r])] for r in reps])
            candidates = [(reps[i], reps[j], cos) for i, j, cos in
                          mine_pairs(vectors, min_score=CANDIDATE_MIN, top_k=top_k)]
            del vectors
            involved = {i for i, _, _ in candidates} | {j for _, j, _ in candidates}
            sides = {i: Side(*question_and_answer(kept[i]), cloze=is_cloze(kept[i])) for i in involved}
            verdicts = judge_pairs(sides, candidates, embedder, threshold)
            for (ri, rj), verdict in verdicts.items():
                if not verdict.accepted(threshold):
                    reason = verdict.reason or f"score {verdict.score:.2f} below threshold {threshold:.2f}"
                    report.rejected.append(Rejection(kept[ri], kept[rj], verdict.score, reason, verdict.signals))
                    continue
                for i in group_of[ri]:
                    for j in group_of[rj]:
                        found.setdefault(frozenset((i, j)),
                                         DuplicatePair(kept[i], kept[j], verdict.score, "near", verdict.signals))
        report.encoded = embedder.stats.encoded
        report.warnings.extend(embedder.warnings)
    finally:
        if own:
            embedder.close()

    # 4. ignore list, order, groups
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
    report.rejected.sort(key=lambda r: -r.score)
    report.groups = _groups([(tuple(key), pair.score) for key, pair in pairs], kept)
    return report


def _groups(edges: list[tuple[tuple[int, ...], float]], cards: Sequence[Card]) -> list[DuplicateGroup]:
    """Connected components of three or more cards; score = the weakest edge inside the component."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (i, j), _ in edges:
        parent[find(i)] = find(j)
    components: dict[int, list[int]] = {}
    for node in list(parent):
        components.setdefault(find(node), []).append(node)
    weakest: dict[int, float] = {}
    for (i, _), score in edges:
        root = find(i)
        weakest[root] = min(weakest.get(root, 1.0), score)
    groups = [DuplicateGroup(sorted((cards[i] for i in nodes), key=lambda c: (c.file, c.line)), weakest[root])
              for root, nodes in components.items() if len(nodes) >= 3]
    groups.sort(key=lambda g: (-g.score, g.cards[0].file, g.cards[0].line))
    return groups
