"""Ignore patterns (issue 14): gitignore-style as users know from git, added to the default Excalidraw
ignore; the plugin's IGNORED_FILE_GLOBS keep their minimatch meaning."""
from __future__ import annotations

import itertools
import json

import pathspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.parsers.files import (PatternError, expand_braces, gitignore_patterns, is_ignored, path_filter,
                                      plugin_glob_to_gitignore)

NOTE = "STARTI [Basic] q? Back: a ENDI\n"
FILES = ["a/x.md", "b/x.md", "c/x.md", "Templates/t.md", "Daily/d.md", "Other/o.md", "sub/Templates/t.md",
         "top.md", "draw/pic.excalidraw.md", "notes/tmp/n.md"]


_names = itertools.count()


def read(make_vault, toml: str | None = None, plugin: dict | None = None) -> list[str]:
    files = {rel: NOTE for rel in FILES}
    if toml is not None:
        files[".notes2anki.toml"] = toml
    if plugin is not None:
        files[".obsidian/plugins/obsidian-to-anki-plugin/data.json"] = json.dumps({"settings": plugin})
    root = make_vault(files, name=f"vault{next(_names)}")
    diags: list = []
    config = load_config(root, diags)
    assert [d for d in diags if d.severity == "error"] == []
    return sorted(n.path for n in load_vault(root, config).notes)


ALL = sorted(set(FILES) - {"draw/pic.excalidraw.md"})


@pytest.mark.parametrize("patterns, gone", [
    (["{a,b}/**"], {"a/x.md", "b/x.md"}),
    (["[TD]*/**"], {"Templates/t.md", "Daily/d.md"}),
    (["Templates"], {"Templates/t.md", "sub/Templates/t.md"}),  # a bare name: that folder at any depth
    (["/Templates"], {"Templates/t.md"}),  # a leading / anchors at the vault root
    (["*.md", "!top.md"], set(ALL) - {"top.md"}),  # last match wins, ! re-includes
    (["Daily/"], {"Daily/d.md"}),
])
def test_user_patterns_match_as_in_gitignore(make_vault, patterns, gone):
    assert read(make_vault, f"ignore = {json.dumps(patterns)}\n") == sorted(set(ALL) - gone)


def test_the_users_ignore_adds_to_the_default_excalidraw_ignore(make_vault):
    assert "draw/pic.excalidraw.md" not in read(make_vault, 'ignore = ["Daily"]\n')
    assert read(make_vault) == ALL


def test_the_default_excalidraw_ignore_can_be_undone(make_vault):
    assert "draw/pic.excalidraw.md" in read(make_vault, 'ignore = ["!**/*.excalidraw.md"]\n')


def test_plugin_globs_keep_their_minimatch_meaning(make_vault):
    # minimatch matches the whole vault path: "*.md" is only the root's notes (gitignore: any depth)
    assert read(make_vault, plugin={"IGNORED_FILE_GLOBS": ["*.md"]}) == sorted(set(ALL) - {"top.md"})
    assert read(make_vault, plugin={"IGNORED_FILE_GLOBS": ["{a,c}/*.md", "notes/*/**"]}) == sorted(
        set(ALL) - {"a/x.md", "c/x.md", "notes/tmp/n.md"})
    # the toml's patterns come after the plugin's: "!" there re-includes what the plugin ignores
    assert "top.md" in read(make_vault, 'ignore = ["!top.md"]\n', plugin={"IGNORED_FILE_GLOBS": ["*.md"]})


def test_the_plugins_ignore_setting_suite_matches():
    """The plugin's own suite: scan dir 'ignore_setting/scan_dir', glob 'ignore_setting/scan_dir/*ignored/**'."""
    globs = plugin_glob_to_gitignore("ignore_setting/scan_dir/*ignored/**")
    assert is_ignored("ignore_setting/scan_dir/be_ignored/a.md", globs)
    assert is_ignored("ignore_setting/scan_dir/ignored/deep/a.md", globs)
    assert not is_ignored("ignore_setting/scan_dir/kept/a.md", globs)
    assert not is_ignored("ignore_setting/scan_dir/a.md", globs)


