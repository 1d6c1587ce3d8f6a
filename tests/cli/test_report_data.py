"""The report's topic-map projection: one point per card, scaled to [0, 1], the same on every run."""
from __future__ import annotations

import numpy as np

from notes2anki.report import project


def test_projection_is_deterministic_scaled_and_keeps_groups_apart():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 384))
    x = np.concatenate([c + 0.05 * rng.normal(size=(20, 384)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    xy = project(x.astype(np.float32))
    assert xy.shape == (60, 2) and xy.min() >= 0 and xy.max() <= 1
    assert np.array_equal(xy, project(x.astype(np.float32)))  # same input, same map
    groups = [xy[k * 20:(k + 1) * 20] for k in range(3)]
    spread = max(np.linalg.norm(g - g.mean(axis=0), axis=1).max() for g in groups)
    gaps = min(np.linalg.norm(groups[i].mean(axis=0) - groups[j].mean(axis=0))
               for i in range(3) for j in range(i + 1, 3))
    assert gaps > 2 * spread  # clusters of the embedding stay apart on the map


def test_projection_edge_cases():
    assert project(np.zeros((0, 384))).shape == (0, 2)
    assert project(np.ones((1, 384))).tolist() == [[0.5, 0.5]]
    assert project(np.ones((5, 384))).tolist() == [[0.5, 0.5]] * 5  # identical cards: one spot
    two = project(np.eye(2, 384))
    assert two.shape == (2, 2) and two[0, 0] != two[1, 0]
