"""Lexical evidence that two similar-looking cards ask different things: swapped terms.

Sentence embeddings place "What changed in TLS 1.3?" and "What changed in TLS 1.2?", or "Mitosis produces?"
and "Meiosis produces?", almost on top of each other. :func:`substitutions` finds the content words swapped
between two otherwise identical texts (typos, inflections and reworded function words are not swaps; a
reversed direction, "Celsius to Fahrenheit", is); :func:`affix_contrast` tells when a swap exchanges
affixes of one root (exo-/endothermic); :func:`answer_overlap` measures how much two answers say the same.
Numbers by value live in :mod:`~notes2anki.semantic.quantities`, words, stems and yes/no/negation cues in
:mod:`~notes2anki.semantic.word_match` (their names are re-exported here). The duplicate judge weighs all of
them as features (:mod:`~notes2anki.semantic.pair_features`); none vetoes a pair of cards the model reads.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache

from .quantities import number_conflict, numbers, quantities, quantity_conflict  # noqa: F401
from .word_match import (_WORD, Tokens, _acronym_of, _initialisms, _same_word, is_identifier_stem,  # noqa: F401
                         negated, polarity, same_word, tokens, word_index)

_DIRECTION = {"to", "into", "from", "->", "→", "nach", "vers", "en", "a", "zu", "in"}



def _reversed_direction(ta: Tokens, tb: Tokens) -> list[tuple[str, str]]:
    """"Celsius to Fahrenheit" vs "Fahrenheit to Celsius": the same content words around a direction word,
    in the other order."""
    ca = [w for w, c in ta if c]
    cb = [w for w, c in tb if c]
    if sorted(ca) != sorted(cb) or ca == cb:
        return []
    for words, other in ((ta, cb), (tb, ca)):
        plain = [w for w, _ in words]
        for k in range(1, len(plain) - 1):
            left, right = plain[k - 1], plain[k + 1]
            if plain[k] in _DIRECTION and left != right and left in other and right in other \
                    and other.index(right) < other.index(left):
                return [(f"{left} {plain[k]} {right}", f"{right} {plain[k]} {left}")]
    return []


_PARENTHETICAL = re.compile(r"\([^()]*\)")
_ARROW = re.compile(r"-+>|=+>|[→⇒⟶⟹]")


@lru_cache(maxsize=1 << 16)
def without_asides(text: str) -> str:
    """``text`` without its parenthesised asides ("Axillary nerve (C5–C6): muscles?" -> "Axillary nerve :
    muscles?"); remembered (a question recurs across its candidate pairs)."""
    return _PARENTHETICAL.sub(" ", text)


@lru_cache(maxsize=1 << 16)
def _arrows_as_to(text: str) -> str:
    """``text`` with each arrow read as the word "to" (remembered, as :func:`without_asides`)."""
    return _ARROW.sub(" to ", text)


@lru_cache(maxsize=1 << 16)
def _bag(words: Tokens) -> Counter:
    """How often each stem occurs in ``words`` (tokens of one text; remembered: a text recurs across pairs)."""
    return Counter(w for w, _ in words)


def _shared_count(ta: Tokens, tb: Tokens) -> int:
    """The stems two token lists share, counted with multiplicity: an upper bound of the words any
    alignment of the two (difflib's matching blocks) pairs as equal."""
    bag_a, bag_b = _bag(ta), _bag(tb)
    if len(bag_a) > len(bag_b):
        bag_a, bag_b = bag_b, bag_a
    return sum(min(n, bag_b[w]) for w, n in bag_a.items() if w in bag_b)


def _subsequence(short: list[str], long_: list[str]) -> bool:
    """Whether ``short`` is ``long_`` with items left out (in order): necessary for difflib to turn one into
    the other by insertions alone."""
    rest = iter(long_)
    return all(any(w == v for v in rest) for w in short)


def substitutions(a: str, b: str, *, tight: float = 0.8, drop_asides: bool = False) -> list[tuple[str, str]]:
    """Content words swapped between two otherwise identical texts: [(words of a, words of b), ...].

    With ``drop_asides``, parenthesised asides ("(ML)", "(relational DB)") are left out. The words are
    aligned; the texts are a *minimal pair* when at least half of all their words align and, outside the
    replaced spans, at least ``tight`` of them do (so a reworded or reordered question is not one). In a
    minimal pair, a replaced span is a swap when each side holds a content word the other side lacks, up
    to typos, inflections, abbreviations, compounds ("tradeoff" / "trade-off") and acronyms ("TLB" /
    "translation lookaside buffer"): "What is a felony?" vs "What is a misdemeanor?" swaps
    felony/misdemeanor. The same content words in the opposite order around a direction word ("Celsius to
    Fahrenheit", "Deutsch -> Spanisch": an arrow reads as "to") count too.
    """
    if drop_asides:
        a, b = without_asides(a), without_asides(b)
    a, b = _arrows_as_to(a), _arrows_as_to(b)  # "Deutsch -> Spanisch": a direction word
    ta, tb = tokens(a), tokens(b)
    ca = {w for w, c in ta if c}
    cb = {w for w, c in tb if c}
    if not ca or not cb:
        return []
    swaps = _reversed_direction(ta, tb)
    words_a, words_b = [w for w, _ in ta], [w for w, _ in tb]
    shared = _shared_count(ta, tb)  # at least the words difflib aligns: too few, and no alignment is needed
    if not shared or 2 * shared / (len(words_a) + len(words_b)) < 0.5:
        return swaps
    opcodes = SequenceMatcher(a=words_a, b=words_b, autojunk=False).get_opcodes()
    equal = sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal")
    replaced = sum((i2 - i1) + (j2 - j1) for op, i1, i2, j1, j2 in opcodes if op == "replace")
    rest = len(words_a) + len(words_b) - replaced
    if not equal or 2 * equal / rest < tight or 2 * equal / (len(words_a) + len(words_b)) < 0.5:
        return swaps
    for op, i1, i2, j1, j2 in opcodes:
        if op != "replace" or "".join(words_a[i1:i2]) == "".join(words_b[j1:j2]):
            continue
        span_a = [w for w, c in ta[i1:i2] if c]
        span_b = [w for w, c in tb[j1:j2] if c]
        left = [w for w in span_a if not any(_same_word(w, v) for v in span_b)]
        right = [w for w in span_b if not any(_same_word(w, v) for v in span_a)]
        if left and right and not _acronym_of(span_a, span_b):
            swaps.append((" ".join(left), " ".join(right)))
    return swaps


def name_swaps(a: str, b: str, *, drop_asides: bool = True) -> list[tuple[str, str]]:
    """Names each text holds and the other lacks, when both do: [(names of a, names of b)] or [].

    A name is a word written as an acronym or identifier (:func:`~notes2anki.semantic.word_match.
    is_identifier_stem` with a letter: HTTPS, IPv4, mRNA); it is lacking from the other text when no word
    there is the same word (:func:`_same_word`: equal, case ignored, or an all-capitals abbreviation) and it
    is not the initials of words there ("TLB" / "translation lookaside buffer"). Two questions that each
    name something the other does not ("What is the default port of HTTPS?" / "Which port does HTTP use by
    default?") ask about two things, however they are worded: a swapped term, as :func:`substitutions` finds
    one in a minimal pair. With ``drop_asides``, parenthesised asides are left out."""
    if drop_asides:
        a, b = without_asides(a), without_asides(b)
    ta, tb = tokens(a), tokens(b)

    def lacking(words: Tokens, other: Tokens) -> list[str]:
        content = [w for w, c in other if c]
        initials = _initialisms(tuple(w for w, _ in other))
        return [w for w in dict.fromkeys(w for w, c in words if c)
                if is_identifier_stem(w) and any(ch.isalpha() for ch in w)
                and w.lower() not in initials and not any(_same_word(w, v) for v in content)]

    left, right = lacking(ta, tb), lacking(tb, ta)
    return [(" ".join(left), " ".join(right))] if left and right else []


def insertions(a: str, b: str, *, drop_asides: bool = True) -> list[str]:
    """Content words one text adds to an otherwise identical other text: the two are the same sequence of
    words except for inserted spans ("Past Continuous verb forms" / "Past Perfect Continuous verb forms"
    -> ["perfect"]). Such a *minimal pair by insertion* asks a narrower question, as a minimal pair by
    substitution (:func:`substitutions`) asks another one. [] when the texts differ otherwise (a replaced
    span, a reordering) or only by function words; parenthesised asides are left out first."""
    if drop_asides:
        a, b = without_asides(a), without_asides(b)
    ta, tb = tokens(a), tokens(b)
    words_a, words_b = [w for w, _ in ta], [w for w, _ in tb]
    if not words_a or not words_b or words_a == words_b:
        return []
    short, long_ = (words_a, words_b) if len(words_a) < len(words_b) else (words_b, words_a)
    if len(short) == len(long_) or not _subsequence(short, long_):  # then difflib finds a replaced span
        return []
    opcodes = SequenceMatcher(a=words_a, b=words_b, autojunk=False).get_opcodes()
    kinds = {op for op, *_ in opcodes} - {"equal"}
    if kinds not in ({"insert"}, {"delete"}):  # the shorter text whole inside the longer, one side adds
        return []
    shared = sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal")
    added_all = len(words_a) + len(words_b) - 2 * shared
    if sum(1 for _, c in (ta if len(ta) < len(tb) else tb) if c) < 2 or added_all > shared:
        return []
    return [w for op, i1, i2, j1, j2 in opcodes if op != "equal"
            for w, c in (ta[i1:i2] if op == "delete" else tb[j1:j2]) if c]


def affix_contrast(left: str, right: str) -> bool:
    """Whether a swap exchanges words of one root with another affix: exothermic/endothermic,
    hypoglycemia/hyperglycemia, internal/external, appellant/appellee: a shared start or end of 5+ letters
    and half the shorter word. Such swaps change the meaning while keeping the words alike (inflections
    are not swaps), so they are never synonyms."""
    for x in left.split():
        for y in right.split():
            if _same_word(x, y):
                continue
            need = max(5, (min(len(x), len(y)) + 1) // 2)
            prefix = len(os.path.commonprefix([x, y]))
            suffix = len(os.path.commonprefix([x[::-1], y[::-1]]))
            if max(prefix, suffix) >= need:
                return True
    return False




def answer_overlap(question_a: str, answer_a: str, question_b: str,
                   answer_b: str) -> tuple[float, float] | None:
    """How much two answers say the same, lexically: (containment, coverage) in [0, 1].

    Words that merely repeat the card's own question are left out first ("pH 7 (neutral)" answering
    "pH of neutral water?" is just "7"). *containment*: the share of the shorter answer's content words
    (numbers included) found in the other answer (up to typos, inflections and initialisms: "bpm" =
    "beats per minute"); *coverage*: the same count over the longer answer's words, so a one-word answer
    found inside a long explanation is contained but covers little. None when either answer is empty.
    """
    def core(question: str, answer: str) -> tuple[set[str], tuple[str, ...]]:
        echo = {w for w, _ in tokens(question)}
        words = tokens(answer)
        content = {w for w, c in words if c}
        return (content - echo) or content, tuple(w for w, _ in words)

    (ka, wa), (kb, wb) = core(question_a, answer_a), core(question_b, answer_b)
    if not ka or not kb:
        return None
    (small, _), (large, large_words) = sorted([(ka, wa), (kb, wb)], key=lambda kw: len(kw[0]))
    initials = _initialisms(large_words)
    index = word_index(tuple(sorted(large)))
    hits = sum(1 for w in small if w.lower() in initials or index.has(w))
    return hits / len(small), min(1.0, hits / len(large))
