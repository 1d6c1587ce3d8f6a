"""Pair measurements read from how a flashcard is built: a question and the fact that answers it.

A duplicate states the same fact; the ways it is restated follow from how cards are written:

* an **inverse** question names, in its prompt, what the other card gives as its answer ("Which nerve
  supplies the diaphragm?" -> "phrenic nerve" / "Phrenic nerve — what does it innervate?" -> "the
  diaphragm"), and a Basic card asks for what a Cloze card blanks ("Constant folding?" / "{{c1::Constant
  folding}} replaces 60*60*24 with 86400"): ``answer_in_question`` measures how much of one card's answer
  (the words that do not merely repeat its own question) the other card's *question* holds, the larger of
  the two directions; ``answer_in_question_both`` the smaller of the two (an inverse pair names each other's
  answer both ways; a Basic card against the Cloze card of its answer, one way);
* **sibling cards** of one subject ask different things about it, so their answers differ: "What does a
  momentum μ = 0 mean?" / "What does a high momentum μ mean?", "How do I apply R_BE?" / "How do I apply
  R_EB?" — questions nearly the same, answers saying different things. ``answer_gap`` is the question
  cosine minus the answer cosine, floored at 0 (how much closer the questions are than what they
  answer); duplicates restate one answer, so their gap is small;
* **template siblings** are one question with a slot filled otherwise, often by a symbol the word
  tokenizer does not keep ("How do I apply R_BE?" / "How do I apply R_EB?", "a_1 a_2 a_3" / "b_1 b_2
  b_3"): ``q_template`` (:func:`q_template`) reads the raw tokens, case and symbols kept;
* **the role of the words that differ** (:func:`term_roles`): a sibling card's question differs from the
  other's by the term its *own* answer is about ("a tensor of ones" -> ``ones_like``; "random values" ->
  ``rand_like``), a term the other card never mentions; a duplicate's differing words are a rewording of
  the other card's, or its answer ("Graph colouring — what is it used for?" -> "register allocation", named
  in the other question). ``q_diff_own`` is the share of one question's differing content words that its
  own answer repeats and the other card nowhere holds (the larger of the two cards); ``a_explained`` how
  much of each answer (its words beyond its own question) the other card holds, lexically or aligned on
  word vectors as in :mod:`~notes2anki.semantic.term_align` (the smaller of the two): duplicates state one
  fact, siblings state two;
* **notation** (:func:`notation`): the cards of a formula-heavy note ask about different quantities written
  with symbols ("H_S = h_0 - h + ..." / "h_m = h_0 + ...", answers "C_LT C_L* S_T / S = 1/σ" / "(C_Dm)_min =
  -C_L*/σ"); words and word vectors read such symbols poorly, so ``q_notation`` / ``a_notation`` measure how
  much the two questions' (answers') notation tokens differ, as numbers are compared by value in
  :mod:`~notes2anki.semantic.quantities`: 1 minus the Jaccard overlap of the two sets when both texts hold
  notation, else 0.

Words are matched as everywhere in the judge (:func:`~notes2anki.semantic.contrast.tokens`; same up to an
inflection, a typo, an abbreviation, or the initials of a run of words: "SA node" / "sinoatrial node" is
matched by the sentence model, "AVC" / "average variable cost" by initials). Each value lies in
:data:`RANGES` (what :mod:`~notes2anki.semantic.pair_features` declares for pruning).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np

from . import contrast, term_align
from .word_match import word_index

NAMES = ("answer_in_question", "answer_in_question_both", "answer_gap", "q_template", "q_diff_own", "a_explained",
         "q_notation", "a_notation")
RANGES = {"answer_in_question": (0.0, 1.0), "answer_in_question_both": (0.0, 1.0), "answer_gap": (0.0, 2.0),
          "q_template": (0.0, 1.0), "q_diff_own": (0.0, 1.0), "a_explained": (0.0, 1.0),
          "q_notation": (0.0, 1.0), "a_notation": (0.0, 1.0)}
_RAW = re.compile(r"\w+|[^\w\s]")  # words, numbers and single symbols, case kept
# a run of characters between spaces, brackets, separators and operators that holds a letter
_NOTATION_RUN = re.compile(r"[^\s()\[\]{},;:?!.=+\-*/|<>]*[^\W\d_][^\s()\[\]{},;:?!.=+\-*/|<>]*")
_MARK_SPACE = re.compile(r"([_^])\s+")  # "C_ D_m" (a subscript set apart when LaTeX was flattened) = "C_D_m"
MAX_ANSWER_WORDS = 12  # a longer answer is an explanation, not a term another prompt would name


@lru_cache(maxsize=1 << 15)
def _words(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(content stems of ``text``, the initials of its runs of 2-4 words)."""
    tokens = contrast.tokens(text)
    plain = tuple(w for w, _ in tokens)
    return tuple(dict.fromkeys(w for w, c in tokens if c)), contrast._initialisms(plain)


