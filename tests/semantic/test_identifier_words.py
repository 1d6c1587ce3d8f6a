"""Acronyms and identifiers are names, not inflected words (issue 12): HTTPS is not HTTP's plural.

A word written with a capital after its first letter (HTTP, mRNA, IPv4, pH) or mixing letters and digits
(H2O, python3) matches another only when equal (case ignored), never by the inflection, typo or abbreviation
rules; ordinary words keep those rules. The false pair a tester found, "What is the default port of HTTPS?"
(443) / "Which port does HTTP use by default?" (80), scored 1.00 in a vault of eight unrelated cards.
"""
from __future__ import annotations

import pytest

from notes2anki.model import Card
from notes2anki.semantic import contrast, pair_cues, term_align
from notes2anki.semantic.word_match import WordIndex, _same_word, same_word, tokens


def stem(word: str) -> str:
    return tokens(word)[0][0]


def same(a: str, b: str) -> bool:
    return same_word(stem(a), stem(b))


@pytest.mark.parametrize("a, b", [("HTTP", "HTTPS"), ("IPv4", "IPv6"), ("RNA", "mRNA"), ("SSH", "SSL"),
                                  ("ATP", "ADP"), ("HTTP2", "HTTP3"), ("python2", "python3"), ("SHA1", "SHA2")])
def test_identifiers_differing_by_a_character_are_other_words(a, b):
    assert not same(a, b) and not same(b, a)


@pytest.mark.parametrize("a, b", [("cells", "cell"), ("Mitochondria", "mitochondrial"), ("enzymes", "enzyme"),
                                  ("Bargaining", "bargain"), ("forms", "form"), ("recieve", "receive"),
                                  ("avg", "average"), ("DNA", "dna"), ("CPUs", "CPU"), ("HTTP's", "HTTP"),
                                  ("IPv4", "ipv4")])
def test_ordinary_inflections_typos_and_case_still_match(a, b):
    assert same(a, b) and same(b, a)


def test_identifier_stems_keep_their_case_and_capital_s():
    assert [w for w, _ in tokens("What is the default port of HTTPS?")][-1] == "HTTPS"
    assert [w for w, _ in tokens("How many CPUs?")][-1] == "CPU"  # a lower-case plural s is stripped
    assert [w for w, _ in tokens("Mitochondria cells")] == ["mitochondria", "cell"]


def test_a_text_in_capitals_reads_its_words_as_ordinary_words():
    """Capitals say nothing in a text written all in capitals; letters mixed with digits still do."""
    assert [w for w, _ in tokens("WHAT DO CELLS MAKE")] == ["what", "do", "cell", "make"]
    assert "H2O" in [w for w, _ in tokens("WHAT IS H2O")]


def test_word_index_finds_identifiers_whatever_their_case():
    """WordIndex looks words up by their first letter case-folded, so "DNA" finds "dna" and the answers are
    those of trying every word with _same_word."""
    words = ("dna", "HTTP", "cell", "IPv4")
    index = WordIndex(words)
    for w in ("DNA", "HTTPS", "http", "cells", "ipv4", "IPv6"):
        assert index.has(w) == any(_same_word(w, v) for v in words), w
    assert index.has("DNA") and not index.has("HTTPS") and index.has("ipv4") and not index.has("IPv6")


def test_initialisms_still_match_their_expansion():
    """An acronym written in capitals still matches the initials of the words it stands for."""
    assert contrast._acronym_of(["translation", "lookaside", "buffer"], ["TLB"])
    assert pair_cues._held(("TLB",), "the translation lookaside buffer") == 1.0
    overlap = contrast.answer_overlap("What is X?", "TLB", "What is X?", "translation lookaside buffer")
    assert overlap is not None and overlap[0] == 1.0
    assert term_align._lexical(("TLB",), ("translation", "lookaside", "buffer"),
                               "translation lookaside buffer").tolist() == [1.0]


def test_https_and_http_questions_differ_by_a_term():
    """The questions' content words: HTTPS has no match in the other question (it did as "http" before)."""
    wa = term_align.content_words("What is the default port of HTTPS?")
    wb = term_align.content_words("Which port does HTTP use by default?")
    assert term_align._lexical(wa, wb, "Which port does HTTP use by default?").tolist() == [1.0, 1.0, 0.0]


