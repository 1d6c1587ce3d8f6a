"""The encoder's progress display on `report` (as on build, dupes, related and topics): on a terminal the phases
and a bar with the count of texts encoded, on stderr; into a pipe nothing of it and no escape codes; a warm
report (everything cached) encodes nothing and shows no count."""
from __future__ import annotations

import re

from .terminal import ANSI, cli_env, run_in_terminal, run_piped
from .test_encode_progress import write_vault


def test_report_shows_encoding_counts_on_a_terminal_only(tmp_path):
    vault = tmp_path / "vault"
    write_vault(vault)
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache1"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"))
    page = tmp_path / "report.html"
    code, text = run_in_terminal(["report", vault, "-o", page], 120, env, stderr_too=True, timeout=600)
    assert code == 0, text
    plain = ANSI.sub("", text)
    assert "encoding texts" in plain
    counts = [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+)", plain)]
    assert counts and all(done <= total for done, total in counts) and max(d for d, _ in counts) > 0
    assert page.read_text("utf-8").count("<title>notes2anki report:") == 1

    code, text = run_in_terminal(["report", vault, "-o", page], 120, env, stderr_too=True, timeout=600)
    assert code == 0 and "encoding texts" not in ANSI.sub("", text)  # warm: nothing to encode

    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache2"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"))
    piped = run_piped(["report", vault, "-o", tmp_path / "piped.html"], env, timeout=600)
    assert piped.returncode == 0, piped.stderr
    assert "encoding" not in piped.stderr and not ANSI.search(piped.stderr + piped.stdout)
    assert "Report on 48 cards in 1 note written to" in piped.stdout


def test_the_bar_keeps_its_counts_on_an_80_column_terminal(tmp_path):
    # tester 19:35 F8: report's long label cut the counts and the ETA to "3… 0… ETA 0:0…" at 80 columns
    vault = tmp_path / "vault"
    write_vault(vault)
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"))
    code, text = run_in_terminal(["report", vault, "-o", tmp_path / "r.html"], 80, env, stderr_too=True, timeout=600)
    assert code == 0, text
    plain = ANSI.sub("", text)
    assert "encoding texts" in plain and re.search(r"\d+/\d+ +\d:\d\d:\d\d ETA", plain), plain[-2000:]
    assert not re.search(r"\d…", plain)
