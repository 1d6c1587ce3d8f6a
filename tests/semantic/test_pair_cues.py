"""The cues read from how a card is built (notes2anki/semantic/pair_cues.py), on minimal pairs."""
from __future__ import annotations

from pathlib import Path

from notes2anki.semantic import pair_cues
from notes2anki.semantic.evaluate import load_pairs


def _cues(qa, aa, qb, ab, q_cos=0.5, a_cos=0.5, has_answers=True):
    return pair_cues.cues(qa, aa, qb, ab, q_cos, a_cos, has_answers)


def test_an_inverse_question_names_the_other_answer_both_ways():
    c = _cues("Which nerve supplies the diaphragm?", "the phrenic nerve",
              "Phrenic nerve — what does it innervate?", "the diaphragm")
    assert c["answer_in_question"] == 1.0 and c["answer_in_question_both"] == 1.0


def test_a_basic_card_asking_what_a_cloze_blanks_one_way():
    # the Cloze card read as the question it asks ("[...] replaces ...") and its answer
    c = _cues("Constant folding?", "evaluating constant expressions at compile time",
              "[...] replaces 60 * 60 * 24 with 86400 while compiling.", "Constant folding")
    assert c["answer_in_question"] == 1.0 and c["answer_in_question_both"] == 0.0


def test_initials_of_the_other_question_count():
    c = _cues("Short-run shutdown rule: shut down when the price is below?", "AVC",
              "What does average variable cost measure?", "variable cost per unit of output")
    assert c["answer_in_question"] == 1.0


def test_siblings_with_different_answers():
    c = _cues("What does L1 regularisation do to the weights?", "pushes many of them to exactly zero",
              "What does L2 regularisation do to the weights?", "shrinks all of them towards zero",
              q_cos=0.95, a_cos=0.55)
    assert c["answer_in_question"] == 0.0
    assert abs(c["answer_gap"] - 0.40) < 1e-9


def test_values_stay_in_their_declared_ranges_and_vanish_without_answers():
    c = _cues("What is X?", "", "Define X", "", q_cos=0.9, a_cos=0.1, has_answers=False)
    # without answers nothing is left unexplained (a_explained 1.0); the question-only cues are kept
    assert c == {name: 0.0 for name in pair_cues.NAMES} | {"q_template": c["q_template"], "a_explained": 1.0,
                                                           "q_diff_own": c["q_diff_own"]}
    words = ("alpha beta gamma delta epsilon zeta theta iota kappa lambda omicron sigma tau upsilon "
             "phi chi psi omega").split()
    long_answer = " ".join(words)  # 18 content words: an explanation, not a term another prompt names
    c = _cues("What is X?", long_answer, f"{long_answer}?", "y", q_cos=-1.0, a_cos=1.0)
    assert c["answer_in_question"] == 0.0 and c["answer_gap"] == 0.0
    for name, value in _cues("a b", "c", "c d", "a", q_cos=1.0, a_cos=-1.0).items():
        low, high = pair_cues.RANGES[name]
        assert low <= value <= high


def test_written_training_pairs_mark_cards_of_one_note():
    pairs = load_pairs(Path(__file__).resolve().parent / "data" / "dupe_pairs_extra.jsonl")
    siblings = [p for p in pairs if p.raw.get("same_note")]
    assert siblings and all(p.a.file == p.b.file for p in siblings)
    assert all(p.a.file != p.b.file for p in pairs if not p.raw.get("same_note"))
    assert {p.label for p in siblings} == {0, 1}


def test_template_siblings_are_read_with_their_symbols():
    """The slot of a template is often a symbol the word tokenizer folds or drops (case, subscripts)."""
    t = pair_cues.q_template
    assert t("How do I apply R_BE?", "How do I apply R_EB?") > 0.7
    assert t("State the signs of a_1 a_2 a_3", "State the signs of b_1 b_2 b_3") > 0.5
    assert t("Derivative of x^T B wrt x", "Derivative of x^T b wrt x") > 0.8  # case kept: B is not b
    assert t("Mitosis produces?", "Meiosis produces?") > 0.5
    assert t("What do the chordae tendineae do?", "Function of a chorda tendinea?") == 0.0  # reworded
    assert t("Same question?", "Same question?") == 0.0  # identical: exact copies are found apart
    low, high = pair_cues.RANGES["q_template"]
    assert low <= t("a b c d", "a b x d") <= high
