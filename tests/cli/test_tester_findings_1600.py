"""Tester findings of 16:00 on the CLI: each case with its minimal input and the right behaviour."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

NOTE = "START\nBasic\nbom q\nBack: a\nEND\n"


def _invoke(*args: str, cwd=None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli_main, [str(a) for a in args])
    finally:
        os.chdir(old)


# -- finding 1: --messages-file never overwrites a note ------------------------------------------------------
@pytest.mark.parametrize("args", [
    ("build", ".", "-o", "{out}/x.apkg", "--no-dupes", "-q"),
    ("ids", ".", "--dry-run"),
    ("report", ".", "-o", "{out}/r.html", "--no-semantic"),
    ("dupes", "."),
])
def test_messages_file_inside_the_vault_is_refused_and_the_note_kept(make_vault, tmp_path, args):
    root = make_vault({"bom.md": NOTE, "other.md": "START\nBasic\nq2\nBack: b\nEND\n"})
    (tmp_path / "out").mkdir()
    before = (root / "bom.md").read_bytes()
    args = [a.replace("{out}", str(tmp_path / "out")) for a in args]
    result = _invoke(*args, "--messages-file", "bom.md", cwd=root)
    assert result.exit_code == 2, result.output
    assert "is inside the vault" in result.stderr
    assert (root / "bom.md").read_bytes() == before
    assert not (tmp_path / "out" / "x.apkg").exists()


def test_messages_file_dash_missing_folder_and_binary_file_are_refused(make_vault, tmp_path):
    root = make_vault({"a.md": NOTE})
    out = tmp_path / "x.apkg"
    for target, words in [("-", "standard error"), (tmp_path / "nonexist" / "m.txt", "does not exist")]:
        result = _invoke("build", root, "-o", out, "--no-dupes", "-q", "--messages-file", target, cwd=tmp_path)
        assert result.exit_code == 2 and words in result.stderr, result.output
        assert not (tmp_path / "-").exists()
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF")
    result = _invoke("build", root, "-o", out, "--no-dupes", "-q", "--messages-file", binary)
    assert result.exit_code == 2 and "not a plain text file" in result.stderr
    assert binary.read_bytes() == b"\xff\xd8\xff\xe0\0\x10JFIF"


def test_messages_file_outside_the_vault_is_written_and_rewritten(make_vault, tmp_path):
    root = make_vault({"a.md": "START\nBasik\nq\nBack: a\nEND\n", "b.md": NOTE})
    messages = tmp_path / "m.txt"
    for _ in range(2):  # the second run overwrites the text file the first one wrote
        result = _invoke("build", root, "-o", tmp_path / "x.apkg", "--no-dupes", "-q", "--messages-file", messages)
        assert result.exit_code == 1
        assert messages.read_text("utf-8").startswith("a.md:2: error: unknown note type")
    dash = tmp_path / "-"
    result = _invoke("build", root, "-o", tmp_path / "x.apkg", "--no-dupes", "-q", "--messages-file", "./-",
                     cwd=tmp_path)
    assert result.exit_code == 1 and "unknown note type" in dash.read_text("utf-8")


# -- finding 7: one exit code per situation, every command ---------------------------------------------------
EMPTY_COMMANDS = [("check",), ("dupes",), ("topics",), ("report", "-o", "{out}/r.html", "--no-semantic"),
                  ("ids",), ("ids", "--dry-run"), ("related", "--all"), ("build", "-o", "{out}/x.apkg", "--no-dupes")]


@pytest.mark.parametrize("vault", ["empty", "all ignored"])
def test_every_command_exits_2_on_a_vault_with_no_note(make_vault, tmp_path, vault):
    files = {} if vault == "empty" else {".notes2anki.toml": 'ignore = ["**"]\n', "a.md": NOTE}
    root = make_vault(files)
    (root / "folder").mkdir(exist_ok=True)
    before = sorted(p.name for p in root.rglob("*"))
    for args in EMPTY_COMMANDS:
        args = [a.replace("{out}", str(tmp_path)) for a in args]
        result = _invoke(args[0], root, *args[1:])
        assert result.exit_code == 2, (args, result.output)
        assert "No note (.md file)" in result.output, (args, result.output)
    assert sorted(p.name for p in root.rglob("*")) == before
    assert not (tmp_path / "x.apkg").exists() and not (tmp_path / "r.html").exists()


def test_semantic_commands_show_the_vault_errors_and_exit_with_their_own_code(make_vault):
    """Finding 7 made these exit 1 like `build` when the vault has errors; tester 12-03: `dupes --json` then
    exited 1 with complete output, and `dupes --fail` could not tell duplicates from a bad card block. The
    errors are still shown (file:line); the exit code is the command's own (README "Commands")."""
    root = make_vault({"a.md": "START\nBasik\nq\nBack: a\nEND\n",
                       "b.md": "START\nBasic\nwhat is a cell\nBack: a unit of life\nEND\n"})
    for args in (("dupes",), ("dupes", "--fail"), ("topics",), ("related", "--all"), ("related", "b")):
        result = _invoke(args[0], root, *args[1:])
        assert result.exit_code == 0, (args, result.output)
        assert "a.md:2: error: unknown note type 'Basik'" in result.stderr
    assert _invoke("check", root).exit_code == 1


