"""The plain-words reasons of `dupes --explain` (tester 12-03): every measurement read in one group, a group
named only when its share of the logit is negative and it reads as a reason, never a feature name."""
from __future__ import annotations

import numpy as np
import pytest

from notes2anki.model import Card
from notes2anki.semantic import negated_terms, pair_model, why_not
from notes2anki.semantic.dupes import Rejection, compare_cards
from notes2anki.semantic.pair_features import FEATURES, Side


def test_every_measurement_is_read_in_exactly_one_group():
    names = [name for names, _ in why_not.GROUPS for name in names]
    assert sorted(names) == sorted(FEATURES)


def _row(**values) -> np.ndarray:
    """The training mean (every contribution 0), with ``values`` set."""
    row = pair_model.load().mean.copy()
    for name, value in values.items():
        row[FEATURES.index(name)] = value
    return row


def test_only_groups_whose_share_is_negative_and_that_read_as_a_reason_are_named():
    model = pair_model.load()
    assert why_not.against(model, _row()) == []  # nothing departs from the mean
    assert why_not.against(model, _row(same_note=1.0)) == ["both in one note (a note's cards usually differ)"]
    # a high question cosine has a negative coefficient (the card-level cosines carry the positive weight), so
    # its share is negative; it is still never given as a reason against
    high = _row(q_cos=0.95, char_q=0.9)
    q_share = sum(float(p) for name, p in zip(FEATURES, (high - model.mean) / model.scale * model.coef)
                  if name in ("q_cos", "char_q"))
    assert q_share < 0 and why_not.against(model, high) == []
    # absent cues (no number differs, no negation) are not reasons either, whatever their share
    assert why_not.against(model, _row(num_q_conflict=0.0, num_a_conflict=0.0, negation_differs=0.0)) == []
    got = why_not.against(model, _row(num_a_conflict=1.0, q_swap=1.0, same_note=1.0, q_added=1.0))
    assert len(got) == why_not.TOP and "numbers differ in the answers" in got and "a term differs" in got


def test_a_threshold_equal_to_the_rounded_score_is_not_said_twice():
    assert why_not.below_threshold(0.6199, 0.62, []).startswith("score 0.6199 below threshold 0.62: not alike")


def basic(front: str, back: str, line: int) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file="n.md", line=line)


PAIRS = [  # labelled siblings (dupe_pairs_test.jsonl) and one duplicate
    (basic("What is a price ceiling?", "A legal maximum price.", 1),
     basic("What is a price floor?", "A legal minimum price.", 5)),
    (basic("Which river flows through Budapest?", "The Danube", 9),
     basic("Which river flows through Prague?", "The Vltava", 13)),
    (basic("What is the molar mass of water?", "18 g/mol", 17),
     basic("What is the molar mass of carbon dioxide?", "44 g/mol", 21)),
]


@pytest.mark.parametrize("k, words", [(0, "a term differs: ceiling / floor"), (1, "a term differs: Budapest / Prague"),
                                      (2, "numbers differ in the answers")])
def test_reasons_of_real_pairs_name_the_term_and_hold_no_feature_name(embedder, k, words):
    a, b = PAIRS[k]
    verdict = compare_cards([(a, b)], embedder)[0]
    reason = Rejection(a, b, verdict.score, verdict=verdict).reason
    assert reason.startswith(f"score {verdict.score:.2f} below threshold 0.62; against: ") and words in reason
    assert not any(name in reason for name in FEATURES if "_" in name), reason
    model = pair_model.load()
    parts = (verdict.row - model.mean) / model.scale * model.coef
    named = reason.split("against: ")[1].split("; ")
    for (names, phrase), columns in zip(why_not.GROUPS, why_not._COLUMNS):
        said = phrase(dict(zip(FEATURES, verdict.row)), (a.fields["Front"], b.fields["Front"]))
        if said in named:
            assert parts[columns].sum() < 0, (said, names)


def _side(question: str, answer: str) -> Side:
    return Side(question, answer, f"{question}\n{answer}")


