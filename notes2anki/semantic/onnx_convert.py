"""Converting a sentence-transformers model once for :mod:`notes2anki.semantic.onnx_backend` (see its module
doc: the export, the fused fp32 graph and the int8 variant, each kept only when its vectors reproduce the
PyTorch vectors on :data:`PROBE_TEXTS`). Imports torch and sentence_transformers when it runs.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from notes2anki.semantic import convert_cleanup, int8_cpu
from notes2anki.semantic.onnx_backend import (CONVERTER_VERSION, FP32_MIN_COSINE, INT8_MIN_COSINE,  # noqa: F401
                                              INT8_WORST_COSINE, NotConvertible, OnnxEncoder, model_folder,
                                              read_meta)
from notes2anki.semantic.onnx_quantize import (batch_independent, eager_attention, fuse, quantize_int8, recipe_tag,
                                               unfuse_file)

PROBE_TEXTS = (
    "What port does HTTPS use by default? | 443",
    "Mitosis produces two genetically identical daughter cells.",
    "Which enzyme unwinds the DNA double helix during replication?",
    "Der Satz des Pythagoras gilt nur in rechtwinkligen Dreiecken.",
    "How many round trips does a full TLS 1.3 handshake need? | One (1-RTT)",
    "Define opportunity cost. | The value of the best alternative given up.",
    "log n × n² ≤ 2ⁿ for n ≥ 4",
    "Quelle est la capitale de l'Australie ? | Canberra",
    "A B-tree keeps its keys sorted and balanced; every leaf is at the same depth, and nodes split when they "
    "overflow. " * 3,
    "x",
    "The Treaty of Versailles (1919) ended the First World War between Germany and the Allied Powers.",
    "SN2: rate = k[R–X][Nu⁻], one concerted step with inversion of configuration",
)


def convert(model_dir: Path, key: str, *, quantize: bool = True) -> Path:
    """Convert the sentence-transformers model in ``model_dir`` once; returns its folder (see module doc).

    Imports torch and sentence_transformers. A model that cannot be converted gets a ``meta.json`` with
    ``ok: false`` and the reason, so the next run does not try again. Concurrent conversions are safe:
    each writes into its own temp folder and the first rename wins. Raises :class:`NotConvertible`.
    """
    folder = model_folder(model_dir, key)
    if read_meta(folder) is not None:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    convert_cleanup.remove_stale(folder.parent)
    work = Path(tempfile.mkdtemp(prefix=convert_cleanup.PREFIX, dir=folder.parent))
    held = convert_cleanup.hold(work)  # another run's remove_stale leaves a held folder alone
    try:
        try:
            with warnings.catch_warnings():
                meta = _export(model_dir, work, quantize=quantize)
        except NotConvertible as exc:
            meta = {"ok": False, "reason": str(exc)}
        except Exception as exc:  # an exporter failure on an unusual model: use PyTorch for it
            from notes2anki.interrupts import raise_if_received

            raise_if_received(exc)  # a Ctrl-C is not a failed export: nothing is recorded
            meta = {"ok": False, "reason": f"export failed: {type(exc).__name__}: {exc}"}
        meta.update(converter=CONVERTER_VERSION, model=key, source=str(model_dir), created=time.time())
        (work / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True), "utf-8")
        try:
            os.rename(work, folder)
        except OSError:  # another process finished first
            if read_meta(folder) is None:
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
        held.close()
    return folder


def _export(model_dir: Path, work: Path, *, quantize: bool) -> dict:
    if not (model_dir / "tokenizer.json").is_file():
        raise NotConvertible("the model has no tokenizer.json (a fast tokenizer file)")
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True).eval()
    first = model[0]
    if type(first).__name__ != "Transformer":
        raise NotConvertible(f"its first module is {type(first).__name__}, not a Transformer")
    eager = eager_attention(first)
    # sentence-transformers 6 renamed tokenize → preprocess (tokenize logs a deprecation line)
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features = prepare(list(PROBE_TEXTS[:2]))
    inputs = tuple(name for name in ("input_ids", "attention_mask", "token_type_ids") if name in features)
    if inputs[:2] != ("input_ids", "attention_mask"):
        raise NotConvertible(f"unexpected tokenizer outputs {sorted(features)}")

    class Pipeline(torch.nn.Module):
        def __init__(self, st: Any):
            super().__init__()
            self.st = st

        def forward(self, *tensors: Any) -> Any:
            return self.st(dict(zip(inputs, tensors)))["sentence_embedding"]

    warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\..*")  # tracer notes (checked below)
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    axes = {name: {0: "batch", 1: "tokens"} for name in inputs}
    axes["sentence_embedding"] = {0: "batch"}
    fp32 = work / "model.onnx"
    with torch.no_grad():
        torch.onnx.export(Pipeline(model).eval(), tuple(features[name] for name in inputs), str(fp32),
                          input_names=list(inputs), output_names=["sentence_embedding"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    reference = model.encode(list(PROBE_TEXTS), convert_to_numpy=True, normalize_embeddings=True)
    meta: dict[str, Any] = {"ok": True, "inputs": list(inputs), "max_seq_length": int(model.max_seq_length),
                            "lower_case": bool(getattr(first, "do_lower_case", False)),
                            "files": {"fp32": fp32.name}}
    cased = [t.lower() for t in PROBE_TEXTS] if meta["lower_case"] else list(PROBE_TEXTS)
    hf_ids = model.tokenizer(cased, truncation=True, max_length=model.max_seq_length)["input_ids"]
    probe = OnnxEncoder.from_file(fp32, model_dir, meta, "fp32")
    ours = [e.ids for e in probe.tokenizer.encode_batch(cased)]
    if [list(x) for x in hf_ids] != ours:
        raise NotConvertible("tokenizer.json does not give the same tokens as the model's tokenizer")
    cosine = (probe.encode(PROBE_TEXTS) * reference).sum(axis=1)
    meta["fp32_cosine"] = {"mean": float(cosine.mean()), "min": float(cosine.min())}
    if cosine.min() < FP32_MIN_COSINE:
        raise NotConvertible(f"the ONNX graph gives other vectors (min cosine {cosine.min():.4f})")
    fused = fuse(fp32, first, eager) if eager else None
    if fused is not None:
        meta["plain_layer_norms"] = unfuse_file(fused, fused)
        cosine = (OnnxEncoder.from_file(fused, model_dir, meta, "fp32").encode(PROBE_TEXTS) * reference).sum(1)
        meta["fused_cosine"] = {"mean": float(cosine.mean()), "min": float(cosine.min())}
        if cosine.min() >= FP32_MIN_COSINE:
            meta["files"]["fp32"] = fused.name
            meta["fused"] = True
            fp32.unlink()  # (the plain graph is not used again)
    if quantize:
        _quantize(work, model_dir, meta, reference)
    return meta


def _quantize(work: Path, model_dir: Path, meta: dict, reference: np.ndarray) -> None:
    """Make the int8 graph of ``meta``'s fp32 graph in ``work`` and record it in ``meta`` when its vectors keep
    the stated cosine to ``reference`` (PyTorch's :data:`PROBE_TEXTS` vectors). A per-row graph is run in
    batches only when each probe text's vector is the same bit for bit alone and batched with all the probes
    (else one text per run, as the per-batch recipes). A graph the per-row rewrite cannot handle: no int8."""
    int8 = work / "model.int8.onnx"
    started = time.perf_counter()
    try:
        quantize_int8(work / meta["files"]["fp32"], int8)
    except ValueError as exc:
        meta["int8_reason"] = str(exc)
        return
    meta["int8_recipe"], meta["int8_seconds"] = recipe_tag(), round(time.perf_counter() - started, 1)
    meta["int8_batched"], meta["int8_weights"] = False, "int8"
    int8_cpu.write_probe(work)
    model = OnnxEncoder.from_file(int8, model_dir, meta, "int8")
    alone = model.encode(PROBE_TEXTS)
    if batch_independent():
        model.batched = True
        meta["int8_batched"] = bool(np.array_equal(model.encode(PROBE_TEXTS, batch_size=len(PROBE_TEXTS)), alone)
                                    and np.array_equal(model.encode(PROBE_TEXTS, batch_size=5), alone))
    cosine = (alone * reference).sum(1)
    meta["int8_cosine"] = {"mean": float(cosine.mean()), "min": float(cosine.min())}
    if cosine.mean() >= INT8_MIN_COSINE and cosine.min() >= INT8_WORST_COSINE:
        meta["files"]["int8"] = int8.name
    else:
        int8.unlink()
    return meta