def test_brace_expansion_is_bounded_and_leaves_odd_braces_alone():
    assert expand_braces("{a,b}/{c,d}.md") == ["a/c.md", "a/d.md", "b/c.md", "b/d.md"]
    assert expand_braces("x{a,{b,c}}y") == ["xay", "xby", "xcy"]
    assert expand_braces("{a}") == ["{a}"] and expand_braces("{a,b") == ["{a,b"]
    assert expand_braces("\\{a,b}") == ["\\{a,b}"]


@pytest.mark.parametrize("pattern, said", [
    ("{a,b}" * 10, "expand to more than 64 patterns"),
    ("*a*a*a*a", "more than 3 '*' within one name"),
    ("**/x/**/y/**/z/**", "more than 3 '**' in one pattern"),
    ("!", "Invalid git pattern"),
])
def test_patterns_that_cannot_be_used_are_config_errors(make_vault, pattern, said):
    root = make_vault({"a.md": NOTE, ".notes2anki.toml": f"ignore = {json.dumps(['Daily', pattern])}\n"})
    diags: list = []
    config = load_config(root, diags)
    assert len(diags) == 1 and diags[0].kind == "config" and said in diags[0].message
    assert diags[0].message.startswith("ignore, entry 2: pattern ")
    assert config.ignore == ["**/*.excalidraw.md", "Daily"]


# --- many patterns: compiled once, matched once per path, same answers as pathspec --------------------------

_SEGMENTS = st.sampled_from(["a", "b", "Drafts", "tmp", "x.md", "y.tmp.md", "**", "*", "*.md", "*.tmp.md",
                             "d?", "[ab]", "note 1.md", "\\#x"])
_PATTERNS = st.builds(lambda neg, lead, parts, slash: ("!" if neg else "") + lead + "/".join(parts) + slash,
                      st.booleans(), st.sampled_from(["", "/", "**/"]), st.lists(_SEGMENTS, min_size=1, max_size=3),
                      st.sampled_from(["", "/"]))
_PATHS = st.lists(st.sampled_from(["a", "b", "Drafts", "tmp", "x.md", "y.tmp.md", "d1", "note 1.md", "#x",
                                   "c.md"]), min_size=1, max_size=4).map("/".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PATTERNS, min_size=1, max_size=12), st.lists(_PATHS, min_size=1, max_size=8))
def test_the_indexed_matcher_answers_as_pathspec(patterns, paths):
    """IgnoreMatcher files patterns by name and joins their regexes; its verdict is GitIgnoreSpec's."""
    try:
        lines = gitignore_patterns(patterns)
    except PatternError:
        return
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    matcher = path_filter(patterns)
    for path in paths:
        assert matcher(path) == spec.match_file(path), (patterns, path)


def test_twenty_thousand_patterns_on_three_thousand_files_take_well_under_the_old_44_s(make_vault):
    """The tester's case: pathspec alone tried 60 million pattern-path pairs (44 s). Anchored folders,
    names at any depth and ``*.ending`` globs, 20,000 patterns: a few seconds at most, same answer."""
    import time

    from notes2anki.parsers.files import markdown_files

    patterns = [(f"Archive{i}/sub/*.md", f"**/tmp{i}/", f"*.draft{i}.md", f"old{i}.md")[i % 4] for i in range(20_000)]
    files = [f"d{i % 50}/note{i}.md" for i in range(2_990)] + \
        [f"Archive4/sub/n{i}.md" for i in range(5)] + [f"x/tmp5/n{i}.md" for i in range(5)]
    files += ["d1/a.draft6.md", "d2/old7.md"]
    started = time.perf_counter()
    kept = markdown_files(files, "", patterns)
    elapsed = time.perf_counter() - started
    assert len(kept) == 2_990 and not any(f.startswith(("Archive4", "x/tmp5")) for f in kept)
    assert "d1/a.draft6.md" not in kept and "d2/old7.md" not in kept
    assert elapsed < 15, f"{elapsed:.1f} s"  # ~0.5 s on the project's busy 2-core machine
