"""The ONNX Runtime encoder: same vectors as sentence-transformers/PyTorch, converted offline once, and a
later process encodes new texts without importing torch or sentence_transformers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from notes2anki.semantic import onnx_backend
from notes2anki.semantic.encoder import DEFAULT_ONNX_VARIANT, INT8_KEY, Embedder, EncoderError, plan_for, resolve_model

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "What port does HTTPS use by default? | 443",
    "Which TCP port does HTTPS listen on by default?",
    "Mitosis produces two genetically identical daughter cells.",
    "Welche Aufgabe hat die Mitochondrie? | Zellatmung, ATP",
    "∫ x² dx = x³/3 + C",
    "a " * 400,  # longer than max_seq_length: truncated the same way
    "",
]


def test_conversion_is_recorded_with_its_measured_quality(onnx_dir, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    plan = plan_for(resolve_model(None), "onnx-fp32")
    assert plan.backend == "onnx" and plan.variant == "fp32"
    assert plan_for(resolve_model(None), "onnx").variant == DEFAULT_ONNX_VARIANT  # the default graph
    assert plan.key == "sentence-transformers/all-MiniLM-L6-v2"  # fp32 vectors share the PyTorch key
    meta = onnx_backend.read_meta(plan.folder)
    assert meta["ok"] and meta["fp32_cosine"]["min"] >= onnx_backend.FP32_MIN_COSINE
    assert meta["max_seq_length"] == 256 and meta["inputs"][:2] == ["input_ids", "attention_mask"]
    assert plan.folder.is_dir()  # in onnx_dir, or where this process converted it before
    # the graph in use is the fused one (one Attention op per layer), and it still matches PyTorch
    assert meta["fused"] and meta["files"]["fp32"] == "model.fused.onnx"
    assert meta["fused_cosine"]["min"] >= onnx_backend.FP32_MIN_COSINE
    import onnx

    graph = onnx.load(str(plan.folder / meta["files"]["fp32"]), load_external_data=False)
    assert sum(node.op_type == "Attention" for node in graph.graph.node) == 6
    if "int8" in meta["files"]:
        assert meta["int8_cosine"]["mean"] >= onnx_backend.INT8_MIN_COSINE


def test_onnx_vectors_match_the_pytorch_path(onnx_dir, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    with Embedder(cache_path=":memory:", backend="torch") as torch_side:
        reference = torch_side.embed(TEXTS)
    with Embedder(cache_path=":memory:", backend="onnx-fp32") as onnx_side:
        got = onnx_side.embed(TEXTS)
        assert onnx_side.plan.backend == "onnx"
    assert got.shape == reference.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosine = (got * reference).sum(axis=1)
    assert cosine.min() >= 0.999, cosine
    with Embedder(cache_path=":memory:", backend="onnx-int8") as int8_side:
        if int8_side.plan.variant == "int8":
            assert int8_side.key.endswith(INT8_KEY) and INT8_KEY.startswith("#int8-")  # cached apart from fp32
            int8 = (int8_side.embed(TEXTS[:5]) * reference[:5]).sum(axis=1)
            assert int8.mean() >= 0.99, int8


def test_progress_is_reported_while_encoding(onnx_dir, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    seen: list[tuple[int, int, str]] = []
    with Embedder(cache_path=":memory:", backend="onnx", progress=lambda *a: seen.append(a)) as e:
        e.embed([f"card number {i}" for i in range(70)])
    encode = [s for s in seen if s[2] == "encode"]
    assert encode[-1] == (70, 70, "encode") and len(encode) >= 3
    assert [d for d, _, _ in encode] == sorted(d for d, _, _ in encode)


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(EncoderError, match="unknown encoder backend"):
        plan_for(resolve_model(None), "tensorflow")


FRESH = textwrap.dedent("""
    import json, sys
    from notes2anki.semantic.encoder import Embedder
    with Embedder(cache_path=sys.argv[1]) as e:
        vectors = e.embed(json.loads(sys.argv[2]))
        out = {"encoded": e.stats.encoded, "backend": e._plan and e._plan.backend, "shape": list(vectors.shape)}
    out["heavy"] = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
    print(json.dumps(out))
""")


def run_fresh(cache: Path, texts: list[str], onnx_dir: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), NOTES2ANKI_ONNX_DIR=str(onnx_dir), HF_HUB_OFFLINE="1")
    env.pop("NOTES2ANKI_ENCODER", None)
    proc = subprocess.run([sys.executable, "-c", FRESH, str(cache), json.dumps(texts)], capture_output=True,
                          text=True, env=env, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_converted_model_encodes_new_texts_without_torch(onnx_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    converted = plan_for(resolve_model(None), "onnx").folder.parent  # once per process
    cache = tmp_path / "embeddings.sqlite"
    first = run_fresh(cache, ["a brand new card text", "another one"], converted)
    assert first == {"encoded": 2, "backend": "onnx", "shape": [2, 384], "heavy": []}
    warm = run_fresh(cache, ["a brand new card text", "another one"], converted)
    assert warm == {"encoded": 0, "backend": "onnx", "shape": [2, 384], "heavy": []}


def test_a_warm_cache_needs_no_conversion(tmp_path, monkeypatch):
    """Vectors already cached: no conversion is started (and so no torch import) even when the
    converted model is gone."""
    cache = tmp_path / "embeddings.sqlite"
    with Embedder(cache_path=cache, backend="torch") as e:
        e.embed(["cached text"])
    empty = tmp_path / "no-onnx"
    got = run_fresh(cache, ["cached text"], empty)
    assert got == {"encoded": 0, "backend": None, "shape": [1, 384], "heavy": []} and not empty.exists()


def test_a_conversion_folder_that_cannot_be_written_runs_the_model_on_pytorch_with_a_warning(tmp_path, monkeypatch):
    """Tester 12-03 round 16: a read-only, empty ONNX folder stopped `dupes` (exit 2, "cannot prepare the
    encoder… Read-only file system"). The conversion's OSError now makes the plan PyTorch's for this run, and
    the embedder says why once."""
    from notes2anki.semantic import encoder, onnx_convert

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system", str(tmp_path / "ro" / ".convert-x"))

    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(tmp_path / "ro"))
    monkeypatch.setattr(onnx_convert, "convert", read_only)
    monkeypatch.setattr(encoder, "_CONVERTED", {})
    embedder = Embedder(cache_path=":memory:")
    assert embedder.plan.backend == "torch"
    assert embedder.plan.note.startswith(encoder.UNWRITABLE)
    assert len(embedder.warnings) == 1 and "Read-only file system" in embedder.warnings[0]
    assert "runs on PyTorch instead" in embedder.warnings[0]
