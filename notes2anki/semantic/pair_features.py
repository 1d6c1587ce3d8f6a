"""The measurements the duplicate judge combines for a pair of cards (:data:`FEATURES`).

Each card is read as a *question* and an *answer* (:func:`~notes2anki.semantic.text.question_and_answer`;
a Cloze card: its text with the clozes blanked, and the cloze answers), plus its whole *card text*. For a
pair (a, b):

embedding cosines (the sentence model; all three texts of every card are embedded and cached)
    ``card_cos`` whole card texts; ``q_cos`` questions; ``a_cos`` answers (the question cosine when either
    card has no answer, with ``has_answers`` = 0); ``cross_cos`` the larger of question(a)–answer(b) and
    answer(a)–question(b): an *inverse* question ("Which nerve supplies the diaphragm?" / "Phrenic nerve —
    what does it supply?") and a Basic card against the Cloze card stating its answer; ``direct_cos`` the
    mean of the question and answer cosines, ``inverse_cos`` the mean of the two cross cosines,
    ``aligned_cos`` the better of the two readings;
margins (how much closer the pair is than each card's usual neighbours: a note of templated cards —
"the first / second / third step of backprop" — is dense, and closeness there means less; the
"cross-domain similarity local scaling" of bilingual word retrieval)
    ``card_margin`` / ``q_margin``: the cosine minus the mean, over both cards, of the mean cosine to
    their :data:`~notes2anki.semantic.local_density.DENSITY_K` nearest other cards (among the cards compared: the vault);
character n-grams (2–4 letters within words, hashed: language-independent, no vocabulary)
    ``char_card``, ``char_q``, ``char_a`` cosines;
which words differ (content words: :func:`~notes2anki.semantic.contrast.tokens`, question words and
articles left out; words matched up to inflection, typos, abbreviations, acronyms)
    ``q_jaccard`` overlap of the questions' content words; ``q_swap`` 1 when the questions are the same
    sentence with a content word exchanged (TCP/UDP, left/right), or each names an acronym or identifier the
    other lacks (HTTPS / HTTP, however worded: :func:`~notes2anki.semantic.contrast.name_swaps`), ``q_affix`` 1 when an exchanged word is
    the other with another prefix or suffix (competitive/non-competitive, hypo-/hyper-);
numbers by meaning (:func:`~notes2anki.semantic.contrast.quantities`: 255.255.255.0 = /24, 1/2 = 0.5)
    ``num_q_conflict`` / ``num_a_conflict`` 1 when each side holds a quantity the other lacks;
    ``num_a_match`` 1 when the answers hold quantities and they all agree;
answers
    ``a_containment`` / ``a_coverage`` lexical agreement of the answers beyond words repeating the
    question (:func:`~notes2anki.semantic.contrast.answer_overlap`), ``a_equal`` 1 for the same answer,
    ``yesno_conflict`` 1 for yes against no;
    ``negation_differs`` 1 when exactly one question says not/never/except (a weak cue: "Why can't
    Dijkstra handle negative weights?" and "Dijkstra and negative weights — what goes wrong?" are the same
    question);
``len_ratio``
    shorter card text length / longer;
which terms differ, and does the model read them as the same (:mod:`~notes2anki.semantic.term_align`: content
words matched lexically, the rest aligned BERTScore-style on word vectors of the same sentence model)
    ``q_align`` / ``a_align`` / ``card_align`` the alignment F1 of the questions, answers, card texts;
    ``qcard_align`` how much of each question the other *card* holds (inverse questions, Cloze vs Basic);
    ``q_unmatched`` the share of the questions' content words without a lexical match on the other side,
    ``q_unmatched_sim`` how closely the model aligns those, ``q_worst`` the worst-aligned word;
    ``neg_prefix`` 1 when a differing word is the other side's word with a negating prefix (non-, un-, in-,
    dis-, anti-); ``q_added`` how many words (0–2) one question adds when the other adds none;
shape
    ``same_note`` 1 when both cards are in the same file (sibling cards of a note: a student seldom writes
    the same card twice in one note); ``q_inserted`` 1 when one question is the other with words inserted
    (:func:`~notes2anki.semantic.contrast.insertions`) and ``mirrored`` 1 when one card is the other's
    reverse (:func:`mirrored`): both shapes are absent from the labelled data, so they reject a pair
    outright (:func:`notes2anki.semantic.scoring.structural_vetoes`) instead of being weighed.

how the cards are built (:mod:`~notes2anki.semantic.pair_cues`)
    ``answer_in_question`` / ``answer_in_question_both`` one card's answer named in the other's question,
    the larger / smaller of the two directions (inverse questions, Basic vs Cloze); ``answer_gap`` the
    question cosine minus the answer cosine, floored at 0 (sibling cards: alike questions, other answers);
    ``q_diff_own`` the share of a question's differing words that only its own answer holds (a sibling card
    asks about the term its answer is about), ``a_explained`` how much of each answer the other card holds
    (lexically or on word vectors; duplicates state one fact); ``q_notation`` / ``a_notation`` how much the
    questions' (answers') symbols differ (``C_L``, ``x^T``, ``T_3``: formula cards about other quantities);
what the difference of the questions does to the answers (:func:`delta_alignment`)
    ``qa_delta`` how the difference of the two question vectors lines up with the difference of the two
    answer vectors (:func:`delta_alignment`: their dot product, a cosine where both differences are large),
    ``qa_delta_pos`` its positive part. Where each card's question is the other's answer (an inverse pair)
    the two differences point opposite ways (negative); a duplicate's reworded question leaves its answer
    where it was (near 0); cards of one subject that ask other things change their answers the way their
    questions change (positive).
how the model reads the word pieces the card texts do not share (:mod:`~notes2anki.semantic.token_align`)
    ``ctx_diff`` BERTScore's greedy matching on the sentence model's contextual token vectors (its last hidden
    state, :mod:`~notes2anki.semantic.token_states`), averaged over the pieces one card text has and the other
    lacks: reworded questions' differing pieces find a close partner, a swapped term does not (written into the
    rows by :func:`notes2anki.semantic.scoring.fill_context`).

A logistic regression over these (:mod:`~notes2anki.semantic.pair_model`) turns them into a probability.
Word vectors are embedded once per distinct content word (:func:`fill_words`, cached with the card vectors).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from . import chargram_memo, contrast, pair_cues, term_align, token_align
from .local_density import density
from .word_match import word_index

FEATURES = ("card_cos", "q_cos", "a_cos", "has_answers", "cross_cos", "direct_cos", "inverse_cos", "aligned_cos", "char_card", "char_q", "char_a",
            "card_margin", "q_margin", "q_jaccard", "q_swap", "q_affix", "num_q_conflict", "num_a_conflict", "num_a_match",
            "a_containment", "a_coverage", "a_equal", "yesno_conflict", "negation_differs", "len_ratio",
            "q_align", "a_align", "card_align", "qcard_align", "q_unmatched", "q_unmatched_sim", "q_worst",
            "neg_prefix", "same_note", "q_added", "q_inserted", "mirrored") + pair_cues.NAMES + ("qa_delta", "qa_delta_pos", token_align.NAME)
FEATURE_VERSION = 16  # 15: acronyms/identifiers match only when equal, name swaps (issue 12); 16: "non-zero" is one word
_CHAR_FEATURES = 1 << 18


@dataclass(frozen=True)
class Side:
    """One card as the judge sees it: plain question, plain answer, whole card text."""

    question: str
    answer: str
    text: str
    cloze: bool = False
    note: str = ""  # the file the card is in ("" unknown)


@dataclass
class Encoded:
    """Vectors of a list of :class:`Side`: unit rows for card texts, questions, answers (embedding and
    hashed character n-grams)."""

    sides: Sequence[Side]
    card: np.ndarray
    question: np.ndarray
    answer: np.ndarray
    char_card: object  # scipy sparse, l2-normalised rows
    char_q: object
    char_a: object
    density_card: np.ndarray | None = None  # mean cosine to the DENSITY_K nearest other cards
    density_q: np.ndarray | None = None
    char_cos: dict | None = None  # (i, j) -> (card, question, answer) n-gram cosines, see char_cosines
    embed: Callable[[list[str]], np.ndarray] | None = None  # the model, for word vectors (see fill_words)
    covered: Sequence[bool] | None = None  # which sides the model reads (None: all)
    words: dict = field(default_factory=term_align.WordVectors)  # content word -> unit vector (term_align)


def fill_words(enc: Encoded, pairs: Sequence[tuple[int, int]]) -> None:
    """Embed (once, through ``enc.embed``) the content words of the sides of ``pairs`` that the model
    reads, for :func:`~notes2anki.semantic.term_align.align`."""
    if enc.embed is None:
        return
    rows = {k for i, j in pairs for k in (i, j)
            if enc.covered is None or (enc.covered[i] and enc.covered[j])}
    texts = [t for k in sorted(rows) for t in (enc.sides[k].question, enc.sides[k].answer, enc.sides[k].text)]
    missing = [w for w in term_align.needed_words(texts) if w not in enc.words]
    enc.words.update(term_align.word_vectors(missing, enc.embed))


def char_cosines(enc: Encoded, pairs: Sequence[tuple[int, int]]) -> None:
    """Measure the character n-gram cosines of index ``pairs`` in a few sparse operations (one pair at a
    time through scipy indexing costs about 2 ms) and keep them in ``enc.char_cos``."""
    if not pairs:
        return
    first = [i for i, _ in pairs]
    second = [j for _, j in pairs]
    found = [np.asarray(m[first].multiply(m[second]).sum(axis=1), dtype=np.float64).ravel()
             for m in (enc.char_card, enc.char_q, enc.char_a)]
    enc.char_cos = dict(zip(map(tuple, pairs), zip(*(f.tolist() for f in found))))


_PUNCTUATION = re.compile(r"[^\w\s]+")


def char_vectors(texts: Sequence[str]):
    """Hashed character 2–4-gram vectors (within words, lower case, punctuation read as a space: "何か？" and
    "何か。" are the same), l2-normalised: a sparse matrix."""
    from scipy import sparse

    from .chargrams import char_wb_matrix  # = scikit-learn's HashingVectorizer(analyzer="char_wb"), unimported

    indptr, indices, data = char_wb_matrix([_PUNCTUATION.sub(" ", t) for t in texts], 2, 4, _CHAR_FEATURES)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(texts), _CHAR_FEATURES))


def encode(sides: Sequence[Side], embed, covered: Sequence[bool] | None = None, *, chars: bool = True,
           densities: bool = True) -> Encoded:
    """Embed (``embed``: texts -> unit rows, e.g. ``Embedder.embed``) and n-gram the sides' three texts.
    With ``covered``, only the sides the model reads are embedded (the others get zero rows: they are
    judged by character n-grams, and embedding them would only cost time). ``chars=False``: no character
    n-grams yet (all-zero matrices); :func:`fill_chars` adds them for the sides that need them.
    ``densities=False``: ``density_card`` / ``density_q`` left None for the caller to set (e.g. from a cache;
    :func:`density` of the embedded rows)."""
    cards = [s.text for s in sides]
    questions = [s.question or s.text for s in sides]
    answers = [s.answer or s.question or s.text for s in sides]
    n = len(sides)
    rows = [i for i in range(n) if covered is None or covered[i]]
    texts = [cards[i] for i in rows] + [questions[i] for i in rows] + [answers[i] for i in rows]
    m = len(rows)
    placed = getattr(embed, "placed", None)  # (a VectorMemo: gathers each row straight to its place)
    if 0 < m < n and placed is not None and (flat := placed(texts, 3 * n, np.concatenate(
            [np.asarray(rows, dtype=np.int64) + k * n for k in range(3)]))) is not None:
        out = flat.reshape(3, n, flat.shape[1])
    else:
        found = embed(texts) if rows else np.zeros((0, 0), dtype=np.float32)
        dim = found.shape[1] if found.ndim == 2 and found.shape[0] else 1
        if m == n and m and found.dtype == np.float32 and found.shape == (3 * n, dim):
            out = found.reshape(3, n, dim)  # every side read: the embedded rows themselves (no second copy)
        else:
            out = np.zeros((3, n, dim), dtype=np.float32)
            for k in range(3):
                if m:
                    out[k, rows] = found[k * m:(k + 1) * m]
    enc = Encoded(sides, out[0], out[1], out[2], None, None, None, embed=embed, covered=covered)
    if densities:
        enc.density_card, enc.density_q = density(out[0], rows), density(out[1], rows)
    fill_chars(enc, range(n) if chars else ())
    return enc


def _char_rows(texts: Sequence[str], *, keep: bool = True):
    """:func:`char_vectors` through the memo of known texts (:mod:`~notes2anki.semantic.chargram_memo`;
    ``keep=False``: not stored in its file)."""
    return chargram_memo.vectors(texts, char_vectors, _CHAR_FEATURES, keep=keep)


def fill_chars(enc: Encoded, rows: Sequence[int], *, card: bool = True) -> None:
    """Set ``enc``'s character n-gram matrices to the vectors of ``rows`` (other rows zero): each row is
    the same as n-gramming every side (:func:`char_vectors` reads one text at a time). ``card=False``: the
    question and answer matrices only (``char_card`` kept, e.g. set for every side by :func:`fill_card_chars`)."""
    from scipy import sparse

    rows = sorted(set(rows))
    n = len(enc.sides)
    place = sparse.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(n, len(rows)))
    texts = ([s.text for s in (enc.sides[i] for i in rows)] if card else None,
             [s.question or s.text for s in (enc.sides[i] for i in rows)],
             [s.answer or s.question or s.text for s in (enc.sides[i] for i in rows)])
    keep = (True, False, False)  # the memo file keeps card texts' rows only (see chargram_memo.vectors)
    if len(rows) == n:
        made = [_char_rows(t, keep=k) if t is not None else None for t, k in zip(texts, keep)]
    else:
        made = [None if t is None else (place @ _char_rows(t, keep=k)).tocsr() if rows
                else sparse.csr_matrix((n, _CHAR_FEATURES)) for t, k in zip(texts, keep)]
    enc.char_card = enc.char_card if made[0] is None else made[0]
    enc.char_q, enc.char_a = made[1], made[2]


def fill_card_chars(enc: Encoded) -> None:
    """Set ``enc.char_card`` to every side's card-text n-gram vector: what the candidate search of the sides
    the model does not read needs (:func:`~notes2anki.semantic.char_mining.mixed_neighbours`). The question
    and answer matrices are left for :func:`fill_chars` (``card=False``) to set for the sides of the pairs
    measured: after an edit those are a few dozen of the vault's sides (10,000 cards: 0.21 s for all three
    matrices of every side, from the memo)."""
    enc.char_card = _char_rows([s.text for s in enc.sides])


@lru_cache(maxsize=1 << 15)
def _content(text: str) -> tuple[str, ...]:
    return tuple(sorted({w for w, c in contrast.tokens(text) if c}))


def _jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a and not b:
        return 1.0
    index_a, index_b = word_index(a), word_index(b)
    hits_a = sum(1 for w in a if index_b.has(w))
    hits_b = sum(1 for v in b if index_a.has(v))
    return (hits_a + hits_b) / (len(a) + len(b))


def _sparse_cos(m, i: int, j: int) -> float:
    return float(m[i].multiply(m[j]).sum())


def _norm_answer(text: str) -> str:
    return " ".join(contrast._WORD.findall(text.casefold()))


def pair_features(enc: Encoded, i: int, j: int) -> np.ndarray:
    """The :data:`FEATURES` of sides ``i`` and ``j`` of ``enc``, as a float vector."""
    return measure_rows(enc, [(i, j)])[0]


def measure_rows(enc: Encoded, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """The :data:`FEATURES` rows (len(pairs) x len(FEATURES), float64) of index ``pairs`` of ``enc``, in this
    process. The word alignments that need only their scores (answers, card texts, each question against the
    other card) are computed for all pairs at once (:func:`~notes2anki.semantic.term_align.scores_many`);
    the values are those of aligning each pair on its own."""
    words = enc.words or None
    requests = []
    for i, j in pairs:
        a, b = enc.sides[i], enc.sides[j]
        requests += [(a.answer, b.answer), (a.text, b.text), (a.question, b.text), (b.question, a.text)]
    aligned = term_align.scores_many(requests, words, negated=[False, True, False, False] * len(pairs))
    out = np.empty((len(pairs), len(FEATURES)), dtype=np.float64)
    for n, (i, j) in enumerate(pairs):
        out[n] = _features(enc, i, j, words, aligned[4 * n:4 * n + 4])
    return out


def _features(enc: Encoded, i: int, j: int, words, aligned: np.ndarray) -> np.ndarray:
    """One pair's row; ``aligned``: :func:`~notes2anki.semantic.term_align.scores_many` of its answers,
    card texts, question(a)–card(b) and question(b)–card(a)."""
    a, b = enc.sides[i], enc.sides[j]
    has_answers = bool(a.answer and b.answer)
    q_cos = float(enc.question[i] @ enc.question[j])
    a_cos = float(enc.answer[i] @ enc.answer[j]) if has_answers else q_cos
    qa = float(enc.question[i] @ enc.answer[j]) if b.answer else 0.0
    aq = float(enc.answer[i] @ enc.question[j]) if a.answer else 0.0
    cross = max(qa, aq)
    direct = (q_cos + a_cos) / 2
    inverse = (qa + aq) / 2 if has_answers else 0.0
    swaps = contrast.substitutions(a.question, b.question, drop_asides=True)
    affix = any(contrast.affix_contrast(x, y) for x, y in swaps)
    swaps = swaps or contrast.name_swaps(a.question, b.question)  # HTTPS / HTTP in reworded questions
    nq = contrast.quantity_conflict(a.question, b.question)
    na = contrast.quantity_conflict(a.answer, b.answer, words=True) if has_answers else (0, 0)
    qa_a, qa_b = contrast.quantities(a.answer, words=True), contrast.quantities(b.answer, words=True)
    overlap = contrast.answer_overlap(a.question, a.answer, b.question, b.answer) if has_answers else None
    containment, coverage = overlap if overlap is not None else (0.0, 0.0)
    pa, pb = contrast.polarity(a.answer), contrast.polarity(b.answer)
    if a.cloze or b.cloze:
        negation = contrast.negated(f"{a.question} {a.answer}") != contrast.negated(f"{b.question} {b.answer}")
    else:
        negation = contrast.negated(a.question) != contrast.negated(b.question)
    la, lb = len(a.text), len(b.text)
    card_cos = float(enc.card[i] @ enc.card[j])
    chars = enc.char_cos.get((i, j)) if enc.char_cos else None
    if chars is None:
        chars = (_sparse_cos(enc.char_card, i, j), _sparse_cos(enc.char_q, i, j), _sparse_cos(enc.char_a, i, j))
    values = {
        "card_cos": card_cos, "q_cos": q_cos,
        "card_margin": card_cos - (enc.density_card[i] + enc.density_card[j]) / 2,
        "q_margin": q_cos - (enc.density_q[i] + enc.density_q[j]) / 2, "a_cos": a_cos,
        "has_answers": float(has_answers), "cross_cos": cross,
        "direct_cos": direct, "inverse_cos": inverse, "aligned_cos": max(direct, inverse, cross if not has_answers else 0.0),
        "char_card": chars[0], "char_q": chars[1], "char_a": chars[2] if has_answers else chars[1],
        "q_jaccard": _jaccard(_content(a.question), _content(b.question)),
        "q_swap": float(bool(swaps)), "q_affix": float(affix),
        "num_q_conflict": float(min(nq) > 0), "num_a_conflict": float(min(na) > 0),
        "num_a_match": float(bool(qa_a and qa_b) and max(na) == 0),
        "a_containment": containment, "a_coverage": coverage,
        "a_equal": float(has_answers and _norm_answer(a.answer) == _norm_answer(b.answer)),
        "yesno_conflict": float(bool(pa and pb and pa != pb)), "negation_differs": float(negation),
        "len_ratio": min(la, lb) / max(la, lb, 1),
    }
    qq = term_align.align(a.question, b.question, words)
    (_, _, a_f1, _), (_, _, card_f1, card_negated), (_, qc_a, _, _), (_, qc_b, _, _) = aligned.tolist()
    values.update({"q_align": qq.f1, "a_align": a_f1 if has_answers else qq.f1, "card_align": card_f1,
                   "qcard_align": (qc_a + qc_b) / 2,
                   "q_unmatched": qq.unmatched, "q_unmatched_sim": qq.unmatched_sim, "q_worst": qq.worst,
                   "neg_prefix": float(qq.negated or bool(card_negated)),
                   "same_note": float(bool(a.note) and a.note == b.note),
                   "q_added": float(min(2, term_align.added(contrast.without_asides(a.question),
                                                            contrast.without_asides(b.question)))),
                   "q_inserted": float(bool(contrast.insertions(a.question, b.question))),
                   "mirrored": float(mirrored(a, b))})
    values.update(pair_cues.cues(a.question, a.answer, b.question, b.answer, q_cos, a_cos, has_answers, words))
    delta = delta_alignment(enc.question[i], enc.question[j], enc.answer[i], enc.answer[j]) if has_answers else 0.0
    values.update({"qa_delta": delta, "qa_delta_pos": max(0.0, delta),
                   token_align.NAME: 1.0})  # measured after the rows (scoring.fill_context: a forward pass per text)
    return np.array([values[name] for name in FEATURES], dtype=np.float64)


DELTA_FLOOR = 1.0  # |question difference| x |answer difference| below which the cosine is scaled down


def delta_alignment(q_a: np.ndarray, q_b: np.ndarray, a_a: np.ndarray, a_b: np.ndarray) -> float:
    """``(q_a - q_b) · (a_a - a_b) / max(|q_a - q_b| |a_a - a_b|, DELTA_FLOOR)`` for unit question and answer
    vectors of two cards: the cosine between the change from one question to the other and the change of
    their answers where both changes are large, and below the floor the plain dot product ``q_a·a_a + q_b·a_b
    - q_a·a_b - q_b·a_a`` (each card's own question-answer cosines minus the crossed ones), which goes to 0
    smoothly where the questions or the answers are one text: the direction between two almost equal vectors
    is little more than encoder noise, and dividing by its length would amplify the int8 encoder's error.
    With unit vectors the floor 1.0 keeps the dot product for every pair whose question and answer cosines
    are both above 0.5, nearly all candidate pairs. Chosen by refitting at 0.1, 0.3, 0.5, 0.7 and 1.0 (feature
    version 13): 1.0 gives the best grouped CV (0.956 / 0.768 against 0.955 / 0.750 at 0.7 and 0.974 / 0.679 at
    0.3, whose higher threshold costs dev recall) with the same real-vault flags as 0.7."""
    dq = q_a.astype(np.float64) - q_b
    da = a_a.astype(np.float64) - a_b
    return float(dq @ da) / max(float(np.linalg.norm(dq)) * float(np.linalg.norm(da)), DELTA_FLOOR)


def _stems(text: str) -> frozenset[str]:
    """All word stems of ``text`` (function words too: which words count as function words depends on the
    language a text shows, and a two-word question shows none)."""
    return frozenset(w for w, _ in contrast.tokens(text))


def mirrored(a: Side, b: Side) -> bool:
    """Whether two cards are one card and its reverse: each one's question is in the other's answer (content
    words), as Anki's "Basic (and reversed card)" makes them ("die Satire" -> "la sátira" and "la sátira"
    -> "die Satire"): written so on purpose, not a duplicate."""
    qa, qb, aa, ab = _stems(a.question), _stems(b.question), _stems(a.answer), _stems(b.answer)
    return bool(qa and qb and aa and ab) and qa <= ab and qb <= aa


def explain(values: np.ndarray) -> dict[str, float]:
    """Feature name -> value (rounded), for ``dupes --explain`` and JSON."""
    return {name: round(float(v), 4) for name, v in zip(FEATURES, values)}
