"""The int8/fp32 cascade of the duplicate judge (notes2anki.semantic.cascade): the band is wider than the score
changes int8 makes, pairs in the band are judged on fp32 vectors (through the cache), and the band follows
the threshold in use. The dev-set figures of the int8 path against fp32 are in test_term_roles.py."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from notes2anki.semantic import cascade, pair_model
from notes2anki.semantic.band_check import dev_cosine_change, largest_change, score_changes
from notes2anki.semantic.cache import PairVerdictCache
from notes2anki.semantic.dupes import card_side
from notes2anki.semantic.evaluate import load_pairs
from notes2anki.semantic.pair_features import encode
from notes2anki.semantic.scoring import DEFAULT_THRESHOLD, measure

DATA = Path(__file__).resolve().parent / "data"
EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"


@pytest.fixture(scope="module")
def int8(embedder, tmp_path_factory):
    """The int8 encoder (NOTES2ANKI_ENCODER=onnx-int8) of the session's conversion, with its own cache."""
    from notes2anki.semantic.encoder import Embedder

    if embedder.plan.backend != "onnx":
        pytest.skip("the ONNX graphs are not in use")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTES2ANKI_ONNX_DIR", str(embedder.plan.folder.parent))  # the session's conversion
    with Embedder(cache_path=tmp_path_factory.mktemp("int8") / "c.sqlite", backend="onnx-int8") as e:
        if not e.approximate:
            pytest.skip("the conversion kept no int8 graph")
        yield e
    mp.undo()


def test_the_band_is_wider_than_the_score_changes_int8_makes(int8):
    """Measured again on every run (so a refit pair model whose scores move more fails here): the largest
    judge-score change between int8 and fp32 vectors on the dev vault's pairs, the shared labelled pairs and
    our labelled files (held-out included), times the margin, must fit inside the shipped band."""
    files = [DATA / "dupe_pairs_dev.jsonl", DATA / "dupe_pairs_test.jsonl"]
    if (EVAL / "dupes_pairs.jsonl").is_file():
        files.append(EVAL / "dupes_pairs.jsonl")
    changes = score_changes(EVAL if (EVAL / "dupes_truth.json").is_file() else None, int8, int8.exact(), files)
    assert changes and all(v > 0 for v in changes.values()), changes  # int8 does move scores
    assert cascade.band_for(changes) <= cascade.BAND, (changes, cascade.BAND)
    assert max(changes.values()) <= cascade.MEASURED, "set cascade.MEASURED from band_check's figures"


def test_the_density_band_is_wider_than_the_changes_int8_densities_make(int8):
    """The cascade's second step keeps a band pair's verdict from fp32 sides with int8 local densities when its
    score is farther than DENSITY_BAND from the threshold: measured again on every run, the largest change the
    int8 densities alone make (dev vault, labelled files), times the margin, must fit inside it."""
    from notes2anki.semantic.band_check import density_changes

    files = [DATA / "dupe_pairs_dev.jsonl", DATA / "dupe_pairs_test.jsonl"]
    changes = density_changes(EVAL if (EVAL / "dupes_truth.json").is_file() else None, int8, int8.exact(), files)
    assert changes and all(v > 0 for v in changes.values()), changes
    assert cascade.band_for(changes) <= cascade.DENSITY_BAND, (changes, cascade.DENSITY_BAND)
    assert max(changes.values()) <= cascade.DENSITY_MEASURED, "set cascade.DENSITY_MEASURED from band_check's figures"


def test_the_density_window_holds_the_cosine_changes_int8_makes(int8):
    """exact_densities looks for a side's fp32 nearest neighbours among those within DENSITY_WINDOW of its int8
    k-th best fp32 cosine: exact when no int8 error moves a cosine by more than COSINE_CHANGE (measured on the dev vault)."""
    if not (EVAL / "dupes_truth.json").is_file():
        pytest.skip("../shared/eval is not here")
    change = dev_cosine_change(EVAL, int8, int8.exact())
    assert 0 < change <= cascade.COSINE_CHANGE < cascade.DENSITY_WINDOW


def test_exact_densities_are_the_fp32_densities(int8):
    """The local densities of a few sides, from fp32 vectors of their int8 neighbourhoods only, equal those of
    embedding every side in fp32 (local_density.density)."""
    from notes2anki.semantic.local_density import density

    pairs = load_pairs(DATA / "dupe_pairs_dev.jsonl")
    sides = [card_side(c) for p in pairs for c in (p.a, p.b)]
    enc = encode(sides, int8.embed, densities=False, chars=False)
    full = encode(sides, int8.exact().embed, densities=False, chars=False)
    some = list(range(0, len(sides), 7))
    read = np.ones(len(sides), dtype=bool)
    card, question, embedded = cascade.exact_densities(enc, some, read, int8.exact().embed)
    assert len(some) <= embedded <= len(sides)
    np.testing.assert_allclose(card, density(full.card, range(len(sides)))[some], atol=1e-6)
    np.testing.assert_allclose(question, density(full.question, range(len(sides)))[some], atol=1e-6)


