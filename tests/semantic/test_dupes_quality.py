"""Precision and recall of the duplicate judge on labelled pairs, with the bundled model.

The pair model was fitted on dupe_pairs_dev.jsonl and the labelled vault ../shared/eval (a development
set); dupe_pairs_test.jsonl is held out. A pair counts as reported when find_duplicates would report it:
card-text or question cosine at least the candidate limit, probability at least the default threshold.
dupe_pairs_test2.jsonl is a second held-out file: 55 pairs written for this project in subjects that neither
the dev vault nor the other files hold (astronomy, geology, ecology, cryptography, circuits, ...), labelled by
reading before any model judged them, never fitted on.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from notes2anki.semantic.evaluate import judge_labelled, load_pairs, score
from notes2anki.semantic.scoring import DEFAULT_THRESHOLD

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def judged(embedder):
    out = {}
    for split in ("dev", "test", "test2"):
        pairs = load_pairs(DATA / f"dupe_pairs_{split}.jsonl")
        out[split] = (pairs, judge_labelled(pairs, embedder))
    return out


def test_labelled_sets_are_there(judged):
    dev, test = judged["dev"][0], judged["test"][0]
    assert len(dev) >= 100 and len(test) >= 170
    assert {p.label for p in test} == {0, 1}


def test_held_out_precision_and_recall_at_the_default_threshold(judged):
    """Measured: precision 0.955, recall 0.930 (threshold 0.62, feature version 14, the contextual ``ctx_diff``;
    the same on version 15, acronyms matched only when equal, with the same coefficients;
    the models before: 0.930 / 0.930, 0.922 / 0.939, 0.938 / 0.930, 0.925 / 0.860 and 0.962 / 0.877). The
    issue's precision bar (0.95) is met here, so it is the floor; recall's floor a little below."""
    pairs, verdicts = judged["test"]
    result = score(pairs, verdicts, DEFAULT_THRESHOLD)
    print(f"\ntest: {result}")
    assert result.precision >= 0.95, result
    assert result.recall >= 0.92, result


def test_second_held_out_file_in_unseen_subjects(judged):
    """dupe_pairs_test2.jsonl (29 duplicates of the kinds the dev vault misses most: initialisms against their
    expansion, "What is X?" / "Define X." with other answers, inverse questions, Basic vs Cloze, negation,
    number formats; 26 sibling cards of one note that state different or opposite facts). Measured with the
    shipped model (threshold 0.62): precision 0.963, recall 0.897 (tp 26, fp 1: "What does a low-pass filter
    do?" / "What does a high-pass filter do?" at 0.81, the opposite-fact sibling real vaults still show; missed:
    "AU" / "Astronomical unit" whose answers write 1.496 × 10⁸ and 150 million, iron's melting point in °C and
    in K, "COGS?" / "Cost of goods sold"). The same with the int8 encoder."""
    pairs, verdicts = judged["test2"]
    assert len(pairs) == 55 and sum(p.label for p in pairs) == 29
    assert len({p.raw["topic"] for p in pairs}) >= 15
    result = score(pairs, verdicts, DEFAULT_THRESHOLD)
    print(f"\ntest2: {result}")
    assert result.precision >= 0.95, result
    assert result.recall >= 0.89, result


def test_development_set_stays_where_it_was_tuned(judged):
    pairs, verdicts = judged["dev"]
    result = score(pairs, verdicts, DEFAULT_THRESHOLD)
    print(f"\ndev: {result}")
    assert result.precision >= 0.95 and result.recall >= 0.9, result


def test_plain_cosine_alone_is_not_enough(judged):
    """The reason for the learned judge: on the same pairs, the card-text cosine alone at its best
    threshold stays well below it."""
    pairs, verdicts = judged["test"]
    best = 0.0
    for t in [x / 100 for x in range(40, 100)]:
        tp = sum(1 for p, v in zip(pairs, verdicts) if p.label and v.signals["card_cos"] >= t)
        fp = sum(1 for p, v in zip(pairs, verdicts) if not p.label and v.signals["card_cos"] >= t)
        fn = sum(1 for p, v in zip(pairs, verdicts) if p.label and v.signals["card_cos"] < t)
        best = max(best, 2 * tp / (2 * tp + fp + fn))
    combined = score(pairs, verdicts, DEFAULT_THRESHOLD).f1
    print(f"\nbest cosine-only F1 {best:.3f}, combined F1 {combined:.3f}")
    assert combined > best + 0.05


EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"


def test_dev_vault_precision_and_recall(embedder):
    """find_duplicates on the labelled development vault ../shared/eval, scored as its README says
    (same-language pairs; cross-language pairs reported apart). Measured (dev figures, the vault was used
    for fitting): precision 0.982, recall 0.797 (0.783 before feature version 16; 6-fold cross-validation
    grouped by subject: 0.977 / 0.768; feature version 13 gave 1.000 / 0.768 and 0.956 / 0.768, version 11
    1.000 / 0.768 and 0.955 / 0.750
    at a threshold that flagged 3.1 % and 3.3 % of two real vaults' cards; German cards are read by character
    n-grams, see language.foreign_function_words);
    cross-language recall 0.00. The issue's bar (precision 0.95 at recall 0.85) is not reached; the
    floors sit just below what is reached, so a regression fails."""
    if not (EVAL / "dupes_truth.json").is_file():
        pytest.skip("the labelled development set ../shared/eval is not there")
    from notes2anki.semantic.dupes import find_duplicates
    from notes2anki.semantic.evaluate import load_eval, vault_scores

    cards, truth = load_eval(EVAL)
    result = vault_scores(cards, truth, find_duplicates(cards, embedder=embedder))
    print(f"\ndev vault: {result} {result.recall_by_subkind}")
    assert result.precision >= 0.95, result
    assert result.recall >= 0.79, result
    assert result.recall_by_subkind["exact"] == "10/10"
    assert result.found_unlabelled <= 3  # pairs the labels say are not duplicates either


def test_shipped_model_states_its_cross_validated_figures():
    """The model file carries how it was fitted and its grouped cross-validated figures at its threshold;
    they stay near what was measured when it was fitted (precision 0.977, recall 0.768), and its threshold
    was checked against the int8 encoder's measurements of the same training pairs."""
    from notes2anki.semantic import pair_model

    info = pair_model.load().info
    cv = info["dev_cv_grouped6"]
    assert cv["precision"] >= 0.97 and cv["recall"] >= 0.76, cv
    assert any("#int8" in key for key in info.get("stable_with", ())), info.get("stable_with")
    assert info["project_extra_cv_grouped6"]["precision"] >= 0.92  # the threshold rule's written pairs
    assert info["dev_fitted"]["precision"] >= 0.95
