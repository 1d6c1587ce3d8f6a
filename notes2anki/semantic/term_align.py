"""Which content words two cards do not share, and whether the model reads them as the same thing.

Cosines of whole sentences cannot tell "Mitosis produces?" from "Meiosis produces?" (one word differs) nor
see that "What is the function of the mitochondria?" and "What is the main job of the mitochondrion?" ask
the same (other words, same meaning). Both turn on the words that *differ*. For a pair of texts this module:

1. takes each text's content words (:func:`notes2anki.semantic.contrast.tokens`: stems, question words and
   stop words left out) and matches them across the two texts *lexically* (equal up to inflection, typos,
   abbreviations and initialisms: "TLB" / "translation lookaside buffer");
2. embeds every content word on its own with the same sentence model (a word vector; cached with the card
   vectors) and aligns each word to its most similar word on the other side, as BERTScore aligns tokens
   (Zhang et al. 2020, "BERTScore: Evaluating Text Generation with BERT"; here with context-free word
   vectors from the same model, so no second model run per pair): precision, recall and their F1, a
   lexical match counting 1;
3. reports the words left unmatched lexically (the *symmetric difference*), how well the model aligns them
   to the other side, and whether one of them is the other side's word with a negating or opposing prefix
   (non-/un-/in-/dis-/anti-; "competitive" vs "non-competitive"): that is an opposite, never a synonym.

All of it is a handful of small matrix products per pair; :func:`needed_words` lists the words a batch of
pairs needs so that they are embedded in one call.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Mapping

import numpy as np

from . import contrast

# Prefixes that negate or oppose the rest of a word in English and the Latin-derived vocabulary of
# sciences (a closed grammatical class, not a list of words): non-competitive, unsaturated, insoluble,
# dissociation, antiparallel, asymmetric.
NEGATING_PREFIXES = ("non", "un", "in", "im", "il", "ir", "dis", "anti", "a", "de", "counter", "contra")
MAX_WORDS = 40  # content words per text used for alignment (long answers: their first words)


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> tuple[str, ...]:
    """The distinct content-word stems of ``text``, in order of first appearance (at most :data:`MAX_WORDS`)."""
    seen: dict[str, None] = {}
    for stem, content in contrast.tokens(text):
        if content and stem not in seen:
            seen[stem] = None
            if len(seen) >= MAX_WORDS:
                break
    return tuple(seen)


@lru_cache(maxsize=1 << 16)
def _initials(text: str) -> frozenset[str]:
    words = tuple(w for w, _ in contrast.tokens(text))
    return frozenset("".join(w[0] for w in words[i:i + n]) for n in (2, 3, 4) for i in range(len(words) - n + 1))


def _lexical(words: tuple[str, ...], other: tuple[str, ...], other_text: str) -> np.ndarray:
    """For each of ``words``: 1.0 when it matches a word of ``other`` (same up to inflection, typo,
    abbreviation) or is the initialism of words of ``other_text``."""
    initials = _initials(other_text)
    return np.array([1.0 if w in other or (w in initials and len(w) >= 2) or any(_same(w, v) for v in other)
                     else 0.0 for w in words])


@lru_cache(maxsize=1 << 18)
def _same(a: str, b: str) -> bool:
    """``contrast._same_word``, remembered: a vault's word pairs recur across its candidate pairs."""
    return contrast._same_word(a, b)


def negating_prefix(word: str, others: Iterable[str]) -> bool:
    """Whether ``word`` is one of ``others`` with a negating prefix, or the reverse ("noncompetitive" /
    "competitive", "unsaturated" / "saturated"; the rest must be 4+ letters), or a negating prefix of 3+
    letters standing alone (the tokens of "non-collocated" are "non" and "collocated")."""
    if word in NEGATING_PREFIXES and len(word) >= 3:  # "non-collocated": the prefix is a word of its own
        return True
    for other in others:
        long_, short = (word, other) if len(word) > len(other) else (other, word)
        if len(short) >= 4 and long_.endswith(short) and long_[:len(long_) - len(short)] in NEGATING_PREFIXES:
            return True
    return False


@dataclass(frozen=True)
class Alignment:
    """How the content words of text a and text b align (see the module docstring); all in [0, 1]."""

    precision: float  # mean over b's words of the best similarity to a word of a
    recall: float  # mean over a's words of the best similarity to a word of b
    f1: float
    unmatched: float  # share of all content words (both sides) with no lexical match on the other side
    unmatched_sim: float  # mean best similarity of the unmatched words to the other side (1.0: none)
    worst: float  # the lowest best-similarity of any word (1.0: no words)
    negated: bool  # an unmatched word is a word of the other side with a negating prefix
    added: int = 0  # unmatched words of one side when the other side has none (a narrower question)


EMPTY = Alignment(1.0, 1.0, 1.0, 0.0, 1.0, 1.0, False)


def align(a: str, b: str, vectors: Mapping[str, np.ndarray] | None) -> Alignment:
    """Align the content words of ``a`` and ``b``. ``vectors``: word -> unit vector (None or a missing
    word: lexical matching only, similarity 0 for unmatched words)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return EMPTY if not wa and not wb else Alignment(0.0, 0.0, 0.0, 1.0, 0.0, 0.0, False)
    lex_a, lex_b = _lexical(wa, wb, b), _lexical(wb, wa, a)
    sims = np.zeros((len(wa), len(wb)))
    if vectors is not None:
        va = [vectors.get(w) for w in wa]
        vb = [vectors.get(w) for w in wb]
        if all(v is not None for v in va) and all(v is not None for v in vb):
            sims = np.clip(np.stack(va) @ np.stack(vb).T, 0.0, 1.0)
    best_a = np.maximum(sims.max(axis=1), lex_a)
    best_b = np.maximum(sims.max(axis=0), lex_b)
    recall, precision = float(best_a.mean()), float(best_b.mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    loose = np.concatenate([best_a[lex_a == 0], best_b[lex_b == 0]])
    unmatched_a = [w for w, hit in zip(wa, lex_a) if not hit]
    unmatched_b = [w for w, hit in zip(wb, lex_b) if not hit]
    negated = any(negating_prefix(w, wb) for w in unmatched_a) or any(negating_prefix(w, wa) for w in unmatched_b)
    added = len(unmatched_a) if not unmatched_b else len(unmatched_b) if not unmatched_a else 0
    return Alignment(precision, recall, f1, len(loose) / (len(wa) + len(wb)),
                     float(loose.mean()) if len(loose) else 1.0,
                     float(min(best_a.min(), best_b.min())), negated, added)


def needed_words(texts: Iterable[str]) -> list[str]:
    """The distinct content words of ``texts`` (to embed them in one batch), sorted."""
    out: set[str] = set()
    for text in texts:
        out.update(content_words(text))
    return sorted(out)


def word_vectors(words: list[str], embed: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """word -> unit vector, each word embedded on its own by ``embed`` (texts -> unit rows)."""
    if not words:
        return {}
    found = embed(words)
    return {w: np.asarray(v, dtype=np.float64) for w, v in zip(words, found)}