def _answer_core(question: str, answer: str) -> tuple[str, ...]:
    """The content words of ``answer`` that are not in its own ``question`` (at most
    :data:`MAX_ANSWER_WORDS`: () for a longer answer)."""
    echo = set(_words(question)[0])
    core = tuple(w for w in _words(answer)[0] if w not in echo)
    return core if len(core) <= MAX_ANSWER_WORDS else ()


def _held(words: tuple[str, ...], text: str) -> float:
    """Share of ``words`` found in ``text`` (same word, or the initials of words of ``text``)."""
    if not words:
        return 0.0
    other, initials = _words(text)
    index = word_index(other)
    hits = sum(1 for w in words if w.lower() in initials and len(w) >= 2 or index.has(w))
    return hits / len(words)


def cues(question_a: str, answer_a: str, question_b: str, answer_b: str, q_cos: float, a_cos: float,
         has_answers: bool, vectors=None) -> dict[str, float]:
    """The :data:`NAMES` values of a pair: each card's question and answer (plain text; a Cloze card: its
    text with the clozes blanked and the cloze answers), the question and answer cosines of the sentence
    model, whether both cards have an answer (without, the answer cues are 0 and ``a_explained`` 1), and
    ``vectors`` (content word -> unit vector, see :mod:`~notes2anki.semantic.term_align`; None: lexical)."""
    template = q_template(question_a, question_b)
    own, explained = term_roles(question_a, answer_a, question_b, answer_b, vectors)
    q_notation = notation_conflict(question_a, question_b)
    if not has_answers:
        return {"answer_in_question": 0.0, "answer_in_question_both": 0.0, "answer_gap": 0.0, "q_template": template,
                "q_diff_own": own, "a_explained": 1.0, "q_notation": q_notation, "a_notation": 0.0}
    ab = _held(_answer_core(question_a, answer_a), question_b)
    ba = _held(_answer_core(question_b, answer_b), question_a)
    return {"answer_in_question": max(ab, ba), "answer_in_question_both": min(ab, ba),
            "answer_gap": max(0.0, q_cos - a_cos), "q_template": template, "q_diff_own": own,
            "a_explained": explained, "q_notation": q_notation, "a_notation": notation_conflict(answer_a, answer_b)}


def _own_only(question: str, answer: str, other_question: str, other_answer: str) -> float | None:
    """Share of the content words of ``question`` missing from ``other_question`` that ``answer`` repeats and
    the other card's answer does not hold either; None when no word is missing."""
    words = term_align.content_words(question)
    missing = [not hit for hit in term_align.lexical_hits(words, term_align.content_words(other_question),
                                                          other_question)]
    if not any(missing):
        return None
    own_words = term_align.content_words(answer)
    if not own_words:
        return 0.0
    own = term_align.lexical_hits(words, own_words, answer)
    other_words = term_align.content_words(other_answer)
    elsewhere = term_align.lexical_hits(words, other_words, other_answer) if other_words else [False] * len(words)
    return float(sum(1 for o, e, m in zip(own, elsewhere, missing) if o and not e and m) / sum(missing))


@lru_cache(maxsize=1 << 15)
def _core_words(question: str, answer: str) -> tuple[str, ...]:
    """The content words of ``answer`` that its ``question`` does not hold (the first
    :data:`MAX_ANSWER_WORDS`)."""
    echo = set(term_align.content_words(question))
    return tuple(w for w in term_align.content_words(answer) if w not in echo)[:MAX_ANSWER_WORDS]


