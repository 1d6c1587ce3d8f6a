"""Topics on the labelled vault (real model): agreement with the labels, determinism, labels, tags, CLI."""
from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from notes2anki.cli.topics import topics_command
from notes2anki.model import Card
from notes2anki.parsers import load_vault
from notes2anki.semantic.text import card_text
from notes2anki.semantic.topics import (card_vectors, cluster, find_topics, keywords, topic_slug, topic_tags,
                                        vault_topics)

TOPICS_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "topics_vault"
# Measured: 0.835 (9 subjects found for the 7 labelled ones, the number chosen by silhouette, 0 cards
# unassigned). The former 1.0 came from a merge threshold chosen on this very vault; the bar is issue 12's.
MIN_ARI = 0.80


def assignment(result) -> dict[tuple[str, int], int]:
    out = {(c.file, c.line): t.id for t in result.topics for c in t.cards}
    out.update({(c.file, c.line): -1 - i for i, c in enumerate(result.unassigned)})  # each its own group
    return out


def test_topic_agreement_with_labels(fixture_topics, labels, record_property):
    found = assignment(fixture_topics)
    keys = [(c["file"], c["line"]) for c in labels["cards"]]
    assert set(keys) == set(found)  # every labelled card is a card, and every card is labelled
    ari = adjusted_rand_score([c["topic"] for c in labels["cards"]], [found[k] for k in keys])
    record_property("topics_ari", ari)
    record_property("topics_unassigned", len(fixture_topics.unassigned))
    print(f"\ntopics: ARI {ari:.3f}, {len(fixture_topics.topics)} topics, "
          f"{len(fixture_topics.unassigned)} of {len(keys)} cards unassigned")
    assert ari >= MIN_ARI
    assert len(fixture_topics.unassigned) <= 0.05 * len(keys)


def test_labels_are_readable_keywords(fixture_topics):
    written = "\n".join([card_text(c) for t in fixture_topics.topics for c in t.cards]
                        + [c.file for t in fixture_topics.topics for c in t.cards])
    for topic in fixture_topics.topics:
        assert 1 <= len(topic.label.split(" · ")) <= 3
        assert topic.label.split(" · ") == topic.keywords[:3]
        # words written as the vault writes them: "Somme", "Versailles", "ATP" keep their capitals, and a
        # word a sentence merely starts with is shown in lower case
        assert all(k[0].isalpha() and k.replace("-", "").isalnum() for k in topic.keywords), topic.keywords
        assert all(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", written) for k in topic.keywords), topic.keywords
        assert not {"what", "which", "the", "der", "die", "le", "la", "did", "does"} & set(topic.keywords)
    by_note = {c.file: t for t in fixture_topics.topics for c in t.cards}
    assert "Maillard" in by_note["cooking/Maillard reaction.md"].keywords  # a name keeps its capital
    assert "fugue" in by_note["Fugue.md"].keywords
    tags = [t.tag for t in fixture_topics.topics]
    assert len(set(tags)) == len(tags) and all(t.startswith("topic::") and " " not in t for t in tags)


def test_topics_are_numbered_by_size(fixture_topics):
    sizes = [len(t.cards) for t in fixture_topics.topics]
    assert sizes == sorted(sizes, reverse=True)
    assert [t.id for t in fixture_topics.topics] == list(range(1, len(sizes) + 1))
    for topic in fixture_topics.topics:
        assert topic.cards == sorted(topic.cards, key=lambda c: (c.file, c.line))
        assert 1 <= len(topic.examples) <= 3 and all(e in topic.cards for e in topic.examples)


# -- determinism ---------------------------------------------------------------------------------------------
def test_same_output_twice_via_the_cli():
    runs = [CliRunner().invoke(topics_command, [str(TOPICS_VAULT), "--json"]) for _ in range(2)]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    assert runs[0].stdout == runs[1].stdout
    data = json.loads(runs[0].stdout)
    assert set(data) == {"topics", "unassigned", "method", "cards_not_read_by_model"}
    for topic in data["topics"]:
        assert set(topic) == {"id", "label", "keywords", "cards", "subtopics"}
        for sub in topic["subtopics"]:
            assert set(sub) == {"id", "label", "keywords", "cards"}
            assert {(c["file"], c["line"]) for c in sub["cards"]} <= {(c["file"], c["line"]) for c in topic["cards"]}
        assert isinstance(topic["id"], int) and isinstance(topic["label"], str)
        assert all(set(c) == {"file", "line"} for c in topic["cards"])


def test_shuffled_card_list_gives_the_same_topics(topics_vault, embedder, fixture_topics):
    cards, texts, x = card_vectors(topics_vault, embedder)
    expected = fixture_topics.as_json()
    for seed in range(3):
        order = list(range(len(cards)))
        random.Random(seed).shuffle(order)
        result = find_topics([cards[i] for i in order], x[order], texts=[texts[i] for i in order]).as_json()
        assert (result["topics"], result["unassigned"]) == (expected["topics"], expected["unassigned"])


def test_moved_and_reordered_files_give_the_same_topics(tmp_path, embedder, fixture_topics):
    """A copy of the vault with every file moved to another folder (so files are read in another order)."""
    moved: dict[str, str] = {}
    sources = sorted(p for p in TOPICS_VAULT.rglob("*.md"))
    for n, src in enumerate(reversed(sources)):
        rel = src.relative_to(TOPICS_VAULT).as_posix()
        new = f"{chr(ord('z') - n % 26)}{n:02d}/{src.name}"  # reversed folder order, other depth
        moved[new] = rel
        (tmp_path / "copy" / new).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, tmp_path / "copy" / new)
    copy = load_vault(tmp_path / "copy")
    assert [n.path for n in copy.notes] != sorted(moved.values())  # really another order
    result = vault_topics(copy, embedder).as_json()
    for topic in result["topics"] + [sub for t in result["topics"] for sub in t["subtopics"]]:
        topic["cards"] = sorted(({"file": moved[c["file"]], "line": c["line"]} for c in topic["cards"]),
                                key=lambda c: (c["file"], c["line"]))
    result["unassigned"] = sorted(({"file": moved[c["file"]], "line": c["line"]} for c in result["unassigned"]),
                                  key=lambda c: (c["file"], c["line"]))
    assert result == fixture_topics.as_json()


