"""Contextual alignment of the word pieces two card texts do not share (feature ``ctx_diff``).

BERTScore (Zhang et al. 2020, ICLR) matches each token of one text to its most similar token of the other by the
cosine of their *contextual* vectors, the sentence model's last hidden state (:mod:`~notes2anki.semantic.token_states`),
and averages. Over a whole card text that average mostly counts the words both cards share; ``ctx_diff`` averages
it over the word pieces that the other text lacks (by piece id), on both sides: how the model reads what
differs, each piece in its sentence. A reworded duplicate's differing pieces still find a close partner
("mitochondria" / "mitochondrion", "Define X" / "What is X"); a sibling card's differing pieces are the fact
it adds, whose best partner on the other card is far. 1.0 when neither text has a piece the other lacks.

Measured before shipping (feature version 14, dev set ``../shared/eval`` with the project's training pairs,
6-fold CV grouped by subject, threshold by the fit's rule): the card texts' ``ctx_diff`` on the last hidden
state lifted grouped CV from 0.956 / 0.768 to 0.977 / 0.768 and the held-out ``dupe_pairs_test`` from
0.930 / 0.930 to 0.955 / 0.930; BERTScore F1 of the questions, answers, cross question-answer or card texts
(with or without IDF weights), the worst-aligned piece, and the same on layers 0-4 did not help (36 variants
compared on grouped CV; the held-out figures were printed beside them, so that check is not blind). Antonyms
in one frame still read alike: "Inversion of a major third?" / "... of a minor third?" is the dev vault's one
false pair.

Cost: the token states of every card text in an aligned pair, held in a bounded store (:data:`STORE_ROWS` token
rows). On the CPU with the ONNX backend they come from the sentence-vector pass that embedded the text, the
same forward pass asked for its second output (:mod:`~notes2anki.semantic.token_keep`: kept in a temporary
file for the duplicate check, never across runs); a text that pass did not encode (served by the embedding
cache, past the file's cap; the PyTorch backend, CUDA) is computed on demand by a second pass. The pairs'
feature rows are memoised by the pair cache, so an edit aligns only its pairs (10,000-card bench vault: 39
pairs, 43 texts; the edited ones from their sentence pass). Only the pairs the model could report are aligned
(:func:`notes2anki.semantic.scoring.fill_context`): a cold check of that vault aligns 22,476 of its 98,837
candidate pairs, 9,447 card texts; their second pass cost 46 s CPU with fp32 states (57 s ungated; the int8
graph's about half), taking them from the sentence pass costs writing and reading 232 MiB of states (README,
issue 13).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Sequence

import numpy as np

from notes2anki.semantic import token_keep

NAME = "ctx_diff"
STORE_ROWS = 120_000  # token rows held at once (float32, 384 wide: about 180 MB); older texts are dropped first
BLOCK_PAIRS = 512  # pairs whose missing texts are encoded together


def diff_similarity(ids_x: np.ndarray, states_x: np.ndarray, ids_y: np.ndarray, states_y: np.ndarray) -> float:
    """Mean, over the word pieces of each text whose id the other text lacks, of the piece's best cosine to
    any piece of the other text (unit rows ``states_*``, ids ``ids_*``); 1.0 when no piece differs."""
    shared = ids_x[:, None] == ids_y[None, :]  # (a few dozen pieces each: 13× faster than two np.isin)
    only_x = ~shared.any(axis=1)
    only_y = ~shared.any(axis=0)
    if not only_x.any() and not only_y.any():
        return 1.0
    parts = []
    if only_x.any():
        parts.append((states_x[only_x] @ states_y.T).max(axis=1))
    if only_y.any():
        parts.append((states_y[only_y] @ states_x.T).max(axis=1))
    return float(np.concatenate(parts).astype(np.float64).mean())


class _Store:
    """Token states by text, least recently used dropped first beyond ``limit`` rows."""

    def __init__(self, source: Any, limit: int | None = None):
        self.source, self.limit, self.rows = source, STORE_ROWS if limit is None else limit, 0
        self.held: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.computed = 0  # texts encoded (a dropped text needed again counts again)
        self.taken = 0  # texts whose states came from the sentence pass (token_keep.py)

    def need(self, texts: Sequence[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self.held))
        for t in texts:
            if t in self.held:
                self.held.move_to_end(t)
        if not missing:
            return
        session = getattr(self.source, "session", None)  # (TorchTokens: none, nothing kept)
        kept = token_keep.take(session, missing) if session is not None else {}
        missing = [t for t in missing if t not in kept]
        found = list(kept.items()) + (list(zip(missing, self.source.states(missing))) if missing else [])
        for text, states in found:
            self.held[text] = states
            self.rows += len(states[0])
        self.computed += len(missing)
        self.taken += len(kept)
        keep = set(texts)
        while self.rows > self.limit and self.held:
            oldest = next(iter(self.held))
            if oldest in keep:  # the block's own texts stay until it is measured
                break
            self.rows -= len(self.held.pop(oldest)[0])


def source_for(embed: Any) -> Any:
    """The token-state source of the encoder behind ``embed``: a bound ``Embedder.embed`` (or
    ``LazyEmbedder.embed``), possibly wrapped by a memo that keeps it as ``_embed``
    (:class:`~notes2anki.semantic.vector_memo.VectorMemo`): its ONNX graph variant (fp32 or int8, as its
    sentence vectors), else its PyTorch model. Raises TypeError for any other ``embed``: the feature must
    come from the model whose sentence vectors the pair is measured on."""
    from notes2anki.semantic import token_states
    from notes2anki.semantic.encoder import Embedder

    seen = embed
    for _ in range(4):
        owner = getattr(seen, "__self__", None)
        owner = getattr(owner, "real", owner)  # a LazyEmbedder: its Embedder
        if isinstance(owner, Embedder):
            return token_states.for_embedder(owner)
        seen = getattr(seen, "_embed", None)
        if seen is None:
            break
    raise TypeError(f"no sentence model behind {embed!r} for the token states of {NAME}")


def pair_values(texts: Sequence[str], pairs: Sequence[tuple[int, int]], source: Any) -> dict[tuple[int, int], float]:
    """``ctx_diff`` of index ``pairs`` of ``texts`` (card texts), their states from ``source``
    (``states(texts)``: see :meth:`~notes2anki.semantic.token_states.TokenEncoder.states`)."""
    store = _Store(source)
    out: dict[tuple[int, int], float] = {}
    pairs = list(pairs)
    step = BLOCK_PAIRS
    for start in range(0, len(pairs), step):
        block = pairs[start:start + step]
        store.need([texts[k] for p in block for k in p])
        for i, j in block:
            a, b = store.held[texts[i]], store.held[texts[j]]
            out[(i, j)] = diff_similarity(a[0], a[1], b[0], b[1])
    return out
