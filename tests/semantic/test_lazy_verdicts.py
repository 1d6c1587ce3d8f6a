"""Rejected candidates held as arrays (semantic/lazy_verdicts.py) give what judging every pair as an object
gives: the same reported pairs, and the same rejected candidates, scores, reasons and order — fresh, and
read back from the stored result."""
from __future__ import annotations

import pytest

from notes2anki.model import Card
from notes2anki.semantic import lazy_verdicts
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.encoder import Embedder

QA = [("What port does HTTPS use by default?", "443"), ("Default TCP port for HTTPS", "Port 443"),
      ("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)"),
      ("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)"),
      ("What is the capital of Australia?", "Canberra"), ("Capital city of Australia?", "Canberra"),
      ("Who wrote Hamlet?", "Shakespeare"), ("Author of the play Hamlet?", "William Shakespeare"),
      ("What does DNS resolve?", "Names to addresses"), ("Which port does SSH listen on?", "22"),
      ("What is the capital of Austria?", "Vienna"), ("Who wrote Macbeth?", "Shakespeare"),
      ("What does mitochondria produce?", "ATP"), ("What do mitochondria do for the cell?", "Make ATP"),
      ("Define osmosis", "Water moving across a membrane"), ("What is diffusion?", "Particles spreading out"),
      ("Which port does HTTP use?", "80"), ("What is the capital of Germany?", "Berlin"),
      ("Gib die Hauptstadt von Frankreich an", "Paris"), ("ハンバーガーは何ですか", "食べ物"),
      ("ハンバーガーとは何ですか", "食べ物です")]


def cards() -> list[Card]:
    return [Card("Basic", {"Front": q, "Back": a}, file=f"n{n % 3}.md", line=5 * n + 1) for n, (q, a) in enumerate(QA)]


def outcome(report) -> tuple:
    return ([(p.a.where, p.b.where, p.score, p.kind, p.method) for p in report.pairs],
            [([c.where for c in g.cards], g.score, g.exact) for g in report.groups],
            [(r.a.where, r.b.where, r.score, r.reason, r.signals) for r in report.rejected])


def test_lazy_rejections_equal_judging_every_pair_as_an_object(tmp_path, monkeypatch):
    with Embedder(cache_path=tmp_path / "cache.sqlite") as embedder:
        lazy = find_duplicates(cards(), embedder=embedder)
        assert lazy.lazy_rejected is not None and len(lazy.lazy_rejected) > 10  # most candidates held as arrays
        replayed = find_duplicates(cards(), embedder=embedder)
        assert replayed.replayed
        with monkeypatch.context() as m:
            m.setattr(lazy_verdicts, "MARGIN", 2.0)  # every pair judged as an object, as before
            eager = find_duplicates(cards(), embedder=embedder, use_cache=False)
        assert eager.lazy_rejected is None
        assert outcome(lazy) == outcome(eager) == outcome(replayed)
        assert lazy.rejected and [r.score for r in lazy.rejected] == sorted((r.score for r in lazy.rejected),
                                                                             reverse=True)


@pytest.mark.parametrize("threshold", [0.3, 0.95])
def test_other_thresholds_split_where_the_score_cannot_reach_it(tmp_path, monkeypatch, threshold):
    with Embedder(cache_path=tmp_path / "cache.sqlite") as embedder:
        lazy = find_duplicates(cards(), embedder=embedder, threshold=threshold)
        with monkeypatch.context() as m:
            m.setattr(lazy_verdicts, "MARGIN", 2.0)
            eager = find_duplicates(cards(), embedder=embedder, threshold=threshold, use_cache=False)
        assert outcome(lazy) == outcome(eager)
        assert all(r.score < threshold or r.reason for r in lazy.rejected)
