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
