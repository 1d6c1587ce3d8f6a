"""`notes2anki init`, `--version` and shell completion (issue 14)."""
from __future__ import annotations

import json
import subprocess
import tomllib

from click.testing import CliRunner

from notes2anki import __version__
from notes2anki.cli import main as cli_main
from notes2anki.config import PLUGIN_SETTINGS, load_config

from .terminal import cli_env, command

CARD = "START\nBasic\nQuestion {n}\nBack: Answer {n}\n<!--ID: 176806225{n:04d}-->\nEND\n"
PLUGIN = {
    "settings": {
        "Defaults": {"Deck": "Inbox", "Tag": "Obsidian_to_Anki", "CurlyCloze": True, "Add File Link": False},
        "CUSTOM_REGEXPS": {"Basic": r"^Q: (.+)\nA: (.+)$", "Cloze": ""},
        "FOLDER_DECKS": {"Spanish": "Languages::Spanish", "Old": ""},
        "FOLDER_TAGS": {"Spanish": "es vocab"},
        "IGNORED_FILE_GLOBS": ["Templates/**", "**/*.excalidraw.md"],
        "Syntax": {"Begin Note": "START_CARD", "End Note": "END_CARD"},
    },
    "fields_dict": {"Vocab": ["Word", "Meaning"], "Basic": ["Front", "Back"]},
}


def invoke(*args):
    return CliRunner().invoke(cli_main, [str(a) for a in args])


def test_init_suggests_a_deck_per_top_folder_and_writes_only_the_config(make_vault, helpers):
    root = make_vault({"Biology/Cell.md": CARD.format(n=1), "Biology/sub/Mito.md": CARD.format(n=2),
                       "History/Rome.md": "TARGET DECK: Rome\n\n" + CARD.format(n=3), "Loose.md": CARD.format(n=4),
                       ".trash/Old.md": CARD.format(n=5)})
    before = helpers.tree_digest(root)
    result = invoke("init", root)
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stdout and "1 top folder as decks" in " ".join(result.stdout.split())
    after = helpers.tree_digest(root)
    assert set(after) - set(before) == {".notes2anki.toml"}
    assert {k: v for k, v in after.items() if k != ".notes2anki.toml"} == before
    text = (root / ".notes2anki.toml").read_text("utf-8")
    data = tomllib.loads(text)
    assert data["folder_decks"] == {"Biology": "Biology"}  # History's card has its own deck: commented out
    assert '# "History" = "History"  # 1 card, 0 now in the default deck' in text
    assert ".trash" not in text
    assert "# Deck for notes without a TARGET DECK line" in text  # every key is explained
    config = load_config(root, [])
    assert config.folder_decks == {"Biology": "Biology"} and config.default_deck == "Default"
    assert config.ignore == ["**/*.excalidraw.md"]
    assert data["sanitize_html"] is False
    # skip_templates is left out: set in the file, it would silence the warning naming the skipped folders
    assert "skip_templates" not in data


def test_init_starts_from_the_plugin_settings(make_vault):
    root = make_vault({"Spanish/Words.md": CARD.format(n=1), PLUGIN_SETTINGS: json.dumps(PLUGIN)})
    result = invoke("init", root, "--stdout")
    assert result.exit_code == 0, result.output
    assert not (root / ".notes2anki.toml").exists()  # --stdout writes nothing
    data = tomllib.loads(result.stdout)
    assert data["default_deck"] == "Inbox" and data["default_tag"] == "Obsidian_to_Anki"
    assert data["curly_cloze"] is True and data["add_file_link"] is False
    assert data["ignore"] == ["Templates/**"]  # added to the default **/*.excalidraw.md
    assert data["custom_regexps"] == {"Basic": r"^Q: (.+)\nA: (.+)$"}
    assert data["folder_decks"] == {"Spanish": "Languages::Spanish"}
    assert data["folder_tags"] == {"Spanish": ["es", "vocab"]}
    assert data["note_types"] == {"Vocab": {"fields": ["Word", "Meaning"]}}
    assert data["syntax"] == {"begin_note": "START_CARD", "end_note": "END_CARD"}
    assert 'default_deck = "Inbox"  # from the plugin' in result.stdout
    # written, the file means what the plugin's settings meant
    (root / ".notes2anki.toml").write_text(result.stdout, encoding="utf-8")
    with_file = load_config(root, [])
    (root / ".notes2anki.toml").unlink()
    plugin_only = load_config(root, [])
    for key in ("default_deck", "default_tag", "curly_cloze", "ignore", "custom_regexps", "folder_decks",
                "folder_tags", "file_link_fields", "context_fields", "syntax"):
        assert getattr(with_file, key) == getattr(plugin_only, key), key
    assert ({k: v["fields"] for k, v in with_file.note_types.items()}
            == {k: v["fields"] for k, v in plugin_only.note_types.items()})


