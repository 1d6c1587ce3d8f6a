"""find_duplicates on Card objects: exact and near pairs, vetoes, groups, the ignore list, JSON."""
from __future__ import annotations

import pytest

from notes2anki.model import Card
from notes2anki.semantic.dupes import DuplicatePair, clique_groups, find_duplicates, parse_ignore, settings_from_config, \
    unmatched_references


def basic(front: str, back: str = "", *, file: str = "a.md", line: int = 1, **kw) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file=file, line=line, **kw)


def where(pair):
    return {pair.a.where, pair.b.where}


@pytest.fixture(scope="module")
def cards():
    return [
        basic("What port does HTTPS use by default?", "443", file="net.md", line=3, id=101),
        basic("Default TCP port for HTTPS", "Port 443", file="web/https.md", line=10, id=102),
        basic("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)", file="net.md", line=9),
        basic("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)", file="net.md", line=15),
        basic("What is the capital of Australia?", "Canberra", file="geo.md", line=1),
        basic("What is the capital of **Australia**?", "Canberra", file="geo.md", line=20),
        basic("Which base pairs with adenine in DNA?", "Thymine", file="bio.md", line=1),
        basic("Which base pairs with adenine in RNA?", "Uracil", file="bio.md", line=7),
        basic("How do you bake sourdough bread?", "Feed the starter, mix, proof, bake hot.", file="food.md", line=1),
    ]


@pytest.fixture(scope="module")
def report(cards, embedder):
    return find_duplicates(cards, embedder=embedder)


def test_exact_and_near_pairs_are_found(report):
    kinds = {frozenset(where(p)): p.kind for p in report.pairs}
    assert kinds == {frozenset({"geo.md:1", "geo.md:20"}): "exact",
                     frozenset({"net.md:3", "web/https.md:10"}): "near"}
    exact = next(p for p in report.pairs if p.kind == "exact")
    assert exact.score == 1.0 and report.pairs[0] is exact  # exact first
    assert report.groups == [] and report.warnings == []


def test_hard_negatives_are_rejected_with_a_reason(report):
    """TLS 1.3/1.2 and DNA/RNA look alike; the learned judge scores them low and says what weighed
    against them (numbers by value, a swapped term)."""
    rejected = {frozenset({r.a.where, r.b.where}): r for r in report.rejected}
    tls = rejected[frozenset({"net.md:9", "net.md:15"})]
    dna = rejected[frozenset({"bio.md:1", "bio.md:7"})]
    for r in (tls, dna):
        assert r.score < report.threshold and "below threshold" in r.reason
    assert tls.signals["num_q_conflict"] == 1.0 and dna.signals["q_swap"] == 1.0


def test_json_interface(report):
    data = report.to_json()
    assert set(data) == {"pairs", "groups", "cards_checked", "cards_by_chargrams"}
    assert (data["cards_checked"], data["cards_by_chargrams"]) == (9, 0)
    first = data["pairs"][0]
    assert set(first) == {"a", "b", "score", "kind", "method"} and first["kind"] == "exact" and first["score"] == 1.0
    assert first["a"] == {"file": "geo.md", "line": 1, "front": "What is the capital of Australia?"}
    assert first["b"]["front"] == "What is the capital of Australia?"  # plain text, no Markdown


def test_three_similar_cards_form_one_group(embedder):
    cards = [basic("What is the capital of Australia?", "Canberra", file="a.md", line=1),
             basic("Australia's capital city?", "Canberra", file="b.md", line=5),
             basic("Which city is the capital of Australia?", "Canberra (not Sydney)", file="c.md", line=9),
             basic("What is mean pooling?", "The average of the token vectors.", file="d.md", line=1)]
    report = find_duplicates(cards, embedder=embedder)
    assert len(report.pairs) == 3
    assert len(report.groups) == 1
    group = report.groups[0]
    assert [c.where for c in group.cards] == ["a.md:1", "b.md:5", "c.md:9"]
    assert group.score == min(p.score for p in report.pairs)
    assert report.to_json()["groups"][0]["cards"][1] == {"file": "b.md", "line": 5,
                                                         "front": "Australia's capital city?"}


