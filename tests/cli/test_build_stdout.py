"""`build -o -`: the package on standard output when that is not a terminal (as `tar cf -`, `gzip -c`);
refused on a terminal (as gzip does), never a file named "-"."""
from __future__ import annotations

import subprocess
from pathlib import Path

from .terminal import cli_env, command, run_in_terminal

CARD = "START\nBasic\nWhat does stdout carry?\nBack: the package\nEND\n"


def _vault(make_vault):
    return make_vault({"n.md": CARD})


def test_dash_writes_the_package_to_a_pipe_and_the_summary_to_stderr(make_vault, tmp_path, anki_import):
    root = _vault(make_vault)
    work = tmp_path / "work"
    work.mkdir()
    env = cli_env(NOTES2ANKI_STATE_DIR=str(tmp_path / "state"), NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(command("build", root, "-o", "-", "--no-dupes"), cwd=work, capture_output=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout[:2] == b"PK"  # a zip: the .apkg itself, nothing else on stdout
    stderr = proc.stderr.decode()
    assert "standard output" in stderr and "1 card packaged" in stderr and "0 errors, 1 warning." in stderr
    assert list(work.iterdir()) == []  # no file named "-" (nor any other) in the current folder
    apkg = tmp_path / "from-stdout.apkg"
    apkg.write_bytes(proc.stdout)
    note = anki_import(apkg).note("What does stdout carry?")
    assert "the package" in note.fields[1]


def test_dash_on_a_terminal_is_refused_with_a_message(make_vault, tmp_path):
    root = _vault(make_vault)
    env = cli_env(NOTES2ANKI_STATE_DIR=str(tmp_path / "state"), NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache"))
    code, text = run_in_terminal(["build", root, "-o", "-", "--no-dupes"], 100, env, stderr_too=True)
    assert code == 2
    assert "not written to a terminal" in " ".join(text.split())
    assert not (Path.cwd() / "-").exists()  # the command ran in this folder: nothing named "-" was written
