"""Tester findings of 16:00 on parsing and configuration: each case with its minimal input and the right
behaviour, checked in what Anki shows after importing the package where a deck is involved."""
from __future__ import annotations

import json
import os

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


# -- finding 3: a reversed character range in an ignore pattern ------------------------------------------------
DATA_JSON = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"


@pytest.mark.parametrize("pattern, words", [
    ("[z-a]", "bad character range z-a"), ("[9-0]*.md", "bad character range 9-0"),
    ("**/[b-a]", "bad character range b-a"), ("{[z-a],x}", "bad character range z-a"),
    ("[é-a]", "bad character range é-a"), ("[\\\\d-a]", "bad character range"),
    ("[[:alpha:]]x", "POSIX character classes"),
])
def test_a_bad_character_set_in_ignore_is_a_configuration_error(make_vault, pattern, words):
    from notes2anki.cli import main as cli_main
    from click.testing import CliRunner

    root = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n", ".notes2anki.toml": f'ignore = ["{pattern}"]\n'})
    for command in (["check", str(root)], ["build", str(root), "-o", str(root.parent / "x.apkg"), "--no-dupes"]):
        result = CliRunner().invoke(cli_main, command)
        assert result.exit_code == 2, result.output
        assert ".notes2anki.toml:1: error: ignore, entry 1: pattern" in result.output and words in result.output
        assert "internal error" not in result.output and "Warning" not in result.output


def test_a_bad_plugin_glob_and_a_bad_related_exclude_are_configuration_errors(make_vault):
    from notes2anki.cli import main as cli_main
    from click.testing import CliRunner

    root = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n",
                       DATA_JSON: json.dumps({"settings": {"IGNORED_FILE_GLOBS": ["**/[z-a]/*.md"]}})})
    result = CliRunner().invoke(cli_main, ["check", str(root)])
    assert result.exit_code == 2
    assert 'settings.IGNORED_FILE_GLOBS, entry 1: "**/[z-a]/*.md" not used: bad character set' in result.output
    root = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n",
                       ".notes2anki.toml": '[related]\nexclude = ["[z-a]"]\n'}, name="other")
    for command in (["check", str(root)], ["related", str(root), "a"]):
        result = CliRunner().invoke(cli_main, command)
        assert result.exit_code == 2, result.output
        assert '.notes2anki.toml:2: error: related.exclude, entry 1: pattern "[z-a]" not used' in result.output


# -- finding 4: a renamed file-tags line and YAML tags ---------------------------------------------------------
@pytest.mark.parametrize("config", [
    {DATA_JSON: json.dumps({"settings": {"Syntax": {"File Tags Line": "TAGS"}}})},
    {".notes2anki.toml": '[syntax]\nfile_tags_line = "Tags"\n'},
])
@pytest.mark.parametrize("frontmatter, tags", [
    ("tags: [fm, two]\n", ["fm", "two"]),
    ("tags:\n  - gamma\n", ["gamma"]),
    ("TAGS: [fm, two]\n", ["fm", "two"]),
])
def test_yaml_tags_are_read_once_as_yaml_when_the_tags_line_is_renamed(make_vault, build, anki_import, config,
                                                                      frontmatter, tags):
    root = make_vault({"a.md": f"---\n{frontmatter}---\nSTART\nBasic\nq\nBack: a\nEND\n", **config})
    built = build(root)
    assert anki_import(built.apkg).note("q").tags == tags


def test_the_renamed_tags_line_still_works_in_the_body_and_target_deck_in_frontmatter(make_vault, build,
                                                                                      anki_import):
    root = make_vault({".notes2anki.toml": '[syntax]\nfile_tags_line = "TAGS"\n',
                       "a.md": "---\nTARGET DECK: Fm::Deck\n---\nTAGS: body one\nSTART\nBasic\nq\nBack: a\nEND\n"})
    note = anki_import(build(root).apkg).note("q")
    assert sorted(note.tags) == ["body", "one"]
    assert note.cards()[0].col.decks.name(note.cards()[0].did) == "Fm::Deck"


