"""One validated settings object: every configuration problem is a message naming its file and key."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notes2anki.config import CONFIG_FILE, PLUGIN_SETTINGS, Config, fatal_problems, load_config

PLUGIN = PLUGIN_SETTINGS


def write(root: Path, toml: str | None = None, plugin=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if toml is not None:
        (root / CONFIG_FILE).write_text(toml, encoding="utf-8")
    if plugin is not None:
        path = root / PLUGIN
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plugin if isinstance(plugin, str) else json.dumps(plugin), encoding="utf-8")
    return root


def load(root: Path) -> tuple[Config, list[str]]:
    diags: list = []
    config = load_config(root, diags)
    return config, [str(d) for d in diags]


# The wrong value types of issue 11: each a fatal message `file:line: error: key: what is wrong`.
@pytest.mark.parametrize("toml, message", [
    ("folder_decks = {sub = 5}", ".notes2anki.toml:1: error: folder_decks.sub: should be text in quotes (\"…\"), got 5"),
    ("folder_tags = {sub = 5}", ".notes2anki.toml:1: error: folder_tags.sub: should be a list in square brackets [ ], got 5"),
    ("custom_regexps = {Basic = 5}",
     ".notes2anki.toml:1: error: custom_regexps.Basic: should be text in quotes (\"…\"), got 5"),
    ("ignore = [1]", ".notes2anki.toml:1: error: ignore, entry 1: should be text in quotes (\"…\"), got 1"),
    ('[note_types.Vocab]\nfields = ["Word"]\nfront = 5',
     ".notes2anki.toml:3: error: note_types.Vocab.front: should be text in quotes (\"…\"), got 5"),
    ('[note_types.Vocab]\nfields = ["Word"]\nid = "x"',
     ".notes2anki.toml:3: error: note_types.Vocab.id: should be a whole number, got \"x\""),
    ("[build]\ncurly_cloze = \"yes\"", ".notes2anki.toml:2: error: build.curly_cloze: should be true or false, "
                                      "got \"yes\""),
    ("[dupes]\nthreshold = 2", ".notes2anki.toml:2: error: dupes.threshold: should be 1 or less, got 2"),
    ("[related]\nk = 0", ".notes2anki.toml:2: error: related.k: should be 1 or more, got 0"),
    ('[semantic]\ndevice = "gpu"',
     '.notes2anki.toml:2: error: semantic.device: should be "auto", "cpu", "cuda", "cuda:N" or "mps", got "gpu"'),
    ('[syntax]\nbegin_note = ""',
     ".notes2anki.toml:2: error: syntax.begin_note: should be a word or words on one line (at most 200 "
     "characters), got \"\""),
    ('[dupes]\nignore = [["a.md:3"]]',
     ".notes2anki.toml:2: error: dupes.ignore, entry 1: should list at least 2 cards, got [\"a.md:3\"]"),
    ('[dupes]\nignore = [\n  ["a.md:3", "b.md:4"],\n  ["a.md:3", "x"],\n]',
     ".notes2anki.toml:4: error: dupes.ignore, entry 2, reference 2: should be a card ID or \"file.md:LINE\", got \"x\""),
    ('[dupes]\nignore = [\n  ["a.md:3", "b.md:4"],\n  ["a.md:3",\n   true],\n]',
     ".notes2anki.toml:5: error: dupes.ignore, entry 2, reference 2: should be a card ID or \"file.md:LINE\", got true"),
    ("[related]\nk = 1.5", ".notes2anki.toml:2: error: related.k: should be a whole number, got 1.5"),
    ('[topics]\nthreshold = "0.5"', ".notes2anki.toml:2: error: topics.threshold: should be a number, got \"0.5\""),
    ('wikilinks = "x"', '.notes2anki.toml:1: error: wikilinks: should be \"obsidian\" or \"text\", got "x"'),
    ('[note_types.V]\nfields = []', ".notes2anki.toml:2: error: note_types.V.fields: should list at least 1 item, got []"),
    ('[sync]\ncollection = ""', ".notes2anki.toml:2: error: sync.collection: should not be empty, got \"\""),
    ('sanitize_html = "true"', ".notes2anki.toml:1: error: sanitize_html: should be true or false, got \"true\""),
])
def test_wrong_values_are_fatal_messages_with_file_line_and_key(tmp_path, toml, message):
    config, messages = load(write(tmp_path / "v", toml))
    assert messages == [message]
    assert isinstance(config, Config)


def test_a_wrong_value_falls_back_to_its_default_and_the_rest_is_kept(tmp_path):
    config, _ = load(write(tmp_path / "v", 'default_deck = "Bio"\nfolder_decks = {a = "A", sub = 5}\n'
                                           "[dupes]\nthreshold = 7\n[related]\nk = 3\n"))
    assert config.default_deck == "Bio"
    assert config.folder_decks == {}  # the whole table: a half-read mapping would put cards in wrong decks
    assert config.dupes.threshold is None and config.related.k == 3


def test_values_from_data_json_are_blamed_on_data_json_with_the_plugins_key_names(tmp_path):
    plugin = {"settings": {"FOLDER_DECKS": {"a": 5}, "Defaults": {"CurlyCloze": "yes"},
                           "IGNORED_FILE_GLOBS": "x"}, "fields_dict": {"Vocab": [1]}}
    _, messages = load(write(tmp_path / "v", plugin=plugin))
    assert sorted(messages) == sorted([
        f"{PLUGIN}: error: settings.FOLDER_DECKS.a: should be a string, got 5",
        f"{PLUGIN}: error: settings.Defaults.CurlyCloze: should be true or false, got \"yes\"",
        f"{PLUGIN}: error: settings.IGNORED_FILE_GLOBS: should be a list, got \"x\"",
        f"{PLUGIN}: error: fields_dict.Vocab, entry 1: should be a string, got 1",
    ])


@pytest.mark.parametrize("plugin, message", [
    ("[1, 2]", "should be a JSON object, got [1, 2]"),
    ("[" * 100_000 + "]" * 100_000, "not read: values nested too deeply"),
    ("{bad", "not valid JSON"),
])
def test_data_json_that_cannot_be_used_is_a_fatal_message(tmp_path, plugin, message):
    diags: list = []
    load_config(write(tmp_path / "v", plugin=plugin), diags)
    assert len(diags) == 1 and diags[0].file == PLUGIN and message in diags[0].message
    assert fatal_problems(diags) == diags


@pytest.mark.parametrize("toml, message", [
    ("x = = 1", ".notes2anki.toml:1: error: not valid TOML"),
    ("a = " + "[" * 100_000 + "]" * 100_000, ".notes2anki.toml: error: not read: values nested too deeply"),
    ("[build]\n[build]\n", ".notes2anki.toml:2: error: not valid TOML"),
    # tester 12-03: a string never closed is found "at end of document", with no line: the line it opens on
    ('[dupes]\nthreshold = 0.5\nx = """abc\nmore\n\n', ".notes2anki.toml:3: error: not valid TOML: Unterminated string"),
    ('[dupes]\nx = "abc', ".notes2anki.toml:2: error: not valid TOML: Unterminated string"),
    ("[dupes]\nthreshold = nan\n", ".notes2anki.toml:2: error: dupes.threshold: should be a number (nan is not one)"),
    # tester 12-03: `1e400` reads as inf, and the message said "got inf": said as written
    ("[dupes]\nthreshold = 1e400  # big\n", ".notes2anki.toml:2: error: dupes.threshold: should be 1 or less, got 1e400 "
     "(beyond what a float holds: read as infinity)"),
    ("[dupes]\nthreshold = -1e400\n", ".notes2anki.toml:2: error: dupes.threshold: should be 0 or more, got -1e400 "
     "(beyond what a float holds: read as -infinity)"),
    ("[dupes]\nthreshold = inf\n", ".notes2anki.toml:2: error: dupes.threshold: should be 1 or less, got inf"),
    # tester 12-03: tomllib names no key for a value set twice
    ('default_deck = "a"\ndefault_deck = "b"\n', ".notes2anki.toml:2: error: not valid TOML: Cannot overwrite a "
     "value (at line 2, column 19): default_deck is set twice"),
])
def test_a_broken_toml_file_is_fatal(tmp_path, toml, message):
    diags: list = []
    load_config(write(tmp_path / "v", toml), diags)
    assert [str(d) for d in fatal_problems(diags)][0].startswith(message)