UNRELATED = [("What is the capital of France?", "Paris"),
             ("Which organelle produces ATP in the cell?", "The mitochondrion"),
             ("Who wrote the novel Pride and Prejudice?", "Jane Austen"),
             ("What is the chemical symbol of gold?", "Au"),
             ("In which year did the Berlin Wall fall?", "1989"),
             ("What does a thermometer measure?", "Temperature")]


def _sparse_vault(one_note: bool) -> list[Card]:
    cards = [Card("Basic", {"Front": "What is the default port of HTTPS?", "Back": "443"}, file="net.md", line=1),
             Card("Basic", {"Front": "Which port does HTTP use by default?", "Back": "80"},
                  file="net.md" if one_note else "web.md", line=7)]
    return cards + [Card("Basic", {"Front": f, "Back": b}, file="misc.md", line=6 * k + 1)
                    for k, (f, b) in enumerate(UNRELATED)]


def test_https_http_pair_is_measured_as_differing_by_a_term(embedder):
    """Measured on the pair: the questions' content words no longer all match (q_jaccard 1.0 -> 0.67,
    q_unmatched 0 -> 0.33), each question names what the other does not (q_swap), and the answers' numbers
    conflict (443 / 80)."""
    from notes2anki.semantic.dupes import compare_cards

    a, b = _sparse_vault(True)[:2]
    signals = compare_cards([(a, b)], embedder)[0].signals
    assert signals["q_jaccard"] < 0.7 and signals["q_unmatched"] > 0.3 and signals["num_a_conflict"] == 1.0
    assert signals["q_swap"] == 1.0


@pytest.mark.parametrize("one_note", [True, False], ids=["one note", "two notes"])
def test_https_http_ports_are_not_reported_in_a_sparse_vault(embedder, one_note):
    """The tester's pair among six unrelated cards (where each card's neighbours are far, so the margins
    favour the pair) is not reported, in one note or in two: measured 0.06 and 0.32 (0.94 and 0.99 before;
    0.79 and 0.97 with the word match alone, before ``q_swap`` read the names)."""
    from notes2anki.semantic.dupes import find_duplicates

    report = find_duplicates(_sparse_vault(one_note), embedder=embedder, cache_path=":memory:", use_cache=False)
    assert report.pairs == [], [(p.score, p.a.where, p.b.where) for p in report.pairs]

def test_an_acronym_in_capitals_still_abbreviates_an_ordinary_word():
    """"ECG" / "electrocardiogram" (written pair x051); a mixed-case name is no abbreviation ("mecA" /
    "mechanism"), nor is an identifier of another ("HTTP" / "HTTPS")."""
    assert same("ECG", "electrocardiogram") and same("electrocardiogram", "ECG")
    assert not same("mecA", "mechanism")


def test_a_text_of_acronyms_alone_is_not_shouting():
    assert [w for w, _ in tokens("FCFS / FIFO")] == ["FCFS", "FIFO"]


@pytest.mark.parametrize("a, b, swap", [
    ("What is the default port of HTTPS?", "Which port does HTTP use by default?", [("HTTPS", "HTTP")]),
    ("IPv4 address length?", "How long is an IPv6 address?", [("IPv4", "IPv6")]),
    ("What does the TLB cache?", "What does the translation lookaside buffer cache?", []),  # initials
    ("What does an ECG record?", "Electrocardiogram: what is measured?", []),  # an abbreviation
    ("What does DNA polymerase do?", "Role of dna polymerase?", []),  # case ignored
    ("What does ATP stand for?", "Which molecule stores energy in cells?", []),  # one side names nothing
    ("Default port of HTTPS (TLS)?", "Which port does HTTPS use (SSL)?", []),  # asides left out
])
def test_name_swaps_are_names_each_question_holds_and_the_other_lacks(a, b, swap):
    assert contrast.name_swaps(a, b) == swap


def test_why_not_names_a_name_swap():
    from notes2anki.semantic.why_not import _term

    texts = ("What is the default port of HTTPS?", "Which port does HTTP use by default?")
    assert _term({"q_swap": 1.0}, texts) == "a term differs: HTTPS / HTTP"
