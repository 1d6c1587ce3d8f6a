"""Tester findings of 01:20 on the CLI: each case with its minimal input and the right behaviour."""
from __future__ import annotations

import os
import time

from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.fileio import TEMP_SUFFIX, atomic_write, remove_stale_temp_files, temp_prefix

NOTE = "START\nBasic\nlong name q\nBack: x\nEND\n"


# -- S2: a note or package whose name is long but valid (≤ 255 bytes) could not be written ----------------------
def test_ids_and_build_write_files_whose_names_are_long_but_valid(make_vault, tmp_path, anki_import):
    """`ids` on a note named with 80 Japanese characters (243 bytes) said "not written: File name too long":
    the temp file `.NAME.XXXXXXXX.notes2anki-tmp` adds 25 bytes to the name. `build -o` such a name: exit 2."""
    name = "あ" * 80 + ".md"
    assert len(name.encode("utf-8")) == 243
    root = make_vault({name: NOTE})
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    assert "<!--ID: " in (root / name).read_text("utf-8")
    out = tmp_path / ("い" * 80 + ".apkg")
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes", "-q"])
    assert result.exit_code == 0, result.output
    assert "long name q" in anki_import(out).note("long name").fields[0]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []


def test_a_long_names_stale_temp_files_are_still_its_own(tmp_path):
    """The shortened temp prefix still names one target: a killed write's temp file is removed by the next
    write of that target only, and every temp name fits in 255 bytes."""
    long_a, long_b = "あ" * 80 + "a.md", "あ" * 80 + "b.md"
    assert temp_prefix("short.md") == ".short.md."
    assert temp_prefix(long_a) != temp_prefix(long_b)
    assert len(os.fsencode(temp_prefix(long_a))) + 8 + len(TEMP_SUFFIX) <= 255
    stale_a = tmp_path / f"{temp_prefix(long_a)}abcd1234{TEMP_SUFFIX}"
    stale_b = tmp_path / f"{temp_prefix(long_b)}abcd1234{TEMP_SUFFIX}"
    for path in (stale_a, stale_b):
        path.write_bytes(b"half")
        os.utime(path, (time.time() - 3600,) * 2)
    atomic_write(tmp_path / long_a, b"new")
    assert (tmp_path / long_a).read_bytes() == b"new"
    assert not stale_a.exists() and stale_b.exists()
    assert remove_stale_temp_files([tmp_path]) == [stale_b]  # the vault-wide clean-up knows the shape too


# -- S4: a cloze numbered above Anki's limit made Anki refuse the whole package -------------------------------------
def test_a_cloze_number_above_ankis_limit_skips_that_card_only(make_vault, tmp_path, anki_import):
    """`{{c100000::x}}`: build exit 0, then Anki's import failed whole (IntegralValueOutOfRange: nothing
    imported, not the other card either); `{{c999…9::x}}` (21 digits) ended build in an internal
    OverflowError. Now an error at the card's line (check too), the card skipped, the rest imported."""
    root = make_vault({"a.md": "START\nCloze\nBig {{c100000::x}} cloze\nEND\n\nSTART\nBasic\nother card\nBack: b\nEND\n\n"
                               "START\nCloze\nHuge {{c999999999999999999999::y}} cloze\nEND\n\n"
                               "START\nCloze\nLast {{c65536::z}} allowed\nEND\n"})
    checked = CliRunner().invoke(cli_main, ["check", str(root), "--json"])
    import json
    problems = [(p["line"], p["kind"]) for p in json.loads(checked.stdout)["problems"] if p["kind"] == "cloze-number"]
    assert problems == [(1, "cloze-number"), (12, "cloze-number")]
    out = tmp_path / "c.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert result.exit_code == 1, result.output  # errors in the vault, the package still written
    assert "a.md:1: error: {{c100000::…}}: Anki numbers clozes up to c65536" in result.output
    imported = anki_import(out)
    assert sorted(n.fields[0] for n in imported.notes()) == ["Last {{c65536::z}} allowed", "other card"]
    assert imported.col.card_count() == 2


