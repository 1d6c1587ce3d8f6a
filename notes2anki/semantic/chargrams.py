"""Hashed character n-gram vectors without scikit-learn (issue 13: importing scikit-learn, which pulls in
scipy.stats, took 1.2–1.7 s of a 10,000-card ``build`` after editing one card, only to n-gram that card).

:func:`char_wb_matrix` gives, value for value, what scikit-learn's
``HashingVectorizer(analyzer="char_wb", ngram_range=(lo, hi), n_features=F, alternate_sign=False,
norm="l2", lowercase=True).transform(texts)`` gives (tested against it on card texts of every kind):

* each text is lower-cased (``str.lower``) and split at white space; each word, padded with one space on
  either side, gives its n-grams of each length from ``lo`` to ``hi`` (a word shorter than ``n`` once, as
  scikit-learn's ``_char_wb_ngrams`` does);
* each n-gram's UTF-8 bytes are hashed with 32-bit MurmurHash3 (seed 0, signed), as
  ``sklearn.utils.murmurhash3_32`` does: column ``abs(h) % F`` (h = -2**31 gives column 0 for a power of
  two F, as there); the value of a column is its count;
* rows are divided by their l2 norm. The counts are whole numbers, so the sum of their squares is exact
  in float64 and the norm and quotients round exactly as scikit-learn's (same bits).

MurmurHash3 comes from the ``mmh3`` package (a C extension, imported in milliseconds), each distinct
word's n-grams hashed once per process. Returns the CSR parts (``indptr``, ``indices``, ``data``) so callers can
assemble a scipy matrix or keep rows as arrays; nothing here imports scipy.
"""
from __future__ import annotations

from typing import Sequence

import mmh3
import numpy as np

_INT32_MIN = -2147483648
_words: dict[tuple[str, int, int, int], list[int]] = {}  # (word, lo, hi, n_features) -> its n-grams' columns
MAX_MEMO = 500_000  # distinct words remembered per process


def _column(gram: str, n_features: int, _hash=mmh3.hash) -> int:
    h = _hash(gram.encode("utf-8", "surrogatepass"), 0, True)
    if h == _INT32_MIN:
        return (2147483647 - (n_features - 1)) % n_features
    return abs(h) % n_features


def char_wb_grams(text: str, lo: int, hi: int) -> list[str]:
    """The n-grams of ``text`` (already lower-cased) as scikit-learn's ``char_wb`` analyzer lists them."""
    out: list[str] = []
    append = out.append
    for word in text.split():
        w = " " + word + " "
        length = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            append(w[:n])
            while offset + n < length:
                offset += 1
                append(w[offset:offset + n])
            if offset == 0:  # a short word counts once
                break
    return out


def _word_columns(word: str, lo: int, hi: int, n_features: int) -> list[int]:
    """The columns of one lower-case word's n-grams (with repeats), as :func:`char_wb_grams` lists them."""
    key = (word, lo, hi, n_features)
    cols = _words.get(key)
    if cols is None:
        cols = _words[key] = [_column(g, n_features) for g in char_wb_grams(word, lo, hi)]
    return cols


def char_wb_matrix(texts: Sequence[str], lo: int, hi: int,
                   n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR parts ``(indptr int64, indices int32 sorted per row, data float64 l2-normalised)`` of the hashed
    ``char_wb`` n-gram counts of ``texts`` (see the module doc): one row per text, ``n_features`` columns.
    Texts are taken :data:`CHUNK_TEXTS` at a time (each row depends on its text only): the working lists and
    arrays of 100,000 texts at once held about 1 GB more than the result."""
    if len(texts) <= CHUNK_TEXTS:
        return _matrix(texts, lo, hi, n_features)
    parts = [_matrix(texts[start:start + CHUNK_TEXTS], lo, hi, n_features)
             for start in range(0, len(texts), CHUNK_TEXTS)]
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([np.diff(part[0]) for part in parts]), out=indptr[1:])
    # copied into the result part by part, each part freed once copied: the result's pages are touched as
    # they are filled, so the parts and the whole are not both held
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.float64)
    at = 0
    while parts:
        _, part_indices, part_data = parts.pop(0)
        indices[at:at + len(part_indices)], data[at:at + len(part_data)] = part_indices, part_data
        at += len(part_indices)
        del part_indices, part_data
    return indptr, indices, data


CHUNK_TEXTS = 8192


def _matrix(texts: Sequence[str], lo: int, hi: int, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`char_wb_matrix` of one chunk of texts."""
    if len(_words) > MAX_MEMO:
        _words.clear()
    n = len(texts)
    found: list[int] = []
    lengths = np.zeros(n, dtype=np.int64)
    for row, text in enumerate(texts):
        before = len(found)
        for word in text.lower().split():
            found += _words.get((word, lo, hi, n_features)) or _word_columns(word, lo, hi, n_features)
        lengths[row] = len(found) - before
    keys = np.repeat(np.arange(n, dtype=np.int64), lengths) * n_features + np.array(found, dtype=np.int64)
    keys, counts = np.unique(keys, return_counts=True)  # sorted: by row, then column
    rows = keys // n_features
    indices = (keys - rows * n_features).astype(np.int32)
    data = counts.astype(np.float64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    if len(data):  # squares of whole-number counts: their sums are exact, as in scikit-learn's loop
        norms = np.sqrt(np.add.reduceat(data * data, indptr[:-1][lengths > 0]))
        data /= np.repeat(norms, np.diff(indptr)[lengths > 0])
    return indptr, indices, data