# -- finding 8: the build summary counts the messages it prints -----------------------------------------------
def _printed_warnings(result) -> int:
    return sum(": warning: " in line for line in result.stderr.splitlines())


def test_build_summary_counts_each_printed_warning_once(make_vault, tmp_path, anki_import):
    root = make_vault({
        "fm2.md": "---\nTARGET DECK: ::D\n---\nSTART\nBasic\nq3\nBack: a\nEND\n",
        "a.md": "TARGET DECK: A::::\nSTART\nBasic\nqa\nBack: a\nEND\n",
        "b.md": "TARGET DECK: ::B\nSTART\nBasic\nqb\nBack: a\nEND\n",
        "c.md": "---\ndeck: \"C::\"\n---\nSTART\nBasic\nqc\nBack: a\nEND\n",
        ".notes2anki.toml": 'default_deck = "Z::"\n[folder_decks]\n"sub" = "::S"\n',
        "sub/s.md": "START\nBasic\nqs\nBack: a\nEND\n",
    })
    out = tmp_path / "x.apkg"
    result = _invoke("build", root, "-o", out, "--no-dupes")
    assert result.exit_code == 0, result.output
    printed = _printed_warnings(result)
    assert printed == 7  # fm2 (once), a, b, c, default_deck, folder_decks.sub, cards without IDs
    assert f"{printed} warnings." in " ".join(result.stdout.split())
    imported = anki_import(out)
    assert {"D", "A", "B", "C", "S"} <= imported.deck_names()