# -- finding 5: the scan directory and folder-deck keys as written ------------------------------------------------
INNER = {"inner/a.md": "START\nBasic\nin q\nBack: a\nEND\n", "outer.md": "START\nBasic\nout q\nBack: b\nEND\n"}


@pytest.mark.parametrize("scan, fronts", [
    ("./inner", ["in q"]), ("inner/.", ["in q"]), ("/inner/", ["in q"]),
    (".", ["in q", "out q"]), ("./", ["in q", "out q"]),
])
def test_scan_directory_with_dot_parts_is_the_folder(make_vault, build, anki_import, scan, fronts):
    root = make_vault({**INNER, ".notes2anki.toml": f'scan_directory = "{scan}"\n'})
    built = build(root)
    assert [d for d in built.vault.diagnostics if d.severity == "error"] == []
    assert sorted(n.fields[0] for n in anki_import(built.apkg).notes()) == fronts


def test_plugin_scan_directory_dot_and_a_folder_link_inside_the_vault(make_vault, build, anki_import):
    root = make_vault({**INNER, DATA_JSON: json.dumps({"settings": {"Defaults": {"Scan Directory": "."}}})})
    assert len(build(root).vault.cards) == 2
    root = make_vault({**INNER, ".notes2anki.toml": 'scan_directory = "link"\n'}, name="linked")
    (root / "link").symlink_to(root / "inner", target_is_directory=True)
    built = build(root)
    assert [n.fields[0] for n in anki_import(built.apkg).notes()] == ["in q"]


def test_a_folder_deck_key_matching_no_folder_is_a_warning_and_dot_slash_works(make_vault, build, anki_import):
    root = make_vault({**INNER, ".notes2anki.toml":
                       '[folder_decks]\n"./inner" = "Inner"\n"nonexist" = "X"\n"" = "Y"\n'})
    built = build(root)
    warnings = sorted(d.message for d in built.vault.diagnostics if d.severity == "warning")
    assert warnings == ['folder_decks."": an empty folder name; not used (`.` is the whole vault)',
                        "folder_decks.nonexist: not a folder of the vault; not used"]
    note = anki_import(built.apkg).note("in q")
    assert note.col.decks.name(note.cards()[0].did) == "Inner"


# -- finding 6: a Cloze note whose only clozes are c0 --------------------------------------------------------
def test_a_cloze_note_with_only_c0_gets_the_no_cloze_warning_too(make_vault, build, anki_import):
    root = make_vault({"c.md": "START\nCloze\n{{c0::only zero}}\nEND\n",
                       "ok.md": "START\nCloze\n{{c0::zero}} and {{c1::one}}\nEND\n"})
    built = build(root)
    kinds = sorted((d.file, d.kind) for d in built.vault.diagnostics if d.file.endswith(".md"))
    assert kinds == [("c.md", "cloze-zero"), ("c.md", "no-cloze"), ("ok.md", "cloze-zero")]
    [no_cloze] = [d for d in built.vault.diagnostics if d.kind == "no-cloze"]
    assert "No cloze 1 found on card" in no_cloze.message and "single card" not in no_cloze.message
    imported = anki_import(built.apkg)
    card = imported.note("only zero").cards()[0]
    shown = card.question().replace("\u2068", "").replace("\u2069", "")  # Anki isolates the number
    assert "No cloze 1 found on card" in shown  # what Anki shows, as the warning says
    assert "[...]" in imported.note("and {{c1::one}}").cards()[0].question()