# -- S13: nan passed through the float options ------------------------------------------------------------------------
def test_nan_is_refused_by_every_float_option(make_vault):
    """`dupes --threshold nan` ended in an internal ValueError; `topics --threshold nan` and `related
    --min-score nan` ran as if it were a number. The config file refused nan already."""
    root = make_vault({"a.md": NOTE})
    for args in (["dupes", str(root), "--threshold", "nan"], ["topics", str(root), "--threshold", "nan"],
                 ["related", str(root), "a", "--min-score", "nan"]):
        result = CliRunner().invoke(cli_main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "'nan' is not a number" in result.output and "internal error" not in result.output


# -- S12: init --force dropped every table it does not generate, [sync] vault_id included ---------------------------
def test_init_force_keeps_every_table_the_previous_file_set(make_vault, tmp_path):
    """`init --force` wrote only the build keys: `[sync] vault_id` and `collection`, `[dupes]`, `[related]`,
    `[topics]`, `[report]`, `[semantic]` were dropped without a word. Losing `vault_id` gives every card
    without an ID a new identity, so the next sync adds each again as a new note."""
    from notes2anki.config import load_config

    previous = (
        'default_deck = "Mine"\n[sync]\nvault_id = "my-stable-id"\ncollection = "/tmp/col/collection.anki2"\n'
        '[dupes]\nthreshold = 0.8\nignore = [["Bio/a.md:1", "Bio/b.md:1"]]\n[related]\nk = 7\nexclude = ["Daily/"]\n'
        '[topics]\nk = 4\n[report]\noutput = "/tmp/myreport.html"\n[semantic]\ndevice = "cpu"\n')
    root = make_vault({"Bio/a.md": "START\nBasic\nbio q\nBack: a\nEND\n", ".notes2anki.toml": previous})
    before = load_config(root, [])
    result = CliRunner().invoke(cli_main, ["init", str(root), "--force"])
    assert result.exit_code == 0, result.output
    diags: list = []
    after = load_config(root, diags)
    assert [d for d in diags if d.severity == "error"] == []
    for table in ("sync", "dupes", "related", "topics", "report", "semantic"):
        assert getattr(after, table) == getattr(before, table), table
    assert after.sync.vault_id == "my-stable-id" and after.default_deck == "Mine"
    text = (root / ".notes2anki.toml").read_text("utf-8")
    assert "# [dupes]\n" not in text and "\n[dupes]\n" in text  # the commented example only for tables not set


# -- S6: card text could drive the terminal through escape sequences -----------------------------------------------
def test_control_characters_of_card_text_never_reach_the_terminal_raw(make_vault, tmp_path):
    """A card front holding ESC sequences (`\\x1b[2J` clears the screen, `\\x1b]0;…\\x07` sets the window
    title) reached the terminal raw in the `dupes` table, `sync` rows and messages quoting the text; file
    names were escaped already."""
    from anki.collection import Collection

    evil = "esc \x1b[2J\x1b]0;PWNED\x07 front"
    card = f"START\nBasic\n{evil}\nBack: a\nEND\n"
    root = make_vault({"e.md": card, "f.md": card, "g.md": "START\nBasik\x1b[2J\nq\nBack: a\nEND\n"})
    for args in (["dupes", str(root)], ["check", str(root)]):
        result = CliRunner().invoke(cli_main, args)
        assert "\x1b" not in result.output and "\x07" not in result.output, (args, result.output)
    assert "\\x1b[2J" in CliRunner().invoke(cli_main, ["dupes", str(root)]).output
    col_path = tmp_path / "prof" / "collection.anki2"
    col_path.parent.mkdir()
    Collection(str(col_path)).close()
    result = CliRunner().invoke(cli_main, ["sync", str(root), "--collection", str(col_path), "--dry-run"])
    assert "\x1b" not in result.output and "esc \\x1b[2J" in result.output, result.output


# -- S5: frontmatter read as YAML 1.1 changed deck and tag names -----------------------------------------------------
def test_frontmatter_deck_and_tags_are_the_text_written(make_vault, tmp_path, anki_import):
    """`deck: 3.10` became the deck "3.1", `010` became 8, `tags: [3.10, 010, 0x1F, 1:20]` became
    `3.1 8 31 80`, `yes/no/on/off/true` tags were dropped and `deck: 2024-01-01` ignored, all silently."""
    root = make_vault({
        "a.md": "---\ndeck: 3.10\ntags: [3.10, 010, 0x1F, 1:20, yes, no, on, off, true]\n---\n" + NOTE,
        "b.md": "---\ndeck: 2024-01-01\n---\nSTART\nBasic\ndated card\nBack: d\nEND\n"})
    out = tmp_path / "fm.apkg"
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes", "-q"])
    assert result.exit_code == 0, result.output
    imported = anki_import(out)
    assert {"3.10", "2024-01-01"} <= imported.deck_names()
    note = imported.note("long name q")
    assert set(note.tags) >= {"3.10", "010", "0x1F", "1:20", "yes", "no", "on", "off", "true"}


# -- S8: the no-ID warning named only one of the edits that lose a card's history -----------------------------------
def test_the_no_id_warning_names_every_change_that_makes_a_new_card(make_vault, tmp_path):
    """Moving or renaming the file and changing the note type make new notes too (checked through build +
    import and sync); the warning said only "editing their front"."""
    root = make_vault({"a.md": "START\nBasic\nno id yet\nBack: x\nEND\n"})
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "n.apkg"), "--no-dupes"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "editing their front" in text and "changing their note type" in text
    assert "after moving or renaming their file a card finds its note by its front" in text  # (kept when plain)


