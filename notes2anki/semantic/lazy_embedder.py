"""An :class:`~notes2anki.semantic.encoder.Embedder` that is made only when something must be embedded.

A warm `related` or `topics` finds its note vectors or its whole clustering in the result cache
(:mod:`notes2anki.semantic.result_cache`) and embeds nothing; opening the embedding cache (a SQLite file
that grows with every vault) would be its largest cost. :class:`LazyEmbedder` knows the model's cache key
and where the caches live without opening anything; the real Embedder (its cache, and the model when a
text is not cached) comes on the first :meth:`embed` or any other use.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .cache import default_cache_path
from .device import ENV as DEVICE_ENV, asked
from .encoder import MEMORY, Embedder, resolve_model


class _CachePlace:
    """Stands for the embedding cache until it is opened: only its ``path`` (None when in memory)."""

    def __init__(self, path: Path | None):
        self.path = path


class LazyEmbedder:
    """Same arguments and use as :class:`~notes2anki.semantic.encoder.Embedder`; nothing is opened or
    loaded until a text has to be embedded (or an attribute of the real Embedder is read).

    ``spec``, ``backend`` and ``device`` (as the Embedder will read them) are known at once (an unknown model directory raises
    :class:`~notes2anki.semantic.encoder.EncoderError` here, as the Embedder would); :attr:`warnings`
    is the real Embedder's once it exists, else empty.
    """

    def __init__(self, model=None, *, cache_path: Path | str | None = None, **options: Any):
        self.spec = resolve_model(model)
        self.backend = options.get("backend") or os.environ.get("NOTES2ANKI_ENCODER", "").strip().lower() or "auto"
        self.device = asked(options.get("device") or os.environ.get(DEVICE_ENV))
        self._model = model
        self._cache_path = cache_path
        self._options = options
        self._real: Embedder | None = None
        self._early_warnings: list[str] = []
        path = default_cache_path() if cache_path is None else None if str(cache_path) == MEMORY else Path(cache_path)
        self._place = _CachePlace(path)

    @property
    def real(self) -> Embedder:
        """The Embedder (made now if it was not yet)."""
        if self._real is None:
            self._real = Embedder(self._model, cache_path=self._cache_path, **self._options)
            self._real.warnings[:0] = self._early_warnings
        return self._real

    @property
    def opened(self) -> bool:
        """Whether the real Embedder (and so the embedding cache) was made."""
        return self._real is not None

    @property
    def cache(self):
        """The embedding cache when opened; before that an object with its ``path`` alone."""
        return self._real.cache if self._real is not None else self._place

    @property
    def warnings(self) -> list[str]:
        """The Embedder's warnings; before it exists, a list whose items it will take over."""
        return self._real.warnings if self._real is not None else self._early_warnings

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`Embedder.embed <notes2anki.semantic.encoder.Embedder.embed>` (makes the Embedder)."""
        return self.real.embed(texts)

    def __getattr__(self, name: str) -> Any:  # stats, key, plan...: the real Embedder's
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.real, name)

    def close(self) -> None:
        """Close the Embedder if it was made."""
        if self._real is not None:
            self._real.close()

    def __enter__(self) -> "LazyEmbedder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