# -- finding 9: deck names that were used or dropped without a word ----------------------------------------------
def test_deck_option_with_only_empty_levels_warns(make_vault, tmp_path, anki_import):
    from click.testing import CliRunner

    from notes2anki.cli import main as cli_main

    root = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n"})
    out = tmp_path / "x.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes", "--deck", "::::"])
    assert result.exit_code == 0
    assert "--deck: warning: deck name \"::::\" has empty parts between '::'" in result.stderr
    assert "ignored" in result.stderr
    note = anki_import(out).note("q")
    assert note.col.decks.name(note.cards()[0].did) == "Default"


@pytest.mark.parametrize("value, deck, warning", [
    ("123", "123", None),
    ("[a, b]", "Default", "frontmatter deck is a list, not a deck name; ignored"),
    ('"x\\ny"', "xy", "has a line break or control character, which Anki drops; read as \"xy\""),
])
def test_frontmatter_deck_values_that_are_not_plain_names(make_vault, build, anki_import, value, deck, warning):
    root = make_vault({"a.md": f"---\ndeck: {value}\n---\nSTART\nBasic\nq\nBack: a\nEND\n"})
    built = build(root)
    messages = [d.message for d in built.vault.diagnostics if d.kind == "deck-name"]
    assert messages == [] if warning is None else len(messages) == 1 and warning in messages[0]
    note = anki_import(built.apkg).note("q")
    assert note.col.decks.name(note.cards()[0].did) == deck


@pytest.mark.parametrize("value, tags, warning", [
    ("[x, y]", ["x", "y"], None),
    ("x y", ["x", "y"], None),
    ("{a: b}", [], "frontmatter tags are a mapping, not tags; ignored"),
    ("true", ["true"], None),  # (read as text, as Obsidian shows it)
])
def test_frontmatter_tags_that_are_not_tags_are_said(make_vault, build, anki_import, value, tags, warning):
    """Tester 12-03: `tags: {a: b}` was dropped without a word, where a `deck:` list is said."""
    root = make_vault({"a.md": f"---\ntags: {value}\n---\nSTART\nBasic\nq\nBack: a\nEND\n"})
    built = build(root)
    messages = [(d.line, d.message) for d in built.vault.diagnostics if d.kind == "tag-name"]
    assert messages == [] if warning is None else len(messages) == 1 and warning in messages[0][1]
    note = anki_import(built.apkg).note("q")
    assert sorted(note.tags) == tags


def test_repeated_tag_option_adds_every_tag(make_vault, tmp_path, anki_import):
    from click.testing import CliRunner

    from notes2anki.cli import main as cli_main

    root = make_vault({"a.md": "START\nBasic\nq\nBack: a\nEND\n",
                       ".notes2anki.toml": 'default_tag = "from_config"\n'})
    out = tmp_path / "x.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes",
                                           "--tag", "one", "--tag", "two"])
    assert result.exit_code == 0, result.output
    assert sorted(anki_import(out).note("q").tags) == ["one", "two"]  # the option replaces the setting
    out2 = tmp_path / "y.apkg"
    CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out2), "--no-dupes"])
    assert anki_import(out2).note("q").tags == ["from_config"]


# -- finding 11: the empty-front hint names the markers in use -------------------------------------------------
def test_empty_front_hint_names_the_renamed_and_inline_markers(make_vault, build):
    root = make_vault({".notes2anki.toml": '[syntax]\nbegin_note = "START_CARD"\nend_note = "END_CARD"\n',
                       "a.md": "START_CARD\nBasic\nBack: a\nEND_CARD\n\nSTARTI [Basic] Back: b ENDI\n"})
    hints = [(d.line, d.message) for d in build(root).vault.diagnostics if d.kind == "empty-front"]
    assert [line for line, _ in hints] == [1, 6]
    assert "above the START_CARD line" in hints[0][1]
    assert "right after STARTI [Type]" in hints[1][1] and "START line" not in hints[1][1]


