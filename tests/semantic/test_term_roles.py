"""The role of the words two cards do not share (pair_cues.term_roles), the word index behind every lexical
match (word_match.WordIndex), and duplicate figures that do not depend on the encoder path (fp32 or int8).

The cards here are written for these tests (general subjects, no real vault's text)."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from notes2anki.semantic.pair_cues import term_roles
from notes2anki.semantic.word_match import WordIndex, _same_word, tokens

WORDS = sorted({w for text in (
    "The mitochondrion produces ATP by oxidative phosphorylation; mitochondria divide by fission.",
    "avg average averages averaging colour color colours behaviour behavior analyse analyze analysis",
    "Transmission control protocol TCP user datagram protocol UDP retransmit retransmits acknowledgement",
    "competitive noncompetitive inhibitor inhibitors inhibition saturated unsaturated solubility insoluble",
    "eigenvalue eigenvalues eigenvector determinant determinants matrix matrices orthogonal projection",
    "a an of x y z 1 2 3 pH HCl NaCl sp3 O(n) n² π",
) for w, _ in tokens(text)})


def test_the_word_index_answers_as_trying_every_word():
    """WordIndex.has gives what any(_same_word(w, v) for v in words) gives, for every word and sub-list."""
    for size in (1, 5, 17, len(WORDS)):
        for start in range(0, len(WORDS), max(1, size)):
            group = tuple(WORDS[start:start + size])
            index = WordIndex(group)
            for w in itertools.chain(WORDS, ("mitochondri", "colr", "eigenvalus", "")):
                assert index.has(w) == any(_same_word(w, v) for v in group), (w, group)


def test_sibling_cards_differ_by_the_term_their_own_answer_is_about():
    """Two cards of one note: "an array of zeros" / "an array of ones", each answer naming its own term
    (numpy.zeros / numpy.ones), which the other card never mentions."""
    own, _ = term_roles("Which numpy function makes an array of zeros?", "numpy.zeros(shape)",
                        "Which numpy function makes an array of ones?", "numpy.ones(shape)")
    assert own == 1.0


def test_sibling_answers_state_other_facts():
    """"Too high" / "too low": the questions differ by one word, the answers say different things, so
    neither card holds the other's answer (no word vectors given: lexical matches only)."""
    own, explained = term_roles("What does a learning rate that is too high cause?", "The loss diverges",
                                "What does a learning rate that is too low cause?", "Training converges slowly")
    assert explained == 0.0 and own == 0.0


def test_an_inverse_duplicate_names_the_other_answer_in_its_question():
    """The same fact asked both ways: each answer is held by the other card's question."""
    own, explained = term_roles("Register allocation is usually reduced to which graph problem?", "Graph colouring",
                                "Graph colouring in a compiler back end: what is it used for?", "Register allocation")
    assert own == 0.0
    assert explained == 1.0


def test_cards_without_answers_are_not_judged_by_their_answers():
    own, explained = term_roles("Mitosis produces?", "", "Meiosis produces?", "")
    assert explained == 1.0 and own == 0.0


EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"


def _figures(embedder):
    """(dev vault precision, recall, unlabelled reported, the pairs reported), and per labelled file (tp, fp,
    the ids of the pairs reported), with ``embedder``."""
    from notes2anki.semantic.dupes import find_duplicates
    from notes2anki.semantic.evaluate import judge_labelled, load_eval, load_pairs, score, vault_scores
    from notes2anki.semantic.scoring import DEFAULT_THRESHOLD

    out = {}
    if (EVAL / "dupes_truth.json").is_file():
        cards, truth = load_eval(EVAL)
        report = find_duplicates(cards, embedder=embedder, use_cache=False)
        vault = vault_scores(cards, truth, report)
        out["vault"] = (vault.precision, vault.recall, vault.found_unlabelled,
                        sorted((p.a.where, p.b.where) for p in report.pairs))
    from notes2anki.semantic.pair_fit import labelled_files

    for path in labelled_files(EVAL):  # the files the fit's stability check measures, each alone
        pairs = load_pairs(path)
        verdicts = judge_labelled(pairs, embedder)
        result = score(pairs, verdicts, DEFAULT_THRESHOLD)
        out[path.name] = (result.tp, result.fp, sorted(p.id for p, v in zip(pairs, verdicts)
                                                      if v.accepted(DEFAULT_THRESHOLD)))
    return out


def test_duplicate_figures_are_the_same_with_the_int8_encoder(embedder, tmp_path, monkeypatch):
    """NOTES2ANKI_ENCODER=onnx-int8 (the fast int8 graph, vectors at mean cosine ~0.99 to fp32, with the pairs
    near the threshold judged again on fp32 vectors: notes2anki.semantic.cascade) reports the same pairs of the
    dev vault and of each file of pair_fit.labelled_files (../shared/eval/dupes_pairs.jsonl, dupe_pairs_dev.jsonl,
    dupe_pairs_extra.jsonl and the held-out dupe_pairs_test.jsonl, each judged alone) as the fp32 graph (the
    default): what `evaluate fit` checks before it ships a threshold."""
    from notes2anki.semantic.encoder import Embedder

    if embedder.plan.backend != "onnx" or embedder.approximate:
        pytest.skip("the fp32 ONNX graph is not in use")
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(embedder.plan.folder.parent))  # the session's conversion
    with Embedder(cache_path=tmp_path / "int8.sqlite", backend="onnx-int8") as int8:
        if not int8.approximate:
            pytest.skip("the conversion kept no int8 graph")
        assert _figures(int8) == _figures(embedder)
