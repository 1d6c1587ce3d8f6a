"""How a note is cut into chunks for its embedding (no model needed)."""
from __future__ import annotations

import numpy as np

from notes2anki.parsers import load_vault
from notes2anki.semantic.notes_text import (WINDOW_WORDS, note_chunks, note_vector, note_vectors,
                                            template_headings)
from notes2anki.semantic.text import card_text

TEMPLATE_NOTE = """---
tags: [history, ww1]
aliases: [Somme offensive]
secret-frontmatter-word: zebracorn
---
# Battle of the Somme

## Summary

The battle was fought in 1916 between the British and French armies and the German Empire.

## Notes

TARGET DECK
History::WW1

Tanks were used for the first time. STARTI [Basic] Inline question? Back: inline answer ENDI

## Questions

START
Basic
When did the battle begin?
Back: On 1 July 1916.
END

## References

"""


def _vault(make_vault, files):
    return load_vault(make_vault(files))


def test_frontmatter_cards_and_empty_sections_are_left_out(make_vault):
    v = _vault(make_vault, {"Battle of the Somme.md": TEMPLATE_NOTE})
    note = v.notes[0]
    chunks = note_chunks(note, frozenset({"summary", "notes", "questions", "references"}))
    prose = [c for c in chunks if c.kind == "prose"]
    cards = [c for c in chunks if c.kind == "card"]
    text = " ".join(c.text for c in prose)
    assert "zebracorn" not in text and "aliases" not in text  # frontmatter
    assert "When did the battle begin" not in text  # the block card is its own chunk
    assert "Inline question" not in text  # so is the inline card
    assert "History::WW1" not in text and "TARGET DECK" not in text
    assert "Tanks were used for the first time." in text
    # template headings are not in the text; empty sections (Questions, References) give no chunk
    assert "Summary" not in text and "Notes" not in text and "References" not in text
    assert len(prose) == 2
    assert all(c.text.startswith("Battle of the Somme: ") for c in prose)
    assert {c.text for c in cards} == {card_text(c) for c in note.cards}
    assert all(c.weight == 1.0 for c in cards)


def test_own_headings_are_kept_in_the_chunk_path(make_vault):
    v = _vault(make_vault, {"Mitosis.md": "# Mitosis\n\n## Phases\n\n### Anaphase\n\nChromatids separate.\n"})
    [chunk] = note_chunks(v.notes[0])
    assert chunk.text == "Mitosis — Phases — Anaphase: Chromatids separate."  # H1 = note name: not repeated
    assert chunk.line == 5


def test_template_headings_are_the_ones_many_notes_share(make_vault):
    files = {f"n{i}.md": f"# N{i}\n\n## Summary\n\ntext {i}\n\n## Topic {i}\n\nmore\n" for i in range(5)}
    files["other.md"] = "# Other\n\n## Summary\n\nx\n"
    v = _vault(make_vault, files)
    assert template_headings(v.notes) == frozenset({"summary"})
    assert template_headings(v.notes[:2]) == frozenset()  # two notes are not a template


def test_long_sections_are_cut_into_windows(make_vault):
    sentence = "The quick brown fox jumps over the lazy dog near the river bank today. "
    body = "# Long\n\n" + sentence * 60 + "\n"
    v = _vault(make_vault, {"Long.md": body})
    chunks = note_chunks(v.notes[0])
    assert len(chunks) > 3
    assert all(len(c.text.split()) <= WINDOW_WORDS + 3 for c in chunks)


def test_a_note_with_only_a_title_is_embedded_by_its_title(make_vault):
    v = _vault(make_vault, {"folder/Empty note.md": "---\ntags: [x]\n---\n"})
    [chunk] = note_chunks(v.notes[0])
    assert chunk.text == "Empty note"


def test_note_vector_is_the_normalised_weighted_mean():
    vectors = np.array([[1, 0], [0, 1]], dtype=np.float32)
    v = note_vector(vectors, [3.0, 1.0])
    assert np.allclose(v, np.array([3, 1]) / np.sqrt(10))
    assert note_vector(np.zeros((0, 2), dtype=np.float32), []).shape == (2,)


def test_note_vectors_embed_all_chunks_in_one_call(make_vault):
    v = _vault(make_vault, {"a.md": "# a\n\nalpha text\n", "b.md": "# b\n\nbeta text\n\n## S\n\nmore\n"})
    calls = []

    def fake_embed(texts):
        calls.append(list(texts))
        return np.eye(len(texts), 4, dtype=np.float32)

    vectors = note_vectors(v.notes, fake_embed)
    assert len(calls) == 1 and len(calls[0]) == 3
    assert vectors.shape == (2, 4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1)