def test_init_writes_nothing_when_the_plugin_settings_cannot_all_be_read(make_vault):
    """Tester 12-03: one wrong value in data.json (`"CurlyCloze": "yes"`) and init wrote a file of defaults
    (`default_deck = "Default"`, `curly_cloze = false`) that, once data.json was fixed, overrode the plugin's
    `Deck` and cloze setting unseen. Now nothing is written (exit 2); --stdout still shows the suggestion."""
    bad = {"settings": {"Defaults": {"CurlyCloze": "yes", "Deck": "X"}}}
    root = make_vault({"a.md": CARD.format(n=1), PLUGIN_SETTINGS: json.dumps(bad)})
    result = invoke("init", root)
    assert result.exit_code == 2, result.output
    assert not (root / ".notes2anki.toml").exists()
    assert 'settings.Defaults.CurlyCloze: should be true or false, got "yes"' in result.output
    assert "not written: the plugin's settings could not all be read" in result.output
    shown = invoke("init", root, "--stdout")
    assert shown.exit_code == 1 and "default_deck" in shown.stdout and not (root / ".notes2anki.toml").exists()


def test_init_comments_say_where_a_value_came_from_in_one_sentence(make_vault):
    """A comment line ran into the origin's own `# …` (`# A note type of your Anki collection  # from the
    plugin: its fields, in order.`): the origin now reads inside each sentence, after a value as its comment."""
    root = make_vault({"Spanish/Words.md": CARD.format(n=1), PLUGIN_SETTINGS: json.dumps(PLUGIN)})
    result = invoke("init", root, "--stdout")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert tomllib.loads(text)["note_types"] == {"Vocab": {"fields": ["Word", "Meaning"]}}
    assert "# A note type of your Anki collection (from the plugin): its fields, in order.\n" in text
    assert "# Folder → deck; subfolders inherit, the innermost folder wins. (From the plugin.)\n[folder_decks]" in text
    assert "# Folder → tags added to its cards; subfolders inherit. (From the plugin.)\n[folder_tags]" in text
    assert "# Marker words of the card syntax, renamed (from the plugin).\n" in text
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert not [line for line in comments if "# from the" in line], text  # never a second `#` in a sentence
    assert 'default_deck = "Inbox"  # from the plugin' in text  # after a value it stays a trailing comment


def test_init_never_overwrites_without_force(make_vault):
    root = make_vault({"a.md": CARD.format(n=1), ".notes2anki.toml": 'default_deck = "Mine"\n'})
    result = invoke("init", root)
    assert result.exit_code == 2
    assert "exists already" in result.stderr and "--force" in result.stderr
    assert (root / ".notes2anki.toml").read_text("utf-8") == 'default_deck = "Mine"\n'
    result = invoke("init", root, "--force")
    assert result.exit_code == 0
    text = (root / ".notes2anki.toml").read_text("utf-8")  # rewritten, commented, keeping the values set
    assert 'default_deck = "Mine"  # from the previous .notes2anki.toml' in text
    assert tomllib.loads(text)["default_deck"] == "Mine" and "# Tag added to every card" in text


