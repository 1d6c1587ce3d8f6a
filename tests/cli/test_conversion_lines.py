"""The one-time ONNX conversion (20-90 s) said on stderr when it is not a terminal (tester 12-03 C: a piped
first run said nothing for 18 s). The conversion itself is not run here: `plan_for` is replaced by one that
reports the model unconverted, then converts instantly (or fails), so only the messages are tested."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.cli.common import _Console, conversion_lines, encode_progress
from notes2anki.semantic import encoder
from notes2anki.semantic.encoder import CONVERT_PHASE, CONVERTED_PHASE, NOT_CONVERTED_PHASE, Embedder, Plan

NOTE = "START\nBasic\nWhat is a cell?\nBack: the unit of life\nEND\n"


def _console():
    buffer = io.StringIO()
    return _Console(file=buffer, highlight=False, soft_wrap=True), buffer


def test_the_lines_say_start_and_end_with_seconds():
    console, buffer = _console()
    progress = conversion_lines(console)
    progress(0, 0, CONVERT_PHASE)
    progress(0, 3, "load model")
    progress(1, 3, "encode")
    assert buffer.getvalue() == "Converting the sentence encoder to ONNX (once; 30-90 s)…\n"
    progress(0, 0, CONVERTED_PHASE)
    assert buffer.getvalue().splitlines()[1] == "Model converted in 0 s."
    progress(0, 0, CONVERT_PHASE)
    progress(0, 0, NOT_CONVERTED_PHASE)
    assert "Model not converted (0 s)" in buffer.getvalue().splitlines()[3]


def test_not_a_terminal_gets_the_lines_quiet_gets_nothing():
    console, _ = _console()
    assert not console.live_ok
    with encode_progress("Embedding…", quiet=True, console=console) as progress:
        assert progress is None
    with encode_progress("Embedding…", console=console) as progress:
        assert progress is not None


@pytest.fixture
def unconverted(monkeypatch):
    """plan_for: the model not converted yet; converting it returns at once (or raises when ``fail``)."""
    state = {"fail": False}

    def plan_for(spec, backend="auto", device=None, *, convert=True):
        if not convert:
            return Plan("onnx", spec.key, "cpu", note="not converted yet")
        if state["fail"]:
            raise encoder.EncoderError("conversion stopped here (test)")
        return Plan(state.get("backend", "torch"), spec.key, "cpu")

    monkeypatch.setattr(encoder, "plan_for", plan_for)
    return state


@pytest.mark.parametrize("backend, end", [("onnx", CONVERTED_PHASE), ("torch", NOT_CONVERTED_PHASE)])
def test_the_embedder_tells_when_the_conversion_starts_and_ends(unconverted, backend, end):
    unconverted["backend"] = backend
    phases = []
    embedder = Embedder(cache_path=":memory:", progress=lambda done, total, phase: phases.append(phase))
    assert embedder.plan.backend == backend
    assert phases == [CONVERT_PHASE, end]


@pytest.mark.parametrize("args, said", [([], True), (["--json"], False)])
def test_a_piped_dupes_run_says_the_conversion_starts(make_vault, unconverted, args, said):
    unconverted["fail"] = True  # stops right after the first line: no model is loaded
    root = make_vault({"a.md": NOTE, "b.md": NOTE.replace("cell", "atom")})
    result = CliRunner().invoke(cli_main, ["dupes", str(root), *args])
    assert result.exit_code == 2, result.output
    assert ("Converting the sentence encoder to ONNX" in result.output) is said
    assert "conversion stopped here (test)" in result.output
