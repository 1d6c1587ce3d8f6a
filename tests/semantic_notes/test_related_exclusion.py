"""Which notes `related` leaves out (tester): a `[related] exclude` of one's own replaced the default that
leaves out templates and daily notes, so writing one brought the templates back; and the message for such a
note said "named like a date" where daily notes go by the daily-notes plugin's format. Now the user's
patterns are added to the defaults (`exclude_defaults = false` turns those off) and the message says why."""
from __future__ import annotations

from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.semantic.related import settings
from notes2anki.semantic.related_exclusion import excluded_notes

FILES = {
    ".obsidian/templates.json": '{"folder": "Scaffold"}',
    ".obsidian/daily-notes.json": '{"folder": "Journal", "format": "DD-MM-YYYY"}',
    "Scaffold/New note.md": "Template of a note.\n",
    "Journal/Monday review.md": "Reviewed ATP.\n",
    "12-05-2026.md": "Studied ATP.\n",
    "Drafts/idea.md": "An idea.\n",
    "Mitochondria.md": "Mitochondria make ATP.\n",
}


def _excluded(make_vault, toml: str) -> dict[str, str]:
    root = make_vault({**FILES, ".notes2anki.toml": toml})
    config = load_config(root)
    opts, problems = settings(config.section("related"))
    assert problems == []
    return excluded_notes(load_vault(root, config), opts.get("exclude"), opts.get("exclude_defaults", True))


def test_an_exclude_of_ones_own_adds_to_the_templates_and_daily_notes(make_vault):
    assert _excluded(make_vault, '[related]\nexclude = ["Drafts/"]\n') == {
        "Scaffold/New note.md": "it is in the template folder Scaffold (named in .obsidian/templates.json)",
        "Journal/Monday review.md": "it is in the daily-notes folder Journal (named in .obsidian/daily-notes.json)",
        "12-05-2026.md": 'it is named as a daily note (the format "DD-MM-YYYY" of .obsidian/daily-notes.json; '
                         'add "!/12-05-2026.md" to [related] exclude to include it)',
        "Drafts/idea.md": 'it matches "Drafts/" of [related] exclude (.notes2anki.toml:2)'}


def test_a_negated_pattern_takes_a_template_back_and_the_defaults_can_be_turned_off(make_vault):
    assert set(_excluded(make_vault, '[related]\nexclude = ["!/Scaffold/New note.md"]\n')) == {
        "Journal/Monday review.md", "12-05-2026.md"}
    assert _excluded(make_vault, '[related]\nexclude_defaults = false\nexclude = ["Drafts/"]\n') == {
        "Drafts/idea.md": 'it matches "Drafts/" of [related] exclude (.notes2anki.toml:3)'}
    assert _excluded(make_vault, '[related]\nexclude_defaults = false\n') == {}


def test_without_a_format_the_plugins_default_is_named(make_vault):
    root = make_vault({"2026-05-12.md": "Studied ATP.\n", "Mitochondria.md": "ATP.\n"})
    assert excluded_notes(load_vault(root)) == {
        "2026-05-12.md": "it is named as a daily note (YYYY-MM-DD: the daily-notes plugin's default format; "
                         'add "!/2026-05-12.md" to [related] exclude to include it)'}


def test_exclude_defaults_must_be_true_or_false(make_vault):
    root = make_vault({**FILES, ".notes2anki.toml": '[related]\nexclude_defaults = "no"\n'})
    diags = []
    load_config(root, diags)
    assert [str(d) for d in diags] == [
        '.notes2anki.toml:2: error: related.exclude_defaults: should be true or false, got "no"']


def test_an_exclude_pattern_is_named_with_its_line_and_a_daily_note_says_how_to_take_it_back(make_vault):
    """Tester r15: a daily note by name cannot be taken back by `!path` (a name is no glob), and the message
    did not say how; a note left out by `[related] exclude` did not say by which pattern, nor where."""
    found = _excluded(make_vault, '[related]\nexclude = [\n  "Drafts/",\n  "*.md",\n  "!Mitochondria.md",\n'
                                  '  "!12-05-2026.md"]\n')
    assert found["Drafts/idea.md"] == 'it matches "*.md" of [related] exclude (.notes2anki.toml:4)'  # later wins
    assert "Mitochondria.md" not in found
    assert "12-05-2026.md" not in found  # a `!pattern` takes a note named as a daily note back too