def test_ignore_list_by_id_and_by_file_line(cards, embedder):
    by_id = find_duplicates(cards, embedder=embedder, ignore=[[101, "102"]])
    assert [where(p) for p in by_id.pairs] == [{"geo.md:1", "geo.md:20"}] and by_id.ignored == 1
    by_place = find_duplicates(cards, embedder=embedder, ignore=[["geo.md:1", "./geo.md:20"], ["net.md:3", "x.md:1"]])
    assert [where(p) for p in by_place.pairs] == [{"net.md:3", "web/https.md:10"}]
    assert by_place.warnings == []  # a reference that names no card: unmatched_references, positions as written
    assert unmatched_references([["geo.md:1", "./geo.md:20"], ["net.md:3", "x.md:1"]], cards) == [(1, 1, '"x.md:1"')]


def test_a_line_inside_the_block_names_the_card(embedder):
    cards = [basic("What is the capital of Australia?", "Canberra", file="g.md", line=1, end_line=4),
             basic("What is the capital of Australia?", "Canberra", file="g.md", line=6, end_line=9)]
    assert find_duplicates(cards, embedder=embedder, ignore=[["g.md:2", "g.md:8"]]).pairs == []


def test_deleted_and_empty_cards_are_skipped(embedder):
    cards = [basic("What is the capital of Australia?", "Canberra", line=1),
             basic("What is the capital of Australia?", "Canberra", line=5, delete=True),
             basic("", "", line=9), basic("", "", line=12)]
    report = find_duplicates(cards, embedder=embedder)
    assert report.pairs == [] and report.cards_checked == 1


def test_threshold_is_checked(cards, embedder):
    with pytest.raises(ValueError):
        find_duplicates(cards, embedder=embedder, threshold=1.5)
    strict = find_duplicates(cards, embedder=embedder, threshold=1.0)
    assert [p.kind for p in strict.pairs] == ["exact"]


def test_ignore_entries_are_validated():
    entries, warnings = parse_ignore([["a.md:1", "b.md:2"], [1], "x", [True, "nope", 5]])
    assert entries == [[("a.md", 1), ("b.md", 2)]]
    assert len(warnings) == 4


def test_settings_from_config(tmp_path):
    from notes2anki.config import load_config

    (tmp_path / ".notes2anki.toml").write_text(
        '[semantic]\nmodel = "my/model"\n[dupes]\nthreshold = 0.8\nignore = [["a.md:1", "b.md:2"]]\n', encoding="utf-8")
    assert settings_from_config(load_config(tmp_path, [])) == ("my/model", 0.8, [["a.md:1", "b.md:2"]], [])
    assert settings_from_config(None) == (None, None, (), [])


def test_a_card_differing_only_by_an_image_is_not_exact(embedder):
    """FIT BI-SPOL-14 MLO.md:760/778: two cards whose only difference is the formula image."""
    cards = [basic("Which formula is shown?", "![[formula-1.png]]", file="m.md", line=760),
             basic("Which formula is shown?", "![[formula-2.png]]", file="m.md", line=778),
             basic("Which formula is shown?", "![[formula-1.png]]", file="n.md", line=1)]
    report = find_duplicates(cards, embedder=embedder)
    kinds = {frozenset(where(p)): p.kind for p in report.pairs}
    assert kinds == {frozenset({"m.md:760", "n.md:1"}): "exact"}  # not even near: the images differ


def test_exact_duplicates_keep_case():
    """BenAgro "Derivative of xᵀB" vs "xᵀb": not the same text, so not exact."""
    from notes2anki.semantic.dupes import exact_key

    assert exact_key(basic("Derivative of xᵀB?", "B")) != exact_key(basic("Derivative of xᵀb?", "B"))
    assert exact_key(basic("What is **ATP**?", "energy")) == exact_key(basic("What is ATP?", "energy"))


def _pair(i: int, j: int, score: float = 0.9):
    return DuplicatePair(basic(f"q{i}", line=i), basic(f"q{j}", line=j), score, "near")


def test_groups_are_cliques_not_chains():
    """A~B and B~C but not A~C: no group of three (no chaining through a middle card)."""
    cards = [basic(f"q{i}", line=i) for i in range(6)]
    chain = {(0, 1): _pair(0, 1), (1, 2): _pair(1, 2)}
    assert clique_groups(chain, cards) == []
    # a 4-clique plus a card joined to one member only: the group is the clique
    clique = {(i, j): _pair(i, j, 0.8 + i / 100) for i in range(4) for j in range(i + 1, 4)}
    clique[(3, 4)] = _pair(3, 4)
    groups = clique_groups(clique, cards)
    assert [[c.line for c in g.cards] for g in groups] == [[0, 1, 2, 3]]
    assert groups[0].score == 0.8


