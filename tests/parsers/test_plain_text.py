"""Plain text of a field from the markdown-it token stream (issue 15), for the semantic layer."""
from __future__ import annotations

import time

import pytest

from notes2anki.parsers.plain_text import plain_text


@pytest.mark.parametrize("source, text", [
    ("**Mean pooling** averages the *token* vectors", "Mean pooling averages the token vectors"),
    ("# Heading\n\n- one\n- two\n\n> quoted", "Heading one two quoted"),
    ("see [[Note|the alias]], [[Note#Heading]] and [[Note#^block1]]", "see the alias, Note Heading and Note"),
    ("[the text](https://example.org) and https://example.org/x bare", "the text and bare"),
    ("before ![[pic.png|300]] ![](img/a.png) ![[Other note]] [sound:clip.mp3] after", "before after"),
    ("answer\n<!--ID: 1768062256217-->", "answer"),
    ("answer\nID: 1768062256217", "answer"),
    ("the {{c1::mitochondria::organelle}} makes {{c2::ATP}}", "the mitochondria makes ATP"),
    ("{c2|curly} and {2:numbered} and {plain}", "curly and numbered and plain"),
    (r"$\frac{a}{b} \times \pi$ and $$\sum_{i} x_i$$", "a b × π and ∑_i x_i"),
    ("run `echo $HOME` now", "run echo $HOME now"),
    ("```python\ndef f(x):\n    return x\n```", "def f(x): return x"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"),
    ("text with #tag and #nested/tag but not a heading", "text with and but not a heading"),
    ("==highlighted== ~~struck~~ and a footnote[^1]\n\n[^1]: the note", "highlighted struck and a footnote the note"),
    ("visible %%hidden%% text<br>next &amp; last", "visible text next & last"),
    ("疾患を**感度〈sensitivity〉**と呼ぶ", "疾患を感度〈sensitivity〉と呼ぶ"),
])
def test_plain_text(source, text):
    assert plain_text(source) == text


def test_cloze_mask():
    assert plain_text("the {{c1::mitochondria}} makes {2:ATP}", cloze="mask") == "the [...] makes [...]"


def test_cloze_with_math_and_nested_braces():
    assert plain_text(r"{{c1::$\frac{\{P\}}{\{Q\}}$}} holds") == "P Q holds"


def test_empty_and_hostile_inputs_are_fast():
    assert plain_text("") == ""
    started = time.monotonic()
    plain_text("![[a" * 50_000 + "{{c1::" * 10_000 + "%%" * 10_001)
    assert time.monotonic() - started < 10


def test_latex_environments_and_commands_are_separate_words():
    # h10-dupes found `$\begin{pmatrix}…\end{pmatrix}$` read as "beginpmatrix … dend" and topics found
    # "frangle" (`f\rangle`): environments are layout, a command is a word of its own.
    assert plain_text(r"Det of $\begin{pmatrix}a & b\\ c & d\end{pmatrix}$?") == "Det of a b c d ?"
    assert plain_text(r"$\langle f\rangle$ and $2\pi r$") == "langle f rangle and 2π r"
