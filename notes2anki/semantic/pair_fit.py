"""Fit the shipped duplicate judge (``python -m notes2anki.semantic.evaluate fit EVAL_DIR``).

:func:`fit_pair_model` fits the logistic regression of :mod:`~notes2anki.semantic.pair_model` on
:func:`~notes2anki.semantic.evaluate.training_rows` (fp32 vectors) with grouped cross-validation and chooses
its threshold; :func:`stability` checks that threshold against another encoder path (the int8 graph with its
fp32 cascade) on every set of pairs the tests measure.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from notes2anki.semantic.encoder import Embedder
from notes2anki.semantic.evaluate import HELD_OUT, PROJECT_TRAINING, TrainingRows, _pair_rows, training_rows
from notes2anki.semantic.pair_features import FEATURES

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "semantic" / "data"


def labelled_files(eval_dir: Path | str) -> list[Path]:
    """The files of labelled pairs whose verdicts must not depend on the encoder path: the project's training
    files (:data:`~notes2anki.semantic.evaluate.PROJECT_TRAINING`), the held-out :data:`HELD_OUT` and
    ``EVAL_DIR/dupes_pairs.jsonl`` when it exists (the ones that are there)."""
    files = [DATA_DIR / name for name in (*PROJECT_TRAINING, HELD_OUT)] + [Path(eval_dir) / "dupes_pairs.jsonl"]
    return [path for path in files if path.is_file()]


def fit_pair_model(eval_dir: Path | str, embedder: Embedder, *, c: float = 2.0, unlabelled_weight: float = 2.0,
                   min_precision: float = 0.92, max_unlabelled: int = 10,
                   stable_with: Embedder | Sequence[Embedder] | None = None) -> dict[str, Any]:
    """Fit the logistic regression of :mod:`~notes2anki.semantic.pair_model` (standardised features, L2,
    ``C=c``) on :func:`training_rows` and choose its threshold from the cross-validated probabilities
    (never the fitted ones, which flatter): the lowest at which the precision on the vault's labelled pairs
    is at least ``min_precision`` and at most ``max_unlabelled`` of the vault's other candidate pairs are
    reported (pairs the set says are not duplicates: on real vaults such pairs are what floods the
    output; 10 of its ~1,250 candidate pairs in cross-validation), and the precision on the written pairs
    (``dupe_pairs_extra.jsonl``: sibling cards of one note that ask different things stand there for the
    siblings real vaults are full of) is at least ``min_precision`` too. The defaults (C 2, unlabelled
    weight 2, the rule) were chosen by grouped CV together with the share of cards flagged on the real
    vaults BenAgro314 and NoLtour (../shared/realvaults; never fitted on); feature version 14 (``ctx_diff``) at
    C 2: threshold 0.62, grouped CV 0.977 / 0.768 (version 13: 0.956 / 0.768). With ``stable_with`` (other
    encoder paths of the same model, e.g. the int8 graph; one or a sequence) the threshold must also give the
    same verdict with that encoder's vectors to every pair :func:`stability` measures (a pair whose two
    probabilities straddle the threshold would make the figures depend on the encoder); for the int8 graph,
    whose pairs within the cascade's band of the threshold are judged on fp32 vectors
    (:mod:`~notes2anki.semantic.cascade`), the pairs outside that band. Returns the JSON to ship, with
    the fitted figures and cross-validated ones at that threshold: 6 folds grouped by subject
    (:class:`TrainingRows` ``group``), so no card and no subject is in the training and the test part of
    a fold at once. Precision counts the labelled pairs (as the set's scorer does); ``unlabelled`` counts
    the vault's other candidate pairs reported (false by the set's rule)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    from notes2anki.semantic.pair_model import PairModel

    data = training_rows(Path(eval_dir), embedder, unlabelled_weight)
    x, y, w = data.x, data.y, data.weight
    vault = data.source == 0

    def fitted(rows):
        scaler = StandardScaler().fit(x[rows])
        lr = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x[rows]), y[rows], sample_weight=w[rows])
        return scaler, lr

    scaler, lr = fitted(np.arange(len(y)))
    p = lr.predict_proba(scaler.transform(x))[:, 1]

    def figures(probs, t, where=vault):
        said = probs >= t
        known = where & data.labelled
        tp = int((said & known & (y == 1)).sum())
        fp = int((said & known & (y == 0)).sum())
        return {"precision": round(tp / max(1, tp + fp), 3),
                "recall": round(tp / max(1, int((known & (y == 1)).sum())), 3),
                "unlabelled": int((said & where & ~data.labelled).sum())}

    cv = np.zeros(len(y))
    for train, test in GroupKFold(6).split(x, y, data.group):
        s, m = fitted(train)
        cv[test] = m.predict_proba(s.transform(x[test]))[:, 1]
    grid = [t / 100 for t in range(20, 96)]
    written = data.source == 2
    others = [stable_with] if isinstance(stable_with, Embedder) else list(stable_with or ())
    checks = [stability(data, p, lr.predict_proba, scaler, eval_dir, embedder, other, unlabelled_weight)
              for other in others]
    stable = lambda t: all(check(t) for check in checks)  # noqa: E731
    meets = [t for t in grid if figures(cv, t)["precision"] >= min_precision
             and figures(cv, t)["unlabelled"] <= max_unlabelled and figures(cv, t, written)["precision"] >= min_precision]
    steady = [t for t in meets if stable(t)]  # none: the rule's threshold, recorded as not stable
    threshold = (steady or meets or [0.5])[0]
    info = {"fitted_on": "../shared/eval labelled pairs (same-language) + its other candidate pairs as "
                         f"negatives (weight {unlabelled_weight}) + tests/semantic/data: "
                         + ", ".join(f"{name} (weight {w})" for name, w in PROJECT_TRAINING.items()),
            "C": c, "rows": int(len(y)), "threshold_rule": {"min_precision": min_precision,
                                                             "max_unlabelled": max_unlabelled},
            "dev_fitted": figures(p, threshold), "dev_cv_grouped6": figures(cv, threshold),
            "project_dev_cv_grouped6": figures(cv, threshold, data.source == 1),
            "project_extra_cv_grouped6": figures(cv, threshold, data.source == 2),
            "stable_with": [other.key for other in others] if steady else [],
            "unstable_with": [] if steady else [other.key for other in others]}
    model = PairModel(tuple(FEATURES), scaler.mean_, scaler.scale_, lr.coef_[0], float(lr.intercept_[0]),
                      threshold, info)
    return model.as_json()



