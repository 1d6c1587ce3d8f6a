"""After an edit of a few cards, the big memo files of a duplicate check are not written again (issue 13: the
feature rows, n-gram rows, plain texts and language measurements of a 10,000-card vault are 70 MB; writing
them took ~0.6 s of every edit): the few new entries come from the embedding cache or are computed again by
the next run, and every result stays the same as a cold check. The rejected candidates are stored unsorted
and put in order only when read (--explain)."""
from __future__ import annotations

import pytest

from notes2anki import memo_file
from notes2anki.model import Card
from notes2anki.semantic import language, pair_cache, text_memo
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.dupes_memo import memo_folder
from notes2anki.semantic.encoder import Embedder

FRONTS = [
    ("What port does HTTPS use by default?", "443"), ("Default TCP port for HTTPS", "Port 443"),
    ("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)"),
    ("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)"),
    ("What is the capital of Australia?", "Canberra"), ("Capital city of Australia?", "Canberra"),
    ("Which base pairs with adenine in DNA?", "Thymine"), ("Which base pairs with adenine in RNA?", "Uracil"),
    ("What does the mitochondrion produce?", "ATP"), ("Powerhouse of the cell produces what?", "ATP"),
    ("What is the time complexity of binary search?", "O(log n)"),
    ("Binary search runs in what time?", "Logarithmic, O(log n)"),
    ("Wie heißt die Hauptstadt von Österreich und wo liegt sie?", "Wien, an der Donau"),
    ("Who wrote Hamlet?", "Shakespeare"), ("Author of the play Hamlet?", "William Shakespeare"),
]


def cards(edits: dict[int, str] | None = None) -> list[Card]:
    edits = edits or {}
    return [Card("Basic", {"Front": edits.get(n, f), "Back": b}, file="n.md", line=3 * n + 1)
            for n, (f, b) in enumerate(FRONTS)]


def outcome(report) -> tuple:
    return ([(p.a.where, p.b.where, p.score, p.kind, p.method, p.signals) for p in report.pairs],
            [([c.where for c in g.cards], g.score, g.exact) for g in report.groups],
            [(r.a.where, r.b.where, r.score, r.reason, r.signals) for r in report.rejected],
            report.cards_checked, report.uncovered)


def stamps(folder) -> dict[str, int]:
    return {p.name.split(".", 1)[1]: p.stat().st_mtime_ns for p in folder.iterdir()}


@pytest.fixture
def small_thresholds(monkeypatch):
    """The 'big file' limits scaled down to this 15-card vault."""
    monkeypatch.setattr(memo_file, "SKIP_FROM", 1)
    monkeypatch.setattr(memo_file, "REWRITE_NEW", 3)
    monkeypatch.setattr(pair_cache, "REWRITE_NEW", 40)
    monkeypatch.setattr(pair_cache, "SKIP_FROM", 1)


def test_small_edits_leave_the_big_memo_files_and_results_equal_a_cold_check(tmp_path, small_thresholds):
    path = tmp_path / "cache.sqlite"
    folder = memo_folder(path)
    with Embedder(cache_path=path) as embedder:
        find_duplicates(cards(), embedder=embedder)
    before = stamps(folder)
    assert {"rows.pickle", "texts.pickle", "language.pickle", "chargrams.pickle"} <= set(before)
    edits = [{10: "What is the running time of binary search?"},
             {10: "What is the running time of binary search?", 1: "Default TCP port of HTTPS"}]
    for edit in edits:  # two edits in a row: the second reads what the first did not write
        with Embedder(cache_path=path) as embedder:  # a new run
            text_memo._memo.clear()
            language._memo.clear()
            edited = find_duplicates(cards(edit), embedder=embedder)
            cold = find_duplicates(cards(edit), embedder=embedder, use_cache=False)
        assert outcome(edited) == outcome(cold)
        assert 0 < edited.judged.measured < edited.judged.candidates
        after = stamps(folder)
        for name in ("rows.pickle", "texts.pickle", "language.pickle"):
            assert after[name] == before[name], f"{name} written again after a small edit"
        assert after["pickle"] != before["pickle"]  # the result itself is stored
    with Embedder(cache_path=path) as embedder:  # the stored (unsorted) rejected candidates, read back
        replayed = find_duplicates(cards(edits[-1]), embedder=embedder)
    assert replayed.replayed and outcome(replayed) == outcome(cold)


def test_a_big_change_writes_the_files_again(tmp_path, small_thresholds):
    path = tmp_path / "cache.sqlite"
    folder = memo_folder(path)
    with Embedder(cache_path=path) as embedder:
        find_duplicates(cards(), embedder=embedder)
        before = stamps(folder)
        changed = {n: f"Question number {n} about something else entirely?" for n in range(0, 15, 2)}
        find_duplicates(cards(changed), embedder=embedder)
    after = stamps(folder)
    for name in ("rows.pickle", "texts.pickle", "language.pickle"):
        assert after[name] != before[name], f"{name} not written after a big change"


