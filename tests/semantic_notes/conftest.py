"""Fixtures for the related-notes and topics tests: the labelled vault, one embedding cache per session.

The tests use the real bundled model (all-MiniLM-L6-v2), loaded once per process by the encoder. All
embeddings go to one session cache dir, so each text is encoded once per test session.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from notes2anki.parsers import load_vault

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOPICS_VAULT = FIXTURES / "topics_vault"
LABELS = FIXTURES / "topics_vault_labels.json"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """The session's embedding cache dir (NOTES2ANKI_CACHE_DIR for every test of this folder)."""
    path = tmp_path_factory.mktemp("embedding-cache")
    old = os.environ.get("NOTES2ANKI_CACHE_DIR")
    os.environ["NOTES2ANKI_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("NOTES2ANKI_CACHE_DIR", None)
    else:
        os.environ["NOTES2ANKI_CACHE_DIR"] = old


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch, cache_dir):
    """Overrides the suite-wide fixture: the state dir stays per test, the cache is the session's."""
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(cache_dir))


@pytest.fixture(scope="session")
def embedder(cache_dir):
    from notes2anki.semantic.encoder import Embedder

    with Embedder(cache_path=cache_dir / "embeddings.sqlite") as e:
        yield e


@pytest.fixture(scope="session")
def labels() -> dict:
    return json.loads(LABELS.read_text("utf-8"))


@pytest.fixture(scope="session")
def topics_vault():
    """The labelled vault, read once (tests must not change it)."""
    return load_vault(TOPICS_VAULT)


@pytest.fixture(scope="session")
def related_index(topics_vault, embedder):
    from notes2anki.semantic.related import RelatedIndex

    return RelatedIndex.build(topics_vault, embedder)


@pytest.fixture(scope="session")
def fixture_topics(topics_vault, embedder):
    from notes2anki.semantic.topics import vault_topics

    return vault_topics(topics_vault, embedder)
