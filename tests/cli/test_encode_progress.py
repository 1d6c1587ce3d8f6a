"""The encoder's progress display (issue 13): on a terminal, `dupes` shows the phase and a bar with the count
of texts encoded; into a pipe (or with --json) nothing of it, and no escape codes."""
from __future__ import annotations

import re

from .terminal import ANSI, cli_env, run_in_terminal, run_piped

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma tau upsilon omega".split()


def write_vault(root) -> None:
    root.mkdir()
    blocks = [f"START\nBasic\nWhat links {a} and {b} in note {n}?\nBack: {b} follows {a} ({n}).\nEND\n"
              for n, (a, b) in enumerate(zip(WORDS * 3, WORDS[3:] + WORDS * 3))]
    (root / "greek.md").write_text("\n".join(blocks), "utf-8")


def test_terminal_shows_phases_and_counts_pipe_shows_nothing(tmp_path):
    vault = tmp_path / "vault"
    write_vault(vault)
    onnx = str(tmp_path / "onnx")  # converted in the first run: its phase is shown too
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache1"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"),
                  NOTES2ANKI_ONNX_DIR=onnx)
    code, text = run_in_terminal(["dupes", vault], 120, env, stderr_too=True, timeout=600)
    assert code == 0
    plain = ANSI.sub("", text)
    assert "convert model" in plain and "load model" in plain and "encoding texts" in plain
    counts = [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+)", plain)]
    assert counts and all(done <= total for done, total in counts) and max(d for d, _ in counts) > 0

    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache2"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"),
                  NOTES2ANKI_ONNX_DIR=onnx)
    piped = run_piped(["dupes", vault, "--json"], env, timeout=600)
    assert piped.returncode == 0
    assert "encoding" not in piped.stderr and not ANSI.search(piped.stderr + piped.stdout)
    assert piped.stdout.lstrip().startswith("{")
