"""Tester findings of 07:30 on the CLI: each case with its minimal input."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main


@pytest.mark.parametrize("args", [
    ["-o", "{d}/x", "--state-file", "{d}/x"],
    ["-o", "{d}/y.apkg", "--messages-file", "{d}/y.apkg"],
    ["-o", "{d}/z.apkg", "--state-file", "{d}/s.json", "--messages-file", "{d}/s.json"],
])
def test_build_refuses_two_outputs_that_are_one_file(make_vault, tmp_path, args):
    """U20: `-o` equal to `--state-file`, or `--messages-file` equal to the package or the state file,
    silently destroyed the package or the build state. Now exit 2 before anything is written."""
    root = make_vault({"a.md": "START\nBasic\nQ?\nBack: A\nEND\n"})
    out = tmp_path / "o"
    out.mkdir()
    (out / "s.json").write_text("{}", "utf-8")
    result = CliRunner().invoke(cli_main, ["build", str(root), "--no-dupes", *[a.format(d=out) for a in args]])
    assert result.exit_code == 2 and "name one file" in result.output
    assert (out / "s.json").read_text("utf-8") == "{}"
    assert not (out / "x").exists() and not (out / "z.apkg").exists()