def test_the_rewrite_rules():
    assert memo_file.few_new(3, 10_000, 10_000) and memo_file.few_new(150, 10_000, 10_000)
    assert not memo_file.few_new(300, 10_000, 10_000)  # more than 2 % new
    assert not memo_file.few_new(3, 6_000, 10_000)  # 40 % of the file unused
    assert not memo_file.few_new(3, 100, 100)  # a small file: cheap to write
    assert not pair_cache._rewrite(0, 100_000, 100_000)
    assert not pair_cache._rewrite(300, 100_000, 99_900)
    assert pair_cache._rewrite(300, 100_000, None)  # no usable file
    assert pair_cache._rewrite(5_000, 100_000, 100_000)  # many pairs it lacks
    assert pair_cache._rewrite(10, 100_000, 60_000)  # holds far fewer pairs than today
    assert pair_cache._rewrite(1, 1_000, 1_000)  # small: cheap to write


def test_the_digest_text_of_a_card_is_json_dumps():
    import json

    from notes2anki.semantic.dupes_memo import card_json

    odd = [Card("Basic", {"Front": 'a "quote" \\ back\nslash', "Back": "é日本\u2028\x00"}, file="d/ü.md", line=3,
                end_line=9, col=2, id=1712345678901),
           Card("Cloze", {"Text": "{{c1::x}}", "Back Extra": ""}, file="n.md", line=1),
           Card("Basic", {}, file="e.md", line=0),
           Card("Basic", {"Front": "x"}, file="n.md", line=True)]  # a bool: left to json.dumps
    for card in [*cards(), *odd]:
        assert card_json(card) == json.dumps([card.file, card.line, card.end_line, card.col, card.id,
                                              card.note_type, list(card.fields.items())], ensure_ascii=False)


def test_a_small_edit_leaves_out_the_rejected_candidates_and_explain_checks_again(tmp_path, small_thresholds,
                                                                                   monkeypatch):
    """After a small edit of a big vault the rejected candidates (--explain; 35 MB at 10,000 cards) are not
    stored and the stale file goes; --explain after the replay checks again once (and stores them): the
    same rejected candidates as a cold check."""
    from notes2anki.semantic import dupes_memo, rejected_store

    monkeypatch.setattr(rejected_store, "REJECTED_SKIP_FROM", 1)  # this 15-card vault counts as big
    monkeypatch.setattr(rejected_store, "REJECTED_FEW", 6)  # the edit below measures 6 of its 7 candidates
    path = tmp_path / "cache.sqlite"
    folder = memo_folder(path)
    with Embedder(cache_path=path) as embedder:
        first = find_duplicates(cards(), embedder=embedder)
    assert first.judged.measured == 7 and len(list(folder.glob("*" + dupes_memo.REJECTED_SUFFIX))) == 1
    edit = {10: "What is the running time of binary search?"}
    with Embedder(cache_path=path) as embedder:
        text_memo._memo.clear()
        edited = find_duplicates(cards(edit), embedder=embedder)
        cold = find_duplicates(cards(edit), embedder=embedder, use_cache=False)
    # the edit measures only some candidates (which ones depends on the neighbour lists, so on the encoder's
    # last bits): at most REJECTED_FEW, so the rejected file is not stored; the results equal a cold check
    assert 1 <= edited.judged.measured <= 6 and edited.judged.cached >= 1 and cold.rejected
    assert outcome(edited) == outcome(cold)
    assert not list(folder.glob("*" + dupes_memo.REJECTED_SUFFIX))  # not stored, the stale one removed
    rechecks = []
    real = dupes_memo.recheck
    monkeypatch.setattr(dupes_memo, "recheck", lambda run: rechecks.append(1) or real(run))
    with Embedder(cache_path=path) as embedder:
        replayed = find_duplicates(cards(edit), embedder=embedder)
        assert replayed.replayed and not rechecks
        assert outcome(replayed) == outcome(cold) and rechecks == [1]  # --explain: checked again, once
    assert len(list(folder.glob("*" + dupes_memo.REJECTED_SUFFIX))) == 1  # ... and stored by that check
    with Embedder(cache_path=path) as embedder:
        again = find_duplicates(cards(edit), embedder=embedder)
        assert again.replayed and outcome(again) == outcome(cold) and rechecks == [1]  # read from the file


def test_the_rule_for_storing_rejected_candidates():
    from notes2anki.semantic import dupes_memo

    assert dupes_memo.store_rejected(5_000, 10)  # a small vault: cheap to write
    assert not dupes_memo.store_rejected(100_000, 300)  # a small edit of a big one
    assert dupes_memo.store_rejected(100_000, 5_000)  # many pairs measured again
    assert dupes_memo.recheck(lambda: dupes_memo.store_rejected(100_000, 300))  # --explain's check stores them
