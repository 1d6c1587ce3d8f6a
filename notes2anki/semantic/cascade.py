"""Duplicate verdicts of the fast int8 encoder, made again on fp32 vectors where int8 could change them.

The int8 encoder (``NOTES2ANKI_ENCODER=onnx-int8``, or ``encoder.DEFAULT_ONNX_VARIANT = "int8"``) runs the
int8 graph (:data:`~notes2anki.semantic.onnx_quantize.INT8_RECIPE`: per-row int8, in batches; 1,500 card
texts about 3.3 s CPU against 7.2 s for fp32 ONNX and 10.6 s for PyTorch on one thread), whose vectors are at
mean cosine ~0.997 to fp32. The duplicate judge's probabilities move with them (up to ~0.3 logits), so on its
own it would report other pairs than fp32. The usual cheap-then-exact cascade keeps the fp32 verdicts:

1. every candidate pair is measured and judged on the int8 vectors (the candidates and neighbour lists
   come from int8 vectors);
2. the pairs whose int8 score lies within :data:`BAND` (in logits) of the threshold in use (``[dupes]
   threshold`` / ``--threshold`` included) are measured again with fp32 vectors of their texts and fp32 word
   vectors (through the embedding cache under the fp32 key), keeping the int8 local densities;
3. of those, the pairs whose score now lies within :data:`DENSITY_BAND` of the threshold are measured once
   more with fp32 local densities (:func:`exact_densities`), and that fp32 verdict is final; for the others
   the verdict of step 2 is fp32's (their score is the step-2 one).

A pair outside the band gets the verdict fp32 would give as long as int8 moves no score by more than the band;
:func:`notes2anki.semantic.band_check.score_changes` measures how far it moves them and
``tests/semantic/test_cascade.py`` fails when :data:`BAND` is not wider than that with :data:`MARGIN` to
spare (re-measure after a refit of the pair model: ``python -m notes2anki.semantic.band_check``).

Measured (``band_check``, the shipped pair model, feature version 13, the per-row int8 graph): the largest change
of a judge score, in logits, over pairs with either probability in [0.02, 0.98]: 0.30 on the dev vault's
candidate and labelled pairs with the project's training pairs, 0.21 on ``../shared/eval/dupes_pairs.jsonl``,
0.23 on ``dupe_pairs_dev``, 0.18 on ``dupe_pairs_extra``, 0.24 on the held-out ``dupe_pairs_test``, at most 0.40
on the candidate pairs of the real vaults (BenAgro 0.40, NoLtour 0.29, FIT 0.26, Kroid 0.14, medu4 0.09; the
others hold no pair the model reads in that window). :data:`BAND` = 1.5 x 0.41 = 0.61 logits: at the default
threshold 0.62, int8 scores in [0.47, 0.75] are judged again. (The per-batch int8 graph moved scores by up to
0.74 with this judge and needed 1.11.)

Step 3 exists because a pair's local densities (mean cosine to the 5 nearest cards) move its score too: with
int8 densities one labelled pair of dupes_pairs.jsonl (dv058: 0.585 fp32, 0.555) changed its verdict. The
largest change int8 densities alone make (fp32 sides, every pair aligned; ``band_check --densities``, the
pair model of feature version 14, pairs with either probability in [0.02, 0.98]): 0.17 logits on the dev
vault's candidate and labelled pairs, 0.15 on ``dupes_pairs.jsonl``, 0.10 on ``dupe_pairs_dev``, 0.09 on
``dupe_pairs_extra``, 0.15 on the held-out ``dupe_pairs_test``, 0.17 on BenAgro (version 13: NoLtour 0.17,
Kroid 0.12): :data:`DENSITY_BAND` = 1.5 x 0.18 = 0.27.
:func:`exact_densities` gets fp32 densities exactly from fp32 vectors of the cards near each side only, which
needs a bound on how far int8 moves a cosine seen from an fp32 vector (:data:`COSINE_CHANGE`; per-row int8,
over the card texts and the questions the model reads: 0.024 on the dev vault, at most 0.036 on the ten real
vaults (FIT 0.031, medu4 0.013; over all their texts, unread ones included, 0.064 on medu4's Japanese
cards). The per-batch graph moved them by up to 0.067.

Cost: on the real vaults few pairs are in the band. On the synthetic 10,000-card benchmark vault (templated
cards, thousands of pairs near the threshold) 2,991 of 99,199 candidate pairs are in the band, and their
4,221 sides alone need fp32 vectors of 12,663 texts. Measured in one process (``find_duplicates``, cold, load
13-14): with fp32 densities for every band pair (the cascade before step 2) exact_rows took 85.0 s CPU, 71.3 s
of it exact_densities (21,558 fp32 texts); with step 2 (DENSITY_BAND 0.30 in that run), 1,482 of the 2,991
pairs reach step 3 and exact_rows takes 77.5 s CPU, exact_densities 35.1 s (20,398 fp32 texts: the near pairs'
neighbourhoods cover nearly the same cards), with the same 3,805 reported pairs. The whole int8 check cost 199 s
CPU, no less than fp32's, so fp32 stays the default: the sides' own fp32 texts, not the neighbourhoods, now bound
what int8 can save there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from notes2anki.semantic import pair_model
from notes2anki.semantic.local_density import DENSITY_K, top_mean
from notes2anki.semantic.pair_features import Encoded, encode, fill_chars
from notes2anki.semantic.scoring import measure

MEASURED = 0.41  # the largest change of a judge score (logits) int8 vs fp32 measured (see the module doc)
MARGIN = 1.5  # BAND over the largest change measured
BAND = round(MEASURED * MARGIN, 2)  # half width (logits) around the threshold's logit of the pairs judged again
WINDOW = (0.02, 0.98)  # probabilities within which score changes are measured (see band_check)
# the largest |v·(u8 - u32)| measured (v: one text's fp32 vector, u8 / u32: another's int8 / fp32 one; band_check)
COSINE_CHANGE = 0.04
DENSITY_WINDOW = round(COSINE_CHANGE * 1.25, 3)  # see exact_densities
DENSITY_MEASURED = 0.18  # the largest score change (logits) int8 local densities alone make (see the module doc)
DENSITY_BAND = round(DENSITY_MEASURED * MARGIN, 2)  # half width of the pairs whose densities are made exact


@dataclass
class CascadeStats:
    """What :func:`exact_rows` did: pairs in the band, of them found measured in the cache, sides (cards)
    whose texts were given fp32 vectors, and fp32 texts encoded (the rest came from the cache)."""

    pairs: int = 0
    cached: int = 0
    sides: int = 0
    encoded: int = 0
    neighbours: int = 0  # sides given fp32 vectors for the local densities (see exact_densities)
    exact_densities: int = 0  # pairs of the band whose fp32 rows needed fp32 local densities (step 3)


def logit(p: Any) -> Any:
    """log(p / (1 - p)), clipped to [1e-6, 1 - 1e-6] (arrays or floats)."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def in_band(probabilities: np.ndarray, threshold: float, band: float = BAND) -> np.ndarray:
    """Which ``probabilities`` lie within ``band`` logits of ``threshold`` (a boolean array)."""
    limit = float(logit(threshold))
    return np.abs(logit(probabilities) - limit) <= band + 1e-12


