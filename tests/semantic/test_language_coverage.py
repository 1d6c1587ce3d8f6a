"""Which cards the bundled English model reads: text in another language by its function words."""
from __future__ import annotations

from notes2anki.semantic.language import covered, foreign_function_words, known_word_rate

FRENCH = "Définition Soit X une variable aléatoire. On définit la variance de X de la façon suivante:"


def test_french_that_the_vocabulary_happens_to_hold_is_french():
    rate, _ = known_word_rate(FRENCH)
    assert rate >= 0.5  # the word-piece vocabulary alone would call it English
    assert foreign_function_words(FRENCH, ["fr"])


def test_english_with_borrowed_words_stays_english():
    for text in ("What is the role of the la Niña phase in the ENSO cycle?",
                 "Derivative of x^T B with respect to x, as in de Boor's algorithm",
                 "What does a momentum parameter μ = 0 mean?"):
        assert not foreign_function_words(text, ["fr", "de", "es", "it"]), text


def test_covered_reads_the_vaults_languages():
    english = ["What is the variance of a random variable X?", "How is the covariance of X and Y defined?"]
    french = [FRENCH, "Définition Soit (X, d) un espace métrique. On dit que la suite converge si et seulement si:",
              "Propriété On observe que la fonction est continue sur un compact, donc elle est bornée et atteint ses bornes."]
    assert covered(english + french) == [True, True, False, False, False]
    assert covered(english) == [True, True]