def test_an_inline_card_in_a_code_span_is_an_example_without_a_warning(make_vault):
    root = make_vault({"a.md": "Example: `STARTI [Basic] q Back: y ENDI` is an inline card.\n"
                               "STARTI [Basic] real q Back: z\n"})
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    vault = load_vault(root, load_config(root))
    assert vault.cards == []
    assert [(d.line, d.kind) for d in vault.diagnostics if d.file == "a.md"] == [(2, "no-end")]


def test_an_embedded_note_that_is_a_fifo_is_not_called_missing(make_vault, build, anki_import):
    root = make_vault({"a.md": "START\nBasic\nq\nBack: see ![[fifo]]\nEND\n"})
    os.mkfifo(root / "fifo.md")
    built = build(root)
    render = [d.message for d in built.vault.diagnostics if d.file == "a.md"]
    assert render == ["embedded note ![[fifo]] (fifo.md): not a regular file (a FIFO, device or socket); not read; "
                      "shown as its name"]
    assert "fifo" in anki_import(built.apkg).note("q").fields[1]


# -- finding 11: configuration messages in the user's words --------------------------------------------------
def test_a_table_of_the_wrong_type_is_named_without_pydantic_class_names(make_vault):
    from notes2anki.config import load_config

    root = make_vault({DATA_JSON: json.dumps({"settings": {"Syntax": "x"}}),
                       ".notes2anki.toml": "syntax = 3\n"})
    diags: list = []
    load_config(root, diags)
    messages = sorted(str(d) for d in diags)
    assert messages == [
        ".notes2anki.toml:1: error: syntax: should be a table of settings, got 3",
        f"{DATA_JSON}: error: settings.Syntax: should be a JSON object of settings, got \"x\""]


# -- finding 11: a '!' glob of the plugin keeps its meaning ------------------------------------------------------
def test_a_negated_plugin_glob_ignores_every_other_file_as_the_plugin_does(make_vault, build, anki_import):
    card = "START\nBasic\n{}\nBack: a\nEND\n"
    root = make_vault({"notes/keep.md": card.format("kept"), "notes/other.md": card.format("other"),
                       "top.md": card.format("top"), "notes/drop.md": card.format("drop"),
                       DATA_JSON: json.dumps({"settings": {"IGNORED_FILE_GLOBS": ["!notes/*.md", "**/drop.md"]}})})
    built = build(root)
    assert [d for d in built.vault.diagnostics if d.kind == "config"] == []
    assert sorted(n.fields[0] for n in anki_import(built.apkg).notes()) == ["kept", "other"]


# -- finding 11: many star patterns against long names ----------------------------------------------------------
def test_many_star_patterns_against_long_names_stay_fast_and_exact(make_vault):
    import time

    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    patterns = [f"*a*a*ax{i}" for i in range(300)]
    files = {("a" * 230 + f"n{i}")[:236] + ".md": f"START\nBasic\nq{i}\nBack: a\nEND\n" for i in range(9)}
    files["aaax17.md"] = "START\nBasic\nignored\nBack: a\nEND\n"  # *a*a*ax17 matches it (the .md part: */)
    files["x/aaax17"] = "not a note"
    files[".notes2anki.toml"] = "ignore = [" + ", ".join(f'"{p}.md"' for p in patterns) + "]\n"
    root = make_vault(files)
    start = time.perf_counter()
    vault = load_vault(root, load_config(root))
    assert time.perf_counter() - start < 10  # was 89 s (catastrophic backtracking)
    assert sorted(c.fields["Front"] for c in vault.cards) == [f"q{i}" for i in range(9)]


def test_the_text_filing_never_needs_a_slash_that_globstar_can_drop():
    import pathspec

    from notes2anki.parsers.ignore_patterns import path_filter

    for patterns, path in ((["!a", "/**/a"], "a"), (["x*/**/ab?"], "xy/abc"), (["q*/**/ab*"], "qq/abz")):
        assert path_filter(patterns)(path) == pathspec.GitIgnoreSpec.from_lines(patterns).match_file(path) is True
