"""Tester U30: `related` on a note with no text (empty, only an image, only frontmatter) listed five
"related" notes, led by the other empty notes."""
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.semantic.related import has_words


def test_has_words():
    assert not has_words("") and not has_words("![[pic.png]]\n") and not has_words("---\ntags: [x]\n---\n")
    assert not has_words("![](a.png)\n%% a comment %%\n<!-- x -->")
    assert has_words("---\ntags: [x]\n---\nMitochondria make ATP.") and has_words("Ça va")


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
