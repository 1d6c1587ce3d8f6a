"""The demo vault (examples/vault), built with `notes2anki build` and imported into a fresh collection:
what a user sees in Anki afterwards."""
from __future__ import annotations

import hashlib
import re

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main


@pytest.fixture(scope="module")
def example(tmp_path_factory, helpers):
    """Build the demo vault once (CLI, --no-dupes), import it into a fresh collection."""
    root = helpers.EXAMPLE_VAULT
    tmp = tmp_path_factory.mktemp("example")
    before = helpers.tree_digest(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NOTES2ANKI_STATE_DIR", str(tmp / "state"))
        mp.setenv("NOTES2ANKI_CACHE_DIR", str(tmp / "cache"))
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp / "demo.apkg"), "--no-dupes"])
    after = helpers.tree_digest(root)
    col, log = helpers.import_apkg(tmp / "demo.apkg", tmp / "anki" / "collection.anki2")
    yield helpers.Imported(col, log), result, before, after
    col.close()


@pytest.fixture(scope="module")
def imported(example):
    return example[0]


def test_build_succeeds_without_errors(example):
    _, result, _, _ = example
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "42 cards packaged" in " ".join(result.output.split())
    # the DELETE-marked card is reported for deletion in Anki, with its ID and place
    assert "1768062256107" in result.output and "Networking/TCP.md:55" in result.output


def test_vault_is_byte_for_byte_unchanged(example):
    _, _, before, after = example
    assert {"Networking/TCP.md", "ML/Sentence embeddings.md", "attachments/pooling.png"} <= set(before)
    assert after == before  # same files, same bytes: nothing written into the vault


def test_note_and_card_counts(imported):
    assert len(imported.log.new) == 42
    assert imported.col.note_count() == 42
    assert imported.col.card_count() == 48


def test_decks(imported):
    col = imported.col
    assert imported.deck_names() == {"Default", "Machine Learning", "Machine Learning::Embeddings",
                                     "Machine Learning::Optimization"}
    assert len(col.find_notes('deck:"Default"')) == 32
    assert len(col.find_notes('deck:"Machine Learning::Embeddings"')) == 6
    assert len(col.find_notes('deck:"Machine Learning::Optimization"')) == 4


def test_inline_and_display_math(imported):
    front = imported.note("You minimise").fields[0]
    assert r"\(x^2\)" in front and r"\(\eta = 0.25\)" in front
    assert "$" not in front
    back = imported.note("What does mean pooling do in SBERT?").fields[1]
    assert r"\[u = \frac{1}{n}\sum_i x_i\]" in back
    assert r"\(n\)" in back


def test_dollar_in_inline_code_stays_literal(imported):
    note = imported.note("What does <code>echo $HOME</code> print?")
    assert note.fields[0] == "What does <code>echo $HOME</code> print?"
    assert "<code>echo '$HOME'</code> prints <code>$HOME</code> literally" in note.fields[1]
    assert r"\(" not in note.fields[1]


def test_code_block_is_highlighted_without_external_stylesheet(imported):
    back = imported.note("scaled dot-product attention in NumPy").fields[1]
    assert back.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">def</span>' in back
    bash = imported.note("in front of the command search path").fields[1]
    assert '<code class="language-bash">' in bash and '<span class="nv">$HOME</span>' in bash
    # the Pygments styles ship inside the note types; nothing loads from the internet
    for model in imported.col.models.all():
        if model["name"].startswith("notes2anki: "):
            assert ".card pre.highlight .k" in model["css"]
    everything = [f for n in imported.notes() for f in n.fields]
    everything += [m["css"] for m in imported.col.models.all()]
    everything += [t[k] for m in imported.col.models.all() for t in m["tmpls"] for k in ("qfmt", "afmt")]
    for text in everything:
        assert "<link" not in text.lower()
        assert "@import" not in text
        assert not re.search(r"""(href|src)=["']?https?:""", text)
        assert "stylesheet" not in text.lower()


def test_table(imported):
    back = imported.note("Compare SGD, SGD with momentum and Adam.").fields[1]
    assert back.startswith("<table>")
    assert "<th>Optimizer</th>" in back
    assert r"<td>\(\theta \leftarrow \theta - \eta g\)</td>" in back


def test_wiki_links_open_the_note_in_obsidian(imported):
    back = imported.note("Which architecture is SBERT built on?").fields[1]
    assert '<a href="obsidian://open?vault=vault&amp;file=ML%2FTransformers">the transformer note</a>' in back
    heading = imported.note("Before the TLS handshake can start").fields[1]
    assert 'href="obsidian://open?vault=vault&amp;file=Networking%2FTCP%23Handshake"' in heading