# -- pieces --------------------------------------------------------------------------------------------------
def test_keywords_are_class_based_tfidf_without_stop_words():
    groups = [["What is the Krebs cycle?", "Where does the Krebs cycle run?", "Mitochondria make ATP"],
              ["Was ist die Hauptstadt von Frankreich?", "Le Rhin est un fleuve", "Which river is long?"]]
    words = keywords(groups, n=3)
    assert words[0][:2] == ["cycle", "Krebs"]
    assert not {"what", "is", "the", "was", "ist", "die", "von", "le", "est", "un"} & set(words[1])
    assert keywords([["cell cells membrane membranes"]], n=3) == [["cell", "membrane"]]  # plurals folded


def test_subtopic_labels_leave_out_words_spread_over_every_subject():
    """FIT-Statnice (Czech): sub-topics were named 'lze · return · class', 'dělá · přepínač · Příklad': words
    the vault writes in every subject ("it is possible", "does", "example") that were merely more frequent in
    one sub-topic than in its siblings. Scored with their spread over the subjects too (``outer``), words
    specific to the sub-topic in the vault name it."""
    from notes2anki.semantic.topic_labels import Spread

    subjects = [["Jak lze zavolat šablona funkce", "Jak lze vyhodit výjimka", "Co je šablona"],
                ["Jak lze poslat paket", "Co dělá přepínač"], ["Jak lze spočítat integrál", "Co je derivace"],
                ["Jak lze zapsat formule", "Co je disjunkce"]]
    level: list[Spread] = []
    keywords(subjects, n=3, spread=level)
    assert level[0].total["lze"] == 5 and level[0].idf("lze") < level[0].idf("šablona")
    siblings = [["Jak lze zavolat šablona funkce", "Jak lze vyhodit výjimka", "Co je šablona"],
                ["Co je třída", "Co je dědičnost třída"]]
    assert keywords(siblings, n=1)[0] == ["lze"]  # among the siblings alone the filler word wins
    named = keywords(siblings, n=5, outer=level[0])[0]
    assert "lze" not in named and {"šablona", "výjimka"} <= set(named)


def test_slug():
    assert topic_slug(["mitochondria", "atp", "respiration"]) == "mitochondria_atp_respiration"
    assert topic_slug(["géographie", "c++", "tcp/ip"]) == "géographie_c_tcp_ip"
    assert topic_slug([]) == "misc"


