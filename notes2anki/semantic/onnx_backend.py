"""The sentence encoder run by ONNX Runtime, without PyTorch: converted once, then loaded in about a second.

Conversion (:func:`notes2anki.semantic.onnx_convert.convert`, once per model and converter version) imports ``torch`` and
``sentence_transformers``, loads the sentence-transformers model from its local directory and exports its
whole module pipeline (transformer, pooling exactly as the model's ``1_Pooling/config.json`` says,
normalisation) with ``torch.onnx.export`` into one graph ``tokens -> sentence_embedding``. Why this tool:
it ships with the ``torch`` we already depend on and works offline; sentence-transformers' own
``backend="onnx"`` and optimum's exporter need ``optimum-onnx``, which pins ``transformers < 4.58`` (this
project runs transformers 5). BERT-type models are exported with the plain ("eager") attention and then
fused by ONNX Runtime's own transformer optimizer (``onnxruntime.transformers.optimizer.optimize_model``:
one Attention op per layer, EmbedLayerNormalization, SkipLayerNormalization, BiasGelu; :func:`~notes2anki.semantic.onnx_quantize.fuse`),
which is the graph used when it reproduces the PyTorch vectors (1,500 card texts: cosine 1.0000, about 15 %
faster than the unfused graph; the duplicate figures of every labelled set unchanged); its layer norms are
then written back as plain ops, which ONNX Runtime runs faster (:mod:`notes2anki.semantic.onnx_quantize`).
The int8 variant is :data:`~notes2anki.semantic.onnx_quantize.INT8_RECIPE` (every weight matrix int8 per
output column, activations int8 per token row: :mod:`notes2anki.semantic.int8_rows`); it is
kept only when its vectors keep a mean cosine of at least :data:`INT8_MIN_COSINE` to the PyTorch vectors on
:data:`~notes2anki.semantic.onnx_convert.PROBE_TEXTS` (the fp32 graph must reach :data:`FP32_MIN_COSINE`, else the model counts as not
convertible and the PyTorch path is used). Tokens come from the model's own ``tokenizer.json`` (the
``tokenizers`` library) with the model's ``max_seq_length``; conversion checks that they equal the
sentence-transformers tokenizer's.

Files: ``<onnx_root()>/<model-slug>-<fingerprint>/`` holding ``model.onnx``, ``model.int8.onnx`` and
``meta.json`` (what was measured, which file to use). The fingerprint hashes the model files' names,
sizes and modification times, :data:`CONVERTER_VERSION` and the int8 recipe, so an updated model (or a
changed recipe) is converted again.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numpy as np

from notes2anki.semantic import convert_cleanup, int8_cpu, token_graph, token_keep, token_states
from notes2anki.semantic.onnx_quantize import DISABLED_OPTIMIZERS, recipe_tag

CONVERTER_VERSION = 5  # 3: attention fused by ONNX Runtime's BERT optimizer; 4: plain-op layer norms, int8 recipe;
# 5: per-row int8 (batched), meta["int8_batched"]
FP32_MIN_COSINE = 0.999  # the fp32 graph must reproduce the PyTorch vectors
INT8_MIN_COSINE = 0.99  # mean cosine of int8 to PyTorch fp32 for the int8 graph to be used
INT8_WORST_COSINE = 0.95  # and no probe text below this
Progress = Callable[[int, int, str], None]


class NotConvertible(RuntimeError):
    """The model cannot run under ONNX Runtime here (message says why); the PyTorch path is used."""


def onnx_root() -> Path:
    """Where converted models live: ``NOTES2ANKI_ONNX_DIR``, else ``paths.cache_dir() / "onnx"``."""
    env = os.environ.get("NOTES2ANKI_ONNX_DIR")
    if env:
        return Path(env)
    from notes2anki.paths import cache_dir

    return cache_dir() / "onnx"


def fingerprint(model_dir: Path) -> str:
    """Hex digest of the model directory's file names, sizes and mtimes, the converter version and the int8
    recipe."""
    digest = hashlib.sha256(f"converter={CONVERTER_VERSION}\0int8={recipe_tag()}".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file() and ".git" not in p.parts):
        stat = path.stat()
        digest.update(f"{path.relative_to(model_dir).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def model_folder(model_dir: Path, key: str) -> Path:
    """The folder of ``model_dir``'s converted files (it may not exist yet)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", key.split("/")[-1])[:60] or "model"
    return onnx_root() / f"{slug}-{fingerprint(model_dir)}"


def read_meta(folder: Path) -> dict | None:
    """The conversion record in ``folder``, or None when there is none (or it cannot be read)."""
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("converter") == CONVERTER_VERSION else None


def _threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


TOKENIZE_CHUNK = 8192  # texts tokenized at a time (see OnnxEncoder.encode)
PER_TEXT_PROGRESS = 32  # texts between two progress calls when texts run one at a time (int8)


