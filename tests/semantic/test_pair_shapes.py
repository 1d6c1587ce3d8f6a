"""The differing-terms measurements and the two structural vetoes of the duplicate judge, each with its
minimal input (issue 12: real-vault false pairs, numbers by value, stop words from stopwords-iso)."""
from __future__ import annotations

import numpy as np
import pytest

from notes2anki.model import Card
from notes2anki.semantic import contrast, quantities, term_align, word_match
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.pair_features import Side, mirrored


def basic(front: str, back: str, *, file: str = "a.md", line: int = 1) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file=file, line=line)


# -- shapes -------------------------------------------------------------------------------------------------
def test_minimal_pair_by_insertion():
    """Kroid's verb-tense tables: one question is the other with a word inserted."""
    assert contrast.insertions("Past Continuous verb forms", "Past Perfect Continuous verb forms") == ["perfect"]
    assert contrast.insertions("When do we non dimensionalise velocity?",
                               "When do we non dimensionalise angular velocity?") == ["angular"]
    # a reworded question, a replaced word, an aside or only function words are no insertion
    assert contrast.insertions("What's a basic block?", "Basic blocks — definition?") == []
    assert contrast.insertions("Mitosis produces?", "Meiosis produces?") == []
    assert contrast.insertions("Axillary nerve: muscles?", "Axillary nerve (C5–C6): muscles?") == []
    assert contrast.insertions("What is the capital of Peru?", "What is the capital of Peru then?") == []


def test_a_card_and_its_reverse_are_mirrored():
    """Till-Fri's vocabulary: "die Satire" -> "la sátira" and "la sátira" -> "die Satire"."""
    assert mirrored(Side("die Satire", "la sátira", ""), Side("la sátira", "die Satire", ""))
    assert mirrored(Side("verbreiten", "difundir", ""), Side("difundir", "verbreiten, ausbreiten", ""))
    # as written in the vault: the answer goes on with a Spanish example sentence
    assert mirrored(Side("die Satire", "la sátira Ej.: La obra usa la sátira.", ""),
                    Side("la sátira", "die Satire Ej.: La obra usa la sátira.", ""))
    # an inverse *question* (another wording) is not a reverse
    assert not mirrored(Side("die Voraussetzung = ?", "prerequisite, requirement", ""),
                        Side("Wie sagt man „prerequisite“ auf Deutsch?", "die Voraussetzung", ""))


# -- numbers by value ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [("ε = -1/2", "elasticity of −0.5"), ("109°28′", "109.5°"),
                                  ("1/2", "0.5 (50 %)"), ("255.255.255.0", "/24")])
def test_the_same_quantity_written_differently_matches(a, b):
    assert quantities.quantity_conflict(a, b) == (0, 0)


def test_number_words_count_in_answers_only_when_asked():
    assert quantities.quantities("twelve", words=True) == quantities.quantities("12")
    assert quantities.quantities("twelve") == frozenset()
    assert quantities.quantity_conflict("-1/2", "1/2") == (1, 1)


# -- words --------------------------------------------------------------------------------------------------
def test_function_words_come_from_the_texts_language():
    """German text takes stopwords-iso's German list; English text keeps "final" and "sin" (in the Spanish
    list) and "high"/"right" (in stopwords-iso's English list) as content."""
    german = dict(word_match.tokens("Was heißt das Gift auf Englisch?"))
    assert german["gift"] and not german["auf"] and not german["das"]
    english = dict(word_match.tokens("What is the final sin of a high right angle?"))
    assert all(english[w] for w in ("final", "sin", "high", "right", "angle"))
    assert not english["what"] and not english["the"]


def test_negating_prefixes():
    assert term_align.negating_prefix("noncompetitive", ["competitive"])
    assert term_align.negating_prefix("unsaturated", ["saturated"])
    assert term_align.negating_prefix("non", ["collocated"])  # "non-collocated" is two tokens
    assert not term_align.negating_prefix("mitosis", ["meiosis"])


def test_alignment_counts_lexical_matches_and_leaves_the_difference():
    vectors = {w: v for w, v in zip(["mitosis", "meiosis", "produce"], np.eye(3))}
    same = term_align.align("Mitosis produces?", "What does mitosis produce?", vectors)
    assert same.f1 == 1.0 and same.unmatched == 0.0
    swapped = term_align.align("Mitosis produces?", "Meiosis produces?", vectors)
    assert swapped.unmatched == 0.5 and swapped.unmatched_sim == 0.0 and swapped.added == 0
    added = term_align.align("Past Continuous forms", "Past Perfect Continuous forms", None)
    assert added.added == 1


