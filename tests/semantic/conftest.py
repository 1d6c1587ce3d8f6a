"""Fixtures for the duplicate-finder tests: one embedding cache and one loaded model per test session.

The real bundled model (all-MiniLM-L6-v2) is used; the encoder keeps it loaded for the life of the process,
and every text goes through one session cache, so each text is encoded at most once per session.
No network: the model loads from site-packages.
"""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    """The session's embedding cache file."""
    return tmp_path_factory.mktemp("dupes-cache") / "embeddings.sqlite"


@pytest.fixture(scope="session")
def embedder(session_cache):
    from notes2anki.semantic.encoder import Embedder

    with Embedder(cache_path=session_cache) as e:
        yield e


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    """A folder for this module's one ONNX conversion (NOTES2ANKI_ONNX_DIR), made offline."""
    path = tmp_path_factory.mktemp("onnx")
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTES2ANKI_ONNX_DIR", str(path))
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    yield path
    mp.undo()
