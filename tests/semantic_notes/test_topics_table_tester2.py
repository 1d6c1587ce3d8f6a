"""`topics` at 80 columns (tester 2): the copyable tag was folded mid-word (`topic::adresy_vrstvě_proto` /
`kol`), medu4's table ran to 1,481 lines because examples were whole cloze paragraphs, and "17 unassigned"
did not say why (they were image-only cards). Now the tag stays whole, each example is one line (an
ellipsis), and the unassigned cards are said to have no text to place them by."""
from __future__ import annotations

from types import SimpleNamespace

from rich.console import Console

import notes2anki.cli.topics as cli


def _result(unassigned=()):
    card = SimpleNamespace(file="a.md", line=1, where="a.md:1", front="{{c1::Le cœur}} " + "pompe le sang " * 30)
    topic = SimpleNamespace(id=1, label="adresy vrstvě protokol", tag="topic::adresy_vrstvě_protokol",
                            subtopics=[], cards=[card] * 4, examples=[card, card])
    return SimpleNamespace(topics=[topic], unassigned=list(unassigned), k=None, threshold=None, min_size=3)


def test_the_tag_is_whole_and_each_example_one_line(monkeypatch, capsys):
    monkeypatch.setattr(cli, "out", Console(width=80, force_terminal=False))
    monkeypatch.setattr(cli, "_front", lambda c: c.front)
    cli._show_table(_result(), "vault")
    shown = capsys.readouterr().out
    assert "topic::adresy_vrstvě_protokol" in shown
    bullets = [line for line in shown.splitlines() if "•" in line]
    assert len(bullets) == 2 and all("…" in line for line in bullets)
    assert len(shown.splitlines()) < 15


def test_the_summary_says_why_cards_are_unassigned(monkeypatch, capsys):
    monkeypatch.setattr(cli, "out", Console(width=300, force_terminal=False))
    loose = SimpleNamespace(where="b.md:3")
    cli._summary(_result([loose]), 3)
    said = capsys.readouterr().out
    assert ("4 of 5 cards in 1 topic (0 sub-topics, number chosen by silhouette, min size 3); 1 unassigned: no text "
            "to place them by (only images, embeds or markup).") in said
    cli._summary(_result(), 3)
    assert "unassigned" not in capsys.readouterr().out


def test_a_tag_longer_than_the_column_is_printed_whole_below_the_table(monkeypatch, capsys):
    """Tester 2 r2: a tag of more than 40 characters was folded mid-word at any width
    (`topic::différentiable_difféomorphisme_ch` / `angement`)."""
    result = _result()
    long = "topic::différentiable_difféomorphisme_changement"
    result.topics.append(SimpleNamespace(id=2, label="différentiable difféomorphisme changement", tag=long,
                                         subtopics=[], cards=result.topics[0].cards, examples=result.topics[0].examples))
    monkeypatch.setattr(cli, "_front", lambda c: c.front)
    for width in (80, 200):
        monkeypatch.setattr(cli, "out", Console(width=width, force_terminal=False))
        cli._show_table(result, "vault")
        shown = capsys.readouterr().out
        assert f"  2  {long}" in shown.splitlines(), width
        assert "topic::adresy_vrstvě_protokol" in shown  # a short one stays in its cell
        bullets = [line for line in shown.splitlines() if "•" in line]
        assert len(bullets) == 4 and all("…" in line for line in bullets)
        if width == 80:  # the examples keep room at 80 columns
            assert all(len(line.split("•", 1)[1]) > 15 for line in bullets)


def test_the_summary_numbers_add_up(monkeypatch, capsys):
    """Tester 2 r2: "386 cards in 4 topics …; 3 unassigned" while the topics held 383."""
    monkeypatch.setattr(cli, "out", Console(width=300, force_terminal=False))
    cli._summary(_result([SimpleNamespace(where=f"b.md:{i}") for i in range(3)]), 3)
    assert "4 of 7 cards in 1 topic (" in capsys.readouterr().out
    cli._summary(_result(), 3)
    assert "4 cards in 1 topic (" in capsys.readouterr().out
