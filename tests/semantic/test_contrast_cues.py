"""The lexical cues that tell look-alike cards apart."""
from __future__ import annotations

import pytest

from notes2anki.semantic import contrast as c


@pytest.mark.parametrize("text, expected", [
    ("TLS 1.3", {"1.3"}),
    ("299 792 458 m/s", {"299792458"}),
    ("+1 elementary charge (+1.602 × 10⁻¹⁹ C)", {"1", "1.602", "10", "19"}),
    ("(−1, 1)", {"-1", "1"}),
    ("Newton's 2nd law", {"2"}),
    ("second law", {"2"}),
    ("Cranial nerve III", {"3"}),
    ("1NF", {"1"}),
    ("3.00 m", {"3"}),
])
def test_numbers(text, expected):
    assert c.numbers(text) == expected


def test_number_conflicts():
    assert c.number_conflict("What changed in TLS 1.3?", "What changed in TLS 1.2?") == ("1.3", "1.2")
    assert c.number_conflict("Newton's second law", "Newton's 2nd law") is None
    assert c.number_conflict("1989", "November 9, 1989") is None  # one side only adds a number
    assert c.number_conflict("About 9.81 m/s²", "g ≈ 9.8 m/s^2") is None  # a rounding
    assert c.number_conflict("+1 charge", "−1 charge") is not None
    # in answers only digits conflict: "First World War" is not the number 1 there
    assert c.number_conflict("The 1919 treaty", "after the First World War", words=False) is None


def test_polarity_and_negation():
    assert c.polarity("No — it can give wrong results") == "no"
    assert c.polarity("Yes, as long as ...") == "yes"
    assert c.polarity("Nein.") == "no" and c.polarity("Canberra") is None
    assert c.negated("Which of these is NOT a prime?") and c.negated("Why isn't UDP reliable?")
    assert not c.negated("Which of these is a prime?")


@pytest.mark.parametrize("a, b, swap", [
    ("What is the capital of New Zealand?", "What is the largest city in New Zealand?", ("capital", "largest city")),
    ("What is a misdemeanor?", "What is a felony?", ("misdemeanor", "felony")),
    ("Which base pairs with adenine in DNA?", "Which base pairs with adenine in RNA?", ("DNA", "RNA")),  # acronyms keep their case
    ("What does the A in ACID stand for?", "What does the I in ACID stand for?", ("a", "i")),
    ("How do you convert Celsius to Fahrenheit?", "How do you convert Fahrenheit to Celsius?",
     ("celsius to fahrenheit", "fahrenheit to celsius")),
])
def test_swapped_terms_in_minimal_pairs(a, b, swap):
    assert swap in c.substitutions(a, b)


@pytest.mark.parametrize("a, b", [
    ("What is the law of demand?", "State the law of demnad."),  # typo
    ("Was ist die Hauptstadt von Kanada?", "Wie heißt die Hauptstadt Kanadas?"),  # inflection, rewording
    ("What is the longest river in Africa?", "Which river is Africa's longest?"),  # reordered
    ("What is the role of the TLB?", "What is the role of the translation lookaside buffer?"),  # acronym
    ("What is the bias-variance tradeoff?", "What is the bias-variance trade-off?"),  # compound
    ("What is an epoch in training?", "What is an epoch (ML)?"),
])
def test_rewording_is_not_a_swap(a, b):
    assert c.substitutions(a, b, drop_asides=True) == []


def test_affix_contrast():
    assert c.affix_contrast("exothermic", "endothermic")
    assert c.affix_contrast("appellant", "appellee")
    assert not c.affix_contrast("body", "skeleton")


def test_answer_overlap_leaves_out_words_of_the_question():
    containment, coverage = c.answer_overlap("What is the pH of neutral water?", "pH 7 (neutral)",
                                             "pH of pure water at 25 °C?", "7")
    assert containment == coverage == 1.0
    containment, coverage = c.answer_overlap("What is the end product of glycolysis?",
                                             "Pyruvate (2 per glucose), plus 2 ATP",
                                             "What is the starting molecule of glycolysis?", "Glucose")
    assert containment == 1.0 and coverage < 0.5  # one word found in a long answer
    assert c.answer_overlap("Normal resting heart rate?", "60 to 100 beats per minute",
                            "Normal resting pulse?", "60-100 bpm")[0] == 1.0  # bpm = beats per minute
