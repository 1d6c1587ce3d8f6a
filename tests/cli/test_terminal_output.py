"""What a student sees in a terminal: tables fold at any width and never lose text, piped output is
complete, NO_COLOR means no escape codes, a non-UTF-8 terminal gets no traceback (issue 14, issue 11).

The real command runs in a subprocess, in a pseudo-terminal of the given width or into a pipe.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.semantic.text import question_text
from notes2anki.semantic.topics import LABEL_WORDS, TAG_PREFIX, topic_slug

from .terminal import cli_env, command, run_in_terminal, run_piped, squash, strip_ansi, table_columns

REPO = Path(__file__).resolve().parents[2]
WIDTHS = [40, 60, 80, 200]
QUESTION = "Which kind of inhibition is non-competitive: the inhibitor binds an allosteric site and Vmax drops?"
ENZYMES = ("TARGET DECK: Medicine::Biochemistry::Enzyme kinetics\n\nSTART\nBasic\n" + QUESTION
           + "\nBack: Non-competitive inhibition\nEND\n")
DRUGS = ("TARGET DECK: Medicine::Pharmacology\n\nSTART\nBasic\n" + QUESTION
         + "\nBack: Non-competitive inhibition\nEND\n")


@pytest.fixture
def dupes_vault(make_vault):
    """Two cards with the same long question (an exact pair: no model needed), long paths and decks."""
    return make_vault({"Biochemistry/Enzyme kinetics and inhibition types.md": ENZYMES,
                       "Pharmacology/Drug mechanisms.md": DRUGS})


def _env(tmp_path, **extra):
    return cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"),
                   **extra)


def _assert_dupes_table_whole(text: str) -> None:
    score, kind, where, deck, front = table_columns(text, "Duplicate cards")
    assert where == squash("Card (file:line) Biochemistry/Enzyme kinetics and inhibition types.md:3"
                           "Pharmacology/Drug mechanisms.md:3")
    assert deck == squash("Deck Medicine::Biochemistry::Enzyme kinetics Medicine::Pharmacology")
    assert front == squash("Front" + QUESTION + QUESTION)  # "non-competitive" whole, twice
    assert kind == "Kindexact" and score == "Score1.00"
    assert "…" not in text


@pytest.mark.parametrize("columns", WIDTHS)
def test_dupes_table_folds_at_any_terminal_width(dupes_vault, tmp_path, columns):
    code, text = run_in_terminal(["dupes", dupes_vault], columns, _env(tmp_path))
    assert code == 0, text
    _assert_dupes_table_whole(text)
    widest = max(len(line) for line in strip_ansi(text).split("\n"))
    assert widest <= columns, f"a line of {widest} characters on a {columns}-column terminal"


def test_dupes_table_through_a_pipe_is_complete_and_unwrapped(dupes_vault, tmp_path):
    result = run_piped(["dupes", dupes_vault], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    _assert_dupes_table_whole(result.stdout)
    assert "\x1b" not in result.stdout
    # one line per card: grep-able
    assert sum(QUESTION in line for line in result.stdout.split("\n")) == 2


@pytest.mark.parametrize("columns", [40, 80])
def test_build_summary_table_folds(make_vault, tmp_path, columns):
    deck = "University::Semester 3::Biochemistry::Enzyme kinetics and inhibition"
    root = make_vault({"a.md": f"TARGET DECK: {deck}\n\nSTART\nBasic\nQ\nBack: A\nEND\n"})
    code, text = run_in_terminal(["build", root, "-o", tmp_path / "d.apkg", "--no-dupes"], columns, _env(tmp_path))
    assert code == 0, text
    decks, notes = table_columns(text, "notes2anki build")
    assert decks == squash("Deck" + deck + "Total")
    assert notes == "Notes11"
    assert "1 card packaged" in " ".join(strip_ansi(text).split())


@pytest.fixture(scope="module")
def topics_env(tmp_path_factory):
    """A cache with the example vault's embeddings, so the subprocesses below load no model."""
    base = tmp_path_factory.mktemp("topics-env")
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(base / "cache"), NOTES2ANKI_STATE_DIR=str(base / "state"))
    warm = CliRunner().invoke(cli_main, ["topics", str(REPO / "examples" / "vault"), "--json"],
                              env={"NOTES2ANKI_CACHE_DIR": env["NOTES2ANKI_CACHE_DIR"]})
    assert warm.exit_code == 0, warm.output
    return env, json.loads(warm.stdout)