def test_small_groups_join_a_near_topic_or_stay_unassigned():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 16)
    rows = [c + 0.05 * rng.standard_normal(16) for c in centres for _ in range(6)]
    rows += [centres[0] * 0.9 + np.eye(1, 16, 5)[0] * 0.45]  # near topic 0, but alone
    rows += [np.eye(1, 16, 9)[0]]  # far from everything
    x = np.array(rows)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = cluster(x, threshold=0.5, min_size=3)
    assert len(set(labels[:18])) == 3 and -1 not in labels[:18]
    assert labels[18] == labels[0]
    assert labels[19] == -1


def test_empty_and_tiny_inputs():
    empty = find_topics([], np.zeros((0, 4), dtype=np.float32)).as_json()
    assert (empty["topics"], empty["unassigned"]) == ([], [])
    card = Card("Basic", {"Front": "", "Back": ""}, "a.md", 1)
    result = find_topics([card], np.zeros((1, 4), dtype=np.float32))
    assert result.topics == [] and result.unassigned == [card]


def test_topic_tags_for_build(topics_vault, fixture_topics, cache_dir):
    tags, warnings = topic_tags(topics_vault)
    assert warnings == []
    assert set(tags) == {c.key for c in topics_vault.cards}  # nothing unassigned in this vault
    expected = {c.key: [t.tag] for t in fixture_topics.topics for c in t.cards}
    assert tags == expected


def test_cli_table_and_tree():
    table = CliRunner().invoke(topics_command, [str(TOPICS_VAULT)])
    assert table.exit_code == 0, table.output
    assert re.search(r"116 cards in \d+ topics \(\d+ sub-topics, [^)]*\)\.", table.output)
    assert "unassigned" not in table.output.split("sub-topics")[-1]  # none: not mentioned
    tree = CliRunner().invoke(topics_command, [str(TOPICS_VAULT), "--tree", "--examples", "1"])
    assert tree.exit_code == 0, tree.output
    assert "networking/TCP handshake.md" in tree.output and "cards)" in tree.output


def test_dev_vault_topics_without_k(record_property):
    """../shared/eval (12 subjects, 356 cards): ARI >= 0.80 with the number of subjects chosen by the data.
    Measured: 0.915 (16 subjects)."""
    from notes2anki.config import load_config
    from notes2anki.semantic.encoder import Embedder

    eval_dir = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
    if not (eval_dir / "dupes_truth.json").is_file():
        pytest.skip("the labelled development set ../shared/eval is not there")
    vault = load_vault(eval_dir / "dupes_vault", load_config(eval_dir / "dupes_vault", []))
    truth = json.loads((eval_dir / "dupes_truth.json").read_text("utf-8"))
    with Embedder() as embedder:
        result = vault_topics(vault, embedder)
    found = {(c.file, c.line): t.id for t in result.topics for c in t.cards}
    keys = [(c["file"], c["line"]) for c in truth["cards"]]
    ari = adjusted_rand_score([c["topic"] for c in truth["cards"]], [found.get(k, -1 - i) for i, k in enumerate(keys)])
    record_property("dev_topics_ari", ari)
    print(f"\ndev topics: ARI {ari:.3f}, {len(result.topics)} subjects")
    assert ari >= 0.80
    assert max(len(t.cards) for t in result.topics) <= 0.5 * len(keys)  # no subject swallows the others
    assert sum(1 for t in result.topics if t.subtopics) >= 6


def test_k_gives_that_many_subjects(topics_vault, embedder):
    result = vault_topics(topics_vault, embedder, k=3)
    assert len(result.topics) == 3 and sum(len(t.cards) for t in result.topics) == len(topics_vault.cards)


def test_japanese_labels_are_words_not_sentences():
    """medu4 labels were 'みられる · 出現する · 症候群': grammar endings, not subjects."""
    from notes2anki.semantic.topic_labels import keywords as kw

    groups = [["急性膵炎の診断に有用な血液検査は何か", "急性膵炎で上昇する酵素はアミラーゼである"],
              ["心筋梗塞でみられる心電図変化は何か", "心筋梗塞の治療に用いられる薬剤"]]
    words = kw(groups, n=3)
    assert "急性膵炎" in words[0] and "心筋梗塞" in words[1]
    assert not any(w in ("みられる", "である", "何か") for ws in words for w in ws)


