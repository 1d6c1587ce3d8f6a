"""The vectors topics are clustered on: sentence embeddings blended with the note's vector, or, for a vault
mostly in a language the embedding model does not read, latent-semantic vectors of character n-grams
(see :mod:`notes2anki.semantic.topics` for how they are used)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Card, Vault
from .language import covered
from .note_cache import cached_note_vectors
from .result_cache import ResultCache
from .text import card_text

NOTE_BLEND = 0.5  # card vector + NOTE_BLEND * note vector
LSA_DIMS = 100


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def chargram_vectors(texts: Sequence[str], dims: int = LSA_DIMS) -> np.ndarray:
    """Latent-semantic vectors of character 2–4-grams (TF-IDF, truncated SVD), unit rows; computed on the
    texts in sorted order so that the result does not depend on their order."""
    return chargram_space(texts, dims)[0]


def chargram_space(texts: Sequence[str], dims: int = LSA_DIMS):
    """:func:`chargram_vectors` of ``texts`` and a function that maps other texts into the same space (unit
    rows; zeros for a text none of whose n-grams were seen)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return np.zeros((0, 1)), lambda more: np.zeros((len(more), 1))
    order = sorted(range(len(texts)), key=lambda i: texts[i])
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2 if len(texts) > 50 else 1)
    try:
        m = tfidf.fit_transform([texts[i] for i in order])
    except ValueError:  # no n-gram occurs twice
        return np.zeros((len(texts), 1)), lambda more: np.zeros((len(more), 1))
    dims = max(1, min(dims, m.shape[0] - 1, m.shape[1] - 1))
    svd = TruncatedSVD(n_components=dims, algorithm="arpack", random_state=0) if dims >= 2 else None
    reduced = svd.fit_transform(m) if svd is not None else m.toarray()
    out = np.zeros((len(texts), reduced.shape[1]))
    out[order] = reduced

    def project(more: Sequence[str]) -> np.ndarray:
        rows = tfidf.transform(list(more))
        return _unit(svd.transform(rows) if svd is not None else rows.toarray())

    return _unit(out), project


@dataclass
class VaultVectors:
    """The vectors topics clusters: the vault's cards, their texts, one unit row per card in ``x`` (shape
    (cards, dim); zeros for a card without text), how they were made ("embeddings" or "chargrams") and
    how many cards the model does not read."""

    cards: list[Card]
    texts: list[str]
    x: np.ndarray  # unit rows (zero for a card without text)
    method: str = "embeddings"  # or "chargrams"
    uncovered: int = 0  # cards the model does not read


def vault_vectors(vault: Vault, embedder, *, blend: float = NOTE_BLEND, model: object = None,
                  results: ResultCache | None = None) -> VaultVectors:
    """The vault's cards (notes by path, cards in file order), their texts and unit vectors: card text
    blended with its note's vector, or character n-gram vectors when most cards are not read by ``model``
    (None: the bundled one). ``results``: where note vectors are cached (None: not cached); with character
    n-grams nothing is embedded and ``embedder`` is not used."""
    notes = sorted(vault.notes, key=lambda n: n.path)
    cards = [c for n in notes for c in n.cards]
    texts = [card_text(c) for c in cards]
    if not cards:
        return VaultVectors(cards, texts, np.zeros((0, 0), dtype=np.float32))
    present = [i for i, t in enumerate(texts) if t]  # cards with no text stay zero (and unassigned)
    reads = covered([texts[i] for i in present], model)
    uncovered = reads.count(False)
    if present and uncovered * 2 > len(present):
        found = chargram_vectors([texts[i] for i in present])
        x = np.zeros((len(cards), found.shape[1]))
        x[present] = found
        if blend:
            by_note: dict[str, list[int]] = {}
            for i in present:
                by_note.setdefault(cards[i].file, []).append(i)
            means = {f: _unit(x[rows].mean(axis=0, keepdims=True))[0] for f, rows in by_note.items()}
            x[present] += blend * np.stack([means[cards[i].file] for i in present])
        return VaultVectors(cards, texts, _unit(x).astype(np.float32), "chargrams", uncovered)
    by_note_vec = dict(zip((n.path for n in notes), cached_note_vectors(notes, embedder, results))) if blend else {}
    x = np.zeros((len(cards), 0))
    if present:
        found = embedder.embed([texts[i] for i in present]).astype(np.float64)
        x = np.zeros((len(cards), found.shape[1]))
        x[present] = found
    if blend and present:
        x[present] += blend * np.stack([by_note_vec[cards[i].file] for i in present]).astype(np.float64)
    return VaultVectors(cards, texts, _unit(x).astype(np.float32), "embeddings", uncovered)


