"""The scikit-learn-free character n-grams (semantic/chargrams.py) equal scikit-learn's HashingVectorizer."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from notes2anki.semantic import pair_features
from notes2anki.semantic.chargrams import char_wb_grams, char_wb_matrix

TEXTS = ["", " ", "a", "ab", "What is the role of soil in compost?", "İstanbul ǅungla STRASSE ẞ", "何か？ 何か。",
         "tab\tsep\n\nnew  line", "x" * 300, "emoji 🙂 and ZWJ 👩‍👩‍👧 family", "Ω≈ç√∫ µ ≤≥ ÷", "a b c d e f",
         "Příliš žluťoučký kůň úpěl ďábelské ódy", "naïve café — déjà vu", "\u0130 \u212a \u00df upper/lower"]


def _sklearn(texts, lo=2, hi=4, n_features=pair_features._CHAR_FEATURES):
    from sklearn.feature_extraction.text import HashingVectorizer

    matrix = HashingVectorizer(analyzer="char_wb", ngram_range=(lo, hi), n_features=n_features,
                               alternate_sign=False, norm="l2", lowercase=True).transform(texts)
    matrix.sort_indices()
    return matrix


def _real_texts(limit=4000):
    vaults = Path(__file__).resolve().parents[2].parent / "shared" / "realvaults"
    texts = []
    for path in sorted(vaults.rglob("*.md"))[:400]:
        texts += [line for line in path.read_text("utf-8", "replace").split("\n") if line.strip()][:20]
    return texts[:limit]


@pytest.mark.parametrize("lo,hi,n_features", [(2, 4, 1 << 18), (1, 3, 1 << 10), (3, 5, 97)])
def test_same_values_as_scikit_learn(lo, hi, n_features):
    texts = [pair_features._PUNCTUATION.sub(" ", t) for t in TEXTS + _real_texts()]
    indptr, indices, data = char_wb_matrix(texts, lo, hi, n_features)
    ref = _sklearn(texts, lo, hi, n_features)
    assert np.array_equal(indptr, ref.indptr)
    assert np.array_equal(indices, ref.indices)
    assert np.array_equal(data, ref.data)  # the same bits, not only close


def test_char_vectors_equal_scikit_learn_and_import_neither_it_nor_scipy_stats():
    texts = TEXTS + ["Which soil is typical of compost?"] * 2
    ours = pair_features.char_vectors(texts)
    ref = _sklearn([pair_features._PUNCTUATION.sub(" ", t) for t in texts])
    assert (ours != ref).nnz == 0
    code = ("import sys; from notes2anki.semantic.pair_features import char_vectors; char_vectors(['a b']); "
            "print(sorted(m for m in ('sklearn', 'scipy.stats', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_short_words_count_once_as_in_scikit_learn():
    assert char_wb_grams("a", 2, 4) == [" a", "a ", " a "]
    assert char_wb_grams("ab", 2, 4) == [" a", "ab", "b ", " ab", "ab ", " ab "]


def test_the_memo_gives_the_computed_rows_whatever_mixes_them(tmp_path, monkeypatch):
    """chargram_memo holds rows in blocks (one per computation or stored file) and gathers them: every mix of
    new, known, stored and repeated texts gives the rows of n-gramming the texts directly, bit for bit."""
    from notes2anki.semantic import chargram_memo
    from notes2anki.semantic.pair_features import _CHAR_FEATURES, char_vectors

    def same(got, texts):
        want = char_vectors(texts)
        want.sort_indices()
        got = got.tocsr()
        assert got.shape == want.shape
        assert np.array_equal(np.diff(got.indptr), np.diff(want.indptr))
        assert np.array_equal(got.indices, want.indices) and np.array_equal(got.data, want.data)

    chargram_memo._rows.clear()
    path = chargram_memo.path_for(tmp_path, "entry")
    chargram_memo.load(path)  # nothing stored yet
    calls = []

    def compute(batch):
        calls.append(len(batch))
        return char_vectors(batch)

    first = TEXTS[:8]
    same(chargram_memo.vectors(first, compute, _CHAR_FEATURES), first)  # all new: the computed block
    mixed = [TEXTS[9], TEXTS[2], TEXTS[9], TEXTS[0], TEXTS[10], TEXTS[4]]  # new, known, repeated
    same(chargram_memo.vectors(mixed, compute, _CHAR_FEATURES), mixed)
    assert calls == [8, 2]
    chargram_memo.save(path)
    chargram_memo._rows.clear()
    chargram_memo.load(path)  # a stored block, then a new one
    again = [TEXTS[14], TEXTS[4], TEXTS[9], TEXTS[11], TEXTS[1], TEXTS[11]]
    same(chargram_memo.vectors(again, compute, _CHAR_FEATURES), again)
    assert calls == [8, 2, 2]  # only 14 and 11 were not stored
    same(chargram_memo.vectors([], compute, _CHAR_FEATURES), [])
    monkeypatch.setattr(chargram_memo, "MAX_ENTRIES", 5)  # full: the memo starts again
    same(chargram_memo.vectors(TEXTS[:6], compute, _CHAR_FEATURES), TEXTS[:6])
    same(chargram_memo.vectors(TEXTS[3:5], compute, _CHAR_FEATURES), TEXTS[3:5])
    chargram_memo._rows.clear()


def test_texts_taken_in_chunks_give_the_same_matrix(monkeypatch):
    from notes2anki.semantic import chargrams

    texts = TEXTS * 3 + ["", "", "only one"]
    whole = char_wb_matrix(texts, 2, 4, pair_features._CHAR_FEATURES)
    monkeypatch.setattr(chargrams, "CHUNK_TEXTS", 4)  # chunks with empty texts, a last short chunk
    parts = char_wb_matrix(texts, 2, 4, pair_features._CHAR_FEATURES)
    for a, b in zip(whole, parts):
        assert a.dtype == b.dtype and np.array_equal(a, b)
