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
    assert ("5 cards in 1 topic (0 sub-topics, number chosen by silhouette, min size 3); 1 unassigned: no text "
            "to place them by (only images, embeds or markup).") in said
    cli._summary(_result(), 3)
    assert "unassigned" not in capsys.readouterr().out