NEAR = "densities"  # cached in place of a row: the pair's fp32 row needs exact fp32 densities (step 3)


def exact_rows(enc: Encoded, pairs: Sequence[tuple[int, int]], rows: np.ndarray, covered: Sequence[bool],
               threshold: float, embedder: Any, *, cache: Any = None, stats: CascadeStats | None = None,
               band: float = BAND, density_band: float = DENSITY_BAND) -> np.ndarray:
    """``rows`` (feature rows of index ``pairs`` of ``enc``, measured on ``embedder``'s vectors) with the rows
    of the pairs in the band (both sides read by the model, int8 score within ``band`` logits of
    ``threshold``) measured again on fp32 vectors: the sides' texts and words with the int8 local densities
    first, and for the pairs whose score then lies within ``density_band`` of the threshold again with fp32
    local densities (:func:`exact_densities`). Unchanged (the same array) when ``embedder`` is not
    approximate (:attr:`~notes2anki.semantic.encoder.Embedder.approximate`) or no pair is in the band. The
    rows are replaced in ``rows`` itself (no copy: 100,000 candidate rows are 34 MB), which is returned.

    ``cache``: a :class:`~notes2anki.semantic.cache.PairVerdictCache` of these rows keyed by the pair's sides
    (:func:`~notes2anki.semantic.pair_cache.side_keys`: texts, int8 vectors and densities; for a row with fp32
    densities these too); pairs found there are not measured again."""
    from notes2anki.semantic.pair_cache import side_keys

    stats = stats if stats is not None else CascadeStats()
    if not len(pairs) or not getattr(embedder, "approximate", False):
        return rows
    read = np.array([bool(c) for c in covered], dtype=bool)
    ij = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    model = pair_model.load()
    chosen = read[ij[:, 0]] & read[ij[:, 1]] & in_band(model.probability(rows), threshold, band)
    band_at = np.nonzero(chosen)[0].tolist()
    stats.pairs = len(band_at)
    if not band_at:
        return rows
    exact = embedder.exact()
    before = exact.stats.encoded
    sides = sorted({int(k) for n in band_at for k in ij[n]})
    place = {k: m for m, k in enumerate(sides)}
    keys = side_keys(enc, covered, sides) if cache is not None else []
    near: list[int] = []  # pairs whose fp32 row needs fp32 densities
    todo = band_at
    if cache is not None:  # step 2 rows (fp32 sides, int8 densities: keyed by the int8 side keys alone)
        wanted = {n: (f"s:{keys[place[int(ij[n, 0])]]}", f"s:{keys[place[int(ij[n, 1])]]}") for n in band_at}
        known = cache.get(wanted.values())
        todo = []
        for n in band_at:
            row = known.get(wanted[n])
            if row == NEAR:
                near.append(n)
            elif isinstance(row, list) and len(row) == rows.shape[1]:
                rows[n] = row
                stats.cached += 1
            else:
                todo.append(n)
    if todo:
        first = _fp32_rows(enc, [tuple(ij[n]) for n in todo], exact.embed)
        close = in_band(model.probability(first), threshold, density_band)
        for n, row, again in zip(todo, first, close.tolist()):
            if again:
                near.append(n)
            else:
                rows[n] = row
        if cache is not None:
            cache.put((wanted[n], NEAR if again else row)
                      for n, row, again in zip(todo, first, close.tolist()))
    if near:
        near.sort()
        _exact_density_rows(enc, ij, near, rows, read, exact.embed, cache, keys, place, stats)
    stats.sides, stats.encoded = len(sides), exact.stats.encoded - before
    return rows


