"""Which term one text negates of the other, for ``dupes --explain`` (:mod:`~notes2anki.semantic.why_not`).

The ``neg_prefix`` measurement (:mod:`~notes2anki.semantic.pair_features`) is 1 when an unmatched content word
of one side is a word of the other side with a negating prefix, or the reverse, or a negating prefix of 3+
letters standing alone (:func:`~notes2anki.semantic.term_align.negating_prefix`); the last fires for
"Holonomic vs non-holonomic constraints" against any card that lacks "non", though that card need not hold
"holonomic" at all. The explanation must not claim a negation the cards do not show, so :func:`pairs` reads
the same unmatched words the measurement read and keeps only a term whose negated form one text holds and
whose plain form the other holds; the measurement itself is unchanged (the shipped model is fit on it).
"""
from __future__ import annotations

from . import contrast
from .term_align import NEGATING_PREFIXES, _lexical, _unmatched, _word_set, content_words
from .word_match import written_words


def _standalone_roots(text: str, prefix: str) -> list[str]:
    """The stems that follow the stand-alone prefix ``prefix`` in ``text`` ("non-holonomic": "holonomic")."""
    stems = [stem for stem, _ in contrast.tokens(text)]
    return [stems[k + 1] for k, stem in enumerate(stems[:-1]) if stem == prefix]


def _one_way(a: str, b: str) -> list[tuple[str, str, str]]:
    """(negated stem in ``a``, plain stem in ``b``, prefix) and (plain stem in ``a``, negated stem in ``b``,
    prefix) with the prefix joined as ``"non holonomic"`` when it stands alone, for the unmatched words of
    ``a`` (as :func:`~notes2anki.semantic.term_align._negated` finds them)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return []
    others = _word_set(wb)
    out = []
    for w in _unmatched(wa, _lexical(wa, wb, b)):
        if w in NEGATING_PREFIXES and len(w) >= 3:
            out += [(f"{w} {root}", root, w) for root in _standalone_roots(a, w) if root in others]
        if len(w) >= 4:
            out += [(w, p + w, p) for p in NEGATING_PREFIXES if p + w in others]
        out += [(w, w[len(p):], p) for p in NEGATING_PREFIXES
                if w.startswith(p) and len(w) - len(p) >= 4 and w[len(p):] in others]
    return out


def pairs(a: str, b: str) -> list[tuple[str, str]]:
    """The (term of ``a``, term of ``b``) stem pairs where one is the other with a negating prefix, as the
    ``neg_prefix`` measurement finds them between ``a`` and ``b``; a stand-alone prefix is joined to the
    word after it ("non holonomic"). Empty when the measurement fired on a prefix whose word the other
    text lacks."""
    found = [(x, y) for x, y, _ in _one_way(a, b)] + [(y, x) for x, y, _ in _one_way(b, a)]
    return list(dict.fromkeys(found))


def written(text: str, stems: str) -> str:
    """The first words of ``text`` whose stems are ``stems`` (one stem, or a stand-alone prefix and its word:
    "non holonomic"), as written there, with what stands between them ("non-holonomic"); ``stems`` when
    they are not found. A hyphenated negation ("non-zero") is one word, as :func:`contrast.tokens` reads it."""
    want = stems.split()
    words = written_words(text)
    stem_of = [next((s for s, _ in contrast.tokens(w)), "") for w, _, _ in words]
    for k in range(len(words) - len(want) + 1):
        if stem_of[k:k + len(want)] == want:
            return text[words[k][1]:words[k + len(want) - 1][2]]
    return stems


def holds(text: str, stems: str) -> bool:
    """Whether ``text`` holds the term ``stems`` (see :func:`written`)."""
    want = stems.split()
    have = [stem for stem, _ in contrast.tokens(text)]
    return any(have[k:k + len(want)] == want for k in range(len(have) - len(want) + 1))

