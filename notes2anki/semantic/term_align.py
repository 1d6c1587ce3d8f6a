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
pairs needs so that they are embedded in one call. Speed (a 10,000-card vault has about 98,000 candidate
pairs, each aligned five ways): each text's content words, their set and initialisms, each pair of texts'
lexical matches, each word's lexical match against each other text (:func:`_hits`) and each tuple of words'
stacked vectors (:class:`WordVectors`) are computed once;
:func:`scores`, :func:`negated_between` and :func:`added` give the parts of :func:`align` a measurement
needs without the rest; :func:`scores_many` aligns many pairs of texts in a few stacked matrix products.
Every value equals the one-pair-at-a-time computation (tests/semantic/test_pair_speed_paths.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from . import contrast
from .word_match import word_index

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
    return frozenset("".join(w[0] for w in words[i:i + n]).lower() for n in (2, 3, 4) for i in range(len(words) - n + 1))


@lru_cache(maxsize=1 << 16)
def _word_set(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words)


@lru_cache(maxsize=1 << 17)
def _lexical(words: tuple[str, ...], other: tuple[str, ...], other_text: str) -> np.ndarray:
    """For each of ``words``: 1.0 when it matches a word of ``other`` (same up to inflection, typo,
    abbreviation) or is the initialism of words of ``other_text``. Remembered per pair of texts (a pair of
    cards reads the same two texts in several measurements), and each word's answer per other text
    (:func:`_hits`: a text is read against its ~20 candidate partners, which share most words); the array
    is read-only."""
    hits = _hits(other, other_text)
    out = np.array([hits[w] if w in hits else _hit(hits, w, other, other_text) for w in words])
    out.flags.writeable = False
    return out


def lexical_hits(words: tuple[str, ...], other: tuple[str, ...], other_text: str) -> list[bool]:
    """:func:`_lexical` as a list of booleans (for counting in Python: no array per call)."""
    hits = _hits(other, other_text)
    return [(hits[w] if w in hits else _hit(hits, w, other, other_text)) == 1.0 for w in words]


@lru_cache(maxsize=1 << 16)
def _hits(other: tuple[str, ...], other_text: str) -> dict[str, float]:
    """The answers of :func:`_lexical` against ``other`` / ``other_text`` known so far (word -> 1.0 / 0.0),
    filled by :func:`_hit`."""
    return {}


def _hit(hits: dict[str, float], w: str, other: tuple[str, ...], other_text: str) -> float:
    """Whether ``w`` matches ``other`` / ``other_text`` (see :func:`_lexical`), remembered in ``hits``."""
    found = 1.0 if w in _word_set(other) or (len(w) >= 2 and w.lower() in _initials(other_text)) \
        or any(_same(w, v) for v in word_index(other).near(w)) else 0.0
    hits[w] = found
    return found


@lru_cache(maxsize=1 << 18)
def _same(a: str, b: str) -> bool:
    """``contrast._same_word``, remembered: a vault's word pairs recur across its candidate pairs."""
    return contrast._same_word(a, b)


def negating_prefix(word: str, others: Iterable[str]) -> bool:
    """Whether ``word`` is one of ``others`` with a negating prefix, or the reverse ("noncompetitive" /
    "competitive", "unsaturated" / "saturated"; the rest must be 4+ letters), or a negating prefix of 3+
    letters standing alone (the tokens of "non-collocated" are "non" and "collocated")."""
    return _negating(word, others if isinstance(others, frozenset) else frozenset(others))


@lru_cache(maxsize=1 << 17)
def _negating(word: str, others: frozenset[str]) -> bool:
    """:func:`negating_prefix` by set look-ups: ``word`` = prefix + another word, or another word = prefix +
    ``word`` (a word of equal length is never one: the prefix would be empty)."""
    if word in NEGATING_PREFIXES and len(word) >= 3:  # "non-collocated": the prefix is a word of its own
        return True
    prefixed, rests = _affixed(word)
    return not (others.isdisjoint(prefixed) and others.isdisjoint(rests))


@lru_cache(maxsize=1 << 16)
def _affixed(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """For :func:`_negating`: ``word`` behind each negating prefix (when it has 4+ letters), and what is
    left of it after each negating prefix it starts with (when 4+ letters are left); remembered per word."""
    prefixed = tuple(p + word for p in NEGATING_PREFIXES) if len(word) >= 4 else ()
    rests = tuple(word[len(p):] for p in NEGATING_PREFIXES if word.startswith(p) and len(word) - len(p) >= 4)
    return prefixed, rests


class WordVectors(dict):
    """word -> unit vector (a dict), which also remembers the stacked matrix of each tuple of words it was
    asked for (:func:`align` reads the same texts' words across many pairs). Any change forgets them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.matrices: dict[tuple[str, ...], np.ndarray] = {}

    def __setitem__(self, key, value) -> None:
        self.matrices.clear()
        super().__setitem__(key, value)

    def update(self, *args, **kwargs) -> None:
        """As ``dict.update``; forgets the stacked matrices."""
        self.matrices.clear()
        super().update(*args, **kwargs)

    def __reduce__(self):
        return (WordVectors, (dict(self),))


def _matrix(vectors: Mapping[str, np.ndarray], words: tuple[str, ...]) -> np.ndarray | None:
    """The vectors of ``words`` stacked (one row each), or None when one is missing."""
    cache = getattr(vectors, "matrices", None)
    if cache is not None:
        found = cache.get(words)
        if found is not None:
            return found
    rows = [vectors.get(w) for w in words]
    if any(v is None for v in rows):
        return None
    out = np.stack(rows)
    if cache is not None:
        cache[words] = out
    return out


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
_NO_WORDS = Alignment(0.0, 0.0, 0.0, 1.0, 0.0, 0.0, False)
_maximum, _sum = np.maximum, np.add.reduce


def _best(wa: tuple[str, ...], wb: tuple[str, ...], a: str, b: str, vectors: Mapping[str, np.ndarray] | None):
    """Per word of a and of b: its lexical match (0/1) and its best similarity to the other side."""
    lex_a, lex_b = _lexical(wa, wb, b), _lexical(wb, wa, a)
    ma = _matrix(vectors, wa) if vectors is not None else None
    mb = _matrix(vectors, wb) if ma is not None else None
    if mb is None:  # no vectors: lexical matches only
        return lex_a, lex_b, lex_a, lex_b
    sims = np.clip(ma @ mb.T, 0.0, 1.0)
    return lex_a, lex_b, _maximum(np.maximum.reduce(sims, axis=1), lex_a), _maximum(np.maximum.reduce(sims, axis=0), lex_b)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def scores(a: str, b: str, vectors: Mapping[str, np.ndarray] | None) -> tuple[float, float, float]:
    """``(precision, recall, f1)`` of :func:`align` alone (the same values, less work)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return (1.0, 1.0, 1.0) if not wa and not wb else (0.0, 0.0, 0.0)
    _, _, best_a, best_b = _best(wa, wb, a, b, vectors)
    recall, precision = float(_sum(best_a) / len(wa)), float(_sum(best_b) / len(wb))
    return precision, recall, _f1(precision, recall)


def scores_many(requests: Sequence[tuple[str, str]], vectors: Mapping[str, np.ndarray] | None,
                negated: Sequence[bool] = (), block_bytes: int = 1 << 25) -> np.ndarray:
    """:func:`scores` of many text pairs ``(a, b)``: an (n, 4) array of precision, recall, F1 and, for the
    requests whose ``negated[k]`` is true, :func:`negated_between` as 0/1 (else 0). Pairs whose word counts
    agree are aligned together (one stacked matrix product per block of at most ``block_bytes`` of word
    vectors), so the cost is a few numpy calls per block instead of several per pair; the values are those
    of :func:`scores` (the same products, summed the same way; tested equal)."""
    out = np.zeros((len(requests), 4))
    groups: dict[tuple[int, int], list] = {}
    for k, (a, b) in enumerate(requests):
        wa, wb = content_words(a), content_words(b)
        if not wa or not wb:
            out[k, :3] = (1.0, 1.0, 1.0) if not wa and not wb else (0.0, 0.0, 0.0)
            continue
        lex_a, lex_b = _lexical(wa, wb, b), _lexical(wb, wa, a)
        if k < len(negated) and negated[k]:
            out[k, 3] = float(_negated(_unmatched(wa, lex_a), _unmatched(wb, lex_b), wa, wb))
        ma = _matrix(vectors, wa) if vectors is not None else None
        mb = _matrix(vectors, wb) if ma is not None else None
        if mb is None:  # no vectors: lexical matches only
            recall, precision = float(_sum(lex_a) / len(wa)), float(_sum(lex_b) / len(wb))
            out[k, :3] = (precision, recall, _f1(precision, recall))
            continue
        groups.setdefault((len(wa), len(wb)), []).append((k, ma, mb, lex_a, lex_b))
    for (la, lb), members in groups.items():
        dim = members[0][1].shape[1]
        step = max(1, block_bytes // (8 * ((la + lb) * dim + la * lb)))
        for start in range(0, len(members), step):
            chunk = members[start:start + step]
            rows = [m[0] for m in chunk]
            sims = np.clip(np.matmul(np.stack([m[1] for m in chunk]), np.stack([m[2] for m in chunk]).transpose(0, 2, 1)),
                           0.0, 1.0)
            best_a = _maximum(np.maximum.reduce(sims, axis=2), np.stack([m[3] for m in chunk]))
            best_b = _maximum(np.maximum.reduce(sims, axis=1), np.stack([m[4] for m in chunk]))
            recall, precision = _sum(best_a, axis=1) / la, _sum(best_b, axis=1) / lb
            total = precision + recall
            out[rows, 0], out[rows, 1] = precision, recall
            out[rows, 2] = np.where(total > 0, 2 * precision * recall / np.where(total > 0, total, 1.0), 0.0)
    return out


def _unmatched(words: tuple[str, ...], lex: np.ndarray) -> list[str]:
    return [w for w, hit in zip(words, lex.tolist()) if not hit]


def negated_between(a: str, b: str) -> bool:
    """:attr:`Alignment.negated` of :func:`align` alone (lexical: no vectors needed)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return False
    return _negated(_unmatched(wa, _lexical(wa, wb, b)), _unmatched(wb, _lexical(wb, wa, a)), wa, wb)


def _negated(unmatched_a: list[str], unmatched_b: list[str], wa: tuple[str, ...], wb: tuple[str, ...]) -> bool:
    set_a, set_b = _word_set(wa), _word_set(wb)
    return any(_negating(w, set_b) for w in unmatched_a) or any(_negating(w, set_a) for w in unmatched_b)


def added(a: str, b: str) -> int:
    """:attr:`Alignment.added` of :func:`align` alone (lexical: no vectors needed)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0
    unmatched_a, unmatched_b = _unmatched(wa, _lexical(wa, wb, b)), _unmatched(wb, _lexical(wb, wa, a))
    return len(unmatched_a) if not unmatched_b else len(unmatched_b) if not unmatched_a else 0


def align(a: str, b: str, vectors: Mapping[str, np.ndarray] | None) -> Alignment:
    """Align the content words of ``a`` and ``b``. ``vectors``: word -> unit vector (None or a missing
    word: lexical matching only, similarity 0 for unmatched words)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return EMPTY if not wa and not wb else _NO_WORDS
    lex_a, lex_b, best_a, best_b = _best(wa, wb, a, b, vectors)
    recall, precision = float(_sum(best_a) / len(wa)), float(_sum(best_b) / len(wb))
    loose = np.concatenate([best_a[lex_a == 0], best_b[lex_b == 0]])
    unmatched_a, unmatched_b = _unmatched(wa, lex_a), _unmatched(wb, lex_b)
    negated = _negated(unmatched_a, unmatched_b, wa, wb)
    added = len(unmatched_a) if not unmatched_b else len(unmatched_b) if not unmatched_a else 0
    return Alignment(precision, recall, _f1(precision, recall), len(loose) / (len(wa) + len(wb)),
                     float(_sum(loose) / len(loose)) if len(loose) else 1.0,
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