def _fp32_rows(enc: Encoded, pairs: Sequence[tuple[int, int]], embed: Any,
               densities: tuple[np.ndarray, np.ndarray] | None = None, ends: Sequence[int] | None = None) -> np.ndarray:
    """Feature rows of index ``pairs`` of ``enc`` measured on ``embed``'s (fp32) vectors of their sides' texts
    and words, with the local densities of ``enc`` (int8) or ``densities`` (card, question; one per side of
    ``ends``, the sorted sides of ``pairs``)."""
    ends = sorted({int(k) for pair in pairs for k in pair}) if ends is None else list(ends)
    at = {k: r for r, k in enumerate(ends)}
    sub = encode([enc.sides[k] for k in ends], embed, chars=False, densities=False)
    if densities is None:
        sub.density_card = np.asarray(enc.density_card)[ends]
        sub.density_q = np.asarray(enc.density_q)[ends]
    else:
        sub.density_card, sub.density_q = densities
    fill_chars(sub, range(len(ends)))
    return measure(sub, [(at[int(i)], at[int(j)]) for i, j in pairs])


def _exact_density_rows(enc: Encoded, ij: np.ndarray, near: list[int], rows: np.ndarray, read: np.ndarray,
                        embed: Any, cache: Any, keys: list[str], place: dict[int, int], stats: CascadeStats) -> None:
    """Step 3 of :func:`exact_rows`: the rows of pairs ``near`` (positions in ``ij``) measured on fp32 vectors
    with fp32 local densities, set in ``rows`` (through ``cache`` keyed by the side keys and fp32 densities)."""
    sides = sorted({int(k) for n in near for k in ij[n]})
    at = {k: m for m, k in enumerate(sides)}
    density_card, density_q, stats.neighbours = exact_densities(enc, sides, read, embed)
    stats.exact_densities = len(near)
    todo = near
    if cache is not None:
        full = [f"{keys[place[k]]}:{dc!r}:{dq!r}" for k, dc, dq in zip(sides, density_card.tolist(),
                                                                      density_q.tolist())]
        wanted = {n: (full[at[int(ij[n, 0])]], full[at[int(ij[n, 1])]]) for n in near}
        known = cache.get(wanted.values())
        todo = []
        for n in near:
            row = known.get(wanted[n])
            if isinstance(row, list) and len(row) == rows.shape[1]:
                rows[n] = row
                stats.cached += 1
            else:
                todo.append(n)
    if todo:
        ends = sorted({at[int(k)] for n in todo for k in ij[n]})
        measured = _fp32_rows(enc, [tuple(ij[n]) for n in todo], embed, (density_card[ends], density_q[ends]),
                              [sides[m] for m in ends])
        rows[todo] = measured
        if cache is not None:
            cache.put((wanted[n], row) for n, row in zip(todo, measured))


