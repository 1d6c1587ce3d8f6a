"""Tester findings of 07:30 on reading and rendering (U10, U12, U14, U15): each case with its minimal input,
built into a package and imported with the official `anki` package, as a user would see it."""
from __future__ import annotations

import json

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

PLUGIN = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
FRONT_BACK = r"^(.*[^\n:]{1}):{2}([^\n:]{1}.*)"  # the plugin wiki's / remnote_inline suite's `front::back`


def _plugin_settings(pattern: str = FRONT_BACK) -> str:
    return json.dumps({"settings": {"CUSTOM_REGEXPS": {"Basic": pattern}, "Defaults": {"Deck": "Default"}}})


def _cards(imported) -> dict[str, tuple[str, list[str]]]:
    return {n.fields[0]: (n.fields[1], sorted(n.tags)) for n in imported.notes()}


# -- U12: a custom-regex match inside inline code or math is an example, not a card ---------------------------
def test_a_regex_match_inside_inline_code_or_math_is_not_a_card(make_vault, cli_build, anki_import):
    """A Haskell type signature in inline code, `$x::y$` and a display-math block held `::`: each became a
    card with a lone backtick or dollar in front and back. The plugin ignores matches inside those spans
    (``add_spans_to_ignore``); a match that only *contains* inline code stays a card, as in the plugin."""
    root = make_vault({
        PLUGIN: _plugin_settings(),
        "a.md": "`map :: (a -> b) -> [a] -> [b]`\n\n$x::y$\n\n$$\nf::g\n$$\n\nHund::dog\n\n"
                "Use `std::vector` for::lists\n\nPrice $5 and::$10\n",
    })
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert _cards(anki_import(apkg)) == {
        "Hund": ("dog", []),
        "Use <code>std::vector</code> for": ("lists", []),
        "Price $5 and": ("$10", []),  # "$5 and::$10" is no math (a digit after the closing $)
    }


def test_code_spans_pair_like_obsidian_and_stay_within_a_paragraph():
    """The spans are Obsidian's: `` `` ``x`` `` `` (double backticks), an unclosed backtick is text, and a `$`
    never pairs with one in another paragraph (the plugin's patterns did, hiding every card between)."""
    from notes2anki.parsers.regex_ignore import ignore_spans, inside

    text = "``a::`b``\n\nlone ` tick\n\ncost $5\n\nq::a\n\nend $ here\n"
    spans = ignore_spans(text)
    assert spans == [(0, 9)]
    q = text.index("q::a")
    assert not inside(spans, q, q + 4)
    assert inside(spans, 0, 9) and inside(spans, 1, 8)


# -- U14: "Tags: a b" after a custom-regex match ----------------------------------------------------------------
def test_tags_after_a_regex_match_are_the_cards_tags(make_vault, cli_build, anki_import, tmp_path):
    """`Hund::dog Tags: animals pets`: the plugin tries pattern + `(Tags: .*)` first (``search_tags``) and
    takes the rest of the line as tags; notes2anki put "dog Tags: animals pets" into the answer."""
    root = make_vault({PLUGIN: _plugin_settings(), "a.md": "Hund::dog Tags: animals pets\n\nKatze::cat\n"})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert _cards(anki_import(apkg)) == {"Hund": ("dog", ["animals", "pets"]), "Katze": ("cat", [])}
    # `ids` puts the ID on the line after the whole match, tags included: where the plugin's
    # search_tags_id expects it; the next build reads it as the card's ID and keeps the tags
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    lines = (root / "a.md").read_text("utf-8").split("\n")
    assert lines[0] == "Hund::dog Tags: animals pets" and lines[1].startswith("<!--ID: ")
    written = int(lines[1][len("<!--ID: "):-3])
    from notes2anki.parsers.vault import load_vault

    cards = {c.fields["Front"]: c for n in load_vault(root).notes for c in n.cards}
    assert cards["Hund"].id == written and cards["Hund"].tags == ["animals", "pets"]
    assert cards["Hund"].fields["Back"] == "dog"
    result, apkg = cli_build(root)
    assert _cards(anki_import(apkg)) == {"Hund": ("dog", ["animals", "pets"]), "Katze": ("cat", [])}