def test_czech_and_french_stop_words_are_not_labels():
    """FIT: 'jsou · jak · jaké'; Supre: 'soit · alors · définition' (stopwords-iso lists of the vault's
    languages)."""
    from notes2anki.semantic.topic_labels import keywords as kw

    cz = [["Jaké jsou vlastnosti zásobníku?", "Jak funguje zásobník?"], ["Jaké jsou typy front?", "Jak funguje fronta?"]]
    assert not {"jsou", "jak", "jaké"} & {w for ws in kw(cz, n=3) for w in ws}
    fr = [["Soit f une fonction continue, alors f est intégrable", "Définition d'une fonction continue"],
          ["Soit G un groupe, alors le noyau est distingué", "Définition du noyau d'un morphisme"]]
    assert not {"soit", "alors"} & {w for ws in kw(fr, n=3) for w in ws}


def test_latex_command_names_are_not_labels():
    """Supre (French maths): labels 'matrice · pmatrix · trigonalisable', 'otimes · dxdy · vecteur',
    'vee · vectoriel · perp'; FIT: 'matice · bbb · matici' (from \\Bbb{A}). The plain text keeps command
    names (they tell formulas apart for duplicates); labels leave them out unless the vault also writes
    the word as a word."""
    from notes2anki.model import Card
    from notes2anki.semantic.topic_labels import latex_words

    assert latex_words([r"$\overline{A} \subseteq \Bbb{R}$ \begin{pmatrix} 1 \end{pmatrix}", r"\det A",
                        "the det of a matrix"]) == {"overline", "subseteq", "bbb", "pmatrix"}
    assert latex_words(["no formula here"]) == frozenset()
    fronts = {"alg": [r"Trigonaliser $\begin{pmatrix} 1 & 2 \\ 0 & 1 \end{pmatrix}$ : matrice trigonalisable ?",
                      r"Quand une matrice $\begin{pmatrix} a \end{pmatrix}$ est-elle trigonalisable ?",
                      r"Polynôme caractéristique d'une matrice $\begin{pmatrix} 0 \end{pmatrix}$ trigonalisable"],
              "top": [r"Adhérence $\overline{A}$ d'un fermé dans un espace métrique",
                      r"Un fermé contient son adhérence $\overline{F} = F$ (espace métrique)",
                      r"Intérieur et adhérence $\overline{U}$ d'un ouvert, espace métrique"]}
    cards = [Card("Basic", {"Front": text, "Back": ""}, f"{name} {line}.md", 1)  # one note per card
             for name, texts in fronts.items() for line, text in enumerate(texts)]
    x = np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3, dtype=np.float32)
    result = find_topics(cards, x, k=2, min_size=1, subtopics=False)
    assert [len(t.cards) for t in result.topics] == [3, 3]
    labels = {w for t in result.topics for w in t.keywords}
    assert {"trigonalisable", "adhérence"} <= labels
    assert not {"pmatrix", "overline", "begin", "end"} & labels


def _one_note_vault(make_vault):
    """Kroid__learn_english_notes's shape: every card in one or two notes (fewer notes than subjects)."""
    cards = ["What is the capital of France?", "Which river flows through Paris?",
             "What is the powerhouse of the cell?", "What does DNA polymerase do?",
             "How many bits are in a byte?", "What does a CPU cache store?"]
    body = "".join(f"START\nBasic\nFront: {q}\nBack: answer {i}\nEND\n\n" for i, q in enumerate(cards))
    return make_vault({"all.md": body})


def test_k_is_honoured_when_the_vault_has_fewer_notes_than_k(make_vault, tmp_path):
    """Tester L1: `topics --k 3` on a vault whose cards sit in one note gave one topic."""
    root = _one_note_vault(make_vault)
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(topics_command, [str(root), "--k", "3", "--min-size", "1", "--json"], env=env)
    assert result.exit_code == 0, result.output
    topics = json.loads(result.output)["topics"]
    assert len(topics) == 3 and sum(len(t["cards"]) for t in topics) == 6
    many = CliRunner().invoke(topics_command, [str(root), "--k", "100000", "--min-size", "1", "--json"], env=env)
    assert many.exit_code == 0, many.output
    assert len(json.loads(many.stdout)["topics"]) == 6  # at most one topic per card (of min size 1)
    assert "--k 100000 asked for, 6 cards: made 6 topics of at least 1 card" in many.stderr
    cut = CliRunner().invoke(topics_command, [str(root), "--threshold", "0.01", "--min-size", "1", "--json"], env=env)
    assert cut.exit_code == 0, cut.output
    assert len(json.loads(cut.output)["topics"]) == 6  # six unrelated questions: none within cosine distance 0.01


