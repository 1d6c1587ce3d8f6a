"""The semantic layer: card text, sentence embeddings with an SQLite cache, near-duplicate finding.

Importing this package is cheap: ``sentence_transformers`` and ``torch`` are imported only by
:func:`notes2anki.semantic.encoder.load_model`, when some text has to be encoded. The names below are
loaded on first use.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "TEXT_VERSION": "text", "card_text": "text", "plain_text": "text", "question_and_answer": "text",
    "Embedder": "encoder", "EncoderError": "encoder", "DEFAULT_MODEL": "encoder",
    "EmbeddingCache": "cache", "default_cache_path": "cache",
    "find_duplicates": "dupes", "DuplicateReport": "dupes", "settings_from_config": "dupes",
    "DEFAULT_THRESHOLD": "scoring",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
