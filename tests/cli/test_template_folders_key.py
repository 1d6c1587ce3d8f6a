"""Template folders the Obsidian settings do not name (tester r8; real vaults FIT-Statnice `Templates/`,
Economics-Undergraduate-Notes `06-Templates/`): the `.notes2anki.toml` key `template_folders` makes them
template folders like the settings-named ones; `init` writes a folder named like templates there instead of
proposing it as a deck; `ids` writes no ID into such a folder while the key is unset. Nothing is skipped by
a folder's name alone: `build` still builds its cards."""
from __future__ import annotations

import unicodedata

from click.testing import CliRunner

from notes2anki.cli import main
from notes2anki.config import load_config
from notes2anki.parsers import load_vault

SKELETON = "START\nBasic\n\nQUESTION\n\nBack:\n\nANSWER\n\nEND\n"  # r8's card skeleton
ATP = "TARGET DECK: Bio\n\nSTART\nBasic\nWhat is ATP?\nBack: energy currency\nEND\n"
R8 = {"Templates/Card skeleton.md": SKELETON, "Notes/ATP.md": ATP, ".obsidian/app.json": "{}"}
WARNING = ("template folder (named in .notes2anki.toml template_folders): 1 card in 1 note not built; remove "
           "\"Templates\" from template_folders in .notes2anki.toml to build its cards, or set skip_templates = "
           "true to skip them without this message")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def make_notes_from_template(root, *names):
    """What Obsidian's "insert template" does: a new note with the template's text, its slots filled."""
    skeleton = (root / "Templates" / "Card skeleton.md").read_text("utf-8")
    for name in names:
        (root / "Notes" / f"{name}.md").write_text(
            skeleton.replace("QUESTION", f"What is {name}?").replace("ANSWER", "a cell division"), "utf-8")


def fronts(apkg, anki_import):
    return sorted(n.fields[0] for n in anki_import(apkg).notes())


def test_r8_init_suggests_template_folders_not_a_deck_and_ids_then_leaves_the_template_alone(
        make_vault, tmp_path, anki_import):
    root = make_vault(R8)
    result = run("init", root)
    assert result.exit_code == 0, result.output
    assert "Named like template folders, so listed under template_folders" in result.output
    assert "Templates (1 card)" in result.output
    text = (root / ".notes2anki.toml").read_text("utf-8")
    assert 'template_folders = [\n  "Templates",  # 1 card in 1 note\n]\n' in text
    assert '"Templates" = "Templates"' not in text  # not proposed as a deck
    assert '# "Notes" = "Notes"  # 1 card, 0 now in the default deck' in text
    assert "If one holds real cards, remove it" in text

    ids = run("ids", root)
    assert ids.exit_code == 0, ids.output
    assert (root / "Templates" / "Card skeleton.md").read_text("utf-8") == SKELETON  # no ID in the template
    assert "<!--ID: " in (root / "Notes" / "ATP.md").read_text("utf-8")

    make_notes_from_template(root, "Mitosis", "Meiosis")
    check = run("check", root)
    assert check.exit_code == 0, check.output
    assert "duplicate-id" not in check.output and "Templates: warning: " + WARNING in check.output
    ids = run("ids", root)
    assert ids.exit_code == 0 and (root / "Templates" / "Card skeleton.md").read_text("utf-8") == SKELETON
    build = run("build", root, "-o", tmp_path / "a.apkg", "--no-dupes")
    assert build.exit_code == 0, build.output
    assert fronts(tmp_path / "a.apkg", anki_import) == ["What is ATP?", "What is Meiosis?", "What is Mitosis?"]


