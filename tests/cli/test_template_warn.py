"""Tester 3 (r10, r11): the `ids` warning for folders named like templates names every such folder in the one
line to add, and a `template_folders` entry that names no folder (a case typo) gets a "did you mean" and
does not turn that protection off."""
from __future__ import annotations

from click.testing import CliRunner

from notes2anki.cli import main

SKELETON = "START\nBasic\nWhat is {{title}}?\nBack: y\nEND\n"
ATP = "START\nBasic\nWhat is ATP?\nBack: energy\nEND\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_r10_two_folders_named_like_templates_each_warning_names_both_in_the_line_to_add(make_vault):
    root = make_vault({"06-Templates/Card.md": SKELETON, "Templates/Card skeleton.md": SKELETON,
                       "Bio/ATP.md": ATP})
    ids = run("ids", root, "--dry-run")
    assert ids.exit_code == 0, ids.output
    warned = [line for line in ids.output.splitlines() if "whose name says it holds templates" in line]
    assert [w.split(":", 1)[0] for w in warned] == ["06-Templates/Card.md", "Templates/Card skeleton.md"]
    assert all('add template_folders = ["06-Templates", "Templates"] to .notes2anki.toml' in w for w in warned)
    # following that line: neither template gets an ID
    (root / ".notes2anki.toml").write_text('template_folders = ["06-Templates", "Templates"]\n', "utf-8")
    ids = run("ids", root)
    assert ids.exit_code == 0, ids.output
    assert (root / "Templates/Card skeleton.md").read_text("utf-8") == SKELETON
    assert (root / "06-Templates/Card.md").read_text("utf-8") == SKELETON
    assert "<!--ID: " in (root / "Bio/ATP.md").read_text("utf-8")


def test_r11_a_case_typo_in_template_folders_gets_did_you_mean_and_keeps_the_name_guess(make_vault):
    root = make_vault({"Templates/Card skeleton.md": SKELETON, "Bio/ATP.md": ATP,
                       ".notes2anki.toml": 'template_folders = ["templates"]\n'})
    check = run("check", root)
    assert ('.notes2anki.toml:1: warning: template_folders, entry 1: "templates" is not a folder of the vault '
            '(did you mean "Templates"? names are matched with their case); not used') in check.output
    ids = run("ids", root)
    assert ids.exit_code == 0, ids.output
    assert (root / "Templates/Card skeleton.md").read_text("utf-8") == SKELETON  # not stamped
    assert "<!--ID: " in (root / "Bio/ATP.md").read_text("utf-8")
    assert ("has an entry that names no folder of the vault (see its warning), so folders named like templates "
            'are still left out. If it is one, set template_folders = ["Templates"] in .notes2anki.toml') in ids.output
    # fixed: the key is the whole answer again
    (root / ".notes2anki.toml").write_text('template_folders = ["Templates"]\n', "utf-8")
    ids = run("ids", root)
    assert ids.exit_code == 0 and "warning: no ID" not in ids.output, ids.output
    assert (root / "Templates/Card skeleton.md").read_text("utf-8") == SKELETON


def test_a_did_you_mean_also_for_another_unicode_form_and_case_in_a_nested_folder(make_vault):
    root = make_vault({"Café/Vorlagen/T.md": SKELETON,
                       ".notes2anki.toml": 'template_folders = ["cafe\u0301/vorlagen"]\n'})
    check = run("check", root)
    assert '(did you mean "Café/Vorlagen"? names are matched with their case)' in check.output, check.output


def test_r10_init_proposes_a_folder_of_real_cards_named_like_templates_as_a_deck(make_vault):
    sfinae = "START\nBasic\nWhat is SFINAE?\nBack: Substitution failure is not an error\nEND\n"
    root = make_vault({"06-Templates/Card.md": "START\nBasic\nWhat is ?\nBack: \nEND\n",  # its name: a template folder
                       "Vorlagen-Templates/Karte.md": "START\nBasic\nWas ist <% tp.file.title %>?\nBack: x\nEND\n",
                       "Daily templates/Day.md": "date: {{date:YYYY-MM-DD}}\nSTART\nBasic\nQ\nBack: x\nEND\n",
                       "CS/C++ templates/SFINAE.md": sfinae, "Bio/ATP.md": ATP})
    out = run("init", root, "--stdout").output
    assert ('template_folders = [\n  "06-Templates",  # 1 card in 1 note\n  "Daily templates",  # 1 card in 1 note\n'
            '  "Vorlagen-Templates",  # 1 card in 1 note\n]\n') in out, out
    assert '\n#   "CS/C++ templates"\n' in out and '\n"CS" = "CS"  # 1 card, 1 now in the default deck' in out
    # only real cards named like templates: init writes template_folders = [] (ids then stamps them, as judged)
    only = make_vault({"CS/C++ templates/SFINAE.md": sfinae}, name="only")
    out = run("init", only, "--stdout").output
    assert '#   "CS/C++ templates"\ntemplate_folders = []\n' in out, out
    assert run("init", only).exit_code == 0
    ids = run("ids", only)
    assert ids.exit_code == 0 and "warning" not in ids.output, ids.output
    assert "<!--ID: " in (only / "CS/C++ templates/SFINAE.md").read_text("utf-8")


def test_the_rule_for_a_name_that_is_just_templates():
    from notes2anki.template_folders import templates_folder_name

    assert all(templates_folder_name(n) for n in ("Templates", "06-Templates", "_templates", "99 Template", "TEMPLATES"))
    assert not any(templates_folder_name(n) for n in ("C++ templates", "Vorlagen-Templates", "Templates (old)"))


def test_r15_config_messages_name_every_key_path_in_toml_form(make_vault):
    root = make_vault({"sub/n.md": ATP, "a.b/x.md": "x\n", ".notes2anki.toml": (
        '[folder_decks]\n"./sub" = 7\n"a.b" = 8\n"sub dir" = 9\n"2024" = 10\n')})
    out = run("check", root).output
    assert '.notes2anki.toml:2: error: folder_decks."./sub": should be text in quotes' in out, out
    assert '.notes2anki.toml:3: error: folder_decks."a.b": should be text in quotes' in out
    assert '.notes2anki.toml:4: error: folder_decks."sub dir": should be text in quotes' in out
    assert '.notes2anki.toml:5: error: folder_decks.2024: should be text in quotes' in out  # a key, not entry 2025


def test_r15_a_key_of_another_table_says_where_it_belongs(make_vault):
    root = make_vault({"n.md": ATP, ".notes2anki.toml": (
        'vault_id = "Old"\nk = 3\n[build]\nthreshold = 0.5\n[sync]\ndefault_deck = "x"\n')})
    out = run("check", root).output
    assert ('.notes2anki.toml:1: warning: vault_id: unknown key; ignored (it belongs under [sync]: [sync] vault_id)'
            in out), out
    assert "k: unknown key; ignored (it belongs under [related] or [topics]: [related] k, [topics] k)" in out
    assert "build.threshold: unknown key; ignored (it belongs under [dupes] or [topics]: [dupes] threshold, [topics] threshold)" in out
    assert "sync.default_deck: unknown key; ignored (it belongs at the top level (or [build]))" in out