def test_init_in_the_current_folder(make_vault, monkeypatch):
    root = make_vault({"a.md": CARD.format(n=1)})
    monkeypatch.chdir(root)
    assert invoke("init").exit_code == 0
    assert (root / ".notes2anki.toml").is_file()


def test_version():
    for flag in ("--version", "-V"):
        result = invoke(flag)
        assert result.exit_code == 0 and result.output == f"notes2anki, version {__version__}\n"


def test_bash_completion_script_and_completions():
    env = cli_env(_NOTES2ANKI_COMPLETE="bash_source")
    script = subprocess.run(command(), capture_output=True, text=True, env=env, timeout=120)
    assert script.returncode == 0 and "_notes2anki_completion" in script.stdout
    env = cli_env(_NOTES2ANKI_COMPLETE="bash_complete", COMP_WORDS="notes2anki re", COMP_CWORD="1")
    words = subprocess.run(command(), capture_output=True, text=True, env=env, timeout=120)
    assert words.stdout.split() == ["plain,related", "plain,report"]


def test_init_force_keeps_vault_name_and_the_old_file_as_a_backup(make_vault):
    """Tester U3: `init --force` dropped `vault_name` (every obsidian:// link then opened a vault that does
    not exist) and the user's comments, keeping no copy of the replaced file."""
    old = '# vault is called "Uni 2026" in Obsidian\nvault_name = "Uni 2026"\nskip_templates = false\n'
    root = make_vault({"a.md": CARD.format(n=1), ".notes2anki.toml": old})
    result = invoke("init", root, "--force")
    assert result.exit_code == 0, result.output
    data = tomllib.loads((root / ".notes2anki.toml").read_text("utf-8"))
    assert data["vault_name"] == "Uni 2026" and data["skip_templates"] is False
    assert (root / ".notes2anki.toml.bak").read_text("utf-8") == old
    assert ".notes2anki.toml.bak" in result.output
    fresh = make_vault({"a.md": CARD.format(n=1)}, name="fresh")  # nothing set: neither key written
    assert invoke("init", fresh).exit_code == 0
    assert not {"vault_name", "skip_templates"} & set(tomllib.loads((fresh / ".notes2anki.toml").read_text("utf-8")))
    assert not (fresh / ".notes2anki.toml.bak").exists()


def test_init_comments_out_field_entries_of_note_types_the_vault_does_not_have(make_vault):
    """Tester 12-03 (FIT-Statnice): the plugin's FILE_LINK_FIELDS name every note type Anki has; `init` copied
    all 57, and `check` then warned for each ("no note type …; not used"), where the plugin's own file gave
    no warning. Entries for note types the vault's settings do not know are written commented out."""
    plugin = json.loads(json.dumps(PLUGIN))
    plugin["settings"]["FILE_LINK_FIELDS"] = {"Basic": "Front", "2 Phonogram-x1": "Word"}
    # the field Anki's Basic has there (SAM-yuan-shan's vault: "Obsidian Context"), notes2anki's does not
    plugin["settings"]["CONTEXT_FIELDS"] = {"Ghost type": "Text", "Basic": "Obsidian Context"}
    root = make_vault({"Spanish/Words.md": CARD.format(n=1), PLUGIN_SETTINGS: json.dumps(plugin)})
    result = invoke("init", root)
    assert result.exit_code == 0, result.output
    text = (root / ".notes2anki.toml").read_text("utf-8")
    assert '# "2 Phonogram-x1" = "Word"  # no such note type here' in text
    assert '# "Ghost type" = "Text"  # no such note type here' in text
    assert '# "Basic" = "Obsidian Context"  # notes2anki\'s Basic has no such field (Front, Back)' in text
    assert tomllib.loads(text)["file_link_fields"]["Basic"] == "Front"
    checked = invoke("check", root)
    assert "no note type" not in checked.output and "has no field" not in checked.output, checked.output
