"""Tester S14 (FIT-Statnice, Czech): pairs judged by character n-grams are near copies only — sibling
template questions that differ by a term are not duplicates, wherever the term sits."""
from __future__ import annotations

from notes2anki.model import Card
from notes2anki.semantic.char_siblings import swapped_terms
from notes2anki.semantic.dupes import find_duplicates


def basic(front: str, back: str = "", *, file: str = "a.md", line: int = 1) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file=file, line=line)


UML = "Je UML {} strukturní diagram nebo diagram chování?"


def test_a_term_that_moves_or_comes_with_other_words_is_a_swap():
    assert swapped_terms(UML.format("diagram případů užití"), UML.format("stavový diagram")) \
        == ("případů užití", "stavový")
    assert swapped_terms(UML.format("sekvenční diagram"), UML.format("diagram aktivit")) == ("sekvenční", "aktivit")
    assert swapped_terms("Kdy se resolvuje this?", "Kdy se u traitů resolvuje super?") == ("this", "u traitů super")
    assert swapped_terms("(AB)^-1 = ?", "(A^T)^-1") == ("AB", "A T")
    assert swapped_terms("急性膵炎の診断に有用な検査は", "慢性膵炎の診断に有用な検査は") == ("急", "慢")


def test_near_copies_are_not_swaps():
    """Retyped, inflected, reordered, punctuated, or a word added on one side only."""
    assert swapped_terms("Co je TCP?", "Co je to TCP?") is None
    assert swapped_terms("Vysvětlete pojem transakce.", "Vysvětli pojem transakce") is None
    assert swapped_terms("Jaké jsou vlastnosti zásobníku?", "Jaké jsou vlastnosti zásobníků") is None
    assert swapped_terms("Normální forma: 3NF a BCNF", "BCNF a 3NF: normální forma") is None
    assert swapped_terms("急性膵炎の診断に有用な検査は", "急性膵炎の診断に有用な検査とは") is None
    assert swapped_terms("Kolik bitů má IPv4 adresa?", "Kolik bitů má IPv6 adresa?") == ("IPv4", "IPv6")
    assert swapped_terms("Vysvetlete pojem transakce", "Vysvětlete pojem transakce") is None  # typed without accents
    assert swapped_terms("ガスの交換", "カスの交換") == ("ガ", "カ")  # katakana keep their voicing marks


def test_sibling_template_questions_are_not_reported_and_a_near_copy_is(embedder):
    answer = "- strukturní diagram\n- diagram chování"
    cards = [basic(UML.format("diagram případů užití"), "diagram chování", file="BI-SI-18 SI1.2.md", line=237),
             basic(UML.format("stavový diagram"), "diagram chování", file="BI-SPOL-31 SI1.2.md", line=528),
             basic(UML.format("sekvenční diagram"), "diagram chování", file="BI-SI-20 SI1.2.md", line=199),
             basic(UML.format("diagram aktivit"), "diagram chování", file="BI-SI-18 SI1.2.md", line=438),
             basic("Kdy se resolvuje this?", "Za běhu, podle objektu.", file="BI-SI-8 OOP.md", line=792),
             basic("Kdy se u traitů resolvuje super?", "Za běhu, podle objektu.", file="BI-SI-8 OOP.md", line=824),
             basic("(AB)^-1 = ?", "B^-1 A^-1", file="BI-SPOL-13 LIN.md", line=255),
             basic("(A^T)^-1", "(A^-1)^T", file="BI-SPOL-13 LIN.md", line=271),
             basic("Jaké jsou vlastnosti relační databáze a co je to normalizace?", answer, file="db.md", line=10),
             basic("Jaké jsou vlastnosti relační databáze a co je normalizace?", answer, file="db2.md", line=4)]
    report = find_duplicates(cards, embedder=embedder, use_cache=False)
    assert report.uncovered >= 6  # the Czech sentences; the short formulas may be read by the model
    assert [{p.a.where, p.b.where} for p in report.pairs] == [{"db.md:10", "db2.md:4"}]
    assert report.pairs[0].method == "chargrams"
