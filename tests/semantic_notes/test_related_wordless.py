"""Tester U30: `related` on a note with no text (empty, only an image, only frontmatter) listed five
"related" notes, led by the other empty notes."""
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.semantic.related import has_words


def test_has_words():
    assert not has_words("") and not has_words("![[pic.png]]\n") and not has_words("---\ntags: [x]\n---\n")
    assert not has_words("![](a.png)\n%% a comment %%\n<!-- x -->")
    assert has_words("---\ntags: [x]\n---\nMitochondria make ATP.") and has_words("Ça va")


def test_has_words_reads_frontmatter_and_comments_as_the_parser_and_obsidian_do():
    """Tester 12-03: frontmatter opened by "--- " (trailing spaces) or closed by "..." is frontmatter for the
    frontmatter parser, so a note of only that has no words; a comment of any length is a comment."""
    assert not has_words("--- \ntags: [biology]\n--- \n") and not has_words("---\ntags: [biology]\n...\n")
    assert not has_words("---\t\n---\n") and not has_words("<!-- " + "x" * 6000 + " -->\n%% y %%")
    assert has_words("---\ntags: [x]\n") and has_words("----\ntags: [x]\n----\n")  # no frontmatter: words
    assert has_words("%% unclosed comment") and has_words("<!-- unclosed <!-- x")  # an unclosed one is text
    assert not has_words("%% a %%<!-- b -->![[c.png]]") and has_words("%% a %% b <!-- c -->")
    assert has_words("%% <!-- %% x -->") and not has_words("%% <!-- x %%-->")  # the leftmost comment first


def test_a_note_without_words_is_neither_suggested_nor_given_suggestions(make_vault):
    root = make_vault({"Empty.md": "", "OnlyImage.md": "![[pic.png]]\n", "OnlyFM.md": "---\ntags: [x]\n---\n",
                       "Cells.md": "Mitochondria make ATP in the cell by oxidative phosphorylation.\n",
                       "Energy.md": "ATP is the energy currency of the cell; mitochondria produce it.\n"})
    empty = CliRunner().invoke(cli_main, ["related", str(root), "Empty"])
    assert empty.exit_code == 0, empty.output
    assert "Empty.md has no text to compare (only its title); nothing to suggest." in empty.output
    cells = CliRunner().invoke(cli_main, ["related", str(root), "Cells", "--json"])
    import json
    paths = [s["note"] for s in json.loads(cells.stdout)["related"]]
    assert paths == ["Energy.md"]
