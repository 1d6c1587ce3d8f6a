"""Fuzz (hypothesis, bounded): the whole per-note pipeline — block scan, custom regexes, clozes,
Obsidian tags, Markdown → HTML, links and embeds — never raises on any text, and every message names a
line inside the note (issue 11: bad input gets a message, never a traceback)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notes2anki.config import load_config
from notes2anki.model import note_type_fields
from notes2anki.parsers.links import LinkResolver
from notes2anki.parsers.vault import parse_note

PIECES = st.sampled_from([
    "START", "END", "STARTI [Basic] q Back: a ENDI", "Basic", "Cloze", "Back: x", "Tags: a, b", "DELETE",
    "<!--ID: 1700000000001-->", "    <!--ID: 1700000000002-->", "```", "~~~", "TARGET DECK: D", "FILE TAGS: t",
    "FROZEN - Basic:", "---", "tags: [a", "$x}}$", "$$\\frac{a}{b}$$", "{{c1::a}}", "{1:$c^2$}", "==h==",
    "![[img.png]]", "![[Note#H]]", "[[a|b]]", "[[0, 1], [1, 0]]", "![](../../x.png)", "#tag", "<script>",
    "Q: why?", "A: because", "front :: back", "- item", "\ufeffSTART", "**粗体**。", "ID: 12",
])
LINE = st.one_of(PIECES, st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                                 max_size=20))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=25), st.booleans())
def test_parse_note_never_raises(tmp_path_factory, lines, options):
    root = tmp_path_factory.mktemp("v")
    config = load_config(root).with_overrides(
        curly_cloze=options, highlights_to_cloze=options, add_obsidian_tags=options,
        custom_regexps={"Basic": r"^Q: (.+)\nA: (.+)$", "Cloze": r"^(.*==.+==.*)$"} if options else {})
    text = "\n".join(lines)
    diagnostics: list = []
    note = parse_note("n.md", text, config, note_type_fields(config.note_types), LinkResolver(["n.md"], root),
                      "v", diagnostics)
    count = len(text.split("\n"))
    for card in note.cards:
        assert 1 <= card.line <= count
        assert set(card.html) == set(card.fields)
    for d in diagnostics:
        assert d.file in ("n.md", "") and 0 <= d.line <= count
