"""`topics --k N`: never a topic under the min size; a k the cards cannot give is clamped, with a warning
(tester: `--k 50` on 12 cards gave one-card topics while the summary said "min size 3")."""
from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from notes2anki.cli.topics import topics_command
from notes2anki.model import Card
from notes2anki.semantic.topics import find_topics

QUESTIONS = ["What is the capital of France?", "Which river flows through Paris?", "Where is the Louvre?",
             "What is the powerhouse of the cell?", "What does DNA polymerase do?", "What is a ribosome?",
             "How many bits are in a byte?", "What does a CPU cache store?", "What is a compiler?",
             "Who wrote the Ninth Symphony?", "What is a fugue?", "What is a sonata form?"]


def _vault(make_vault):
    return make_vault({f"n{i:02}.md": f"START\nBasic\nFront: {q}\nBack: answer {i}\nEND\n"
                       for i, q in enumerate(QUESTIONS)})


def test_k_beyond_what_the_cards_allow_is_clamped_with_a_warning(make_vault, tmp_path):
    root = _vault(make_vault)
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
    shown = CliRunner().invoke(topics_command, [str(root), "--k", "50"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "warning: --k 50 asked for, 12 cards: made 4 topics of at least 3 cards" in shown.stderr
    assert "12 cards in 4 topics" in shown.stdout and ", k 50 asked for, min size 3)" in shown.stdout
    data = CliRunner().invoke(topics_command, [str(root), "--k", "50", "--json"], env=env)
    sizes = [len(t["cards"]) for t in json.loads(data.stdout)["topics"]]
    assert len(sizes) == 4 and min(sizes) >= 3 and sum(sizes) == 12
    # whatever number is made (at most 12 // 4), every topic has the min size and the warning says how many
    larger = CliRunner().invoke(topics_command, [str(root), "--k", "50", "--min-size", "4", "--json"], env=env)
    sizes = [len(t["cards"]) for t in json.loads(larger.stdout)["topics"]]
    assert 2 <= len(sizes) <= 3 and min(sizes) >= 4 and sum(sizes) == 12
    assert f"--k 50 asked for, 12 cards: made {len(sizes)} topics of at least 4 cards" in larger.stderr


def test_a_k_the_cards_allow_gives_k_topics_and_no_warning(make_vault, tmp_path):
    root = _vault(make_vault)
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
    shown = CliRunner().invoke(topics_command, [str(root), "--k", "2"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "asked for" not in shown.output and "12 cards in 2 topics" in shown.stdout
    assert ", k 2, min size 3)" in shown.stdout


def test_k_from_the_config_names_the_setting(make_vault, tmp_path):
    root = _vault(make_vault)
    (root / ".notes2anki.toml").write_text("[topics]\nk = 40\n", encoding="utf-8")
    shown = CliRunner().invoke(topics_command, [str(root)], env={"NOTES2ANKI_CACHE_DIR": str(tmp_path / "c")})
    assert "warning: [topics] k 40 asked for, 12 cards: made 4 topics of at least 3 cards" in shown.stderr


def test_an_outlier_does_not_become_a_topic_of_its_own_under_k():
    """Cutting the tree into k clusters alone left a lone outlier as one of them: the cut goes deeper until
    k clusters of min size exist, the smaller ones join their nearest."""
    cards = [Card("Basic", {"Front": f"question {i}", "Back": ""}, f"n{i}.md", 1) for i in range(10)]
    x = np.array([[1.0, 0.0, 0.0]] * 5 + [[0.8, 0.6, 0.0]] * 4 + [[0.0, 0.0, 1.0]], dtype=np.float32)
    result = find_topics(cards, x, k=2, min_size=3, subtopics=False)
    assert sorted(len(t.cards) for t in result.topics) == [4, 6] and result.k_shortfall() is None
    assert result.unassigned == []