def _explained(question: str, answer: str, other_question: str, other_answer: str, vectors) -> float:
    """How much of ``answer`` beyond its own question (:func:`_core_words`) the other card holds: per word 1
    for a lexical match in the other question or answer, else its best word-vector similarity to a content
    word of them (0 without vectors); the mean (1.0 when nothing is left)."""
    core = _core_words(question, answer)
    if not core:
        return 1.0
    best = None
    mine = term_align._matrix(vectors, core) if vectors is not None else None
    for text in (other_question, other_answer):
        other = term_align.content_words(text)
        if not other:
            continue
        found = term_align._lexical(core, other, text)
        theirs = term_align._matrix(vectors, other) if mine is not None else None
        if theirs is not None:
            found = np.maximum(np.maximum.reduce(np.clip(mine @ theirs.T, 0.0, 1.0), axis=1), found)
        best = found if best is None else np.maximum(best, found)
    return float(np.add.reduce(best) / len(best)) if best is not None else 0.0  # = best.mean(), less wrapping


def term_roles(question_a: str, answer_a: str, question_b: str, answer_b: str, vectors=None) -> tuple[float, float]:
    """``(q_diff_own, a_explained)`` of a pair (see the module docstring): the larger share, over the two
    cards, of a question's differing content words that only its own answer holds (0 when the questions
    differ by no content word), and the smaller, over the two answers, of how much of it the other card
    holds (1.0 when a card has no answer)."""
    own = [v for v in (_own_only(question_a, answer_a, question_b, answer_b),
                       _own_only(question_b, answer_b, question_a, answer_a)) if v is not None]
    if not (answer_a and answer_b):
        return max(own, default=0.0), 1.0
    return max(own, default=0.0), min(_explained(question_a, answer_a, question_b, answer_b, vectors),
                                      _explained(question_b, answer_b, question_a, answer_a, vectors))


@lru_cache(maxsize=1 << 15)
def _raw_tokens(text: str) -> tuple[str, ...]:
    """The raw tokens :func:`q_template` compares (remembered: a question recurs across its pairs)."""
    return tuple(_RAW.findall(text))


def q_template(a: str, b: str) -> float:
    """How much two different questions are one template with a slot filled otherwise: the similarity
    (difflib ratio) of their raw tokens — words, numbers, single symbols, case kept ("R_BE" / "R_EB",
    "a_1 a_2 a_3" / "b_1 b_2 b_3", "x^T B" / "B x", "Mitosis produces?" / "Meiosis produces?") — when no
    differing span is longer than 3 tokens; 0 for identical questions and for ones that differ more."""
    ta, tb = _raw_tokens(a), _raw_tokens(b)
    if ta == tb or not ta or not tb:
        return 0.0
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    if any(max(i2 - i1, j2 - j1) > 3 for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"):
        return 0.0
    return matcher.ratio()


@lru_cache(maxsize=1 << 15)
def notation(text: str) -> frozenset[str]:
    """The notation tokens of ``text``: runs holding a letter (split at spaces, brackets, separators and
    operators) that hold a subscript or superscript mark or a digit as well ("C_L", "x^T", "T_3", "v_wind",
    "SN2", "H₂O"), case kept, the marks ``_`` and ``^`` dropped ("S_N2" = "SN2", "C_ D_m" = "C_Dm" = "CDm")."""
    out = set()
    for run in _NOTATION_RUN.findall(_MARK_SPACE.sub(r"\1", text)):
        if "_" in run or "^" in run or any(ch.isdigit() for ch in run):
            out.add(run.replace("_", "").replace("^", ""))
    out.discard("")
    return frozenset(out)


def notation_conflict(a: str, b: str) -> float:
    """How much the :func:`notation` of two texts differs: 1 minus the Jaccard overlap of the two sets when
    both hold notation ("H_S = h_0 - h" / "h_m = h_0 + ...": 0.71), else 0 (words alone say nothing here)."""
    na, nb = notation(a), notation(b)
    if not na or not nb:
        return 0.0
    return 1.0 - len(na & nb) / len(na | nb)