RENAMED_SETTINGS = {"settings": {"Syntax": {
    "Begin Note": "QSTART", "End Note": "QEND", "Begin Inline Note": "QI", "End Inline Note": "IQ",
    "Target Deck Line": "DECK HERE", "File Tags Line": "TAGS HERE", "Frozen Fields Line": "FIXED"}}}
RENAMED_NOTE = """# Renamed markers

Prose about photosynthesis in leaves.

DECK HERE
Botany::Leaves

TAGS HERE: plants

FIXED - Basic:
Back: frozen extra text

Chlorophyll absorbs light. QI [Basic] Inline renamed question? Back: inline renamed answer IQ and more prose.

QSTART
Basic
Which pigment absorbs light?
Back: Chlorophyll.
QEND
"""


def test_renamed_markers_are_cut_out_of_the_prose(make_vault):
    """The plugin's Syntax settings rename every marker: the note's prose is still only its prose (the
    markers come from the parser, not from a copy of the default words)."""
    import json

    root = make_vault({"Leaf.md": RENAMED_NOTE,
                       ".obsidian/plugins/obsidian-to-anki-plugin/data.json": json.dumps(RENAMED_SETTINGS)})
    note = load_vault(root).notes[0]
    assert len(note.cards) == 2, [c.front for c in note.cards]
    prose = " ".join(c.text for c in note_chunks(note) if c.kind == "prose")
    for marker_text in ("DECK HERE", "Botany::Leaves", "TAGS HERE", "FIXED", "frozen extra text",
                        "Inline renamed question", "inline renamed answer", "QI", "IQ", "QSTART",
                        "Which pigment"):
        assert marker_text not in prose, marker_text
    assert "Prose about photosynthesis in leaves." in prose
    assert "Chlorophyll absorbs light." in prose and "and more prose." in prose
    # the default words are prose in this vault: a line reading "TARGET DECK" stays text
    note2 = load_vault(make_vault({"Leaf.md": "Words: TARGET DECK is prose here.\n",
                                   ".obsidian/plugins/obsidian-to-anki-plugin/data.json":
                                       json.dumps(RENAMED_SETTINGS)})).notes[0]
    assert "TARGET DECK is prose here." in " ".join(c.text for c in note_chunks(note2))


def test_a_pasted_giant_table_is_read_only_up_to_the_prose_budget(tmp_path):
    """Tester 01:20, S20: a note with a pasted 10 × 20,000 table (2 MB) made 1,668 prose windows: 25 s to
    cut and minutes to embed for `related`/`topics`. Only the first PROSE_CHARS characters of prose are
    read; the note's cards are always its chunks, and a line longer than the budget is cut."""
    from notes2anki.config import load_config
    from notes2anki.semantic.notes_text import PROSE_CHARS

    rows = "\n".join("| " + " | ".join(f"c{r}_{c}" for c in range(10)) + " |" for r in range(20_000))
    (tmp_path / "table.md").write_text(
        "# Big\n\nThe table below lists every cell.\n\n| " + " | ".join(f"h{c}" for c in range(10)) + " |\n|"
        + "---|" * 10 + "\n" + rows + "\n\nSTART\nBasic\nWhat is in the table?\nBack: cells\nEND\n", "utf-8")
    (tmp_path / "line.md").write_text("A single line of prose " + "word " * 30_000 + "\n", "utf-8")
    vault = load_vault(tmp_path, load_config(tmp_path))
    by_name = {n.name: n for n in vault.notes}
    chunks = note_chunks(by_name["table"])
    prose = [c for c in chunks if c.kind == "prose"]
    assert prose[0].text == "table — Big: The table below lists every cell."
    assert 20 < len(prose) <= PROSE_CHARS // (WINDOW_WORDS * 3)
    assert "c0_0" in prose[0].text + prose[1].text and not any("c19999_9" in c.text for c in prose)
    assert [c.text for c in chunks if c.kind == "card"] == [card_text(by_name["table"].cards[0])]
    long_line = [c for c in note_chunks(by_name["line"]) if c.kind == "prose"]
    assert sum(len(c.text.split()) for c in long_line) < PROSE_CHARS // 4