def exact_densities(enc: Encoded, sides: Sequence[int], read: np.ndarray, embed: Any,
                    window: float = DENSITY_WINDOW, block: int = 256) -> tuple[np.ndarray, np.ndarray, int]:
    """The fp32 local densities (as :func:`~notes2anki.semantic.local_density.density` computes them among the
    ``read`` sides, on ``embed``'s fp32 vectors) of ``sides``, without fp32 vectors of the whole vault.

    For a side b (fp32 vector v) and another side j (int8 vector u8, fp32 u32): v·u32 = v·u8 - v·(u8 - u32),
    and |v·(u8 - u32)| (the int8 error of j seen from b) is at most :data:`COSINE_CHANGE` (measured). So with L
    the k-th best fp32 cosine among b's k best by v·u8 (a lower bound of its true k-th best), only the sides
    with v·u8 >= L - ``window`` can be among its k nearest in fp32; those are embedded in fp32 (card texts for
    the card density, questions for the question density) and the k best of them give the exact density.
    Returns (card densities, question densities) in the order of ``sides`` and how many sides were embedded."""
    rows = np.nonzero(read)[0]
    out = [np.zeros(len(sides), dtype=np.float64), np.zeros(len(sides), dtype=np.float64)]
    if len(rows) < 2 or not len(sides):
        return out[0], out[1], 0
    k = min(DENSITY_K, len(rows) - 1)
    where = {int(r): m for m, r in enumerate(rows.tolist())}
    embedded: set[int] = set()
    for space, (vectors, get) in enumerate(((enc.card, lambda s: s.text),
                                            (enc.question, lambda s: s.question or s.text))):
        pool = np.ascontiguousarray(vectors[rows], dtype=np.float32)
        own = embed([get(enc.sides[b]) for b in sides])
        known: dict[int, np.ndarray] = {}

        def fp32(found: set[int]) -> None:
            new = sorted(found - set(known))
            if new:
                known.update(zip(new, embed([get(enc.sides[int(rows[m])]) for m in new])))

        for start in range(0, len(sides), block):
            part = list(sides[start:start + block])
            approx = own[start:start + block] @ pool.T  # v·u8 for every side
            for r, b in enumerate(part):
                if b in where:
                    approx[r, where[b]] = -np.inf
            first = np.argpartition(-approx, k - 1, axis=1)[:, :k]
            fp32({int(m) for m in first.ravel()})
            near = []
            for r in range(len(part)):
                v = own[start + r]
                floor = min(float(known[int(m)] @ v) for m in first[r])  # k-th best fp32 among the first k
                near.append(np.nonzero(approx[r] >= floor - window)[0])
            fp32({int(m) for found in near for m in found})
            for r, b in enumerate(part):
                v = own[start + r]
                scores = np.array([known[int(m)] @ v for m in near[r]], dtype=np.float32)
                best = near[r][np.argsort(scores, kind="stable")[len(scores) - k:]]
                out[space][start + r] = float(top_mean(np.array([known[int(m)].astype(np.float64) @ v.astype(np.float64)
                                                               for m in best])[None, :])[0])
        embedded.update(int(rows[m]) for m in known)
    return out[0], out[1], len(embedded | set(int(b) for b in sides))


def band_for(changes: dict[str, float], margin: float = MARGIN) -> float:
    """The band a set of measured largest changes (``band_check.score_changes``) asks for: the largest
    times ``margin`` (at least a small floor, so a perfect encoder still checks the pairs at the threshold)."""
    return max(0.05, margin * max(changes.values(), default=0.0))


def probability_band(threshold: float, band: float = BAND) -> tuple[float, float]:
    """The probabilities [low, high] the band covers around ``threshold`` (for messages and docs)."""
    limit = float(logit(threshold))
    return 1 / (1 + math.exp(-(limit - band))), 1 / (1 + math.exp(-(limit + band)))