def test_unknown_keys_are_warnings_with_a_suggestion_not_fatal(tmp_path):
    diags: list = []
    load_config(write(tmp_path / "v", "foldr_decks = {}\n[dupes]\ntreshold = 0.5\n[nonsense]\na = 1\n"), diags)
    assert sorted(str(d) for d in diags) == [
        ".notes2anki.toml:1: warning: foldr_decks: unknown key; ignored (did you mean folder_decks?)",
        ".notes2anki.toml:3: warning: dupes.treshold: unknown key; ignored (did you mean threshold?)",
        ".notes2anki.toml:4: warning: nonsense: unknown key; ignored",
    ]
    assert fatal_problems(diags) == []


def test_the_plugin_settings_and_the_toml_merge_with_the_toml_winning(tmp_path):
    plugin = {"settings": {
        "Defaults": {"Deck": "PluginDeck", "Tag": "Obsidian_to_Anki", "CurlyCloze": True, "Scan Directory": "/notes"},
        "FOLDER_DECKS": {"notes/a": "A", "notes/b": ""}, "FOLDER_TAGS": {"notes/a": "x y"},
        "Syntax": {"Begin Note": "START_CARD", "End Note": "END_CARD", "Target Deck Line": "TARGET_DECK"},
        "IGNORED_FILE_GLOBS": ["**/*.excalidraw.md", "notes/{tmp,old}/**"]},
        "fields_dict": {"Basic": ["Front", "Back"], "Vocab": ["Word", "Meaning"]}}
    root = write(tmp_path / "v", '[build]\ndefault_deck = "Mine"\n[syntax]\nend_note = "STOP"\n'
                                 '[note_types.Extra]\nfields = ["A", "B"]\ncloze = true\n', plugin)
    (root / "notes").mkdir()
    config, messages = load(root)
    assert messages == []
    assert config.default_deck == "Mine" and config.default_tag == "Obsidian_to_Anki" and config.curly_cloze
    assert config.scan_directory == "notes"  # the plugin's leading "/" is the vault root
    assert config.folder_decks == {"notes/a": "A"} and config.folder_tags == {"notes/a": ["x", "y"]}
    assert (config.syntax.begin_note, config.syntax.end_note, config.syntax.target_deck_line) == (
        "START_CARD", "STOP", "TARGET_DECK")
    assert config.note_types == {"Vocab": {"fields": ["Word", "Meaning"]},
                                 "Extra": {"fields": ["A", "B"], "cloze": True}}
    assert config.ignore == ["**/*.excalidraw.md", "notes/tmp/**", "notes/old/**"]
    assert config.origin["default_deck"] == CONFIG_FILE and config.origin["default_tag"] == PLUGIN


