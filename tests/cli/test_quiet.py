"""`-q/--quiet` means what it means for `build` on every command that writes or checks (`ids`, `check`,
`report`): only the errors and warnings are shown (tester: `ids -q` was refused while `build -q` worked)."""
from __future__ import annotations

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

FILES = {"a.md": "START\nBasic\nWhat is ATP?\nBack: energy\nEND\n",
         "b.md": "START\nBasik\nWhat is ADP?\nBack: less energy\nEND\n"}
ERROR = "b.md:2: error: unknown note type 'Basik'"


def _run(*args):
    return CliRunner().invoke(cli_main, [str(a) for a in args])


def test_ids_quiet_shows_only_the_messages_and_still_writes(make_vault):
    root = make_vault(FILES)
    loud = _run("ids", root, "--dry-run")
    quiet = _run("ids", root, "--dry-run", "-q")
    assert loud.exit_code == quiet.exit_code == 1, quiet.output
    assert "Would add 1 ID in 1 file" in loud.stderr and "Would add" not in quiet.stderr
    assert quiet.stdout == loud.stdout and "+<!--ID: " in quiet.stdout  # the diff is what was asked for
    assert ERROR in quiet.stderr
    result = _run("ids", root, "--quiet")
    assert result.exit_code == 1
    assert result.stdout == ""  # no list of files, no "Added 1 ID in 1 file."
    assert ERROR in result.stderr
    assert "<!--ID: " in (root / "a.md").read_text("utf-8")  # written all the same


def test_check_quiet_lists_the_messages_alone(make_vault):
    root = make_vault(FILES)
    result = _run("check", root, "-q")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(ERROR)  # errors first, no "2 notes, 2 cards: …" line, no counts by kind
    assert all(": error: " in line or ": warning: " in line for line in lines), result.stdout
    clean = make_vault({"c.md": "START\nBasic\nWhat is GTP?\nBack: a nucleotide\n<!--ID: 1768062256001-->\nEND\n"},
                       name="clean")
    result = _run("check", clean, "--quiet")
    assert result.exit_code == 0 and result.stdout == ""  # all is well: nothing


def test_report_quiet_writes_the_page_without_its_summary_line(make_vault, tmp_path):
    root = make_vault(FILES)
    result = _run("report", root, "--no-semantic", "-o", tmp_path / "r.html", "-q")
    assert result.exit_code == 1
    assert (tmp_path / "r.html").is_file()
    assert "Report on" not in result.output
    assert ERROR in result.stderr


def test_every_writing_or_checking_command_takes_quiet():
    for name in ("build", "check", "ids", "sync", "report"):
        options = {opt for p in cli_main.commands[name].params for opt in getattr(p, "opts", [])}
        assert {"-q", "--quiet"} <= options, name