@dataclass
class OnnxEncoder:
    """A converted model loaded into ONNX Runtime: :meth:`encode` gives unit float32 vectors."""

    session: Any
    tokenizer: Any
    inputs: tuple[str, ...]
    lower_case: bool
    variant: str  # "fp32" | "int8"
    provider: str
    workers: int = 1  # batches run at once
    batched: bool = True  # False: every text runs alone (an int8 graph quantized per batch)
    output: str | None = None  # the sentence vectors' output (None: the first)
    hidden: str | None = None  # the token states' output, when the session runs the graph of token_graph.py

    @classmethod
    def load(cls, folder: Path, model_dir: Path, *, variant: str = "fp32", cuda: bool = False) -> "OnnxEncoder":
        """Load the converted model in ``folder``: its ``variant`` graph ("fp32", or "int8" when the
        conversion kept one); ``cuda`` asks for ONNX Runtime's CUDA provider. Raises
        :class:`NotConvertible` when there is no usable conversion, no such graph or no CUDA provider."""
        convert_cleanup.remove_stale(folder.parent)  # temp folders of a killed conversion (tester U23)
        meta = read_meta(folder)
        if meta is None or not meta.get("ok"):
            raise NotConvertible((meta or {}).get("reason", f"no converted model in {folder}"))
        if variant not in meta["files"]:
            raise NotConvertible(f"the conversion in {folder} has no {variant} graph")
        return cls.from_file(folder / meta["files"][variant], model_dir, meta, variant, cuda=cuda)

    @classmethod
    def from_file(cls, graph: Path, model_dir: Path, meta: dict, variant: str, *, cuda: bool = False) -> "OnnxEncoder":
        """An ONNX Runtime session on ``graph`` with the tokenizer of ``model_dir`` (``meta``: inputs,
        max_seq_length, lower_case). On the CPU the session runs each batch on one thread and :meth:`encode`
        runs one batch per available core (at most 8) at a time; on CUDA one batch at a time. When the graph
        with the token states as a second output is beside ``graph`` (:mod:`~notes2anki.semantic.token_graph`),
        that one is loaded on the CPU (same vectors; :attr:`hidden` names the token states). An int8 graph runs as
        :func:`~notes2anki.semantic.int8_cpu.runnable` gives it (its uint8 twin on CPUs whose u8 × s8 kernel
        saturates)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        providers = ["CPUExecutionProvider"]
        if cuda:
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise NotConvertible("onnxruntime has no CUDA provider (install onnxruntime-gpu)")
            providers.insert(0, "CUDAExecutionProvider")
        options = ort.SessionOptions()
        # Batches in parallel, one thread each, rather than each op split over the cores: the ops of a batch
        # of short card texts are small, and splitting them cost 5-7 % more CPU for the same vectors
        # (1,500 card texts, int8: 3.45-3.66 s CPU split over 2 threads, 3.36 s on one).
        options.intra_op_num_threads = 1 if not cuda else _threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: on a machine shared with other work, spinning burnt
        # a quarter more CPU for the same vectors (600 card texts, 2 cores at load 6-8: 4.3-5.9 s CPU
        # spinning, 3.2-3.7 s not; wall time no worse). Same results either way.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if variant == "int8":
            graph = int8_cpu.runnable(graph, meta)  # its uint8 twin where u8 × s8 saturates (int8_cpu.py)
        session = None
        tokens = None if cuda or isinstance(graph, bytes) else token_graph.existing(graph)  # also the token states
        if tokens is None and not cuda and not isinstance(graph, bytes) \
                and read_meta(graph.parent) is not None:  # (not a graph the conversion is still checking)
            # always, on the CPU: a session loaded before the duplicate check (the note vectors of a build, a
            # command's first texts) would otherwise lack the output, and the check ran the second pass
            try:  # written once after a conversion, not after the first check's sentence pass
                made = token_graph.ensure(graph)
            except Exception:  # no pooling found, unreadable: the plain graph, the states computed on demand
                made = None
            tokens = made if isinstance(made, Path) else None
        if tokens is not None:
            try:
                session = ort.InferenceSession(str(tokens), options, providers=providers,
                                               disabled_optimizers=DISABLED_OPTIMIZERS)
            except Exception:  # damaged: the plain graph, and the derived one is written again when needed
                token_graph.forget(graph)
        if session is None:
            source = graph if isinstance(graph, bytes) else str(graph)
            try:
                session = ort.InferenceSession(source, options, providers=providers,
                                               disabled_optimizers=DISABLED_OPTIMIZERS)  # keep plain-op layer norms
            except Exception:
                int8_cpu.forget_twin(graph)  # a damaged uint8 twin is written again by the next run
                raise
        outputs = [out.name for out in session.get_outputs()]
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        tokenizer.no_padding()
        batched = variant != "int8" or bool(meta.get("int8_batched"))
        return cls(session, tokenizer, tuple(meta["inputs"]), bool(meta.get("lower_case")), variant, providers[0],
                   workers=1 if cuda else _threads(), batched=batched, output=outputs[0],
                   hidden=outputs[1] if len(outputs) == 2 else None)

    def _kept_states(self) -> set | frozenset | None:
        """The texts whose token states :meth:`encode` hands to :func:`~notes2anki.semantic.token_keep.put`
        (inside a :func:`~notes2anki.semantic.token_keep.keeping` block), or None: only a CPU session that
        outputs them (:attr:`hidden`) and runs texts in batches (the states then are the bits
        :meth:`~notes2anki.semantic.token_states.TokenEncoder.states` computes on this session)."""
        if not self.hidden or not self.output or not self.batched or self.provider != "CPUExecutionProvider":
            return None
        return token_keep.wanted(self.session)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: Progress | None = None) -> np.ndarray:
        """A (len(texts), dim) float32 array of unit vectors. Texts are batched by token length, so padding
        stays small, and :attr:`workers` batches run at once; ``progress(done, total, "encode")`` is called
        after each batch (at most every :data:`PER_TEXT_PROGRESS` texts), in order.

        The per-row int8 graph (:mod:`notes2anki.semantic.int8_rows`) gives a text the same vector bit for
        bit alone and in any batch with any padding (tested), so it runs in batches like fp32. An int8 graph
        of an earlier recipe (``quantize_dynamic``: one activation scale per tensor, i.e. per batch, padding
        rows included; :attr:`batched` False) runs every text on its own (batch size 1, whatever
        ``batch_size``), else a text batched with others got another vector (mean cosine 0.991 between
        batchings of 600 card texts) and a cold run differed from one encoded an edit at a time.

        Inside a :func:`~notes2anki.semantic.token_keep.keeping` block, a CPU session that outputs the token
        states (:attr:`hidden`) also hands the wanted texts' states to :func:`~notes2anki.semantic.token_keep.put`
        from the same runs (the token states of ``ctx_diff``, no second pass)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if not self.batched:
            batch_size = 1
        # tokens as flat arrays, tokenized TOKENIZE_CHUNK texts at a time: 300,000 tokenizer Encoding objects
        # held at once took about 900 MB (100,000 cards)
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        flat: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for begin in range(0, len(texts), TOKENIZE_CHUNK):
            chunk = texts[begin:begin + TOKENIZE_CHUNK]
            encodings = self.tokenizer.encode_batch([t.lower() for t in chunk] if self.lower_case else list(chunk))
            offsets[begin + 1:begin + len(encodings) + 1] = np.cumsum([len(e.ids) for e in encodings])
            flat.append(tuple(np.fromiter((v for e in encodings for v in getattr(e, name)), dtype=np.int64)
                              for name in ("ids", "attention_mask", "type_ids")))
            offsets[begin + 1:begin + len(encodings) + 1] += offsets[begin]
            del encodings
        all_ids, all_mask, all_types = (np.concatenate([part[k] for part in flat]) for k in range(3))
        del flat
        lengths = np.diff(offsets)
        order = np.argsort(-lengths, kind="stable")
        starts = range(0, len(order), batch_size)

        wanted = self._kept_states()

        def run(start: int) -> tuple[np.ndarray, np.ndarray]:
            rows = order[start:start + batch_size]
            width = max(1, int(lengths[rows].max()))
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for r, i in enumerate(rows.tolist()):
                a, b = offsets[i], offsets[i + 1]
                ids[r, :b - a], mask[r, :b - a], types[r, :b - a] = all_ids[a:b], all_mask[a:b], all_types[a:b]
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            keep = [(r, i) for r, i in enumerate(rows.tolist()) if texts[i] in wanted] if wanted else []
            found = self.session.run([self.output, self.hidden] if keep else [self.output] if self.output else None,
                                     {name: feed[name] for name in self.inputs})
            for r, i in keep:  # the token states of ctx_diff from this same pass (token_keep.py)
                a, b = offsets[i], offsets[i + 1]
                token_keep.put(self.session, texts[i], *token_states.unit_states(all_ids[a:b], found[1][r, :b - a]))
            return rows, found[0]

        out: np.ndarray | None = None
        pool = ThreadPoolExecutor(self.workers) if self.workers > 1 and len(starts) > 1 else None
        try:  # (ONNX Runtime releases the GIL while a batch runs; one session serves concurrent runs)
            for start, (rows, vectors) in zip(starts, pool.map(run, starts) if pool else map(run, starts)):
                if out is None:
                    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
                out[rows] = vectors
                done = min(start + batch_size, len(order))
                if progress is not None and (batch_size > 1 or done % PER_TEXT_PROGRESS == 0 or done == len(order)):
                    progress(done, len(order), "encode")
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        assert out is not None
        for begin in range(0, len(out), TOKENIZE_CHUNK):  # in place, by blocks: no second (texts x dim) array
            part = out[begin:begin + TOKENIZE_CHUNK]
            norms = np.linalg.norm(part, axis=1, keepdims=True)
            part /= np.where(norms > 0, norms, 1.0)
        return out
