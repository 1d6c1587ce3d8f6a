"""Tester findings of 23:00 on the CLI: each case with its minimal input and the right behaviour."""
from __future__ import annotations

import os
import time

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

NOTE = "START\nBasic\nWhat is a stale temp file?\nBack: one a killed run left\nEND\n"


# -- M1: a build killed while writing its package leaves a hidden temp file beside -o ----------------------------
def test_build_removes_the_temp_files_a_killed_build_left_beside_its_package(make_vault, tmp_path, anki_import):
    """FIT-Statnice, `build -o out/kill.apkg` killed twice mid-write: `.kill.apkg.hb0uy16x.notes2anki-tmp`
    (4.7 MB) and another stayed beside the package after every later build."""
    root = make_vault({"a.md": NOTE})
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".kill.apkg.hb0uy16x.notes2anki-tmp"
    fresh = out / ".kill.apkg.abcd1234.notes2anki-tmp"  # another run may be writing it right now
    other_target = out / ".other.apkg.810oqjcs.notes2anki-tmp"
    users_file = out / ".kill.apkg.notes"
    for path in (stale, fresh, other_target, users_file):
        path.write_bytes(b"PK\x03\x04 half-written")
    old = time.time() - 3600
    for path in (stale, other_target, users_file):
        os.utime(path, (old, old))
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out / "kill.apkg"), "--no-dupes", "-q"])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert fresh.exists() and other_target.exists() and users_file.exists()
    assert "What is a stale temp file?" in anki_import(out / "kill.apkg").note("stale temp").fields[0]


# -- L5: init's commented [topics] block suggested a threshold whose uncommenting collapsed the topics --------
def test_init_topics_block_says_the_default_and_uncommented_keys_load(make_vault):
    from notes2anki.config import load_config

    root = make_vault({"a.md": NOTE})
    text = CliRunner().invoke(cli_main, ["init", str(root), "--stdout"]).stdout
    block = text[text.index("# [topics]"):text.index("# [related]")]
    assert "chosen from the data" in block and "# k = 8" in block and "one of k / threshold" in block
    lines = [line[2:] for line in block.splitlines() if not line.startswith("# threshold")]
    (root / ".notes2anki.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    diags = []
    config = load_config(root, diags)
    assert diags == [] and config.section("topics") == {"k": 8}
