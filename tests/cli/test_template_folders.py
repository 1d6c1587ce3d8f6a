"""Obsidian's template folders (core Templates: .obsidian/templates.json "folder"; Templater: its data.json
"templates_folder"): their skeleton cards ({{title}}, <% tp.file.title %>) are not built, not reported as
duplicates, not in topics, get no ID; one warning per folder says so unless skip_templates is set;
skip_templates = false builds them as the Obsidian_to_Anki plugin does (RESULTS.md F15)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from notes2anki.cli import main

SKELETON = "START\nBasic\nWhat is {{title}}?\nBack: {{title}} is …\nEND\n"
FILES = {
    ".obsidian/templates.json": json.dumps({"folder": "Templates", "dateFormat": "YYYY-MM-DD"}),
    ".obsidian/plugins/templater-obsidian/data.json": json.dumps({"templates_folder": "/Meta/Templater/"}),
    "Templates/Concept.md": "# {{title}}\n\n" + SKELETON,
    "Templates/Concept (short).md": SKELETON,  # the same card: an exact duplicate if built
    "Meta/Templater/Vocab.md": ("---\ncreated: <% tp.date.now() %>\n---\nSTART\nBasic\n<% tp.file.title %>\n"
                                "Back: <% tp.file.cursor(1) %>\nEND\n\nSTART\nBasic\n<% tp.file.cursor(2) %>\n"),
    "Biology/Mitosis.md": "START\nBasic\nWhat is mitosis?\nBack: Division of a cell into two identical cells\nEND\n",
    "Networking/TCP.md": ("START\nBasic\nWhich transport protocol retransmits lost segments?\nBack: TCP\nEND\n\n"
                          "START\nBasic\nWhat does DNS resolve?\nBack: Names to IP addresses\nEND\n"),
    "Templates folder notes.md": "START\nBasic\nWhere do templates live?\nBack: In Templates/\nEND\n",
}
REAL_FRONTS = ["What does DNS resolve?", "What is mitosis?", "Where do templates live?",
               "Which transport protocol retransmits lost segments?"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_build_leaves_template_cards_out_and_says_so_once_per_folder(make_vault, tmp_path, anki_import, helpers):
    root = make_vault(FILES)
    apkg = tmp_path / "deck.apkg"
    result = run("build", root, "-o", apkg, "--no-dupes")
    assert result.exit_code == 0, result.output  # the unclosed card in the Templater template is no error
    said = [line for line in result.output.splitlines() if "template folder" in line]
    assert said == [
        "Meta/Templater: warning: template folder (named in .obsidian/plugins/templater-obsidian/data.json): 1 card "
        "in 1 note not built and 1 problem in its notes not reported; set skip_templates = false in "
        ".notes2anki.toml to build its cards, or skip_templates = true to skip them without this message",
        "Templates: warning: template folder (named in .obsidian/templates.json): 2 cards in 2 notes not built; "
        "set skip_templates = false in .notes2anki.toml to build its cards, or skip_templates = true to skip "
        "them without this message"], result.output
    imported = anki_import(apkg)
    assert sorted(n.fields[0] for n in imported.notes()) == REAL_FRONTS

    before = helpers.tree_digest(root)  # ids stamps no ID into a template
    ids = run("ids", root)
    assert ids.exit_code == 0, ids.output
    after = helpers.tree_digest(root)
    changed = {rel for rel in after if after[rel] != before[rel]}
    assert changed == {"Biology/Mitosis.md", "Networking/TCP.md", "Templates folder notes.md"}


def test_skip_templates_true_is_silent_and_false_builds_them_as_the_plugin_does(make_vault, tmp_path, anki_import):
    root = make_vault({**FILES, ".notes2anki.toml": "skip_templates = true\n"})
    result = run("build", root, "-o", tmp_path / "a.apkg", "--no-dupes")
    assert result.exit_code == 0 and "template folder" not in result.output, result.output
    assert sorted(n.fields[0] for n in anki_import(tmp_path / "a.apkg").notes()) == REAL_FRONTS

    (root / ".notes2anki.toml").write_text("skip_templates = false\n", "utf-8")
    result = run("build", root, "-o", tmp_path / "b.apkg", "--no-dupes")
    assert result.exit_code == 1 and "template folder" not in result.output  # the unclosed card: an error
    assert "Meta/Templater/Vocab.md:10: error" in result.output
    fronts = sorted(n.fields[0] for n in anki_import(tmp_path / "b.apkg").notes())
    assert fronts == sorted([*REAL_FRONTS, "What is {{title}}?", "What is {{title}}?", "&lt;% tp.file.title %&gt;"])


def test_a_root_or_outside_folder_setting_skips_nothing(make_vault, tmp_path, anki_import):
    for folder in ("/", "", "../elsewhere", "."):
        root = make_vault({**FILES, ".obsidian/templates.json": json.dumps({"folder": folder}),
                           ".obsidian/plugins/templater-obsidian/data.json": "not json"}, name=f"v{len(folder)}")
        result = run("build", root, "-o", tmp_path / "c.apkg", "--no-dupes")
        said = " ".join(result.output.split()).replace("is named like a template folder", "")  # (template-like: built)
        assert "template folder" not in said, (folder, result.output)
        assert "What is {{title}}?" in [n.fields[0] for n in anki_import(tmp_path / "c.apkg").notes()]


@pytest.mark.parametrize("skip", [True, False])
def test_dupes_and_topics_see_no_template_card(make_vault, skip):
    root = make_vault({**FILES, ".notes2anki.toml": f"skip_templates = {str(skip).lower()}\n"})
    dupes = run("dupes", root, "--json")
    assert dupes.exit_code in (0, 1), dupes.output
    data = json.loads(dupes.stdout)
    paired = {card["file"] for pair in data["pairs"] for card in (pair["a"], pair["b"])}
    if skip:
        assert not any(f.startswith(("Templates/", "Meta/")) for f in paired), data["pairs"]
        assert data["cards_checked"] == 4
    else:  # what the plugin's behaviour gives: the two skeletons are an exact pair
        assert {"Templates/Concept.md", "Templates/Concept (short).md"} <= paired
    topics = run("topics", root, "--json")
    assert topics.exit_code in (0, 1), topics.output
    files = {c["file"] for t in json.loads(topics.stdout)["topics"] for c in t["cards"]}
    files |= {c["file"] for c in json.loads(topics.stdout)["unassigned"]}
    assert any(f.startswith("Templates/") for f in files) is not skip


def test_related_never_suggests_a_template_of_either_plugin(make_vault):
    root = make_vault(FILES)
    result = run("related", root, "--all", "--json", "--min-score", "-1")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["notes"]
    named = {row["note"] for row in rows if row["suggestions"]}
    named |= {s["note"] for row in rows for s in row["suggestions"]}
    assert named and not any(n.startswith(("Templates/", "Meta/Templater/")) for n in named), rows


def test_settings_nested_too_deeply_are_as_if_absent_not_a_crash(make_vault, tmp_path, anki_import):
    # tester 19:35 F1: a 2 KB templates.json of nested arrays made every command an internal error
    deep = '{"folder": ' + "[" * 1000 + "]" * 1000 + "}"
    root = make_vault({**FILES, ".obsidian/templates.json": deep,
                       ".obsidian/plugins/templater-obsidian/data.json": "[" * 100_000 + "]" * 100_000})
    result = run("build", root, "-o", tmp_path / "d.apkg", "--no-dupes")
    # read as no settings: the templates are built, and the Templater skeleton's unclosed card is an error
    assert result.exit_code == 1 and "internal error" not in result.output, result.output
    assert "Meta/Templater/Vocab.md:10: error: START has no END" in result.output
    assert "What is {{title}}?" in [n.fields[0] for n in anki_import(tmp_path / "d.apkg").notes()]


def test_a_template_folder_named_through_a_symlink_is_still_skipped(make_vault, tmp_path, anki_import):
    # tester 19:35 F4: the walker reads a linked folder under its real path; the setting names the link
    root = make_vault({k: v for k, v in FILES.items() if "templater" not in k and not k.startswith("Meta/")})
    (root / "Tlink").symlink_to("Templates", target_is_directory=True)
    (root / ".obsidian/templates.json").write_text(json.dumps({"folder": "Tlink"}), "utf-8")
    result = run("build", root, "-o", tmp_path / "e.apkg", "--no-dupes")
    assert result.exit_code == 0, result.output
    assert "template folder (named in .obsidian/templates.json): 2 cards in 2 notes not built" in result.output
    assert sorted(n.fields[0] for n in anki_import(tmp_path / "e.apkg").notes()) == REAL_FRONTS


def test_a_fifo_for_the_daily_notes_settings_is_no_hang(make_vault):
    # tester 19:35 F2: related read .obsidian/daily-notes.json with read_text (a FIFO blocked for ever)
    import os

    root = make_vault(FILES)
    os.mkfifo(root / ".obsidian" / "daily-notes.json")
    result = run("related", root, "Biology/Mitosis.md", "--json")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["note"] == "Biology/Mitosis.md"


@pytest.mark.parametrize("name", ["#Templates", "[Tpl] Templates", "!Templates"])
def test_related_leaves_out_a_template_folder_whose_name_has_pattern_characters(make_vault, name):
    # tester 19:35 F9: the folder became the unescaped pattern "#Templates/" (a comment), "[Tpl]…" (a class)
    files = {(name + k[len("Templates"):] if k.startswith("Templates/") else k): v for k, v in FILES.items()}
    root = make_vault({**files, ".obsidian/templates.json": json.dumps({"folder": name}),
                       "Notes/Templates/Kept.md": "Mitosis and cell division in general.\n"})
    result = run("related", root, "--all", "--json", "--min-score", "-1")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["notes"]
    named = {row["note"] for row in rows if row["suggestions"]} | {s["note"] for row in rows for s in row["suggestions"]}
    assert not any(n.startswith(name + "/") for n in named), rows
    assert "Notes/Templates/Kept.md" in named  # anchored: a deeper folder of the same name is not a template folder


def test_a_template_folder_typed_composed_matches_its_decomposed_name_on_disk(make_vault, tmp_path, anki_import):
    # tester 19:35 F10: {"folder": "Šablony"} (NFC, as typed) and the folder kept decomposed (NFD, as macOS does)
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Šablony")
    files = {(nfd + k[len("Templates"):] if k.startswith("Templates/") else k): v for k, v in FILES.items()
             if "templater" not in k and not k.startswith("Meta/")}
    root = make_vault({**files, ".obsidian/templates.json": json.dumps({"folder": "Šablony"}, ensure_ascii=False)})
    result = run("build", root, "-o", tmp_path / "f.apkg", "--no-dupes")
    assert result.exit_code == 0, result.output
    assert "2 cards in 2 notes not built" in result.output
    assert sorted(n.fields[0] for n in anki_import(tmp_path / "f.apkg").notes()) == REAL_FRONTS