def test_k_and_threshold_together_are_refused_and_the_command_line_wins_over_the_config(make_vault, tmp_path):
    root = _one_note_vault(make_vault)
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")}
    both = CliRunner().invoke(topics_command, [str(root), "--k", "2", "--threshold", "0.5"], env=env)
    assert both.exit_code == 2 and "give one of them" in both.output
    (root / ".notes2anki.toml").write_text("[topics]\nk = 2\nthreshold = 0.01\n", encoding="utf-8")
    from notes2anki.semantic.topics import settings
    values, problems = settings({"k": 2, "threshold": 0.01})
    assert values == {"k": 2} and problems == ["[topics] k and threshold both choose the subjects; k is used"]
    cut = CliRunner().invoke(topics_command, [str(root), "--threshold", "0.01", "--min-size", "1", "--json"], env=env)
    assert cut.exit_code == 0, cut.output
    assert len(json.loads(cut.stdout)["topics"]) == 6  # the command line's threshold, not the config's k 2
    k = CliRunner().invoke(topics_command, [str(root), "--min-size", "1", "--json"], env=env)
    assert k.exit_code == 0 and len(json.loads(k.stdout)["topics"]) == 2
    assert ".notes2anki.toml:2: warning: [topics] k and threshold both choose the subjects; k is used" in k.stderr


def test_a_card_marked_delete_is_in_no_topic(tmp_path):
    """Tester L9: `topics examples/vault` counted 43 cards, among them TCP.md:55 marked DELETE (build: 42)."""
    from notes2anki.config import load_config
    from notes2anki.semantic.encoder import Embedder

    root = Path(__file__).resolve().parents[2] / "examples" / "vault"
    vault = load_vault(root, load_config(root, []))
    marked = [c for c in vault.cards if c.delete]
    assert [(c.file, c.line) for c in marked] == [("Networking/TCP.md", 55)]
    with Embedder(cache_path=tmp_path / "e.sqlite") as embedder:
        result = vault_topics(vault, embedder)
    placed = [c for t in result.topics for c in t.cards] + list(result.unassigned)
    assert len(placed) == len(vault.cards) - 1 and all(not c.delete for c in placed)


def test_an_elided_article_is_not_part_of_a_label_word():
    """Tester S17: French labels repeated one word in two forms (`l'espérance · espérance`,
    `algorithme · l'algorithme`, `d'événements`): an elided article before an apostrophe is left out."""
    from notes2anki.semantic.topic_labels import label_stop_words, words

    texts = ["L'espérance d'une variable aléatoire est définie par une somme.",
             "Un algorithme termine ; l'algorithme d'Euclide calcule le pgcd."]
    stop = label_stop_words(texts)
    found = set().union(*(words(t, stop) for t in texts))
    assert {"espérance", "algorithme", "euclide"} <= found
    assert not [w for w in found if "'" in w]


def test_a_latex_command_used_more_than_the_plain_word_is_no_label():
    r"""Tester 04:30, T9: BenAgro's control subject was labelled "dot · function · control" for its 97
    `\dot`, because "dot" was also written once as a word ("dot product"); `\succ` the same. Commands are
    counted against the plain word now; a word written more often than it is a command stays."""
    from notes2anki.semantic.topic_labels import latex_words

    sources = [r"$\dot x = f(x, u)$", r"$\dot q$ and $\ddot q$", "the dot product", r"$x \succ 0$",
               r"\set{A}", "a set of states", "another set"]
    assert latex_words(sources) == frozenset({"dot", "ddot", "succ"})


def test_a_word_in_most_note_names_is_no_label():
    """Tester B r3 (deutsch-matura): every note of cards is named "<book> Anki Cards", and a topic was labelled
    "Anki · Cards" (labels read each note's name once)."""
    from notes2anki.semantic.label_words import Lexicon
    from notes2anki.semantic.topic_labels import boilerplate_name_words

    names = ["Clockwork Orange Anki Cards", "Die Verwandlung Anki Cards", "Schachnovelle Anki Cards", "Notizen"]
    words = boilerplate_name_words(names, Lexicon(names))
    assert {"anki", "card"} <= words and "verwandlung" not in words and "clockwork" not in words
    assert boilerplate_name_words(names[:2], Lexicon(names)) == frozenset()  # too few names to tell


