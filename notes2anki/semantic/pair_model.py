"""The learned duplicate judge: a logistic regression over :data:`~notes2anki.semantic.pair_features.FEATURES`.

The coefficients ship as ``notes2anki/semantic/data/pair_model.json`` (standardisation means and scales,
coefficients, intercept, the default threshold, how it was fitted and its cross-validated figures). They
are fitted by ``python -m notes2anki.semantic.evaluate fit`` (scikit-learn, see
:func:`notes2anki.semantic.pair_fit.fit_pair_model`) on

* the labelled pairs of the development vault ``../shared/eval`` (80 duplicates, 90 hard negatives;
  cross-language pairs left out: the bundled model cannot read them), and the vault's other candidate
  pairs as negatives (the set labels *every* duplicate, so the rest are not), and
* the project's own development pairs ``tests/semantic/data/dupe_pairs_dev.jsonl``, and the pairs written
  for what the vault has little of, ``dupe_pairs_extra.jsonl`` (half weight: sibling cards of one note that
  ask different things, inverse questions, Basic vs Cloze, abbreviations, number formats, in several
  subjects and languages);

with 6-fold cross-validation grouped by subject, the threshold chosen on the cross-validated
probabilities. ``tests/semantic/data/dupe_pairs_test.jsonl`` stays held out. Scoring needs only numpy.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .pair_features import FEATURE_VERSION, FEATURES

MODEL_FILE = Path(__file__).resolve().parent / "data" / "pair_model.json"


class PairModelError(RuntimeError):
    """The shipped model file is missing or does not match the feature code."""


@dataclass(frozen=True)
class PairModel:
    """The duplicate judge: a logistic regression over the named pair ``features``, with the
    standardisation (``mean``, ``scale``) it was trained with, its ``coef`` and ``intercept``, the decision
    ``threshold`` on its probability, and ``info`` (training data and scores, kept in the JSON file)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    info: dict

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of being a duplicate for feature rows ``x`` (n, len(features))."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        z = x - self.mean
        np.divide(z, self.scale, out=z)  # in place: the same values as ``(x - mean) / scale`` with one
        return z @ self.coef + self.intercept  # temporary fewer (100,000 rows: 38 MB)

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Probability of being a duplicate, in [0, 1], per row of ``x``."""
        return 1.0 / (1.0 + np.exp(-self.logits(x)))

    def contributions(self, row: np.ndarray) -> list[tuple[str, float]]:
        """(feature, its share of the log-odds) for one row, largest magnitude first (for --explain)."""
        parts = (np.asarray(row, dtype=np.float64) - self.mean) / self.scale * self.coef
        return sorted(zip(self.features, (float(p) for p in parts)), key=lambda fp: -abs(fp[1]))

    def as_json(self) -> dict:
        """The model as the JSON object shipped with the package (rounded to 6 decimals; read back by
        :func:`from_json`, which checks ``feature_version`` against the feature code)."""
        return {"feature_version": FEATURE_VERSION, "features": list(self.features),
                "mean": [round(float(v), 6) for v in self.mean], "scale": [round(float(v), 6) for v in self.scale],
                "coef": [round(float(v), 6) for v in self.coef], "intercept": round(self.intercept, 6),
                "threshold": self.threshold, **self.info}


def from_json(data: dict) -> PairModel:
    """A :class:`PairModel` from its JSON form; raises :class:`PairModelError` when it does not fit
    :data:`FEATURES`."""
    if data.get("feature_version") != FEATURE_VERSION or tuple(data.get("features", ())) != FEATURES:
        raise PairModelError("pair_model.json does not match the feature code (refit with "
                             "python -m notes2anki.semantic.evaluate fit)")
    info = {k: v for k, v in data.items()
            if k not in ("feature_version", "features", "mean", "scale", "coef", "intercept", "threshold")}
    scale = np.asarray(data["scale"], dtype=np.float64)
    return PairModel(FEATURES, np.asarray(data["mean"], dtype=np.float64), np.where(scale > 0, scale, 1.0),
                     np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]),
                     float(data["threshold"]), info)


@lru_cache(maxsize=1)
def load() -> PairModel:
    """The shipped model (read once per process)."""
    try:
        data = json.loads(MODEL_FILE.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise PairModelError(f"cannot read {MODEL_FILE}: {exc}") from exc
    return from_json(data)


def digest() -> str:
    """A hash of the shipped model file (the duplicate check's memo of feature rows depends on it:
    :func:`notes2anki.semantic.scoring.fill_context` aligns the pairs the model could report)."""
    return _digest(MODEL_FILE)


@lru_cache(maxsize=2)
def _digest(path: Path) -> str:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "none"


def default_threshold() -> float:
    """The probability at or above which a pair is reported by default (chosen when fitting)."""
    try:
        return load().threshold
    except PairModelError:
        return 0.5


def logit(p: float) -> float:
    """log(p / (1 - p)), the log-odds of probability ``p`` (clamped to [1e-9, 1 - 1e-9], so 0 and 1 give
    finite values)."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