def test_typed_sections_and_the_raw_section_for_older_callers(tmp_path):
    config, _ = load(write(tmp_path / "v", '[semantic]\nmodel = "./m"\ndevice = "cuda:1"\n'
                                           '[dupes]\nthreshold = 0.7\nignore = [[1768062256217, "a.md:3"]]\n'
                                           '[related]\nk = 7\nmin_score = 0.3\nexclude = ["Templates", "Daily/**"]\n'
                                           '[topics]\nthreshold = 0.9\nmin_size = 2\nk = 4\n'
                                           '[sync]\nprofile = "User 1"\n[report]\noutput = "r.html"\n'
                                           '[build]\nsanitize_html = true\n'))
    assert (config.semantic.model, config.semantic.device) == ("./m", "cuda:1")
    assert config.dupes.threshold == 0.7 and config.dupes.ignore == [[1768062256217, "a.md:3"]]
    assert (config.related.k, config.related.min_score, config.related.exclude) == (7, 0.3, ["Templates", "Daily/**"])
    assert (config.topics.threshold, config.topics.min_size, config.topics.k) == (0.9, 2, 4)
    assert config.sync.profile == "User 1" and config.report.output == "r.html" and config.sanitize_html
    assert config.section("dupes") == {"threshold": 0.7, "ignore": [[1768062256217, "a.md:3"]]}
    assert load(write(tmp_path / "w", ""))[0].dupes.threshold is None


@pytest.mark.parametrize("value, message", [
    ("../..", "scan_directory: \"../..\" leaves the vault"),
    ("/etc", "scan_directory: \"/etc\" is not a folder of the vault (it is read relative to the vault folder: etc)"),
    ("missing", "scan_directory: \"missing\" is not a folder of the vault"),
    ("out", "scan_directory: \"out\" resolves to a folder outside the vault"),
])
def test_a_scan_directory_that_is_not_a_folder_of_the_vault_is_fatal(tmp_path, value, message):
    root = write(tmp_path / "v", f'scan_directory = "{value}"\n')
    (tmp_path / "elsewhere").mkdir()
    (root / "out").symlink_to(tmp_path / "elsewhere")
    diags: list = []
    load_config(root, diags)
    assert len(fatal_problems(diags)) == 1 and message in diags[0].message and diags[0].file == CONFIG_FILE