# -- end to end ---------------------------------------------------------------------------------------------
def test_tables_and_reversed_cards_are_not_reported(embedder):
    """Minimal inputs of the real-vault false pairs: verb-tense tables (Kroid), a prefix (BenAgro), a
    reversed vocabulary card (Till-Fri); a reworded duplicate next to them is still found."""
    cards = [
        basic("Past Continuous verb forms", "was/were V-ing", file="t.md", line=1),
        basic("Past Perfect Continuous verb forms", "had been V-ing", file="t.md", line=10),
        basic("What is collocated partial feedback linearization", "control the actuated joints", file="r.md", line=1),
        basic("What is non-collocated partial feedback linearization", "control the unactuated joints", file="r.md", line=9),
        basic("die Satire", "la sátira", file="v.md", line=1),
        basic("la sátira", "die Satire", file="v.md", line=5),
        basic("What is the default port for HTTPS?", "443", file="n.md", line=1),
        basic("HTTPS listens on which TCP port by default?", "Port 443", file="m.md", line=1),
    ]
    report = find_duplicates(cards, embedder=embedder)
    found = {frozenset({p.a.where, p.b.where}) for p in report.pairs}
    assert found == {frozenset({"n.md:1", "m.md:1"})}, found
    reasons = {frozenset({r.a.where, r.b.where}): r.reason for r in report.rejected}
    assert "words added" in reasons[frozenset({"t.md:1", "t.md:10"})]
    assert "reversed" in reasons[frozenset({"v.md:1", "v.md:5"})]


def test_words_added_to_a_question_with_the_same_answer_narrow_nothing():
    """Tester U28: the narrower-question shape rejected true duplicates (0.96–0.998) whose answers are the
    same text. With equal answers (up to case, punctuation and spacing) the shape rejects nothing and the
    learned judge's score decides; different answers keep the rejection."""
    from notes2anki.semantic.scoring import structural_vetoes

    assert structural_vetoes({"q_inserted": 1.0, "a_equal": 1.0}) == []
    assert "words added" in structural_vetoes({"q_inserted": 1.0, "a_equal": 0.0})[0]
    assert "reversed" in structural_vetoes({"mirrored": 1.0, "a_equal": 1.0})[0]


def test_retyped_questions_with_words_added_and_the_same_answer_are_reported(embedder):
    """Tester U28's vault: each pair asks one thing, the second time with words added, and has the same
    answer; a table with different answers (Kroid) next to them is still rejected by its shape."""
    cards = [
        basic("Who wrote Hamlet?", "William Shakespeare", file="lit.md"),
        basic("Who wrote the play Hamlet?", "William Shakespeare", file="lit2.md"),
        basic("What is the capital of France?", "Paris", file="geo.md"),
        basic("What is the capital city of France?", "Paris.", file="geo2.md"),
        basic("What is the boiling point of water?", "100 °C at sea level", file="chem.md"),
        basic("What is the boiling point of pure water?", "100 °C at sea level", file="chem2.md"),
        basic("Past Continuous verb forms", "was/were V-ing", file="t.md", line=1),
        basic("Past Perfect Continuous verb forms", "had been V-ing", file="t.md", line=10),
        basic("What is the default port for HTTPS?", "443", file="n.md"),
        basic("What does ATP stand for?", "Adenosine triphosphate", file="bio.md"),
        basic("Who painted the Mona Lisa?", "Leonardo da Vinci", file="art.md"),
        basic("What is the largest planet of the solar system?", "Jupiter", file="astro.md"),
    ]
    report = find_duplicates(cards, embedder=embedder)
    found = {frozenset({p.a.where, p.b.where}) for p in report.pairs}
    assert {frozenset({"lit.md:1", "lit2.md:1"}), frozenset({"geo.md:1", "geo2.md:1"}),
            frozenset({"chem.md:1", "chem2.md:1"})} <= found, found
    assert frozenset({"t.md:1", "t.md:10"}) not in found
    reasons = {frozenset({r.a.where, r.b.where}): r.reason for r in report.rejected}
    assert "words added" in reasons[frozenset({"t.md:1", "t.md:10"})]
