"""Tester V13b/c: `init --force` keeps every earlier backup of `.notes2anki.toml`, and never replaces a file
it cannot read (a TOML syntax error) and so would lose its `[sync] vault_id`."""
from __future__ import annotations

import tomllib

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

CARD = "START\nBasic\nQuestion\nBack: Answer\nEND\n"


def invoke(*args):
    return CliRunner().invoke(cli_main, [str(a) for a in args])


def test_a_second_init_force_keeps_the_first_backup(make_vault):
    """V13b: the second `init --force` wrote its backup over `.notes2anki.toml.bak`, the user's original."""
    original = '# my own notes on the settings\ndefault_deck = "Mine"\n'
    root = make_vault({"a.md": CARD, ".notes2anki.toml": original})
    first = invoke("init", root, "--force")
    assert first.exit_code == 0, first.output
    assert (root / ".notes2anki.toml.bak").read_text("utf-8") == original
    written = (root / ".notes2anki.toml").read_text("utf-8")
    second = invoke("init", root, "--force")
    assert second.exit_code == 0, second.output
    assert (root / ".notes2anki.toml.bak").read_text("utf-8") == original  # the original stays
    assert (root / ".notes2anki.toml.bak.1").read_text("utf-8") == written
    assert ".notes2anki.toml.bak.1" in second.output
    (root / ".notes2anki.toml").write_text(original, "utf-8")  # bytes a backup holds already: no new copy
    third = invoke("init", root, "--force")
    assert third.exit_code == 0 and ".notes2anki.toml.bak." in third.output and ".bak.1" not in third.output
    assert not (root / ".notes2anki.toml.bak.2").exists()
    assert (root / ".notes2anki.toml.bak").read_text("utf-8") == original
    assert (root / ".notes2anki.toml.bak.1").read_text("utf-8") == written


def test_init_force_refuses_a_file_with_a_toml_syntax_error(make_vault):
    """V13c: `init --force` on a file with a syntax error wrote the defaults and dropped `[sync] vault_id`,
    the identity of every card without an ID (the next sync then added a second note of each)."""
    broken = 'default_deck = "Mine"\ntags = [unclosed\n\n[sync]\nvault_id = "uni-4f2a"\n'
    root = make_vault({"a.md": CARD, ".notes2anki.toml": broken})
    result = invoke("init", root, "--force")
    assert result.exit_code == 2, result.output
    assert ".notes2anki.toml:2:" in result.stderr and "Fix the syntax first" in result.stderr and "vault_id" in result.stderr
    assert (root / ".notes2anki.toml").read_text("utf-8") == broken
    assert not (root / ".notes2anki.toml.bak").exists()
    printed = invoke("init", root, "--stdout")  # only shows: still allowed, with the error said
    assert ".notes2anki.toml:2: " in printed.stderr and "not valid TOML" in printed.stderr
    (root / ".notes2anki.toml").write_text(broken.replace("[unclosed", "[\"closed\"]"), "utf-8")
    fixed = invoke("init", root, "--force")
    assert fixed.exit_code == 0, fixed.output
    assert tomllib.loads((root / ".notes2anki.toml").read_text("utf-8"))["sync"]["vault_id"] == "uni-4f2a"


def test_init_force_refuses_a_file_that_is_not_utf8(make_vault):
    """V13c: a file that cannot be read at all (Latin-1 bytes) is not replaced either."""
    broken = 'default_deck = "M\xfcll"\n[sync]\nvault_id = "uni-4f2a"\n'.encode("latin-1")
    root = make_vault({"a.md": CARD, ".notes2anki.toml": broken})
    result = invoke("init", root, "--force")
    assert result.exit_code == 2 and ".notes2anki.toml:1: not UTF-8 text" in result.stderr, result.output
    assert (root / ".notes2anki.toml").read_bytes() == broken