def test_a_wrong_scan_directory_from_data_json_is_blamed_on_data_json(tmp_path):
    diags: list = []
    load_config(write(tmp_path / "v", plugin={"settings": {"Defaults": {"Scan Directory": "Karteikarten"}}}), diags)
    assert [str(d) for d in diags] == [
        f"{PLUGIN}: error: settings.Defaults.Scan Directory: \"Karteikarten\" is not a folder of the vault "
        "(it is read relative to the vault folder: Karteikarten)"]


def test_config_files_are_read_bounded(tmp_path):
    root = write(tmp_path / "v")
    (root / CONFIG_FILE).symlink_to("/dev/zero")
    diags: list = []
    start = time.monotonic()
    load_config(root, diags)
    assert time.monotonic() - start < 5
    assert fatal_problems(diags) and "configuration not read" in diags[0].message


def test_a_config_file_linked_from_dotfiles_is_read(tmp_path):
    """Tester 12-03: `.notes2anki.toml` linked to a file kept with one's dotfiles (what init keeps, even with
    --force) stopped every command: "resolves to a file outside the vault". Read now; data.json is not."""
    root = write(tmp_path / "v", plugin={"settings": {"Defaults": {"Deck": "FromPlugin"}}})
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "n2a.toml").write_text('default_deck = "Mine"\n', encoding="utf-8")
    (root / CONFIG_FILE).symlink_to(dotfiles / "n2a.toml")
    diags: list = []
    assert load_config(root, diags).default_deck == "Mine" and diags == []
    plugin = root / PLUGIN
    (dotfiles / "data.json").write_bytes(plugin.read_bytes())
    plugin.unlink()
    plugin.symlink_to(dotfiles / "data.json")
    load_config(root, diags)
    assert [d.message for d in diags] == ["configuration not read: resolves to a file outside the vault; not read"]


def test_the_real_vaults_settings_load_without_a_problem():
    vaults = Path(__file__).resolve().parents[2].parent / "shared" / "realvaults"
    if not vaults.is_dir():
        pytest.skip("../shared/realvaults is not present")
    for vault in sorted(p for p in vaults.iterdir() if p.is_dir()):
        config, messages = load(vault)
        assert messages == [], vault.name
    noltour, _ = load(vaults / "NoLtour__Flashcards-uni-aero-astrp")
    assert noltour.syntax.begin_note == "START_CARD" and noltour.syntax.begin_inline_note == "STARTINL"


toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
KEYS = ["default_deck", "ignore", "folder_decks", "folder_tags", "note_types", "scan_directory", "curly_cloze",
        "build", "syntax", "semantic", "dupes", "related", "topics", "sync", "report", "custom_regexps", "x"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=5),
       st.dictionaries(st.sampled_from(["settings", "fields_dict"]), toml_values, max_size=2))
def test_fuzz_the_loader_never_raises(tmp_path, toml_data, plugin_data):
    """Any data in either file (written as JSON, which both readers see as nested values) → a Config."""
    root = tmp_path / "fuzz"
    write(root, plugin=plugin_data)
    (root / CONFIG_FILE).write_text(_as_toml(toml_data), encoding="utf-8")
    diags: list = []
    config = load_config(root, diags)
    assert isinstance(config, Config)
    assert all(d.file in (CONFIG_FILE, PLUGIN) for d in diags)


def _as_toml(data: dict) -> str:
    """A TOML document for ``data`` as inline values (None has no TOML form: written as a string)."""
    def value(v) -> str:
        if v is None:
            return '"null"'
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v) if v == v and abs(v) != float("inf") else "0"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"
    return "".join(f"{json.dumps(k)} = {value(v)}\n" for k, v in data.items())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('[]{}="\'.,=#\n abc_1-')) | st.characters(), max_size=120),
       st.binary(max_size=80))
