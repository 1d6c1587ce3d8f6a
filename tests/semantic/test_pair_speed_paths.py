"""The fast ways of measuring candidate pairs give the values of the plain ones (issue 13, cold runs).

* :mod:`~notes2anki.semantic.term_align` keeps per-text caches, batches alignments
  (:func:`~notes2anki.semantic.term_align.scores_many`) and has shortcuts for the parts of an alignment a
  measurement needs; :func:`_reference_align` below is the per-pair code it replaced, run on the card texts
  of the labelled development vault and of a real vault: every value is equal.
* :func:`~notes2anki.semantic.pair_features.measure_rows` (all pairs at once) and
  :mod:`~notes2anki.semantic.pair_workers` (forked workers) give the rows of measuring one pair at a time,
  hence the same verdicts (reported pairs, scores), on the development vault and a real vault, with the
  real bundled model.
"""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest

from notes2anki.semantic import contrast, pair_workers, term_align

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DEV_VAULT = SHARED / "eval" / "dupes_vault"
REAL_VAULT = SHARED / "realvaults" / "BenAgro314__engsci_vault"
SMALL_REAL_VAULT = SHARED / "realvaults" / "Kroid__learn_english_notes"


def _reference_negating(word: str, others) -> bool:
    """term_align.negating_prefix as it was (a loop over the other words)."""
    if word in term_align.NEGATING_PREFIXES and len(word) >= 3:
        return True
    for other in others:
        long_, short = (word, other) if len(word) > len(other) else (other, word)
        if len(short) >= 4 and long_.endswith(short) and long_[:len(long_) - len(short)] in term_align.NEGATING_PREFIXES:
            return True
    return False