# -- finding 10: build -o - onto a closed or full standard output; -o ./- -----------------------------------
def test_build_to_a_closed_or_full_standard_output_is_a_clear_exit_2(make_vault, tmp_path):
    import subprocess

    from .terminal import cli_env, command

    root = make_vault({"a.md": NOTE})
    closed = subprocess.run(command("build", root, "-o", "-", "--no-dupes", "-q"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=cli_env(), timeout=300,
                            preexec_fn=lambda: os.close(1))
    assert closed.returncode == 2
    assert "cannot write standard output: it is closed" in closed.stderr.decode()
    assert "internal error" not in closed.stderr.decode()
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            result = subprocess.run(command("build", root, "-o", "-", "--no-dupes", "-q"), stdout=full,
                                    stderr=subprocess.PIPE, env=cli_env(), timeout=300)
        assert result.returncode == 2
        assert "cannot write standard output: No space left on device" in result.stderr.decode()
        assert "internal error" not in result.stderr.decode()


def test_build_dash_o_dot_slash_dash_writes_a_file_named_dash(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": NOTE})
    result = _invoke("build", root, "-o", "./-", "--no-dupes", "-q", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b""
    assert anki_import(tmp_path / "-").note("bom q").fields[1] == "a"


# -- finding 11: init ----------------------------------------------------------------------------------------
def test_init_keeps_a_dangling_config_link_and_writes_true_comments(make_vault, tmp_path):
    from notes2anki.semantic.scoring import DEFAULT_THRESHOLD

    root = make_vault({"one/a.md": NOTE,
                       ".obsidian/plugins/obsidian-to-anki-plugin/data.json":
                       '{"settings": {"Syntax": {"Begin Note": "START_CARD"}}}'})
    (root / ".notes2anki.toml").symlink_to(tmp_path / "nowhere.toml")
    result = _invoke("init", root)
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert (root / ".notes2anki.toml").is_symlink() and not (tmp_path / "nowhere.toml").exists()
    text = _invoke("init", root, "--stdout").stdout
    assert f"# threshold = {DEFAULT_THRESHOLD:.2f}\n" in text
    assert "# Marker words of the card syntax, renamed (from the plugin).\n" in text
    (root / "one" / "a.md").write_text("START_CARD\nBasic\nq\nBack: a\nEND\n", encoding="utf-8")
    text = _invoke("init", root, "--stdout").stdout
    assert '"one" = "one"  # 1 card, 1 now in the default deck' in text


# -- finding 11: ids removes the temp files a killed run left ---------------------------------------------------
def test_ids_removes_its_own_stale_temp_files_and_keeps_everything_else(make_vault):
    import time

    root = make_vault({"sub/n278.md": NOTE, "keep.md": NOTE})
    stale = root / "sub" / ".n278.md.xltp83j2.notes2anki-tmp"
    fresh = root / "sub" / ".n278.md.abcd1234.notes2anki-tmp"
    other = root / "sub" / ".n278.md.notes.tmp"
    for path in (stale, fresh, other):
        path.write_text("half-written", encoding="utf-8")
    old = time.time() - 3600
    for path in (stale, other):
        os.utime(path, (old, old))
    dry = _invoke("ids", root, "--dry-run")
    assert dry.exit_code == 0 and stale.exists()  # a dry run writes and removes nothing
    result = _invoke("ids", root)
    assert result.exit_code == 0, result.output
    assert not stale.exists() and fresh.exists() and other.exists()
    assert "sub/.n278.md.xltp83j2.notes2anki-tmp: warning: removed: a temporary file left by an interrupted" \
        in result.stderr
    assert "<!--ID:" in (root / "sub" / "n278.md").read_text("utf-8")


# -- finding 11: check and init have the message options too ---------------------------------------------------
def test_check_and_init_take_the_message_options(make_vault, tmp_path):
    root = make_vault({"a.md": "START\nBasik\nq\nBack: a\nEND\n", "b.md": NOTE})
    messages = tmp_path / "m.txt"
    result = _invoke("check", root, "--all-messages", "--messages-file", messages)
    assert result.exit_code == 1
    assert messages.read_text("utf-8").startswith("a.md:2: error: unknown note type 'Basik'")
    before = (root / "b.md").read_bytes()
    for command in ("check", "init"):
        result = _invoke(command, root, "--messages-file", root / "b.md")
        assert result.exit_code == 2 and "is inside the vault" in result.stderr
    assert (root / "b.md").read_bytes() == before and not (root / ".notes2anki.toml").exists()
    result = _invoke("init", root, "--all-messages", "--messages-file", messages)
    assert result.exit_code == 0 and (root / ".notes2anki.toml").exists()
    assert messages.read_text("utf-8") == ""  # init reads only the settings: nothing to say about them


def test_a_file_name_with_a_line_break_is_printed_on_one_line(make_vault):
    root = make_vault({"two\nlines.md": NOTE, "bad\nname.md": "START\nBasik\nq\nBack: a\nEND\n"})
    result = _invoke("ids", root)
    assert "  two\\nlines.md\n" in result.stdout
    assert "bad\\nname.md:2: error: unknown note type 'Basik'" in result.stderr