def test_pairs_in_the_band_are_measured_on_fp32_vectors_and_cached(int8, tmp_path):
    """Rows of pairs whose int8 score is near the threshold become rows measured on fp32 vectors: with fp32
    local densities (equal to embedding every side in fp32) where the score with the int8 densities lies within
    DENSITY_BAND of the threshold, else with the int8 densities, on the same side of the threshold as the
    fp32 row; the others stay; a second pass finds them all in the cache and encodes nothing."""
    from notes2anki.semantic.cache import EmbeddingCache

    pairs = load_pairs(DATA / "dupe_pairs_dev.jsonl") + load_pairs(DATA / "dupe_pairs_test.jsonl")
    sides = [card_side(c) for p in pairs for c in (p.a, p.b)]
    index = [(2 * k, 2 * k + 1) for k in range(len(pairs))]
    covered = [True] * len(sides)
    enc = encode(sides, int8.embed)
    rows = measure(enc, index)
    before = rows.copy()
    store = EmbeddingCache(tmp_path / "rows.sqlite")
    cache = PairVerdictCache(store, "test-fp32-rows")
    stats = cascade.CascadeStats()
    out = cascade.exact_rows(enc, index, rows, covered, DEFAULT_THRESHOLD, int8, cache=cache, stats=stats)
    model = pair_model.load()
    chosen = cascade.in_band(model.probability(before), DEFAULT_THRESHOLD)
    assert stats.pairs == int(chosen.sum()) > 0 and stats.cached == 0
    assert np.array_equal(out[~chosen], before[~chosen])
    exact = encode(sides, int8.exact().embed)  # every side in fp32, densities too
    at = np.nonzero(chosen)[0].tolist()
    reference = measure(exact, [index[n] for n in at])
    mixed = exact  # fp32 sides with the int8 densities
    mixed.density_card, mixed.density_q = enc.density_card, enc.density_q
    first = measure(mixed, [index[n] for n in at])
    near = cascade.in_band(model.probability(first), DEFAULT_THRESHOLD, cascade.DENSITY_BAND)
    assert 0 < stats.exact_densities == int(near.sum()) < len(at)  # both steps ran on these pairs
    np.testing.assert_allclose(out[at][near], reference[near], atol=1e-5)
    np.testing.assert_allclose(out[at][~near], first[~near], atol=1e-5)
    limit = float(cascade.logit(DEFAULT_THRESHOLD))
    assert np.array_equal(cascade.logit(model.probability(out[at])) >= limit,
                          cascade.logit(model.probability(reference)) >= limit)  # fp32's verdicts
    assert largest_change(before[chosen], out[chosen]) > 0  # fp32 rows, not the int8 ones
    again = cascade.CascadeStats()
    second = cascade.exact_rows(enc, index, before.copy(), covered, DEFAULT_THRESHOLD, int8, cache=cache, stats=again)
    assert again.pairs == again.cached == stats.pairs and again.encoded == 0
    np.testing.assert_allclose(second, out, atol=1e-12)
    store.close()


def test_the_band_follows_the_threshold_in_use():
    p = np.array([0.05, 0.2, 0.3, 0.45, 0.57, 0.7, 0.9, 0.99])
    for threshold in (0.3, 0.57, 0.9):
        chosen = cascade.in_band(p, threshold)
        low, high = cascade.probability_band(threshold)
        assert low < threshold < high
        assert chosen.tolist() == [bool(low - 1e-9 <= x <= high + 1e-9) for x in p.tolist()]
        assert chosen[p.tolist().index(threshold)]
    assert not cascade.in_band(np.array([0.999]), 0.3)[0]


def test_an_fp32_encoder_is_its_own_exact_encoder(tmp_path):
    """torch and onnx-fp32 vectors are fp32 already: nothing is judged again (the rows come back as they were)."""
    from notes2anki.semantic.encoder import Embedder

    with Embedder(cache_path=tmp_path / "c.sqlite", backend="onnx-fp32") as fp32:
        assert not fp32.approximate and fp32.exact() is fp32
        rows = np.zeros((1, len(pair_model.load().features)))
        assert cascade.exact_rows(None, [(0, 1)], rows, [True, True], 0.57, fp32) is rows