def _reference_align(a: str, b: str, vectors) -> term_align.Alignment:
    """term_align.align as it was before the caches (one pair at a time, numpy on every call)."""
    wa, wb = term_align.content_words(a), term_align.content_words(b)
    if not wa or not wb:
        return term_align.EMPTY if not wa and not wb else term_align.Alignment(0.0, 0.0, 0.0, 1.0, 0.0, 0.0, False)

    def lexical(words, other, other_text):
        tokens = tuple(w for w, _ in contrast.tokens(other_text))
        initials = frozenset("".join(w[0] for w in tokens[i:i + n]).lower() for n in (2, 3, 4)
                             for i in range(len(tokens) - n + 1))  # an acronym's stem keeps its case: "TLB"
        return np.array([1.0 if w in other or (w.lower() in initials and len(w) >= 2)
                         or any(contrast._same_word(w, v) for v in other) else 0.0 for w in words])

    lex_a, lex_b = lexical(wa, wb, b), lexical(wb, wa, a)
    sims = np.zeros((len(wa), len(wb)))
    if vectors is not None:
        va, vb = [vectors.get(w) for w in wa], [vectors.get(w) for w in wb]
        if all(v is not None for v in va) and all(v is not None for v in vb):
            sims = np.clip(np.stack(va) @ np.stack(vb).T, 0.0, 1.0)
    best_a, best_b = np.maximum(sims.max(axis=1), lex_a), np.maximum(sims.max(axis=0), lex_b)
    recall, precision = float(best_a.mean()), float(best_b.mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    loose = np.concatenate([best_a[lex_a == 0], best_b[lex_b == 0]])
    unmatched_a = [w for w, hit in zip(wa, lex_a) if not hit]
    unmatched_b = [w for w, hit in zip(wb, lex_b) if not hit]
    negated = any(_reference_negating(w, wb) for w in unmatched_a) or any(_reference_negating(w, wa) for w in unmatched_b)
    added = len(unmatched_a) if not unmatched_b else len(unmatched_b) if not unmatched_a else 0
    return term_align.Alignment(precision, recall, f1, len(loose) / (len(wa) + len(wb)),
                                float(loose.mean()) if len(loose) else 1.0,
                                float(min(best_a.min(), best_b.min())), negated, added)


def _sides(vault: Path):
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.dupes import card_side
    from notes2anki.semantic.text import card_text

    cards = [c for c in load_vault(vault, load_config(vault)).cards if not c.delete and card_text(c)]
    return [card_side(c) for c in cards]


def _random_vectors(words) -> dict[str, np.ndarray]:
    """A unit vector per word, fixed by the word (the alignment arithmetic does not depend on the model)."""
    out = {}
    for w in words:
        rng = np.random.default_rng(int(hashlib.sha256(w.encode()).hexdigest()[:8], 16))
        v = rng.standard_normal(16)
        out[w] = v / np.linalg.norm(v)
    return out


@pytest.mark.parametrize("vault", [DEV_VAULT, REAL_VAULT], ids=["dev vault", "BenAgro engsci"])
def test_alignments_equal_the_per_pair_reference(vault):
    if not vault.is_dir():
        pytest.skip(f"{vault} is not there (../shared)")
    sides = _sides(vault)
    rng = random.Random(13)
    pairs = [(k, k + 1) for k in range(len(sides) - 1)] + \
        [tuple(rng.sample(range(len(sides)), 2)) for _ in range(250)]
    texts = [(getattr(sides[i], x), getattr(sides[j], y)) for i, j in pairs
             for x, y in (("question", "question"), ("answer", "answer"), ("text", "text"), ("question", "text"))]
    words = term_align.needed_words([t for pair in texts for t in pair])
    every = _random_vectors(words)
    partial = {w: v for n, (w, v) in enumerate(every.items()) if n % 7}  # some words without a vector
    for vectors in (every, term_align.WordVectors(every), partial, None):
        many = term_align.scores_many(texts, vectors, negated=[True] * len(texts))
        for k, (a, b) in enumerate(texts):
            want = _reference_align(a, b, vectors)
            assert term_align.align(a, b, vectors) == want, (a, b)
            assert term_align.scores(a, b, vectors) == (want.precision, want.recall, want.f1)
            assert many[k].tolist() == [want.precision, want.recall, want.f1, float(want.negated)], (a, b)
            assert term_align.negated_between(a, b) == _reference_align(a, b, None).negated
            assert term_align.added(a, b) == _reference_align(a, b, None).added


def test_negating_prefix_by_set_lookups_matches_the_definition():
    words = ["competitive", "noncompetitive", "saturated", "unsaturated", "non", "collocated", "polar",
             "apolar", "soluble", "insoluble", "mitosis", "meiosis", "disassociation", "association", "antiparallel",
             "parallel", "a", "in", "dis", "code", "decode"]
    for word in words:
        for others in (words, ["competitive"], [], ["parallel", "apolar"], ["code"]):
            assert term_align.negating_prefix(word, others) == _reference_negating(word, others), (word, others)
    assert term_align.negating_prefix("decode", ["code"]) and not term_align.negating_prefix("code", ["co"])


def _rows_three_ways(sides, embedder):
    from notes2anki.semantic.language import covered
    from notes2anki.semantic.pair_cache import candidate_pairs
    from notes2anki.semantic.pair_features import encode, fill_words, measure_rows, pair_features, char_cosines

    is_covered = covered([s.text for s in sides])
    enc = encode(sides, embedder.embed, is_covered)
    pairs = candidate_pairs(enc, is_covered, 10)
    assert len(pairs) > 50
    char_cosines(enc, pairs)
    fill_words(enc, pairs)
    one_by_one = np.array([pair_features(enc, i, j) for i, j in pairs])
    batched = measure_rows(enc, pairs)
    forked = pair_workers.measure_rows(enc, pairs, measure_rows, workers=2, min_pairs=2)
    # in parts of 17 pairs, each part's n-gram cosines computed where it is measured (bounded memory)
    enc.char_cos = None
    parts = pair_workers.measure_rows(enc, pairs, measure_rows, workers=2, min_pairs=2, prepare=char_cosines,
                                      chunk_pairs=17)
    assert enc.char_cos is None  # computed in the workers only
    here = pair_workers.measure_rows(enc, pairs, measure_rows, workers=1, prepare=char_cosines, chunk_pairs=17)
    assert np.array_equal(parts, one_by_one) and np.array_equal(here, one_by_one)
    return pairs, is_covered, one_by_one, batched, forked


@pytest.mark.parametrize("vault", [DEV_VAULT, SMALL_REAL_VAULT], ids=["dev vault", "Kroid"])
def test_batched_and_forked_measurement_give_the_same_verdicts(vault, embedder):
    if not vault.is_dir():
        pytest.skip(f"{vault} is not there (../shared)")
    from notes2anki.semantic.scoring import verdicts_from_rows

    pairs, is_covered, one_by_one, batched, forked = _rows_three_ways(_sides(vault), embedder)
    assert np.array_equal(batched, one_by_one)
    assert np.array_equal(forked, one_by_one)
    for threshold in (None, 0.3):
        want = verdicts_from_rows(pairs, one_by_one, is_covered, threshold)
        got = verdicts_from_rows(pairs, forked, is_covered, threshold)
        assert {p: (v.score, v.method, v.vetoes) for p, v in got.items()} == \
            {p: (v.score, v.method, v.vetoes) for p, v in want.items()}


def test_worker_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_JOBS", "3")
    assert pair_workers.jobs() == 3
    monkeypatch.setenv("NOTES2ANKI_JOBS", "zero")
    assert 1 <= pair_workers.jobs() <= pair_workers.MAX_JOBS
    monkeypatch.setenv("NOTES2ANKI_JOBS", "1")
    calls = []
    assert pair_workers.measure_rows(None, [(0, 1)] * 10, lambda enc, p: calls.append(len(p)) or np.zeros((len(p), 2)),
                                     min_pairs=2).shape == (10, 2)
    assert calls == [10]  # one worker: measured here, in one call
