"""Issue 13, 100,000 cards: the steps that bound memory give the values of the unbounded ones, bit for bit.

* the ONNX encoder tokenizes a chunk of texts at a time into flat arrays and normalises in place
  (``onnx_backend.TOKENIZE_CHUNK``): the same vectors as tokenizing all texts into Encoding objects;
* a cold duplicate check in which every part is small (pairs measured 7 at a time, n-grams 5 texts at a
  time, density score blocks of 3 rows) reports what the default sizes report.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TEXTS = ["What is mitosis?", "", "Which nerve supplies the diaphragm?", "x " * 400, "何か？", "Define entropy.",
         "What is the role of soil in compost?", "Phrenic nerve", "A", "the the the", "İstanbul ǅungla"] * 3


def _unbounded(encoder, texts, batch_size=32):
    """OnnxEncoder.encode as it was before chunked tokenization (all Encoding objects at once)."""
    items = [t.lower() for t in texts] if encoder.lower_case else list(texts)
    encodings = encoder.tokenizer.encode_batch(items)
    order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
    out = None
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        width = max(1, max(len(encodings[i].ids) for i in rows))
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for r, i in enumerate(rows):
            e = encodings[i]
            ids[r, :len(e.ids)], mask[r, :len(e.ids)], types[r, :len(e.ids)] = e.ids, e.attention_mask, e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        vectors = encoder.session.run(None, {name: feed[name] for name in encoder.inputs})[0]
        if out is None:
            out = np.zeros((len(items), vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def test_chunked_tokenizing_gives_the_same_vectors(embedder, monkeypatch):
    from notes2anki.semantic import encoder as enc, onnx_backend

    embedder.embed(["warm up for the bounded-memory test"])
    loaded = [e for e in enc._ONNX.values() if isinstance(e, onnx_backend.OnnxEncoder)]
    if not loaded:
        pytest.skip("the ONNX backend is not in use")
    encoder = loaded[0]
    want = _unbounded(encoder, TEXTS)
    for chunk in (1, 7, onnx_backend.TOKENIZE_CHUNK):
        monkeypatch.setattr(onnx_backend, "TOKENIZE_CHUNK", chunk)
        got = encoder.encode(TEXTS, batch_size=32)
        assert got.dtype == np.float32 and np.array_equal(got, want), chunk


def test_a_check_in_small_parts_reports_what_the_default_sizes_report(embedder, monkeypatch, tmp_path):
    from notes2anki.parsers import load_vault
    from notes2anki.semantic import chargram_memo, chargrams, pair_workers
    from notes2anki.semantic.dupes import find_duplicates

    vault = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dupes_vault"
    if not vault.is_dir():
        pytest.skip(f"{vault} is not there (../shared)")
    cards = load_vault(vault).cards

    def check():
        report = find_duplicates(cards, embedder=embedder, use_cache=False)
        return ([(p.a.key, p.b.key, p.score, p.kind) for p in report.pairs],
                [(r.a.key, r.b.key, r.score) for r in report.rejected])

    want = check()
    assert want[0] and want[1]  # pairs reported and candidates rejected
    monkeypatch.setattr(pair_workers, "CHUNK_PAIRS", 7)
    monkeypatch.setattr(pair_workers, "MIN_PAIRS", 2)
    monkeypatch.setattr(chargrams, "CHUNK_TEXTS", 5)
    chargram_memo._rows.clear()  # n-grammed again, 5 texts at a time
    assert check() == want


def test_density_in_small_blocks_equals_one_block():
    from notes2anki.semantic.local_density import density

    rng = np.random.default_rng(5)
    v = rng.normal(size=(50, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    rows = list(range(0, 50, 2)) + [1, 7]
    assert np.array_equal(density(v, rows, 4, block=3), density(v, rows, 4, block=1024))
