"""Big arrays a check after an edit no longer copies (issue 13, ``build`` after editing one note): the stored
feature rows gathered straight into the rows of this run's candidate pairs, the judge's standardised rows
made in place. Each gives the values it gave before, bit for bit."""
from __future__ import annotations

import numpy as np

from notes2anki.semantic import pair_cache, pair_model
from notes2anki.semantic.pair_features import FEATURES


def _old_gather(old_keys, old_pairs, old_rows, keys, pairs):
    """The rows ``_load_rows`` filled before (a dict of key pairs: the plain definition)."""
    last = {(old_keys[a], old_keys[b]): old_rows[n] for n, (a, b) in enumerate(old_pairs)}
    rows = np.zeros((len(pairs), len(FEATURES)))
    found = np.zeros(len(pairs), dtype=bool)
    for n, (i, j) in enumerate(pairs):
        row = last.get((keys[i], keys[j]))
        if row is not None:
            rows[n], found[n] = row, True
    return found, rows


def test_stored_rows_are_gathered_into_this_runs_rows_as_before(tmp_path):
    rng = np.random.default_rng(13)
    old_keys = [f"side{k}" for k in range(300)]
    old_pairs = sorted({tuple(sorted(p)) for p in rng.integers(0, 300, (900, 2)).tolist() if p[0] != p[1]})
    old_rows = rng.normal(size=(len(old_pairs), len(FEATURES)))
    path = tmp_path / "entry.rows.pickle"
    pair_cache._save_rows(path, "kind", old_keys, old_pairs, old_rows)
    # this run: sides moved, 20 gone, 5 new; most pairs as before, some new, some in another order
    keys = [k for k in old_keys if k not in {f"side{k}" for k in range(20)}] + [f"new{k}" for k in range(5)]
    rng.shuffle(keys)
    at = {key: n for n, key in enumerate(keys)}
    pairs = [(at[old_keys[a]], at[old_keys[b]]) for a, b in old_pairs if old_keys[a] in at and old_keys[b] in at]
    pairs += [(at["new0"], at["new1"]), (at["new2"], at[keys[0]] if keys[0] != "new2" else at[keys[1]])]
    rng.shuffle(pairs)
    rows = np.zeros((len(pairs), len(FEATURES)))
    found, held = pair_cache._load_rows(path, "kind", keys, pairs, rows)
    expected_found, expected = _old_gather(old_keys, old_pairs, old_rows, keys, pairs)
    assert held == len(old_pairs)
    assert np.array_equal(found, expected_found) and 0 < found.sum() < len(pairs)
    assert np.array_equal(rows.view(np.int64), expected.view(np.int64))  # bit for bit; not found: zero
    assert not rows[~found].any()


def test_nothing_stored_leaves_the_rows_zero(tmp_path):
    rows = np.zeros((3, len(FEATURES)))
    found, held = pair_cache._load_rows(tmp_path / "missing.rows.pickle", "kind", ["a", "b", "c"],
                                        [(0, 1), (1, 2), (0, 2)], rows)
    assert held is None and not found.any() and not rows.any()


def test_the_judges_logits_are_the_same_bits_and_leave_the_rows_alone():
    model = pair_model.load()
    rng = np.random.default_rng(7)
    for n in (1, 5, 4022, 20_000):
        rows = rng.normal(size=(n, len(FEATURES))) * 3
        before = rows.copy()
        expected = ((rows - model.mean) / model.scale) @ model.coef + model.intercept  # as it was written
        got = model.logits(rows)
        assert np.array_equal(got.view(np.int64), expected.view(np.int64))
        assert np.array_equal(rows, before)  # the caller's rows are not standardised in place
        assert np.array_equal(model.probability(rows), 1.0 / (1.0 + np.exp(-expected)))
    one = rng.normal(size=len(FEATURES))
    assert np.array_equal(model.logits(one), ((np.atleast_2d(one) - model.mean) / model.scale) @ model.coef
                          + model.intercept)


def test_only_a_check_after_an_edit_keeps_freed_memory(tmp_path, monkeypatch, embedder):
    from notes2anki import memory_reuse
    from notes2anki.model import Card
    from notes2anki.semantic.dupes import find_duplicates

    calls = []
    monkeypatch.setattr(memory_reuse, "keep_freed_memory", lambda: calls.append(1) or True)
    fronts = ["What port does HTTPS use by default?", "Default TCP port for HTTPS?", "What is the capital of Peru?",
              "Capital city of Peru?", "Who wrote Hamlet?"]

    def cards(last: str) -> list[Card]:
        backs = ["443", "443", "Lima", "Lima", last]
        return [Card("Basic", {"Front": f, "Back": b}, file="memory_reuse_probe.md", line=3 * n + 1)
                for n, (f, b) in enumerate(zip(fronts, backs))]

    cold = find_duplicates(cards("Shakespeare"), embedder=embedder)
    assert calls == []  # a cold check: its peak memory stays as it was
    edited = find_duplicates(cards("William Shakespeare"), embedder=embedder)
    assert calls == [1]
    assert [(p.a.where, p.b.where, p.score) for p in edited.pairs] == \
        [(p.a.where, p.b.where, p.score) for p in cold.pairs]