@pytest.mark.parametrize("columns", [40, 50, 200, None])
def test_topics_table_keeps_every_label_and_tag_whole(topics_env, columns):
    """Every label whole (folded over lines at most) and every copyable tag whole on one line (in the table, or
    below it when longer than the column); example cards one line each, the start of a real front (``--tree``
    gives them whole: a cloze paragraph made medu4's table 1,481 lines); at 40 columns no Example column, so
    the counts keep their room."""
    env, topics = topics_env
    vault = REPO / "examples" / "vault"
    if columns is None:
        result = run_piped(["topics", vault], env)
        code, text = result.returncode, result.stdout
    else:
        code, text = run_in_terminal(["topics", vault], columns, env)
    assert code == 0, text
    columns_text = table_columns(text, "Topics in")
    label = columns_text[1]
    for topic in topics["topics"]:
        assert squash(topic["label"]) in label
        tag = TAG_PREFIX + topic_slug(topic["keywords"][:LABEL_WORDS])
        assert any(tag in line for line in strip_ansi(text).split("\n")), tag
    if columns is None:  # a pipe's table is as wide as its text (an expanded one was 30,000 characters a line)
        assert max(len(line) for line in text.splitlines()) < 500
    if columns in (40, 50):  # the counts' headers whole (tester 12-03: "Car/ds", "Note/s" at 50 columns)
        assert len(columns_text) == 4 and "Examplecards" not in text.replace(" ", "")
        assert re.search(r"┃ Cards ┃ Notes ┃", strip_ansi(text)), text
        return
    v = load_vault(vault, load_config(vault))
    fronts = {squash(question_text(c)) for c in v.cards}
    shown = columns_text[4].removeprefix("Examplecards").split("•")[1:]
    assert shown and all(any(front.startswith(piece.rstrip("…")) for front in fronts) for piece in shown), shown


def test_no_color_means_no_escape_codes(make_vault, tmp_path):
    root = make_vault({"img.md": "START\nBasic\nWhat does the figure show?\nBack: ![[gone.png]]\nEND\n"})
    args = ["build", root, "-o", tmp_path / "d.apkg", "--no-dupes"]
    code, coloured = run_in_terminal(args, 80, _env(tmp_path), stderr_too=True)
    assert code == 0 and "\x1b[" in coloured  # a terminal does get colours...
    code, plain = run_in_terminal(args, 80, _env(tmp_path, NO_COLOR="1"), stderr_too=True)
    assert code == 0
    assert "\x1b" not in plain  # ...but not with NO_COLOR
    assert "gone.png" in plain and "card packaged" in plain


def test_latin1_terminal_gets_the_warnings_and_no_traceback(make_vault, tmp_path):
    root = make_vault({"图表.md": "START\nBasic\nWhat does the 图 show?\nBack: ![[図.png]] → x\nEND\n"})
    result = subprocess.run(command("build", root, "-o", tmp_path / "d.apkg", "--no-dupes"), capture_output=True,
        env=_env(tmp_path, PYTHONIOENCODING="latin-1"), stdin=subprocess.DEVNULL, timeout=120)
    stdout, stderr = result.stdout.decode("latin-1"), result.stderr.decode("latin-1")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr + stdout
    assert "warning" in stderr and "??.md:1: warning" in stderr and "?.png" in stderr  # unencodable → ?
    assert "1 card packaged" in " ".join(stdout.split())
    assert (tmp_path / "d.apkg").is_file()