# -- U10: callouts and block IDs -----------------------------------------------------------------------------
def test_a_callout_is_a_titled_box_and_a_block_id_is_hidden(make_vault, cli_build, anki_import):
    """`> [!warning] Careful` showed as a quote starting "[!warning] Careful", and `^abc123` at a line's end
    showed on the card; Obsidian shows a warning box titled "Careful" and hides the block ID."""
    root = make_vault({"a.md": "START\nBasic\nBlock ref line ^abc123\nBack:\n> [!warning] Careful\n> body of callout\n"
                               "END\n\nSTART\nBasic\nFolded?\nBack:\n> [!tip]- More\n> hidden `x ^code`\nEND\n"})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    imported = anki_import(apkg)
    front, back = imported.note("Block ref").fields
    assert front == "Block ref line"
    assert back == ('<div class="callout" data-callout="warning">\n<div class="callout-title">Careful</div>\n'
                    '<div class="callout-content">\n<p>body of callout</p>\n</div>\n</div>')
    folded = imported.note("Folded").fields[1]
    assert folded.startswith('<details class="callout" data-callout="tip" data-callout-fold="-">\n'
                             '<summary class="callout-title">More</summary>')
    assert "<code>x ^code</code>" in folded  # inside code a caret is text
    css = imported.col.models.get(imported.note("Folded").mid)["css"]
    assert ".callout" in css and 'data-callout="warning"' in css


def test_callout_titles_nesting_and_lone_block_ids_render_as_in_obsidian():
    from notes2anki.parsers.links import LinkResolver
    from notes2anki.parsers.markdown import RenderContext, render

    ctx = RenderContext(note_path="a.md", resolver=LinkResolver([], "."))
    assert render("> [!NOTE]\n> > [!faq]+ Why **so**?\n> > because", ctx) == (
        '<div class="callout" data-callout="note">\n<div class="callout-title">Note</div>\n'
        '<div class="callout-content">\n<details class="callout" data-callout="faq" data-callout-fold="+" open="">\n'
        '<summary class="callout-title">Why <strong>so</strong>?</summary>\n<div class="callout-content">\n'
        '<p>because</p>\n</div>\n</details>\n</div>\n</div>')
    assert render("> plain [!quote]", ctx) == "<blockquote>\n<p>plain [!quote]</p>\n</blockquote>"
    assert render("| a |\n|---|\n| b |\n\n^table-id", ctx).endswith("</table>")
    assert render("- one ^i1\n- two", ctx) == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    assert render("x **b**^no", ctx) == "x <strong>b</strong>^no"  # no space before the caret: text


def test_callouts_survive_sanitising(make_vault, cli_build, anki_import):
    root = make_vault({"a.md": "START\nBasic\nQ?\nBack:\n> [!danger] Stop\n> now\nEND\n"})
    result, apkg = cli_build(root, "--sanitize-html")
    assert result.exit_code == 0, result.output
    assert anki_import(apkg).note("Q?").fields[1].startswith('<div class="callout" data-callout="danger">')


# -- U15: configuration that breaks things --------------------------------------------------------------------
def test_two_fields_of_one_name_are_a_configuration_error(make_vault):
    """`fields = ["A", "A"]` passed validation and Anki renamed the second `A+` on import, the card's text
    in both. Anki compares field names ignoring case and spaces at either end."""
    root = make_vault({".notes2anki.toml": '[note_types.X]\nfields = ["A", "A"]\n\n[note_types."Y"]\n'
                                           'fields = ["Word", "word "]\n',
                       "a.md": "START\nX\nfirst\nA: second\nEND\n"})
    result = CliRunner().invoke(cli_main, ["check", str(root)])
    assert result.exit_code == 2
    assert (".notes2anki.toml:2: error: note_types.X.fields: \"A\" twice: field names must differ (Anki would "
            "rename the second one \"A+\")") in result.output
    assert ".notes2anki.toml:5: error: note_types.Y.fields: \"Word\" and \"word \" are one name to Anki" in result.output


def test_init_force_refuses_to_replace_a_symlinked_settings_file(tmp_path):
    """`.notes2anki.toml` a link into one's dotfiles: `init --force` replaced the link by a new file."""
    vault, dot = tmp_path / "v", tmp_path / "dot"
    vault.mkdir()
    dot.mkdir()
    (dot / "n2a.toml").write_text('default_deck = "Mine"\n', "utf-8")
    (vault / ".notes2anki.toml").symlink_to("../dot/n2a.toml")
    (vault / "a.md").write_text("START\nBasic\nQ?\nBack: a\nEND\n", "utf-8")
    result = CliRunner().invoke(cli_main, ["init", str(vault), "--force"])
    assert result.exit_code == 2
    assert "is a symbolic link (to ../dot/n2a.toml); init --force does not replace a link" in result.output
    assert (vault / ".notes2anki.toml").is_symlink()
    assert (dot / "n2a.toml").read_text("utf-8") == 'default_deck = "Mine"\n'
    assert not (vault / ".notes2anki.toml.bak").exists()
    shown = CliRunner().invoke(cli_main, ["init", str(vault), "--stdout"])
    assert shown.exit_code in (0, 1) and "default_deck" in shown.stdout
