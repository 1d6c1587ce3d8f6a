"""The contextual token feature ``ctx_diff`` (token_states.py, token_align.py) with the bundled model."""
from __future__ import annotations

import numpy as np
import pytest

from notes2anki.semantic import token_align
from notes2anki.semantic.encoder import Embedder
from notes2anki.semantic.pair_features import FEATURES, Side, encode
from notes2anki.semantic.scoring import measure

REWORDED = ("Define opportunity cost.", "What is opportunity cost?")
SWAPPED = ("Which port does HTTPS use?", "Which port does SSH use?")


def _ctx(source, a: str, b: str) -> float:
    (ia, sa), (ib, sb) = source.states([a, b])
    return token_align.diff_similarity(ia, sa, ib, sb)


def test_token_states_leave_out_cls_and_sep_and_do_not_depend_on_the_batch(embedder):
    source = token_align.source_for(embedder.embed)
    texts = ["What is SN2?", "What is bimolecular nucleophilic substitution in organic chemistry?", ""]
    batch = source.states(texts)
    for text, (ids, states) in zip(texts, batch):
        alone_ids, alone = source.states([text])[0]
        assert np.array_equal(ids, alone_ids) and np.allclose(states, alone, atol=1e-5)
        assert states.shape == (len(ids), 384)
        assert np.allclose(np.linalg.norm(states, axis=1), 1.0, atol=1e-5)
    cls, sep = 101, 102  # bert-base-uncased's [CLS] and [SEP]
    assert cls not in batch[0][0] and sep not in batch[0][0]
    assert len(batch[0][0]) == len(source.tokenizer.encode(texts[0]).ids) - 2
    assert batch[2][1].shape[0] == 1  # no pieces: the [CLS] state, so an empty text still has a row


def test_token_states_are_the_same_with_batches_run_at_once(embedder):
    """Batches run one per core at a time (issue 13: a cold check aligned 10,000 card texts on one core);
    the rows are the same bits as one batch after the other."""
    source = token_align.source_for(embedder.embed)
    texts = [f"Card {n}: what does step {n} of the {'long ' * (n % 7)}algorithm compute?" for n in range(150)]
    workers = source.workers
    try:
        source.workers = 2
        together = source.states(texts, batch_size=8)
        source.workers = 1
        alone = source.states(texts, batch_size=8)
    finally:
        source.workers = workers
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(together, alone))


def test_reworded_question_aligns_closer_than_a_swapped_term(embedder):
    """Measured (fp32): "Define X." / "What is X?" 0.746, "HTTPS" / "SSH" in one question 0.318."""
    source = token_align.source_for(embedder.embed)
    reworded, swapped = _ctx(source, *REWORDED), _ctx(source, *SWAPPED)
    assert reworded > 0.65 and swapped < 0.45, (reworded, swapped)
    assert _ctx(source, REWORDED[0], REWORDED[0]) == 1.0  # nothing differs


def test_int8_token_states_give_nearly_the_same_feature(embedder):
    """The int8 graph's token states (its own session on the same conversion) move ``ctx_diff`` by at most
    0.02 on these pairs (measured 0.018 at most); the threshold's int8 stability is checked by the fit."""
    with Embedder(cache_path=":memory:", backend="onnx-int8") as int8:
        fp32, approx = token_align.source_for(embedder.embed), token_align.source_for(int8.embed)
        assert approx is not fp32
        for a, b in (REWORDED, SWAPPED, ("What is the function of the mitochondria?",
                                         "What is the main job of the mitochondrion in a eukaryotic cell?")):
            assert abs(_ctx(fp32, a, b) - _ctx(approx, a, b)) <= 0.02


def test_measured_rows_carry_the_feature_and_need_a_model_behind_embed(embedder):
    sides = [Side(q, "", q) for q in (*REWORDED, *SWAPPED)]
    enc = encode(sides, embedder.embed)
    rows = measure(enc, [(0, 1), (2, 3)], gate=None)
    column = FEATURES.index(token_align.NAME)
    source = token_align.source_for(embedder.embed)
    assert rows[0, column] == pytest.approx(_ctx(source, *REWORDED), abs=1e-6)
    assert rows[1, column] == pytest.approx(_ctx(source, *SWAPPED), abs=1e-6)
    with pytest.raises(TypeError):
        token_align.source_for(lambda texts: embedder.embed(texts))


