"""A tag written with a space (`default_tag = "two words"`, a `folder_tags` entry, a frontmatter list item,
`--tag`) cannot be an Anki tag (Anki separates tags by spaces): it is read with `_`, as before, and now a
`tag-name` warning says so once, at the line that wrote it (tester: `two words` became `two_words` silently)."""
from __future__ import annotations

import pytest

CONFIG = 'default_tag = "two words"\n\n[folder_tags]\n"Bio" = ["cell biology", "plain"]\n'
FRONTMATTER_CARDS = ("---\ntags:\n  - my tag\n  - fine\n---\nSTART\nBasic\nWhat is a cell?\nBack: a unit\nEND\n\n"
                     "START\nBasic\nWhat is a membrane?\nBack: a wall\nTags: x y\nEND\n")


def _tag_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "holds a space" in line]


def test_spaces_in_tags_are_said_once_at_the_line_that_wrote_them(make_vault, cli_build, anki_import):
    root = make_vault({".notes2anki.toml": CONFIG, "Bio/Cell.md": FRONTMATTER_CARDS,
                       "Top.md": "START\nBasic\nWhat is DNA?\nBack: a molecule\nEND\n"})
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert sorted(_tag_warnings(result.stderr)) == sorted([
        '.notes2anki.toml:1: warning: default_tag: tag "two words" holds a space, which an Anki tag cannot '
        '(Anki separates tags by spaces); read as "two_words"',
        '.notes2anki.toml:4: warning: folder_tags.Bio: tag "cell biology" holds a space, which an Anki tag '
        'cannot (Anki separates tags by spaces); read as "cell_biology"',
        "Bio/Cell.md:3: warning: tag 'my tag' holds a space, which an Anki tag cannot (Anki separates tags by "
        "spaces); read as 'my_tag'",  # once for the note, at the frontmatter line that writes it
    ])
    col = anki_import(apkg).col
    tags = {col.get_note(nid).fields[0]: sorted(col.get_note(nid).tags) for nid in col.find_notes("")}
    assert tags == {
        "What is a cell?": sorted(["cell_biology", "fine", "my_tag", "plain", "two_words"]),
        "What is a membrane?": sorted(["cell_biology", "fine", "my_tag", "plain", "two_words", "x", "y"]),
        "What is DNA?": ["two_words"],
    }


def test_a_command_line_tag_with_a_space_is_said_once_and_replaces_the_default_tag(make_vault, cli_build):
    root = make_vault({".notes2anki.toml": 'default_tag = "two words"\n',
                       "a.md": "START\nBasic\nWhat is RNA?\nBack: a molecule\nEND\n"})
    result, _ = cli_build(root, "--tag", "cli tag")
    assert result.exit_code == 0, result.output
    assert _tag_warnings(result.stderr) == [
        "--tag: warning: tag \"cli tag\" holds a space, which an Anki tag cannot (Anki separates tags by spaces); "
        "read as \"cli_tag\""]  # default_tag is not used: no word about it


@pytest.mark.parametrize("tag, said", [
    ("a::::b", "tag \"a::::b\" has empty levels between '::' (Anki would name them 'blank'); read as \"a::b\""),
    ("bell\x07", "tag \"bell\\u0007\" holds a control character, which Anki removes; read as \"bell\""),
    ("it's", None),
])
def test_command_line_tags_are_quoted_as_the_other_command_line_values(make_vault, cli_build, tag, said):
    """Tester: `--tag` warnings quoted the tag as Python writes it (`'a::::b'`), while `--deck`'s and the
    configuration's quote what the user typed as TOML and JSON write it (`"a::::b"`)."""
    root = make_vault({"a.md": "START\nBasic\nWhat is RNA?\nBack: a molecule\nEND\n"})
    result, _ = cli_build(root, "--tag", tag, "--deck", "A::::B")
    assert result.exit_code == 0, result.output
    assert "--deck: warning: deck name \"A::::B\" has empty parts" in result.stderr
    warned = [" ".join(line.split()) for line in result.stderr.splitlines() if line.startswith("--tag:")]
    assert warned == ([f"--tag: warning: {said}"] if said else [])


def test_an_empty_level_in_a_folder_tag_is_said_once_at_its_line_not_at_every_note(make_vault, cli_build):
    """Before, a `folder_tags` tag `a::::b` gave one warning at the first card of every note of the folder."""
    notes = {f"Bio/n{k}.md": f"START\nBasic\nQuestion {k}?\nBack: answer\nEND\n" for k in range(3)}
    root = make_vault({".notes2anki.toml": '[folder_tags]\n"Bio" = ["a::::b"]\n', **notes})
    result, _ = cli_build(root)
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if '"a::::b"' in line]
    assert said == ['.notes2anki.toml:2: warning: folder_tags.Bio: tag "a::::b" has empty levels between \'::\' '
                    '(Anki would name them \'blank\'); read as "a::b"']


def test_a_folder_tag_warning_names_the_key_as_written_and_the_tag_as_toml_writes_it(tmp_path):
    """Tester r17, r1: `folder_tags../sub`, `folder_tags.sub\\` and `'my tag'`, where the two-spellings
    warning wrote `folder_tags."./sub"` and config messages show values as TOML writes them."""
    from notes2anki.config import CONFIG_FILE, load_config

    (tmp_path / "sub").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / CONFIG_FILE).write_text('[folder_tags]\n"./sub" = ["ok",\n  "folder tag"]\n'
                                        '"other\\\\" = ["a tag"]\n', encoding="utf-8")
    diags = []
    load_config(tmp_path, diags)
    said = sorted(str(d) for d in diags if d.kind == "tag-name")
    assert said == [
        '.notes2anki.toml:3: warning: folder_tags."./sub": tag "folder tag" holds a space, which an Anki tag '
        'cannot (Anki separates tags by spaces); read as "folder_tag"',  # the entry's own line
        '.notes2anki.toml:4: warning: folder_tags."other\\\\": tag "a tag" holds a space, which an Anki tag '
        'cannot (Anki separates tags by spaces); read as "a_tag"']


def test_a_frontmatter_tag_is_warned_at_its_own_line(make_vault):
    """Tester r3: a frontmatter tag with a space was warned at the note's first card (line 11), not at the
    frontmatter line holding it; a string of tags is said at its line, a card's own tag at the card."""
    from notes2anki.parsers import load_vault

    root = make_vault({
        "b.md": "---\ntitle: x\ntags:\n  - ok\n  - front tag\n---\n# Heading\n\nSTART\nBasic\nQ1?\nBack: A1\n"
                "Tags: in card\nEND\n",
        "c.md": "---\ntitle: ok\nTags: \"a::::b, c\"\n---\nSTART\nBasic\nQ?\nBack: A\nEND\n"})
    said = sorted(f"{d.file}:{d.line}: {d.message.split(' holds')[0].split(' has')[0]}"
                  for d in load_vault(root).diagnostics if d.kind == "tag-name")
    assert said == ["b.md:5: tag 'front tag'", "c.md:3: tag 'a::::b'"]
