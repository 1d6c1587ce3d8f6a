"""Tester findings of 16:00 on parsing and configuration: each case with its minimal input and the right
behaviour, checked in what Anki shows after importing the package where a deck is involved."""
from __future__ import annotations

import json

import pytest

# -- finding 2: renamed markers with a space at either end -----------------------------------------------------
TWO = "START \nBasic\nq\nBack: a\nEND \n\nSTART\nBasic\nq2\nBack: a\nEND\n"


@pytest.mark.parametrize("config", [
    {".obsidian/plugins/obsidian-to-anki-plugin/data.json":
     json.dumps({"settings": {"Syntax": {"Begin Note": "START ", "End Note": "END "}}})},
    {".notes2anki.toml": '[syntax]\nbegin_note = "START "\n'},
    {".notes2anki.toml": '[syntax]\nbegin_note = " START"\n'},
])
def test_a_marker_with_spaces_at_either_end_means_the_word(make_vault, build, anki_import, config):
    root = make_vault({"a.md": TWO, **config})
    built = build(root)
    assert [d for d in built.vault.diagnostics if d.severity == "error"] == []
    assert sorted(c.fields["Front"] for c in built.vault.cards) == ["q", "q2"]
    imported = anki_import(built.apkg)
    assert sorted(n.fields[0] for n in imported.notes()) == ["q", "q2"]


def test_default_markers_left_after_renaming_get_a_warning(make_vault, build, anki_import):
    root = make_vault({
        ".notes2anki.toml": '[syntax]\nbegin_note = "START_CARD"\nend_note = "END_CARD"\n'
                            'begin_inline_note = "IN"\nend_inline_note = "OUT"\n',
        "a.md": "START\nBasic\nold q\nBack: a\nEND\n\nSTART_CARD\nBasic\nnew q\nBack: b\nEND_CARD\n"
                "STARTI [Basic] inline old Back: c ENDI\n",
    })
    built = build(root)
    near = [(d.line, d.message) for d in built.vault.diagnostics if d.kind == "near-miss"]
    assert [line for line, _ in near] == [1, 12]
    assert "'START' is the plugin's default marker" in near[0][1] and "'START_CARD'" in near[0][1]
    assert "'STARTI' is the plugin's default inline marker" in near[1][1]
    assert [n.fields[0] for n in anki_import(built.apkg).notes()] == ["new q"]
