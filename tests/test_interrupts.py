"""Tester M2 (23:00): a Ctrl-C while onnxruntime loads surfaced as `ImportError: import numpy failed` /
`initialization failed`; build went on (exit 0) and dupes said to delete a healthy converted model."""
from __future__ import annotations

import os
import signal

import pytest

from notes2anki import interrupts
from notes2anki.semantic.encoder import EncoderError, ModelSpec, load_model


def _interrupted_import(*args, **kwargs):
    """What onnxruntime's import does when Ctrl-C lands in its numpy import: its own ImportError."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(100_000):  # the handler runs between bytecodes
            pass
    except KeyboardInterrupt:
        raise ImportError("import numpy failed") from None
    raise AssertionError("no SIGINT arrived")


def _broken_import(*args, **kwargs):
    raise ImportError("initialization failed")


def test_a_ctrl_c_a_c_extension_reported_as_its_own_error_stays_a_ctrl_c(monkeypatch, tmp_path):
    import sentence_transformers

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", _interrupted_import)
    interrupts.install()
    try:
        with pytest.raises(KeyboardInterrupt):
            load_model(ModelSpec("probe", str(tmp_path / "a")), "cpu")
    finally:
        interrupts.uninstall()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", _broken_import)
    interrupts.install()
    try:
        with pytest.raises(EncoderError, match="initialization failed"):  # no Ctrl-C: the model's failure
            load_model(ModelSpec("probe", str(tmp_path / "b")), "cpu")
    finally:
        interrupts.uninstall()
