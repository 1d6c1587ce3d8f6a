"""The cache of measured candidate pairs (issue 13, "duplicate verdicts cached per pair"): a warm run measures
no pair, an edit re-measures only pairs whose card (or its neighbourhood) changed, and the report is the same
as measuring everything."""
from __future__ import annotations

import dataclasses

import pytest

import notes2anki.semantic.scoring as scoring
from notes2anki.model import Card
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.pair_cache import side_keys
from notes2anki.semantic.encoder import Embedder


def basic(front: str, back: str, line: int) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file="n.md", line=line)


FRONTS = [
    ("What port does HTTPS use by default?", "443"), ("Default TCP port for HTTPS", "Port 443"),
    ("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)"),
    ("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)"),
    ("What is the capital of Australia?", "Canberra"), ("Capital city of Australia?", "Canberra"),
    ("Which base pairs with adenine in DNA?", "Thymine"), ("Which base pairs with adenine in RNA?", "Uracil"),
    ("How do you bake sourdough bread?", "Feed the starter, mix, proof, bake hot."),
    ("What does the mitochondrion produce?", "ATP"), ("Powerhouse of the cell produces what?", "ATP"),
    ("Which layer of the OSI model does IP belong to?", "Network layer"),
    ("What is the time complexity of binary search?", "O(log n)"),
    ("Binary search runs in what time?", "Logarithmic, O(log n)"),
    ("What is the boiling point of water at sea level?", "100 °C"),
    ("Who wrote Hamlet?", "Shakespeare"), ("Author of the play Hamlet?", "William Shakespeare"),
]


