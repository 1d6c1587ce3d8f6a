"""Candidate pairs by character n-grams (semantic/char_mining.py): incremental == from scratch == the rule."""
from __future__ import annotations

import random

import numpy as np
import pytest

from notes2anki.semantic.char_mining import mixed_neighbours, row_keys
from notes2anki.semantic.pair_features import char_vectors

WORDS = ("soil compost seedling mulch perennial weed greenhouse bulb harvest trellis hedge sapling blossom "
         "Zahrada půda kompost sazenice 庭 土 堆肥 苗").split()


def texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    base = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7))) for _ in range(n // 2)]
    return base + [t + " " + rng.choice(WORDS) for t in base[: n - len(base)]]  # near copies


def by_the_rule(matrix, covered, k, min_score) -> set[tuple[int, int]]:
    """Every row that can be in a pair with an uncovered row, against every row: the definition."""
    scores = (matrix @ matrix.T).toarray()
    n = len(covered)
    np.fill_diagonal(scores, -np.inf)
    out = set()
    for r in range(n):
        limit = max(np.sort(scores[r])[::-1][k - 1], min_score)
        for c in np.nonzero(scores[r] >= limit)[0].tolist():
            if not (covered[r] and covered[c]):
                out.add((min(r, c), max(r, c)))
    return out


@pytest.mark.parametrize("change", ["edit", "add", "delete", "uncover", "edit-uncovered"])
def test_incremental_search_equals_a_search_from_scratch_and_the_rule(tmp_path, change):
    k, min_score = 4, 0.5
    rng = random.Random(3)
    before = texts(1, 120)
    covered = [rng.random() > 0.15 for _ in before]
    path = tmp_path / "x.charmining.pickle"
    stats: dict = {}
    first = mixed_neighbours(char_vectors(before), covered, k, min_score, keys=row_keys(before, covered),
                             path=path, stats=stats)
    assert first == by_the_rule(char_vectors(before), covered, k, min_score)
    assert stats["searched"] >= sum(not c for c in covered)
    after, cov_after = list(before), list(covered)
    covered_row = covered.index(True)
    uncovered_row = covered.index(False)
    if change == "edit":
        after[covered_row] = after[uncovered_row] + " hedge"  # now close to an uncovered row
    elif change == "add":
        after.append(after[uncovered_row] + " soil")
        cov_after.append(True)
    elif change == "delete":
        del after[uncovered_row], cov_after[uncovered_row]
    elif change == "uncover":
        cov_after[covered_row] = False
    else:
        after[uncovered_row] = "compost mulch weed"
    matrix = char_vectors(after)
    stats = {}
    again = mixed_neighbours(matrix, cov_after, k, min_score, keys=row_keys(after, cov_after), path=path,
                             stats=stats)
    scratch = mixed_neighbours(matrix, cov_after, k, min_score)
    assert again == scratch == by_the_rule(matrix, cov_after, k, min_score)
    assert stats["searched"] < sum(not c for c in cov_after)  # not everything searched again
    same = mixed_neighbours(matrix, cov_after, k, min_score, keys=row_keys(after, cov_after), path=path,
                            stats=stats)
    assert same == scratch and stats["searched"] == 0


def test_ties_at_the_kth_best_are_all_candidates():
    rows = ["soil mulch", "soil mulch", "soil mulch", "soil mulch", "hedge"]
    covered = [False, True, True, True, True]
    found = mixed_neighbours(char_vectors(rows), covered, 1, 0.5)
    assert found == {(0, 1), (0, 2), (0, 3)}


def test_a_corrupt_store_is_searched_from_scratch(tmp_path):
    rows = texts(2, 40)
    covered = [i % 5 != 0 for i in range(len(rows))]
    path = tmp_path / "bad.charmining.pickle"
    path.write_bytes(b"not a pickle")
    found = mixed_neighbours(char_vectors(rows), covered, 3, 0.5, keys=row_keys(rows, covered), path=path)
    assert found == by_the_rule(char_vectors(rows), covered, 3, 0.5)


def test_searching_in_blocks_of_one_row_gives_the_same_pairs(monkeypatch):
    from notes2anki.semantic import char_mining

    rows = texts(11, 300)
    covered = [i % 4 != 0 for i in range(len(rows))]
    matrix = char_vectors(rows)
    want = mixed_neighbours(matrix, covered, 3, 0.5)
    assert want == by_the_rule(matrix, covered, 3, 0.5) and len(want) > 20
    monkeypatch.setattr(char_mining, "MAX_BLOCK_BYTES", 1)  # one row a block
    assert mixed_neighbours(matrix, covered, 3, 0.5) == want


TEMPLATES = ("When does {a} lead to {b}? | {B}, {c}, {a}.", "Define {a} in terms of {b}. | {B} ({c}), {a}.",
             "Why is {a} linked to {b}? | {A}, {b}, {c}.", "How does {a} affect {b}? | {C}: {b} and {a}.")
TERMS = "pulsar quasar parallax redshift exoplanet supernova luminosity nebula".split()


def templated(seed: int, n: int) -> list[str]:
    """Card texts like the benchmark vault's: few templates, few terms, so many rows tie or nearly tie."""
    rng = random.Random(seed)
    out: dict[str, None] = {}  # distinct, as the duplicate check's rows are (exact copies are merged first)
    while len(out) < n:
        a, b, c = rng.sample(TERMS, 3)
        out[rng.choice(TEMPLATES).format(a=a, b=b, c=c, A=a.title(), B=b.title(), C=c.title())] = None
    return list(out)


@pytest.mark.parametrize("change", ["none", "edit-witness", "delete-witness", "edit-pruned", "add-uncovered",
                                    "delete-uncovered"])
def test_pruned_rows_give_the_pairs_of_the_rule_cold_and_after_an_edit(tmp_path, change):
    """Covered rows whose k-th best (bounded from the rows sharing their best hit) beats every hit are not
    searched (issue 13: 39,404 of 99,932 rows searched in full at 100,000 cards), with the same pairs."""
    k, min_score = 3, 0.5
    before = templated(5, 260)
    covered = [i % 40 != 7 for i in range(len(before))]
    path = tmp_path / "t.charmining.pickle"
    stats: dict = {}
    matrix = char_vectors(before)
    first = mixed_neighbours(matrix, covered, k, min_score, keys=row_keys(before, covered), path=path, stats=stats)
    assert first == by_the_rule(matrix, covered, k, min_score) and len(first) > 10
    assert stats["pruned"] > 50  # most covered rows with a hit are not searched
    assert stats["searched"] < sum(covered) / 2
    import pickle
    state = pickle.loads(path.read_bytes())
    after, cov_after = list(before), list(covered)
    witness = int(state["witnesses"][0][0])
    pruned_row = int(state["pruned"][0])
    uncovered_row = covered.index(False)
    if change == "edit-witness":
        after[witness] = "nebula nebula"
    elif change == "delete-witness":
        del after[witness], cov_after[witness]
    elif change == "edit-pruned":
        after[pruned_row] = after[uncovered_row] + " nebula"
    elif change == "add-uncovered":
        after.append(after[pruned_row] + "!")
        cov_after.append(False)
    elif change == "delete-uncovered":
        del after[uncovered_row], cov_after[uncovered_row]
    matrix = char_vectors(after)
    stats = {}
    again = mixed_neighbours(matrix, cov_after, k, min_score, keys=row_keys(after, cov_after), path=path,
                             stats=stats)
    assert again == mixed_neighbours(matrix, cov_after, k, min_score) == by_the_rule(matrix, cov_after, k,
                                                                                      min_score)
    if change == "none":
        assert stats["searched"] == 0
