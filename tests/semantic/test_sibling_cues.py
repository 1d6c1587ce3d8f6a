"""The two sibling-card cues of feature version 12: symbols that differ (pair_cues.notation_conflict) and
the direction the answers change in as the questions change (pair_features.delta_alignment)."""
from __future__ import annotations

import numpy as np

from notes2anki.semantic import pair_cues
from notes2anki.semantic.pair_features import FEATURES, Side, delta_alignment, encode, pair_features


def test_notation_is_symbols_with_marks_or_digits_case_kept():
    assert pair_cues.notation("Derivative of x^T B wrt x") == {"xT"}
    assert pair_cues.notation("What is the rate law of an S_N2 reaction?") == {"SN2"}
    assert pair_cues.notation("How many atoms does H₂O hold?") == {"H₂O"}
    assert pair_cues.notation("What does the phrenic nerve supply?") == frozenset()


def test_formula_cards_about_other_quantities_differ_by_notation():
    # two equations of one note: the static margin and the manoeuvre point (the NoLtour siblings' shape)
    a = "H_S = h_0 - h + K C_L_T For this equation: what does it describe?"
    b = "Name each of the variables in: h_m = h_0 + K C_L_T"
    assert pair_cues.notation(a) == {"HS", "h0", "CLT"} and pair_cues.notation(b) == {"hm", "h0", "CLT"}
    assert pair_cues.notation_conflict(a, b) == 0.5  # 2 shared of 4


def test_one_formula_written_with_a_flattened_subscript_is_the_same_notation():
    a = "C_Dm = C_DL + C_LT: derive the minimum trim drag"
    b = "Using C_ D_m = C_ D_L + C_ L_T, how do we find the minimum trim drag?"
    assert pair_cues.notation_conflict(a, b) == 0.0


def test_no_notation_on_one_side_says_nothing():
    assert pair_cues.notation_conflict("What is x_1 in the update?", "What is the first input?") == 0.0
    c = pair_cues.cues("What is T_3?", "", "What is T_2?", "", 0.9, 0.9, False)
    assert c["q_notation"] == 1.0 and c["a_notation"] == 0.0


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_delta_alignment_follows_what_the_questions_change():
    base = np.eye(4, dtype=np.float32)
    qa, qb = _unit(base[0] + base[2]), _unit(base[0] - base[2])   # questions differ along e2 ...
    aa, ab = _unit(base[1] + base[2]), _unit(base[1] - base[2])   # ... and so do their answers: siblings
    assert abs(delta_alignment(qa, qb, aa, ab) - 1.0) < 1e-6
    # an inverse pair: each question is the other card's answer
    assert abs(delta_alignment(qa, qb, qb, qa) + 1.0) < 1e-6
    # one question twice (encoder noise between the two): shrunk towards 0, not a direction
    noise = _unit(base[0] + 1e-3 * base[3])
    assert abs(delta_alignment(base[0], noise, aa, ab)) < 0.02


def test_with_the_bundled_model_sibling_answers_follow_their_questions(embedder):
    # written for this test: two cards of one note asking what a setting's two extremes do
    sibling = (Side("What does a learning rate of 0 mean?", "the weights never change: nothing is learned", ""),
               Side("What does a very high learning rate mean?", "the updates overshoot and the loss diverges", ""))
    inverse = (Side("Which nerve supplies the diaphragm?", "the phrenic nerve", ""),
               Side("Phrenic nerve: what does it supply?", "the diaphragm", ""))
    sides = [Side(s.question, s.answer, f"{s.question} {s.answer}") for s in (*sibling, *inverse)]
    enc = encode(sides, embedder.embed)
    k = FEATURES.index("qa_delta")
    sib, inv = pair_features(enc, 0, 1), pair_features(enc, 2, 3)
    print(f"\nqa_delta: sibling {sib[k]:.3f}, inverse {inv[k]:.3f}")
    assert sib[k] > 0.0  # the dev vault's candidate pairs that are not duplicates: median +0.10
    assert inv[k] < -0.3  # its inverse duplicates: median -0.42
    assert sib[FEATURES.index("qa_delta_pos")] == sib[k] and inv[FEATURES.index("qa_delta_pos")] == 0.0