def cards(edit: int | None = None) -> list[Card]:
    out = [basic(f, b, 3 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    if edit is not None:
        out[edit] = basic(FRONTS[edit][0] + " (edited)", FRONTS[edit][1], 3 * edit + 1)
    return out


def outcome(report) -> tuple:
    """Everything a user sees of a report: pairs, groups, rejected candidates with their reasons."""
    return ([(p.a.where, p.b.where, p.score, p.kind, p.method, p.signals) for p in report.pairs],
            [([c.where for c in g.cards], g.score, g.exact) for g in report.groups],
            [(r.a.where, r.b.where, r.score, r.reason, r.signals) for r in report.rejected])


@pytest.fixture
def measured(monkeypatch):
    """The pairs of side texts that the feature function measures."""
    seen: list[tuple[str, str]] = []
    real = scoring.measure_rows

    def spy(enc, pairs):
        seen.extend((enc.sides[i].text, enc.sides[j].text) for i, j in pairs)
        return real(enc, pairs)

    monkeypatch.setattr(scoring, "measure_rows", spy)
    return seen


def test_warm_run_measures_no_pair_and_reports_the_same(tmp_path, measured):
    with Embedder(cache_path=tmp_path / "cache.sqlite") as embedder:
        plain = find_duplicates(cards(), embedder=embedder, use_cache=False)
        everything = len(measured)
        assert everything == plain.judged.candidates > 0 and plain.judged.measured == everything
        measured.clear()
        first = find_duplicates(cards(), embedder=embedder)
        assert len(measured) == first.judged.measured == first.judged.candidates == everything
        measured.clear()
        second = find_duplicates(cards(), embedder=embedder)
    assert measured == [] and second.judged.measured == 0 and second.judged.cached == everything
    assert outcome(plain) == outcome(first) == outcome(second)
    assert any(p.kind == "near" for p in second.pairs) and second.rejected


def test_cache_survives_a_new_process_and_an_edit_measures_only_changed_pairs(tmp_path, measured):
    path = tmp_path / "cache.sqlite"
    with Embedder(cache_path=path) as embedder:
        find_duplicates(cards(), embedder=embedder)
    measured.clear()
    with Embedder(cache_path=path) as embedder:  # as a second `dupes` run would
        assert find_duplicates(cards(), embedder=embedder).judged.measured == 0
        assert measured == []
        edited = find_duplicates(cards(edit=12), embedder=embedder)
        plain = find_duplicates(cards(edit=12), embedder=embedder, use_cache=False)
    assert outcome(edited) == outcome(plain)
    changed = "What is the time complexity of binary search? (edited)"
    mine = [pair for pair in measured[:edited.judged.measured] if any(changed in text for text in pair)]
    assert mine, "the edited card is measured against its candidates"
    assert 0 < edited.judged.measured < edited.judged.candidates, "pairs of unchanged cards come from the cache"


def test_side_keys_follow_what_the_features_read():
    import numpy as np

    from notes2anki.semantic.dupes import card_side
    from notes2anki.semantic.pair_features import Encoded

    sides = [card_side(c) for c in cards()[:3]]
    vectors = np.eye(3, 4, dtype=np.float32)
    enc = Encoded(sides, vectors, vectors, vectors, None, None, None, np.zeros(3), np.zeros(3))
    base = side_keys(enc, [True] * 3)
    assert side_keys(enc, [True] * 3) == base and len(set(base)) == 3
    assert side_keys(enc, [False, True, True])[0] != base[0]  # judged by n-grams instead
    moved = dataclasses.replace(enc, density_card=np.array([0.5, 0.0, 0.0]))
    assert side_keys(moved, [True] * 3)[0] != base[0] and side_keys(moved, [True] * 3)[1:] == base[1:]
    # the same card in another file (same_note reads the file): measured again, not taken from the cache
    other_file = dataclasses.replace(enc, sides=[dataclasses.replace(sides[0], note="other.md"), *sides[1:]])
    assert side_keys(other_file, [True] * 3)[0] != base[0] and side_keys(other_file, [True] * 3)[1:] == base[1:]


def test_unchanged_vault_mines_no_candidates_and_an_edit_searches_only_the_edited_card(tmp_path):
    with Embedder(cache_path=tmp_path / "cache.sqlite") as embedder:
        first = find_duplicates(cards(), embedder=embedder)
        assert first.judged.searched == len(FRONTS)  # cold: every card's neighbours
        again = find_duplicates(cards(), embedder=embedder)
        assert again.replayed and again.judged.searched == 0
        edited = find_duplicates(cards(edit=4), embedder=embedder)
        assert 1 <= edited.judged.searched < len(FRONTS)  # the edited card (and lists that held it)
        plain = find_duplicates(cards(edit=4), embedder=embedder, use_cache=False)
    assert outcome(first) == outcome(again) and outcome(edited) == outcome(plain)
    stored = list((tmp_path / "cache.sqlite.dupes").glob("*.mining.pickle"))
    assert len(stored) == 1, "one mining entry per set of files, replaced after an edit"


class EmbeddingCacheRows:
    """Rows of the verdicts table by kind, read with sqlite3 (what the cache holds on disk)."""

    def __init__(self, path):
        import sqlite3

        self.conn = sqlite3.connect(path)

    def __enter__(self):
        return lambda kind: self.conn.execute("SELECT COUNT(*) FROM verdicts WHERE kind = ?", (kind,)).fetchone()[0]

    def __exit__(self, *exc):
        self.conn.close()


def test_an_edit_measures_only_pairs_with_the_edited_card_or_a_card_whose_neighbourhood_changed(tmp_path):
    from notes2anki.semantic.dupes import card_side
    from notes2anki.semantic.local_density import density

    def densities(deck, embedder):
        sides = [card_side(c) for c in deck]
        card = embedder.embed([s.text for s in sides])
        question = embedder.embed([s.question or s.text for s in sides])
        rows = range(len(sides))
        return {s.question: (round(a, 5), round(b, 5)) for s, a, b in zip(sides, density(card, rows), density(question, rows))}

    with Embedder(cache_path=tmp_path / "cache.sqlite") as embedder:
        find_duplicates(cards(), embedder=embedder)
        edited = find_duplicates(cards(edit=4), embedder=embedder)
        before, after = densities(cards(), embedder), densities(cards(edit=4), embedder)
    new_question = FRONTS[4][0] + " (edited)"
    moved = {q for q in after if q != new_question and after[q] != before.get(q)}
    assert edited.judged.measured == len(edited.judged.measured_pairs) > 0
    assert edited.judged.measured < edited.judged.candidates
    for a, b in edited.judged.measured_pairs:
        assert new_question in (a, b) or a in moved or b in moved, (a, b)


def test_side_identities_are_computed_once_per_check_and_follow_the_vectors_and_coverage():
    import numpy as np

    from notes2anki.semantic import incremental_mining
    from notes2anki.semantic.dupes import card_side
    from notes2anki.semantic.pair_features import Encoded

    sides = [card_side(c) for c in cards()[:3]]
    vectors = np.eye(3, 4, dtype=np.float32)
    enc = Encoded(sides, vectors, vectors.copy(), vectors, None, None, None, np.zeros(3), np.zeros(3))
    first = incremental_mining.side_identity(enc, [True] * 3)
    assert enc._identity[4] is first  # kept for side_keys
    assert incremental_mining.side_identity(enc, [True] * 3, only=[2, 0]) == [first[2], first[0]]
    assert incremental_mining.side_identity(enc, [True, False, True])[1] != first[1]  # other coverage
    keys = side_keys(enc, [True] * 3)
    enc.question = enc.question.copy()
    enc.question[0] = [0, 1, 0, 0]  # new vectors: the kept identities are not used
    assert side_keys(enc, [True] * 3)[0] != keys[0] and side_keys(enc, [True] * 3)[1:] == keys[1:]
    fresh = Encoded(sides, vectors, enc.question, vectors, None, None, None, np.zeros(3), np.zeros(3))
    assert side_keys(fresh, [True] * 3) == side_keys(enc, [True] * 3)  # same as computed from scratch