# -- S11: related on notes the model cannot read gave confident noise without a word ---------------------------------
def test_related_says_when_the_model_does_not_read_the_notes(make_vault):
    """medu4 (Japanese): `related` ranked unrelated notes at cosines around 0.8 and said nothing, while
    `dupes` and `topics` warn and switch to character n-grams."""
    ja = {f"n{i}.md": f"# 診断 {i}\n\n患者の症状は発熱と咳であり、胸部X線で肺炎を認めた。治療は抗菌薬の投与である。{i}\n"
          for i in range(4)}
    result = CliRunner().invoke(cli_main, ["related", str(make_vault(ja)), "n0"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # since: most notes unread, so character n-grams, no model
    assert "the embedding model does not read 4 of 4 notes" in text and "character n-grams" in text
    en = {f"n{i}.md": f"# Networks {i}\n\nThe transport layer splits data into segments and keeps them in order.\n"
          for i in range(4)}
    result = CliRunner().invoke(cli_main, ["related", str(make_vault(en, name="en")), "n0"])
    assert result.exit_code == 0 and "does not read" not in result.output, result.output


# -- S9: build + import never moves or retypes a note, and build said nothing ------------------------------------------
def test_build_says_when_an_import_will_not_move_or_retype_notes(make_vault, tmp_path, anki_import):
    """A deck change and a note-type change: build reported "2 changed" and a deck table with the new
    deck, but Anki's import keeps the note in its old deck and skips the retyped note as conflicting."""
    root = make_vault({"a.md": "TARGET DECK: One\n\nSTART\nBasic\nQ1?\nBack: A1\nEND\n\nSTART\nBasic\nQ2?\nBack: A2\nEND\n"})
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    out = tmp_path / "v.apkg"
    first = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes", "-q"])
    assert first.exit_code == 0 and "does not move or retype" not in first.output, first.output
    imported = anki_import(out)
    note = root / "a.md"
    text = note.read_text("utf-8").replace("TARGET DECK: One", "TARGET DECK: Two")
    note.write_text(text.replace("START\nBasic\nQ1?", "START\nBasic (and reversed card)\nQ1?"), "utf-8")
    second = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert second.exit_code == 0, second.output
    said = " ".join(second.output.split())
    assert "2 cards changed deck and 1 card changed note type since the last build (a.md:3, a.md:" in said
    assert "use `notes2anki sync`" in said
    anki_import(out, imported.col)  # what the warning is about: Anki keeps the notes where they were
    decks = {imported.col.decks.name(c.did) for c in (imported.col.get_card(cid) for cid in imported.col.find_cards(""))}
    assert decks == {"One"}


# -- S18: `ids` moved the lines that [dupes] ignore references by file:line name ---------------------------------------
def test_ids_says_which_ignore_references_it_moved_and_the_id_to_write(make_vault):
    """`[dupes] ignore = [["b.md:4", "c.md:1"]]`, then `ids`: every ID line inserted above a card shifts it,
    so the ignored pair came back and `dupes` only said "reference … matches no card"."""
    card = "START\nBasic\n{q}\nBack: {a}\nEND\n"
    root = make_vault({
        "b.md": card.format(q="first", a="1") + "\n" + card.format(q="Same question?", a="x"),
        "c.md": card.format(q="Same question?", a="x"),
        ".notes2anki.toml": '[dupes]\nignore = [["b.md:7", "c.md:1"]]\n'})
    assert (root / "b.md").read_text("utf-8").split("\n")[6] == "START"
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert ('.notes2anki.toml:2: warning: dupes.ignore, entry 1, reference 1: "b.md:7" no longer names that card'
            in said)  # at the reference's line (tester 12-03)
    import re
    written = re.findall(r"<!--ID: (\d+)-->", (root / "b.md").read_text("utf-8"))
    assert f"write its ID {written[1]} instead" in said
    assert '"c.md:1"' not in said  # nothing was inserted above c.md's card


# -- S22: init copied the plugin's folder decks for folders the vault no longer has ------------------------------------
def test_init_comments_out_folder_decks_whose_folder_is_gone(make_vault):
    """SAM and Supre: the plugin's data.json kept FOLDER_DECKS of folders long gone; once `init` copied them
    into .notes2anki.toml, every command warned about each."""
    import json

    from notes2anki.config import load_config

    data = {"settings": {"FOLDER_DECKS": {"Bio": "Biology", "Gone/Away": "Old"}}}
    root = make_vault({"Bio/a.md": NOTE, ".obsidian/plugins/obsidian-to-anki-plugin/data.json": json.dumps(data)})
    result = CliRunner().invoke(cli_main, ["init", str(root)])
    assert result.exit_code == 0, result.output
    text = (root / ".notes2anki.toml").read_text("utf-8")
    assert '\n"Bio" = "Biology"' in text and '# "Gone/Away" = "Old"  # folder not found in the vault' in text
    diags: list = []
    assert load_config(root, diags).folder_decks.get("Bio") == "Biology"
