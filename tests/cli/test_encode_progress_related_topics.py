"""The encoder's progress display on `related` and `topics` (issue 13): on a terminal the bar with the count of
texts encoded; into a pipe (or with --json) nothing of it, and no escape codes."""
from __future__ import annotations

import re

import pytest

from .terminal import ANSI, cli_env, run_in_terminal, run_piped
from .test_encode_progress import write_vault


@pytest.mark.parametrize("args", [["related", "{vault}", "greek"], ["topics", "{vault}"]])
def test_terminal_shows_encoding_counts_pipe_shows_nothing(tmp_path, args):
    vault = tmp_path / "vault"
    write_vault(vault)
    argv = [a.format(vault=vault) for a in args]
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache1"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"))
    code, text = run_in_terminal(argv, 120, env, stderr_too=True, timeout=600)
    assert code == 0, text
    plain = ANSI.sub("", text)
    assert "encoding texts" in plain
    counts = [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+)", plain)]
    assert counts and all(done <= total for done, total in counts) and max(d for d, _ in counts) > 0

    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache2"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"))
    piped = run_piped([*argv, "--json"], env, timeout=600)
    assert piped.returncode == 0, piped.stderr
    assert "encoding" not in piped.stderr and not ANSI.search(piped.stderr + piped.stdout)
    assert piped.stdout.lstrip().startswith(("{", "["))