def test_fuzz_raw_file_text_never_raises(tmp_path, toml_text, json_bytes):
    """Arbitrary text in .notes2anki.toml and bytes in data.json → a Config and messages."""
    root = tmp_path / "raw"
    write(root, plugin="")
    (root / CONFIG_FILE).write_text(toml_text, encoding="utf-8", errors="surrogatepass")
    (root / PLUGIN).write_bytes(json_bytes)
    diags: list = []
    assert isinstance(load_config(root, diags), Config)


def test_the_line_of_a_key_is_found_below_its_table(tmp_path):
    _, messages = load(write(tmp_path / "v", "[topics]\nthreshold = 0.5\n[dupes]\nthreshold = 5\n"))
    assert messages == [".notes2anki.toml:4: error: dupes.threshold: should be 1 or less, got 5"]


def test_colliding_marker_words_are_a_configuration_error(tmp_path):
    """The tester's case: begin_note = end_note makes every card ambiguous; stop, naming both keys."""
    from notes2anki.config import load_config

    (tmp_path / ".notes2anki.toml").write_text('[syntax]\nbegin_note = "END"\n')
    diags = []
    load_config(tmp_path, diags)
    problems = [d for d in diags if d.severity == "error" and d.kind == "config"]
    assert len(problems) == 1
    assert problems[0].file == ".notes2anki.toml"
    assert problems[0].message.startswith('syntax.begin_note: "END" is the word end_note has by default;')
    assert problems[0].line == 2


def test_the_marker_words_are_declared_once(tmp_path):
    """Syntax holds each marker's default and plugin key; both files' tables are built from it, so a word
    renamed in either file (with the other file's words kept) reaches the parser, and a bad word is named."""
    from dataclasses import fields

    from notes2anki import config_schema as schema
    from notes2anki.config import PLUGIN_SYNTAX_KEYS, Syntax

    names = [f.name for f in fields(Syntax)]
    assert list(schema.SyntaxTable.model_fields) == names
    assert list(schema.PluginSyntax.model_fields) == names
    assert {f.alias for f in schema.PluginSyntax.model_fields.values()} == set(PLUGIN_SYNTAX_KEYS)
    assert schema.SyntaxTable().model_dump() == {f.name: f.default for f in fields(Syntax)}
    root = write(tmp_path / "v", '[syntax]\nend_note = "FIN"\n',
                 {"settings": {"Syntax": {"Begin Note": "DEBUT", "Frozen Fields Line": "GEL"}}})
    config, messages = load(root)
    assert messages == []
    assert (config.syntax.begin_note, config.syntax.end_note, config.syntax.frozen_fields_line) == \
        ("DEBUT", "FIN", "GEL")
    assert config.syntax.target_deck_line == "TARGET DECK"
    _, messages = load(write(tmp_path / "w", '[syntax]\nend_note = "  "\n'))
    assert any("syntax.end_note" in m for m in messages), messages


PYDANTIC_WORDS = ("Input should", "valid string", "valid integer", "valid number", "valid boolean", "valid list",
                  "valid dictionary", "after validation", "validation error", "type=", "pydantic", "instance of",
                  "greater than or equal", "less than or equal")


def test_no_message_speaks_pydantic_and_positions_count_from_1(tmp_path):
    """Every key of every table given wrong values of every TOML type: the messages name the key, the
    value and what is expected in plain words (tester 12-03), never pydantic's wording, and list positions
    count from 1."""
    from notes2anki import config_schema as schema

    wrong = ['"x"', "-5", "1.5", "true", "[[1]]", '["a", 2]', "{a = {b = 1}}", '[""]', "[]", '""']
    tables = {"": schema.TomlFile.model_fields, **{name: model.model_fields for name, model in schema.SECTIONS.items()},
              "syntax": schema.SyntaxTable.model_fields}
    seen = 0
    for table, keys in tables.items():
        for key in keys:
            if key in tables:
                continue
            for n, value in enumerate(wrong):
                root = write(tmp_path / f"{table}-{key}-{n}", (f"[{table}]\n" if table else "") + f"{key} = {value}\n")
                _, messages = load(root)
                for message in messages:
                    seen += 1
                    assert not any(word in message for word in PYDANTIC_WORDS), message
                    assert not re.search(r"\.\d+[.:,]", message.split(": error: ")[-1].split(": ")[0]), message
    assert seen > 100
    _, messages = load(write(tmp_path / "pos", 'ignore = ["a", "b", 3]\n'))
    assert messages == [".notes2anki.toml:1: error: ignore, entry 3: should be text in quotes (\"…\"), got 3"]
