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