def test_r8_without_the_key_ids_writes_no_id_into_a_folder_named_like_templates_and_says_what_to_add(make_vault):
    root = make_vault(R8)
    ids = run("ids", root)
    assert ids.exit_code == 0, ids.output  # a warning; the other notes get their IDs
    assert (root / "Templates" / "Card skeleton.md").read_text("utf-8") == SKELETON
    assert "<!--ID: " in (root / "Notes" / "ATP.md").read_text("utf-8")
    said = [line for line in ids.output.splitlines() if line.startswith("Templates/")]
    assert said == [
        "Templates/Card skeleton.md:1: warning: no ID written to 1 card of this note: it is in Templates, whose "
        "name says it holds templates, and an ID written into a template is copied into every note made from "
        "it (their cards would share it: duplicate-id). If it is one, add template_folders = [\"Templates\"] to "
        ".notes2anki.toml (its cards are then not built); if its notes are real cards, add template_folders = "
        "[] (ids then writes their IDs)"], ids.output

    make_notes_from_template(root, "Mitosis", "Meiosis")
    check = run("check", root)
    assert check.exit_code == 0 and "duplicate-id" not in check.output, check.output

    # template_folders = [] says "no folder of this vault holds templates": ids writes into it, as asked
    (root / ".notes2anki.toml").write_text("template_folders = []\n", "utf-8")
    ids = run("ids", root)
    assert ids.exit_code == 0 and "Templates/Card skeleton.md" in ids.output, ids.output
    assert "<!--ID: " in (root / "Templates" / "Card skeleton.md").read_text("utf-8")


def test_a_templates_folder_of_real_cards_is_built_when_nothing_is_set(make_vault, tmp_path, anki_import):
    cpp = "START\nBasic\nWhat does SFINAE stand for?\nBack: Substitution failure is not an error\nEND\n"
    root = make_vault({"C++/Templates/SFINAE.md": cpp, "Templates/Variadic.md": cpp.replace("SFINAE stand for",
                                                                                          "a variadic template take")})
    build = run("build", root, "-o", tmp_path / "b.apkg", "--no-dupes")
    assert build.exit_code == 0, build.output
    said = " ".join(build.output.split())  # built, and said once per folder (tester B r8): the line to add
    assert said.count("is named like a template folder") == 2 and "add template_folders = []" in said
    assert fronts(tmp_path / "b.apkg", anki_import) == ["What does SFINAE stand for?",
                                                        "What does a variadic template take?"]
    # the user says which folder holds templates (none): ids then writes every ID, build is unchanged and quiet
    (root / ".notes2anki.toml").write_text("template_folders = []\n", "utf-8")
    again = run("build", root, "-o", tmp_path / "b.apkg", "--no-dupes")
    assert again.exit_code == 0 and "template folder" not in again.output, again.output
    ids = run("ids", root)
    assert ids.exit_code == 0 and "warning" not in ids.output, ids.output
    assert all("<!--ID: " in p.read_text("utf-8") for p in root.rglob("*.md"))


def test_init_suggests_the_outermost_folder_named_like_templates_at_any_depth(make_vault):
    card = "START\nBasic\nFront {{title}}\nBack: x\nEND\n"
    root = make_vault({"06-Templates/Daily/Book.md": card, "Notes/Templates (old)/A.md": card,
                       "Notes/Real.md": "START\nBasic\nReal?\nBack: yes\nEND\n", "Templates/Empty.md": "# no card\n"})
    result = run("init", root, "--stdout")
    assert result.exit_code == 0, result.output
    assert ('template_folders = [\n  "06-Templates",  # 1 card in 1 note\n  "Notes/Templates (old)",  # 1 card in '
            '1 note\n]\n') in result.output
    assert '"Notes" = "Notes"  # 1 card, 1 now in the default deck' in result.output  # its template left out
    assert '"06-Templates" =' not in result.output
    # nothing named like templates: the key is described, as a commented example
    plain = make_vault({"Notes/Real.md": "START\nBasic\nReal?\nBack: yes\nEND\n"}, name="plain")
    assert '\n# template_folders = ["Templates"]\n' in run("init", plain, "--stdout").output


