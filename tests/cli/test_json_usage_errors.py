"""With ``--json``, a usage error (exit 2) also says so on stdout: ``{"stopped": true, "errors": [...]}``."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

NOTE = "START\nBasic\nWhat is a usage error?\nBack: one click reports\nEND\n"


def _stopped(args):
    result = CliRunner().invoke(cli_main, args)
    assert result.exit_code == 2, result.output
    assert "Usage: " in result.stderr and "Error: " in result.stderr  # click's message stays on stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", ["check", "dupes", "topics", "related", "sync"])
def test_a_vault_that_does_not_exist_is_a_stop_on_stdout(command, tmp_path):
    data = _stopped([command, str(tmp_path / "nope"), "--json"])
    assert data["stopped"] is True
    assert len(data["errors"]) == 1 and "does not exist" in data["errors"][0]
    assert ("dry_run" in data) == (command == "sync")


def test_a_file_given_as_vault_is_a_stop_on_stdout(tmp_path):
    afile = tmp_path / "a.md"
    afile.write_text(NOTE, encoding="utf-8")
    data = _stopped(["topics", str(afile), "--json"])
    assert "is a file" in data["errors"][0]


def test_an_option_out_of_range_is_a_stop_on_stdout(make_vault):
    data = _stopped(["dupes", str(make_vault({"a.md": NOTE})), "--threshold", "5", "--json"])
    assert data == {"stopped": True, "errors": ["Invalid value for '--threshold': 5.0 is not in the range "
                                                "0.0<=x<=1.0."]}


def test_sync_says_whether_it_was_a_dry_run(tmp_path):
    assert _stopped(["sync", str(tmp_path / "nope"), "--dry-run", "--json"])["dry_run"] is True
    assert _stopped(["sync", str(tmp_path / "nope"), "--json"])["dry_run"] is False


def test_a_usage_error_inside_a_command_is_a_stop_on_stdout(make_vault):
    data = _stopped(["related", str(make_vault({"a.md": NOTE})), "--json"])
    assert data["errors"] == ["give exactly one of NOTE, --card FILE:LINE or --all"]


def test_without_json_stdout_stays_empty(tmp_path):
    result = CliRunner().invoke(cli_main, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.stdout == ""
    result = CliRunner().invoke(cli_main, ["check", str(tmp_path / "nope"), "--", "--json"])
    assert result.exit_code == 2 and result.stdout == ""