def test_words_only_written_inside_formulas_are_no_labels():
    """Tester B r2 (Supre, the dev vault): "Ioverline", "txf", "dxdy" — the plain text of a formula glues its
    pieces — named sub-topics. A word a card also writes in its prose stays a label word."""
    from notes2anki.semantic.label_words import Lexicon
    from notes2anki.semantic.text import plain_text
    from notes2anki.semantic.topic_labels import math_words

    sources = [r"Adhérence de $\bigcup_{i\in I}\overline{A_i}$ ?", r"Transfert: $e^{tx}f_X(x)$ et $dxdy$",
               r"La rotation $R$ et la rotation du plan", "Une famille sans formule"]
    texts = [plain_text(s) for s in sources]
    found = math_words(sources, texts, Lexicon(texts))
    assert {"ioverline", "txf", "dxdy"} <= found
    assert not {"rotation", "famille", "adhérence", "transfert"} & found


def test_a_topic_in_a_language_the_vault_rarely_writes_leaves_out_its_stop_words():
    """Tester B r3: the dev vault's seven Vietnamese cards (2 % of the vault, so not among its languages) made
    a sub-topic "bằng · chéo · chính" — Vietnamese stop words. Each topic's own languages count too."""
    from notes2anki.semantic.language import stop_words
    from notes2anki.semantic.topic_labels import group_stop_words

    texts = ["Định thức của ma trận tam giác bằng gì? | Tích các phần tử trên đường chéo chính.",
             "Giá trị riêng của ma trận tam giác là gì? | Chính là các phần tử trên đường chéo chính."]
    extra = group_stop_words(texts, stop_words(["en"]))
    assert {"bằng", "chính", "của"} <= extra and "trận" not in extra
    assert group_stop_words(["What does the phrenic nerve supply?", "Which valve has three cusps?"],
                            stop_words(["en"])) == frozenset()
    assert keywords([texts, ["What does the phrenic nerve supply?"]], n=3)[0][:1] != ["bằng"]
    assert not {"bằng", "chính"} & set(keywords([texts, ["What does the phrenic nerve supply?"]], n=5)[0])


def test_tree_counts_the_notes_it_does_not_list(make_vault):
    """Tester 12-03: the tree said "(10 cards, 10 notes)" and listed five notes, with no word of the others."""
    files = {f"net{i}.md": f"START\nBasic\nWhat does step {i} of the TCP three-way handshake send?\nBack: SYN or ACK "
                           f"segment {i}\nEND\n" for i in range(8)}
    tree = CliRunner().invoke(topics_command, [str(make_vault(files)), "--tree"])
    assert tree.exit_code == 0, tree.output
    # one subject of the eight notes (measured), its five notes of most cards listed, the other three counted
    assert "(8 cards, 8 notes)" in tree.output and "0 sub-topics" in tree.output, tree.output
    assert len(re.findall(r"net\d\.md \(1\)", tree.output)) == 5
    assert "… 3 more notes (3 cards; --json lists every card)" in tree.output


def test_a_min_size_larger_than_half_the_vault_is_said(make_vault):
    """Tester 12-03: `[topics] min_size = 100000` on 42 cards gave one topic without a word (a `--k` that
    cannot be met is said). The default min size is never warned about."""
    files = {f"n{i}.md": f"START\nBasic\nWhat is item {i}?\nBack: {i}\nEND\n" for i in range(4)}
    root = make_vault(files)
    plain = CliRunner().invoke(topics_command, [str(root)])
    assert plain.exit_code == 0 and "min size" in plain.output and "at most one topic" not in plain.output
    (root / ".notes2anki.toml").write_text("[topics]\nmin_size = 50\n", encoding="utf-8")
    said = CliRunner().invoke(topics_command, [str(root)])
    assert said.exit_code == 0
    assert ("[topics] min_size: min size 50 is more than half of the 4 cards: at most one topic can be made"
            in " ".join(said.output.split())), said.output
    option = CliRunner().invoke(topics_command, [str(root), "--min-size", "3"])
    assert "at most one topic" in option.output and "--min-size: min size 3" in " ".join(option.output.split())