def test_highlight_becomes_mark(imported):
    back = imported.note("What is the main function of mitochondria?").fields[1]
    assert "<mark>ATP</mark>" in back and "==" not in back


def test_tags(imported):
    tags = lambda text: sorted(imported.note(text).tags)  # noqa: E731
    # frontmatter list (block and flow style) and string forms
    assert tags("What does <code>echo $HOME</code> print?") == ["cs", "linux"]
    assert tags("How does Sentence-BERT turn token vectors") == ["ml", "transformers"]
    assert tags("How is the dot product of") == ["linalg", "math"]
    # FILE TAGS + the card's Tags line
    assert tags("What does mean pooling do in SBERT?") == ["ml", "pooling", "sbert", "ws2526"]
    assert tags("What is SBERT?") == ["ml", "ws2526"]
    # nested tags and Unicode
    assert tags("What are the three steps of the TCP") == ["cs::networking"]
    assert tags("What distinguishes eukaryotic") == ["Begriffe", "Übung"]
    assert len(imported.col.find_notes("tag:Übung")) == 2
    assert len(imported.col.find_notes("tag:cs::networking")) == 8
    # the note without any tag source has none
    assert tags("What is the main function of mitochondria?") == []


def test_media_in_the_collection(imported, helpers):
    col = imported.col
    for name in ("pooling.png", "diagram.png", "cell.png", "beep.mp3"):
        assert col.media.have(name), name
        assert imported.media_bytes(name) == (helpers.EXAMPLE_VAULT / "attachments" / name).read_bytes()
    assert '<img src="pooling.png" alt="">' in imported.note("What does mean pooling do in SBERT?").fields[1]
    assert '<img src="diagram.png" alt="" width="300">' in imported.note("In which state does the server").fields[1]
    assert '<img src="cell.png" alt="cell">' in imported.note("What distinguishes eukaryotic").fields[1]
    assert imported.note("BEL character").fields[1].endswith("[sound:beep.mp3]")


def test_two_different_figures_with_one_name_are_both_kept(imported, helpers):
    imported_vault_file = lambda rel: (helpers.EXAMPLE_VAULT / rel).read_bytes()  # noqa: E731
    src = lambda text: re.search(r'<img src="([^"]+)"', imported.note(text).fields[1]).group(1)  # noqa: E731
    bio = src("What does the fluid mosaic model say")
    ml = src("Why does the transformer use multi-head attention")
    assert bio != ml
    assert bio.endswith(".png") and ml.endswith(".png")
    assert imported.col.media.have(bio) and imported.col.media.have(ml)
    assert imported.media_bytes(bio) == imported_vault_file("Biology/img/figure.png")
    assert imported.media_bytes(ml) == imported_vault_file("ML/img/figure.png")
    assert hashlib.sha256(imported.media_bytes(bio)).digest() != hashlib.sha256(imported.media_bytes(ml)).digest()


def test_deleted_card_is_not_imported(imported):
    assert not [n for n in imported.notes() if "What does TCP stand for?" in n.fields[0]]
    assert not [n for n in imported.notes() if n.fields[1] == "Transmission Control Protocol"]


def test_fenced_examples_are_not_cards(imported):
    firsts = [n.fields[0] for n in imported.notes()]
    assert not [f for f in firsts if "capital of France" in f]
    assert imported.note("Which Obsidian plugin syncs flashcard blocks")  # the real card of that note


def test_line_starting_with_END_stays_in_the_back(imported):
    back = imported.note("What identifies a TCP connection?").fields[1]
    assert "ENDpoints are (IP, port) pairs, so one listening port can serve many clients" in back
    assert "Tags:" not in back  # the block went on past the ENDpoints line


def test_double_brace_inside_math_does_not_break_the_cloze(imported):
    col = imported.col
    note = imported.note("In scaled dot-product attention the query")
    assert "{{c2::" in note.fields[0] and "::scaling factor}}" in note.fields[0]
    cids = col.find_cards(f"nid:{note.id}")
    assert len(cids) == 2
    questions = {col.get_card(cid).ord: col.get_card(cid).question() for cid in cids}
    # card 2 hides the fraction behind its hint; card 1 shows the fraction as MathJax
    assert "[scaling factor]" in questions[1]
    assert r"\(\frac{1}{\sqrt{d_k} }\)" in questions[0]
    for q in questions.values():
        assert "{{c" not in q and "::" not in q.split("</style>")[-1]
