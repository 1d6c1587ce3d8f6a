"""Token states of ``ctx_diff`` kept from the sentence-vector pass (token_keep.py), with the bundled model: the same
bits as a second pass (TokenEncoder.states), so every feature row, verdict and labelled-set figure stays the same."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from notes2anki.semantic import token_align, token_keep
from notes2anki.semantic.dupes import card_side
from notes2anki.semantic.encoder import Embedder
from notes2anki.semantic.evaluate import load_pairs
from notes2anki.semantic.pair_features import FEATURES, Side, encode
from notes2anki.semantic.scoring import measure

EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
FALLBACK = [("Define opportunity cost.", "What is opportunity cost?"),
            ("Which port does HTTPS use?", "Which port does SSH use?"),
            ("What is the function of the mitochondria? | ATP", "Main job of the mitochondrion? | makes ATP"),
            ("", "x")]


def _sides() -> list[Side]:
    """Card sides of the dev pairs (a slice of ../shared/eval/dupes_pairs.jsonl), else a few written here."""
    path = EVAL / "dupes_pairs.jsonl"
    if path.is_file():
        return [card_side(card) for pair in load_pairs(path)[:90] for card in (pair.a, pair.b)]
    return [Side(*t.split(" | "), t) if " | " in t else Side(t, "", t) for pair in FALLBACK for t in pair]


def _fresh(backend: str | None = None) -> Embedder:
    """An embedder with an empty cache (so every text reaches the model) on the session's conversion."""
    return Embedder(cache_path=":memory:", backend=backend)


@pytest.mark.parametrize("backend", [None, "onnx-int8"])
def test_kept_states_are_the_bits_of_the_second_pass(embedder, backend, monkeypatch):
    """fp32 and the per-row int8 graph: a card text's states kept while the sentence pass embeds it (batched
    with the questions and answers, padded to other widths) equal TokenEncoder.states bit for bit, so do the
    ctx_diff rows measured with them; every card text aligned is taken from the pass, none computed again."""
    if embedder.plan.backend != "onnx":
        pytest.skip("the ONNX graphs are not in use")
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(embedder.plan.folder.parent))
    with _fresh(backend) as model:
        if backend and not model.approximate:
            pytest.skip("the conversion kept no int8 graph")
        source = token_align.source_for(model.embed)  # the session that outputs both (written once)
        sides = _sides()
        pairs = [(k, k + 1) for k in range(0, len(sides) - 1, 2)]
        texts = [s.text for s in sides]
        with token_keep.keeping(texts):
            enc = encode(sides, model.embed)
            kept = token_keep.take(source.session, texts)
            assert set(kept) == set(texts)
            store = token_align._Store(source)
            store.need(texts)
            assert store.taken == len(set(texts)) and store.computed == 0
            rows = measure(enc, pairs, gate=None)
        again = source.states(texts)
        for text, (ids, states) in zip(texts, again):
            assert np.array_equal(kept[text][0], ids) and np.array_equal(kept[text][1], states)
            assert kept[text][1].dtype == np.float32 and kept[text][0].dtype == np.int64
        ctx = FEATURES.index(token_align.NAME)
        assert np.array_equal(rows, measure(enc, pairs, gate=None))  # no block: today's second pass
        assert rows[:, ctx].min() < 1.0


def test_outside_the_block_nothing_is_kept_and_the_file_is_gone(embedder, tmp_path, monkeypatch):
    """The temporary file lies in the cache dir while the block runs (unlinked at once where the system
    allows) and is closed at its end, an error included; after it, nothing is taken."""
    if embedder.plan.backend != "onnx":
        pytest.skip("the ONNX graphs are not in use")
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(embedder.plan.folder.parent))
    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path))
    with _fresh() as model:
        source = token_align.source_for(model.embed)
        texts = ["What is kept in the file?", "What is the file's size cap?"]
        with pytest.raises(KeyboardInterrupt):
            with token_keep.keeping(texts):
                model.embed(texts)
                kept = token_keep._ACTIVE
                assert token_keep.stats()["texts"] == 2 and kept.file is not None
                fd = kept.file.fileno()
                assert os.name != "posix" or not list(tmp_path.glob("token-states-*"))  # unlinked at once
                raise KeyboardInterrupt
        assert kept.file is None and token_keep._ACTIVE is None and token_keep.stats() == {}
        with pytest.raises(OSError):
            os.fstat(fd)  # closed
        assert token_keep.take(source.session, texts) == {}
        assert not list(tmp_path.glob("token-states-*"))


def test_texts_past_the_cap_or_from_the_cache_are_computed_on_demand_with_the_same_values(embedder, monkeypatch):
    """A cap of one text's states keeps the first text only; texts the embedding cache serves never reach the
    model; both are computed on demand as before, with the same ctx_diff."""
    if embedder.plan.backend != "onnx":
        pytest.skip("the ONNX graphs are not in use")
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(embedder.plan.folder.parent))
    source = token_align.source_for(embedder.embed)
    texts = ["Which enzyme unwinds DNA? Helicase", "What unwinds the double helix? DNA helicase",
             "Which enzyme seals nicks in DNA? Ligase"]
    pairs = [(0, 1), (0, 2), (1, 2)]
    before = token_align.pair_values(texts, pairs, source)
    with _fresh() as model:
        with token_keep.keeping(texts, cap=1):
            model.embed(texts)
            assert token_keep.stats()["texts"] == 0  # nothing fits
    one = source.states(texts[:1])[0]
    with _fresh() as model:
        with token_keep.keeping(texts, cap=one[1].nbytes + one[0].nbytes):
            model.embed([texts[0]])
            model.embed(texts)
            assert token_keep.stats()["texts"] == 1
            assert token_align.pair_values(texts, pairs, source) == before
            assert token_keep.stats()["served"] == 1
        embedder.embed(texts)  # cached now: not encoded again
        with token_keep.keeping(texts):
            embedder.embed(texts)
            assert token_keep.stats()["texts"] == 0
            assert token_align.pair_values(texts, pairs, source) == before


def test_the_first_check_after_a_conversion_keeps_the_states_too(embedder, tmp_path, monkeypatch):
    """The graph with the token-state output is derived from the converted one on first need: it was written
    after the sentence pass of the first check after a conversion, so that check ran the second pass. A session
    loaded inside a keeping block now writes it first and outputs the states."""
    import shutil

    from notes2anki.semantic import encoder as encoder_module

    _ = embedder.embed(["warm up"])  # the session's conversion exists
    folder = embedder.plan.folder
    assert folder is not None and (folder / "meta.json").is_file()
    fresh = tmp_path / "onnx" / folder.name
    shutil.copytree(folder, fresh)
    for derived in fresh.glob("*.tokens-*.onnx"):
        derived.unlink()
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(tmp_path / "onnx"))
    monkeypatch.setattr(encoder_module, "_ONNX", {})
    texts = ["What is the powerhouse of the cell? | Mitochondria", "Which organelle makes ATP? | The mitochondrion"]
    with token_keep.keeping(texts):
        with _fresh() as e:
            assert e.plan.folder == fresh
            e.embed(texts)
            assert token_keep.stats()["texts"] == 2
    assert list(fresh.glob("*.tokens-*.onnx"))