def test_source_found_through_the_vector_memo_and_the_lazy_embedder(tmp_path, embedder):
    from notes2anki.semantic.lazy_embedder import LazyEmbedder
    from notes2anki.semantic.vector_memo import VectorMemo

    memo = VectorMemo(embedder.embed, tmp_path / "v.memo", embedder.spec.key, embedder.stats)
    assert token_align.source_for(memo) is token_align.source_for(embedder.embed)
    lazy = LazyEmbedder(cache_path=":memory:")
    assert token_align.source_for(lazy.embed) is not None


def test_store_drops_old_texts_beyond_its_limit_and_keeps_the_values(embedder):
    """A store smaller than the texts (here 8 token rows) recomputes dropped texts and gives the same values."""
    source = token_align.source_for(embedder.embed)
    texts = [REWORDED[0], REWORDED[1], SWAPPED[0], SWAPPED[1]]
    pairs = [(0, 1), (2, 3), (0, 3), (1, 2)]
    full = token_align.pair_values(texts, pairs, source)
    old = token_align.STORE_ROWS, token_align.BLOCK_PAIRS
    try:
        token_align.STORE_ROWS, token_align.BLOCK_PAIRS = 8, 1
        small = token_align.pair_values(texts, pairs, source)
    finally:
        token_align.STORE_ROWS, token_align.BLOCK_PAIRS = old
    assert small == full


def test_gate_aligns_only_pairs_that_could_be_reported_and_changes_no_verdict(embedder):
    """With the gate (scoring.CONTEXT_GATE), a pair whose probability stays below it even with the most
    favourable ``ctx_diff`` keeps that value (its score an upper bound below the gate); every other row is the
    ungated one, so no verdict at a threshold of at least the gate changes."""
    from notes2anki.semantic import pair_model
    from notes2anki.semantic.scoring import CONTEXT_GATE

    texts = [*REWORDED, *SWAPPED, "What is the capital of France? | Paris", "Which enzyme unwinds DNA? | Helicase",
             "What does ARP do? | Maps IP addresses to MAC addresses",
             "Purpose of the Address Resolution Protocol? | Finds the MAC address for an IP address"]
    sides = [Side(*t.split(" | "), t) if " | " in t else Side(t, "", t) for t in texts]
    pairs = [(i, j) for i in range(len(sides)) for j in range(i + 1, len(sides))]
    enc = encode(sides, embedder.embed)
    full = measure(enc, pairs, gate=None)
    gated = measure(enc, pairs)
    column = FEATURES.index(token_align.NAME)
    model = pair_model.load()
    p_full, p_gated = model.probability(full), model.probability(gated)
    skipped = ~np.isclose(full[:, column], gated[:, column])
    assert skipped.any() and (~skipped).any()
    assert np.all(gated[skipped, column] == 1.0) and np.all(p_gated[skipped] < CONTEXT_GATE)
    assert np.all(p_full[skipped] <= p_gated[skipped] + 1e-12)  # the bound
    assert np.array_equal(np.delete(full, column, axis=1), np.delete(gated, column, axis=1))
    for t in (CONTEXT_GATE, 0.5, model.threshold):
        assert np.array_equal(p_full >= t, p_gated >= t)


def test_diff_similarity_is_the_isin_definition_bit_for_bit():
    """The pieces one text has and the other lacks are found by one broadcast comparison instead of two
    ``np.isin`` calls (116 → 9 µs a pair): the same value, bit for bit, on random pieces, identical texts
    and disjoint ones."""
    import numpy as np

    from notes2anki.semantic.token_align import diff_similarity

    def by_isin(ids_x, states_x, ids_y, states_y):
        only_x, only_y = ~np.isin(ids_x, ids_y), ~np.isin(ids_y, ids_x)
        if not only_x.any() and not only_y.any():
            return 1.0
        parts = []
        if only_x.any():
            parts.append((states_x[only_x] @ states_y.T).max(axis=1))
        if only_y.any():
            parts.append((states_y[only_y] @ states_x.T).max(axis=1))
        return float(np.concatenate(parts).astype(np.float64).mean())

    rng = np.random.default_rng(7)

    def text(n, vocab=40):
        states = rng.standard_normal((n, 16)).astype(np.float32)
        return rng.integers(0, vocab, n), states / np.linalg.norm(states, axis=1, keepdims=True)

    cases = [(text(rng.integers(1, 30)), text(rng.integers(1, 30))) for _ in range(300)]
    same = text(12)
    cases += [(same, same), (text(5, 3), text(6, 3)), ((np.arange(4), text(4)[1]), (np.arange(4) + 10, text(4)[1]))]
    for (ix, sx), (iy, sy) in cases:
        assert diff_similarity(ix, sx, iy, sy) == by_isin(ix, sx, iy, sy)