def stability(data: TrainingRows, probs, predict, scaler, eval_dir, embedder: Embedder, other: Embedder,
               unlabelled_weight: float):
    """t -> whether every pair measured both ways (with ``embedder`` and with ``other``) gets the same verdict
    at threshold t from the fitted model (``predict`` of the ``scaler``-ed rows; ``probs`` those of ``data``,
    the training rows of ``embedder``): the training pairs as :func:`training_rows` measures them (the vault's
    pairs as ``find_duplicates`` does), and each file of labelled pairs measured alone, as
    :func:`~notes2anki.semantic.evaluate.judge_labelled` and the tests measure it (local densities are taken
    among a file's own cards, so a pair's row differs from its training row): the project's training files,
    the held-out file :data:`HELD_OUT` and ``EVAL_DIR/dupes_pairs.jsonl`` when it is there (labels are not
    read: a verdict that flips with the encoder is a fact about the threshold, not about how good it is)."""
    import numpy as np

    alt = training_rows(Path(eval_dir), other, unlabelled_weight)
    mine = {key: k for k, key in enumerate(data.pairs)}
    both = [(mine[key], k) for k, key in enumerate(alt.pairs) if key in mine]
    first = [np.array([probs[k] for k, _ in both])]
    second = [predict(scaler.transform(alt.x[[k for _, k in both]]))[:, 1]]
    for path in labelled_files(eval_dir):
        first.append(predict(scaler.transform(_pair_rows(path, embedder)))[:, 1])
        second.append(predict(scaler.transform(_pair_rows(path, other)))[:, 1])
    first, second = np.concatenate(first), np.concatenate(second)
    if getattr(other, "approximate", False):  # the int8 path: pairs in the cascade's band get fp32 verdicts
        from notes2anki.semantic.cascade import in_band

        return lambda t: bool(np.all(in_band(second, t) | ((first >= t) == (second >= t))))
    return lambda t: bool(np.all((first >= t) == (second >= t)))
