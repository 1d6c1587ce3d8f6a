"""The PyTorch side of the encoder: ``SentenceTransformer`` loaded offline (once per process and device) and
``encode``. Imported by :mod:`notes2anki.semantic.encoder`; ``torch`` and ``sentence_transformers`` only
inside the functions, when a text has to be encoded this way (or the model converted).
"""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Sequence

import numpy as np

from notes2anki.interrupts import raise_if_received
from notes2anki.semantic.model_spec import EncoderError, ModelSpec, bundled_model_dir

_MODELS: dict[tuple[str, str], Any] = {}  # (location, device) -> loaded SentenceTransformer
Progress = Callable[[int, int, str], None]  # progress(done, total, phase)


def _quiet_offline_environment() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _load_failure(spec: ModelSpec, location: str, exc: Exception) -> str:
    """What to tell a user whose ``[semantic] model`` / ``--model`` could not be loaded (tester 12-02: the
    library's own "check your internet connection", though notes2anki never downloads)."""
    reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    if spec.key.startswith("path:") or not spec.location:
        return (f"cannot load the embedding model in {location}: it is not a sentence-transformers model folder "
                f"({reason})")
    text = str(exc).lower()
    if isinstance(exc, OSError) or any(w in text for w in ("internet", "connection", "offline", "not found",
                                                             "does not appear", "couldn't find", "no such")):
        return (f"the embedding model {json.dumps(spec.key, ensure_ascii=False)} is not in the local Hugging Face cache, and notes2anki never "
                "downloads: save it once where there is network (SentenceTransformer(name).save(FOLDER)) and "
                "set [semantic] model or --model to that folder")
    return f"cannot load the embedding model {json.dumps(spec.key, ensure_ascii=False)}: {reason}"


def pick_device() -> str:
    """"cuda" when a CUDA GPU is usable, else "mps" on Apple silicon, else "cpu" (imports torch)."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


def load_model(spec: ModelSpec, device: str | None = None) -> Any:
    """The SentenceTransformer for ``spec``, loaded once per process and device."""
    _quiet_offline_environment()
    location = spec.location or str(bundled_model_dir())
    device = device or pick_device()
    cached = _MODELS.get((location, device))
    if cached is not None:
        return cached
    try:
        import huggingface_hub.constants as hub_constants

        hub_constants.HF_HUB_OFFLINE = True  # in case huggingface_hub was imported before the env was set
    except Exception:  # pragma: no cover - layout of huggingface_hub changed
        pass
    try:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    except Exception:  # pragma: no cover
        pass
    from sentence_transformers import SentenceTransformer

    try:
        model = SentenceTransformer(location, device=device, local_files_only=True)
    except Exception as exc:
        raise_if_received(exc)  # a Ctrl-C that a C extension reported as its own error
        raise EncoderError(_load_failure(spec, location, exc)) from exc
    _MODELS[(location, device)] = model
    return model


def encode(texts: Sequence[str], spec: ModelSpec, *, batch_size: int = 64, device: str | None = None,
           progress: Progress | None = None) -> np.ndarray:
    """Unit-length float32 vectors of ``texts`` (one row each), computed by the PyTorch model.
    ``progress(done, total, "encode")`` is called after each chunk of texts."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    model = load_model(spec, device)
    chunk = max(batch_size, 256) if progress is not None else max(1, len(texts))
    parts = []
    try:
        for start in range(0, len(texts), chunk):
            parts.append(model.encode(list(texts[start:start + chunk]), batch_size=batch_size,
                                      show_progress_bar=False, convert_to_numpy=True, normalize_embeddings=True))
            if progress is not None:
                progress(min(start + chunk, len(texts)), len(texts), "encode")
    except Exception as exc:  # e.g. out of GPU memory
        raise_if_received(exc)  # a Ctrl-C that a C extension reported as its own error
        raise EncoderError(f"encoding with {spec.key!r} failed: {type(exc).__name__}: {exc}") from exc
    return np.asarray(np.concatenate(parts), dtype=np.float32)