def test_a_negated_term_is_named_only_when_one_card_holds_what_the_other_negates():
    """Tester r3: "a term is negated by a prefix (un-, non-, …)" for "Define input and state constraints" /
    "Holonomic vs non-holonomic constraints" (the stand-alone "non" fires the measurement; the first card
    holds no "holonomic"), and on BenAgro for "infinite" / "finite" in the answers without naming them."""
    on = dict.fromkeys(FEATURES, 0.0) | {"neg_prefix": 1.0}
    constraints = _side("Define input and state constraints", "A system x' = f(x, u, t) may be subject to phi >= 0")
    holonomic = _side("Holonomic vs non-holonomic constraints", "Holonomic ones depend only on the configuration.")
    assert why_not._term(on, (constraints, holonomic)) is None  # no pair of terms to show: no reason
    assert why_not._term(on | {"q_diff_own": 0.5}, (constraints, holonomic)) == \
        "the words that differ are what each card's own answer is about"  # the group's other reasons
    plain = _side("What are holonomic constraints?", "They depend only on the configuration.")
    assert why_not._term(on, (plain, holonomic)) == "the questions negate a term: holonomic / non-holonomic"
    assert why_not._term(on, (plain.question, holonomic.question)) == \
        "the questions negate a term: holonomic / non-holonomic"  # the questions alone
    infinite = _side("What is the sufficiency theorem?", "For an infinite horizon cost, J solves the HJB equation.")
    finite = _side("Formulation of finite horizon LQR", "Linear dynamics, finite horizon cost J = h(x(tf)).")
    assert why_not._term(on, (infinite, finite)) == "the answers negate a term: infinite / finite"
    assert why_not._term(on, (infinite.question, finite.question)) is None  # the answers are not known
    saturated = _side("Which fats are solid at room temperature?", "Saturated fats")
    unsaturated = _side("Which fats are liquid at room temperature?", "Unsaturated fats")
    assert why_not._term(on, (saturated, unsaturated)) == "the answers negate a term: Saturated / Unsaturated"
    across = _side("What is an unsaturated fat?", "A fat with double bonds.")
    assert why_not._term(on, (saturated, across)) == "the cards negate a term: Saturated / unsaturated"
    assert why_not._term(dict.fromkeys(FEATURES, 0.0), (plain, holonomic)) is None  # the measurement did not fire


def test_the_explained_reason_of_a_real_pair_names_no_negation_the_cards_do_not_show(embedder):
    a = basic("Define input and state constraints", "A dynamical system x' = f(x, u, t) may be subject to "
              "constraints phi(x, u, t) >= 0", 1)
    b = basic("Holonomic vs non-holonomic constraints", "Holonomic constraints depend only on the configuration; "
              "non-holonomic ones also on the velocities.", 5)
    verdict = compare_cards([(a, b)], embedder)[0]
    # "non-holonomic" is one word ("nonholonomic"), which the first card does not negate: the measurement no
    # longer fires on the prefix alone (it did before hyphenated negations were read as one word)
    assert verdict.row[FEATURES.index("neg_prefix")] == 0.0
    reason = Rejection(a, b, verdict.score, verdict=verdict).reason
    assert "negat" not in reason, reason


def test_a_hyphenated_negation_is_the_same_word_written_without_the_hyphen(embedder):
    """Dev set: "a nonzero v with Av = λv" / "the non-zero vectors that A only stretches" was rejected with
    "the answers negate a term: nonzero / zero" (the tokens of "non-zero" were "non" and "zero"). A negating
    prefix of 3+ letters joined by a hyphen is now one word with its stem, so the two spellings match and a
    real negation still reads as one."""
    assert negated_terms.pairs("a nonzero vector", "the non-zero vectors") == []
    assert negated_terms.pairs("a zero vector", "the non-zero vectors") == [("zero", "nonzero")]
    assert negated_terms.pairs("competitive inhibitor", "Non-Competitive inhibitor") == \
        [("competitive", "noncompetitive")]
    assert negated_terms.written("A Non-Competitive inhibitor", "noncompetitive") == "Non-Competitive"
    # tester 12-03: a hyphen pasted as U+2010 / U+2011, and a term in capitals, are the same word
    for spelled in ("non\u2010zero", "non\u2011zero", "NON-ZERO"):
        assert negated_terms.pairs("a nonzero vector", f"the {spelled} vectors") == [], spelled
    assert negated_terms.pairs("competitive inhibitor", "NON-COMPETITIVE inhibitor") == \
        [("competitive", "noncompetitive")]
    assert negated_terms.pairs("Non-Competitive inhibitor", "non\u2010competitive inhibitor") == []
    # tester 12-03: a doubled hyphen (a typo) joins too, and "a term differs" quotes the word as written
    assert negated_terms.pairs("a nonzero vector", "the non--zero vectors") == []
    from notes2anki.semantic.why_not import _written
    assert _written("a non-competitive inhibitor", "an uncompetitive inhibitor", "noncompetitive") == "non-competitive"
    a = basic("Which sets have an upper bound?", "every nonempty set that is bounded above", 1)
    b = basic("Which sets are bounded above?", "the non-empty sets with an upper bound", 5)
    c = basic("Which sets are bounded above?", "the empty set and the sets with an upper bound", 9)
    same, other = compare_cards([(a, b), (a, c)], embedder)
    assert same.row[FEATURES.index("neg_prefix")] == 0.0
    assert other.row[FEATURES.index("neg_prefix")] == 1.0
    assert "negat" not in Rejection(a, b, same.score, verdict=same).reason
