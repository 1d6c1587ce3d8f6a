"""Why a close pair was not reported, in plain words (``dupes --explain``, the ``rejected`` list of ``--json``).

The judge is a logistic regression (:mod:`~notes2anki.semantic.pair_model`): its log-odds are the sum of one
contribution per measurement, ``coefficient × standardised value``. Many measurements tell the same thing
in several ways (the questions' embedding cosine, their character n-grams, their word alignment, …), and
alone their signs mean little: with the card-level similarity already counted, the model gives a high
question cosine a *negative* weight, so the old reason listed "q_cos 0.82" or "char_q 0.63" as weighing
against a pair whose questions are alike (tester 12-03), under the feature names of the code.

So the measurements are read in :data:`GROUPS`, one per thing a student can check on the two cards
(the numbers, the terms, the answers, the questions …). A group's contribution is the sum of its
measurements' (so the groups' contributions still add up to the log-odds); a group is named as weighing
against the pair only when that sum is negative **and** what it measured reads as a reason in plain words
(a number that differs, a term swapped, answers that differ). A cue that is simply absent (no number
differs) or a similarity that is high is never given as a reason against: its negative share is the
model's baseline, not something about these two cards. The two or three largest such groups are given,
largest first.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy as np

from .pair_features import FEATURES

TOP = 3  # groups named at most

Phrase = Callable[[dict, "tuple[str, str] | None"], "str | None"]


def _on(v: dict, cue: str) -> bool:
    """Whether a 0/1 cue (or a count: ``q_added``) is there."""
    return v[cue] >= 0.5


def _numbers(v: dict, texts) -> str | None:
    where = [name for key, name in (("num_q_conflict", "questions"), ("num_a_conflict", "answers")) if _on(v, key)]
    return f"numbers differ in the {' and the '.join(where)}" if where else None


def _questions_of(texts) -> "tuple[str, str] | None":
    """The two questions of ``texts`` (two questions, or two :class:`~notes2anki.semantic.pair_features.Side`)."""
    if texts is None:
        return None
    return (texts[0], texts[1]) if isinstance(texts[0], str) else (texts[0].question, texts[1].question)


def _term(v: dict, texts) -> str | None:
    if _on(v, "q_swap"):
        if texts is not None:
            from .contrast import name_swaps, substitutions

            a, b = _questions_of(texts)
            swaps = substitutions(a, b, drop_asides=True) or name_swaps(a, b)
            if swaps:
                return f"a term differs: {_written(a, b, swaps[0][0])} / {_written(b, a, swaps[0][1])}"
        return "a term differs"
    negation = _negated(texts) if _on(v, "neg_prefix") else None
    if negation:
        return negation
    if v["q_template"] > 0:
        return "the questions are one template with another term"
    if v["q_notation"] > 0 or v["a_notation"] > 0:
        return f"the symbols differ ({'questions' if v['q_notation'] > 0 else 'answers'})"
    if v["q_diff_own"] > 0:
        return "the words that differ are what each card's own answer is about"
    return None


def _negated(texts) -> str | None:
    """"the answers negate a term: finite / infinite": a term one card holds and the other holds with a
    negating prefix, found as the ``neg_prefix`` measurement found it (the questions, then the card texts;
    :mod:`~notes2anki.semantic.negated_terms`); None when no such pair of terms can be shown (the
    measurement also fires on a stand-alone "non-" whose word the other card lacks)."""
    from . import negated_terms as nt

    if texts is None:
        return None
    qa, qb = _questions_of(texts)
    for x, y in nt.pairs(qa, qb):
        return f"the questions negate a term: {nt.written(qa, x)} / {nt.written(qb, y)}"
    if isinstance(texts[0], str):  # the questions only: the card texts are not known
        return None
    a, b = texts
    for x, y in nt.pairs(a.text, b.text):
        for where, ta, tb in (("answers", a.answer, b.answer), ("questions", a.question, b.question)):
            if nt.holds(ta, x) and nt.holds(tb, y):
                return f"the {where} negate a term: {nt.written(ta, x)} / {nt.written(tb, y)}"
        return f"the cards negate a term: {nt.written(a.text, x)} / {nt.written(b.text, y)}"
    return None


_NUMBER = re.compile(r"\d+(?:[.,]\d+)+")


def _written(text: str, other: str, stems: str) -> str:
    """The words of ``text`` whose stems are ``stems`` (as :func:`~notes2anki.semantic.contrast.substitutions`
    gives them: "sery", "1"), as written there ("series", "first", "non-competitive"; a digit of a number the ``other`` text
    lacks: the whole number, "1.3"); ``stems`` when none is found."""
    from .word_match import tokens, written_words

    want = set(stems.split())
    found: list[str] = []
    numbers = [n for n in _NUMBER.findall(text) if n not in _NUMBER.findall(other)]
    for raw, _, _ in written_words(text):
        stem = tokens(raw)
        if stem and stem[0][0] in want:
            raw = next((n for n in numbers if raw in re.split(r"[.,]", n)), raw)
            if raw not in found:
                found.append(raw)
    return " ".join(found) or stems


def _added(v: dict, texts) -> str | None:
    return "one question adds words" if _on(v, "q_added") else None


def _yes_no(v: dict, texts) -> str | None:
    return "one answer is yes, the other no" if _on(v, "yesno_conflict") else None


def _same_note(v: dict, texts) -> str | None:
    return "both in one note (a note's cards usually differ)" if _on(v, "same_note") else None


def _delta(v: dict, texts) -> str | None:
    return "the answers change with the questions" if v["qa_delta"] > 0.2 else None


def _alike(what: str, cosine: float, partly: str = "only partly alike") -> str | None:
    if cosine < 0.5:
        return f"{what} differ (cosine {cosine:.2f})"
    if cosine < 0.8:
        return f"{what} {partly} (cosine {cosine:.2f})"
    return None  # alike: no reason against


def _answers(v: dict, texts) -> str | None:
    if not _on(v, "has_answers") or _on(v, "a_equal"):
        return None
    return _alike("answers", v["a_cos"], "only partly agree")


def _questions(v: dict, texts) -> str | None:
    return _alike("questions", v["q_cos"])


def _cross(v: dict, texts) -> str | None:
    return "little of each question is in the other card" if v["qcard_align"] < 0.5 else None


def _cards(v: dict, texts) -> str | None:
    if v["card_margin"] < 0:
        return f"other cards are closer to each of them (margin {v['card_margin']:.2f})"
    return _alike("cards", v["card_cos"])


# (measurements, how a group that weighs against the pair reads); every feature in exactly one group
GROUPS: tuple[tuple[tuple[str, ...], Phrase], ...] = (
    (("num_q_conflict", "num_a_conflict"), _numbers),
    (("q_swap", "q_affix", "neg_prefix", "q_template", "q_notation", "a_notation", "q_diff_own"), _term),
    (("q_added", "q_inserted", "mirrored"), _added),
    (("yesno_conflict", "negation_differs"), _yes_no),
    (("same_note",), _same_note),
    (("qa_delta", "qa_delta_pos"), _delta),
    (("a_cos", "char_a", "a_align", "a_containment", "a_coverage", "a_equal", "a_explained", "answer_gap",
      "num_a_match"), _answers),
    (("q_cos", "char_q", "q_jaccard", "q_align", "q_margin", "q_unmatched", "q_unmatched_sim", "q_worst",
      "ctx_diff"), _questions),
    (("cross_cos", "inverse_cos", "qcard_align", "answer_in_question", "answer_in_question_both"), _cross),
    (("card_cos", "char_card", "card_align", "card_margin", "direct_cos", "aligned_cos", "len_ratio",
      "has_answers"), _cards),
)
_COLUMNS = [[FEATURES.index(name) for name in names] for names, _ in GROUPS]


def against(model, row: np.ndarray, texts: tuple | None = None, top: int = TOP) -> list[str]:
    """Plain-words reasons against a pair, from its feature ``row`` under ``model`` (a
    :class:`~notes2anki.semantic.pair_model.PairModel`): the groups whose summed contribution to the log-odds
    is negative and that read as a reason, largest first, at most ``top``. ``texts``: the two questions
    (to name a swapped term), or the two cards' :class:`~notes2anki.semantic.pair_features.Side` (also to
    name a term one card negates in its answer)."""
    parts = (np.asarray(row, dtype=np.float64) - model.mean) / model.scale * model.coef
    values = dict(zip(FEATURES, (float(x) for x in row)))
    shares = [(float(parts[columns].sum()), phrase) for columns, (_, phrase) in zip(_COLUMNS, GROUPS)]
    out = []
    for share, phrase in sorted(shares, key=lambda sp: sp[0]):
        if share >= 0 or len(out) == top:
            break
        words = phrase(values, texts)
        if words:
            out.append(words)
    return out


def below_threshold(score: float, threshold: float, reasons: Sequence[str]) -> str:
    """``score 0.48 below threshold 0.62; against: numbers differ in the answers; questions …`` (no reason
    found: the score is low because too little speaks for the pair)."""
    digits = 2 if f"{score:.2f}" != f"{threshold:.2f}" else 4  # 0.6199 is not "0.62 below 0.62"
    head = f"score {score:.{digits}f} below threshold {threshold:.2f}"
    return f"{head}; against: {'; '.join(reasons)}" if reasons else \
        f"{head}: not alike enough, though nothing in particular weighs against it"