def test_init_keeps_a_template_folders_value_set_before(make_vault):
    root = make_vault({**R8, ".notes2anki.toml": "template_folders = []\n"})
    result = run("init", root, "--force")
    assert result.exit_code == 0 and "Named like template folders" not in result.output, result.output
    text = (root / ".notes2anki.toml").read_text("utf-8")
    assert "template_folders = []  # from the previous .notes2anki.toml\n" in text
    assert '"Templates" = "Templates"' in text  # the user said it holds real cards: a deck, as before


def test_the_key_is_validated_like_the_other_folder_keys_with_lines(make_vault):
    root = make_vault({**R8, "Other/n.md": "x\n", ".notes2anki.toml": (
        'default_deck = "D"\ntemplate_folders = [\n  "./Templates/",\n  "Nope",\n  "",\n  ".",\n  "../x",\n'
        '  "Templates",\n  "Other\\\\",\n]\n')})
    diags = []
    config = load_config(root, diags)
    assert config.template_folders == ["Templates", "Other"]
    assert [(d.file, d.line, d.severity, d.message) for d in diags] == [
        (".notes2anki.toml", 4, "warning", 'template_folders, entry 2: "Nope" is not a folder of the vault; not used'),
        (".notes2anki.toml", 5, "warning", "template_folders, entry 3: an empty folder name; not used"),
        (".notes2anki.toml", 6, "warning",
         'template_folders, entry 4: "." is the whole vault, not a folder of templates; not used'),
        (".notes2anki.toml", 7, "warning", 'template_folders, entry 5: "../x" leaves the vault; not used'),
        (".notes2anki.toml", 8, "warning", "template_folders, entry 6: names the same folder as template_folders, "
                                           "entry 1")]
    check = run("check", root)
    assert check.exit_code == 0 and ".notes2anki.toml:4: warning: template_folders, entry 2" in check.output
    # under [build] too, and a value of the wrong type stops the commands (exit 2) at its line
    (root / ".notes2anki.toml").write_text('[build]\ntemplate_folders = ["Gone"]\n', "utf-8")
    diags = []
    assert load_config(root, diags).template_folders == []
    assert [(d.line, d.message) for d in diags] == [(2, 'template_folders, entry 1: "Gone" is not a folder of the '
                                                        'vault; not used')]
    (root / ".notes2anki.toml").write_text('template_folders = "Templates"\n', "utf-8")
    check = run("check", root)
    assert check.exit_code == 2 and ".notes2anki.toml:1: error: template_folders:" in check.output, check.output


def test_a_configured_folder_typed_composed_matches_its_decomposed_name_and_is_left_out_of_related(make_vault):
    nfd = unicodedata.normalize("NFD", "Šablony")
    root = make_vault({f"{nfd}/Card skeleton.md": SKELETON, "Notes/ATP.md": ATP,
                       ".notes2anki.toml": 'template_folders = ["%s"]\n' % unicodedata.normalize("NFC", "Šablony")})
    diags = []
    config = load_config(root, diags)
    assert diags == [] and config.template_folders == ["Šablony"]
    vault = load_vault(root, config)
    assert [c.file for c in vault.cards] == ["Notes/ATP.md"]
    assert any("template folder (named in .notes2anki.toml template_folders): 1 card in 1 note" in d.message
               for d in vault.diagnostics)
    from notes2anki.semantic.related_exclusion import excluded_notes

    left = excluded_notes(vault)
    assert left == {f"{nfd}/Card skeleton.md": f"it is in the template folder {nfd} (named in .notes2anki.toml "
                                               "template_folders)"}, left


def test_skip_templates_false_builds_configured_folders_too(make_vault, tmp_path, anki_import):
    root = make_vault({**R8, ".notes2anki.toml": 'template_folders = ["Templates"]\nskip_templates = false\n'})
    build = run("build", root, "-o", tmp_path / "c.apkg", "--no-dupes")
    assert build.exit_code == 0 and "template folder" not in build.output, build.output
    assert fronts(tmp_path / "c.apkg", anki_import) == ["QUESTION", "What is ATP?"]