def test_cards_the_model_cannot_read_are_compared_by_character_ngrams(embedder):
    """Japanese cards (medu4): a near copy is found by character n-grams, a card on another disease is
    not, and the report says how many cards were handled that way."""
    cards = [basic("急性膵炎の診断に有用な血液検査は何か？", "血清アミラーゼとリパーゼの上昇", file="ja.md", line=1),
             basic("急性膵炎の診断に有用な血液検査は何か。", "血清アミラーゼとリパーゼの上昇", file="ja.md", line=9),
             basic("急性胆嚢炎の診断に有用な画像検査は何か？", "腹部超音波検査", file="ja.md", line=17),
             basic("What is the capital of Australia?", "Canberra", file="en.md", line=1),
             basic("![[only-an-image.png]]", "", file="img.md", line=1)]  # no text: not checked
    report = find_duplicates(cards, embedder=embedder)
    assert report.uncovered == 3 and report.cards_checked == 4
    assert [(where(p), p.method) for p in report.pairs] == [({"ja.md:1", "ja.md:9"}, "chargrams")]
    # the count says which cards it is of (FIT: "2309 of 2495 cards" beside a report on 2,512 cards read wrong)
    assert any("3 of the 4 cards checked (cards with text)" in w and "[semantic] model" in w for w in report.warnings)


def test_ngram_pairs_with_a_swapped_term_are_not_duplicates(embedder):
    """FIT-Statnice (Czech): 'Jaké vlastnosti má BubbleSort?' vs '... InsertSort?', XOR vs NOR: the same
    template asked of another thing."""
    props = "- out-of-place / in-place\n- stabilní / nestabilní\n- časová složitost"
    cards = [basic("Jaké vlastnosti má **BubbleSort**?", props, file="ag.md", line=349),
             basic("Jaké vlastnosti má **InsertSort**?", props, file="ag.md", line=450),
             basic("Jak se zakresluje v obvodech XOR?", "![[xor.png]]", file="sap.md", line=277),
             basic("Jak se zakresluje v obvodech NOR?", "![[nor.png]]", file="sap.md", line=309)]
    report = find_duplicates(cards, embedder=embedder)
    assert report.uncovered == 4 and report.pairs == []


def _cliques_in_one_search(adjacency):
    """The search over the whole graph at once that _maximal_cliques replaced (reference)."""
    cliques = []
    stack = [(frozenset(), frozenset(adjacency), frozenset())]
    while stack:
        r, p, x = stack.pop()
        if not p and not x:
            cliques.append(r)
            continue
        pivot = max(p | x, key=lambda u: (len(adjacency[u] & p), -u))
        for v in sorted(p - adjacency[pivot]):
            stack.append((r | {v}, p & adjacency[v], x & adjacency[v]))
            p = p - {v}
            x = x | {v}
    return cliques


def test_cliques_searched_per_component_are_the_cliques_of_the_whole_graph():
    import random

    from notes2anki.semantic.dupes import _maximal_cliques

    rng = random.Random(7)
    for trial in range(40):
        n = rng.randrange(2, 60)
        adjacency: dict[int, set[int]] = {}
        for _ in range(rng.randrange(1, 3 * n)):
            i, j = rng.sample(range(n), 2) if rng.random() < 0.7 else rng.sample(range(min(n, 8)), 2)
            adjacency.setdefault(i, set()).add(j)
            adjacency.setdefault(j, set()).add(i)
        found = _maximal_cliques(adjacency)
        assert len(found) == len(set(found))
        assert set(found) == set(_cliques_in_one_search(adjacency))


def test_ignore_entries_with_non_ascii_digits_are_warned_not_raised():
    # "²" and "٣" are str.isdigit() but not int(): a reference written so is a warning, never a traceback
    entries, warnings = parse_ignore([["a.md:²", "b.md:2"], ["٣", "١٢"], [["x"], "²"]])
    assert entries == [] and len(warnings) == 5 and all("not understood" in w for w in warnings)
