"""The int8 graph and the plain-op layer norms: same arithmetic as ONNX Runtime's fused kernels, vectors within
the stated cosine of PyTorch on card texts in several languages, and a recipe change converts again."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from notes2anki.semantic import encoder, int8_cpu, onnx_backend, onnx_quantize
from notes2anki.semantic.encoder import Embedder, plan_for, resolve_model

# Card texts as `dupes` embeds them (question | answer, questions, answers), several languages and scripts.
CARD_TEXTS = [
    "What port does HTTPS use by default? | 443",
    "Which TCP port does HTTPS listen on by default?",
    "What is the time complexity of binary search? | O(log n)",
    "Define opportunity cost. | The value of the best alternative given up.",
    "SN2: rate = k[R–X][Nu⁻], one concerted step with inversion of configuration",
    "What does `list.pop(0)` return? | The first item, removed from the list.",
    "The mitral valve separates the left atrium from the left ventricle.",
    "Which enzyme unwinds the DNA double helix during replication? | Helicase",
    "Treaty of Versailles | 1919",
    "∫ x² dx = x³/3 + C",
    "255.255.255.0 = /24",
    "Welche Aufgabe hat die Mitochondrie? | Zellatmung, ATP-Bildung",
    "Was versteht man unter dem Grenznutzen? | Den Nutzen der letzten konsumierten Einheit.",
    "Quelle est la capitale de l'Australie ? | Canberra",
    "La variance mesure la dispersion d'une variable aléatoire autour de son espérance.",
    "¿Cuál es el pretérito de «tener»? | tuve, tuviste, tuvo",
    "Jaký je rozdíl mezi procesem a vláknem? | Vlákna sdílejí adresní prostor procesu.",
    "心房細動の合併症は？ | 脳梗塞",
    "Thủ đô của Việt Nam là gì? | Hà Nội",
    "x",
    "",
    "Past Perfect Continuous | had been + -ing",
    "A B-tree keeps its keys sorted and balanced; every leaf is at the same depth. " * 12,  # truncated at 256
]


def _run(model: onnx.ModelProto, feed: dict) -> np.ndarray:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"],
                                   disabled_optimizers=onnx_quantize.DISABLED_OPTIMIZERS)
    return session.run(None, feed)[0]


@pytest.mark.parametrize("with_bias", [True, False])
def test_plain_op_layer_norms_compute_what_the_fused_kernel_computes(with_bias):
    rng = np.random.default_rng(7)
    hidden = 48
    inits = [numpy_helper.from_array(rng.normal(size=hidden).astype(np.float32), name)
             for name in ("gamma", "beta", "bias")]
    inputs = ["x", "skip", "gamma", "beta", "bias" if with_bias else ""]
    node = helper.make_node("SkipLayerNormalization", inputs, ["y"], domain="com.microsoft", epsilon=1e-12,
                            name="sln")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 5, hidden])
                                            for n in ("x", "skip")],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    fused = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    plain = onnx.ModelProto()
    plain.CopyFrom(fused)
    assert onnx_quantize.unfuse_layer_norms(plain) == 1
    assert {n.op_type for n in plain.graph.node} <= {"Add", "ReduceMean", "Sub", "Mul", "Sqrt", "Div"}
    feed = {"x": (3 * rng.normal(size=(2, 5, hidden))).astype(np.float32),
            "skip": rng.normal(size=(2, 5, hidden)).astype(np.float32)}
    np.testing.assert_allclose(_run(plain, feed), _run(fused, feed), atol=2e-5)


def test_int8_vectors_stay_within_the_stated_cosine_of_pytorch(onnx_dir, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    with Embedder(cache_path=":memory:", backend="torch") as torch_side:
        reference = torch_side.embed(CARD_TEXTS)
    with Embedder(cache_path=":memory:", backend="onnx-fp32") as fp32_side:
        fp32 = fp32_side.embed(CARD_TEXTS)
        assert fp32_side.plan.variant == "fp32" and fp32_side.key == "sentence-transformers/all-MiniLM-L6-v2"
    with Embedder(cache_path=":memory:", backend="onnx-int8") as int8_side:
        int8 = int8_side.embed(CARD_TEXTS)
        assert int8_side.plan.variant == "int8"
        assert int8_side.key == "sentence-transformers/all-MiniLM-L6-v2" + encoder.INT8_KEY
    assert (fp32 * reference).sum(axis=1).min() >= onnx_backend.FP32_MIN_COSINE
    cosine = (int8 * reference).sum(axis=1)
    assert cosine.mean() >= onnx_backend.INT8_MIN_COSINE, cosine
    assert cosine.min() >= onnx_backend.INT8_WORST_COSINE, cosine


def test_the_graphs_are_the_recipe(onnx_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    plan = plan_for(resolve_model(None), "onnx-int8")
    meta = onnx_backend.read_meta(plan.folder)
    assert meta["int8_recipe"] == onnx_quantize.recipe_tag() and meta["plain_layer_norms"] == 12
    fp32 = onnx.load(str(plan.folder / meta["files"]["fp32"]), load_external_data=False)
    ops = [n.op_type for n in fp32.graph.node]
    assert ops.count("Attention") == 6 and "SkipLayerNormalization" not in ops
    int8 = onnx.load(str(plan.folder / meta["files"]["int8"]), load_external_data=False)
    ops = [n.op_type for n in int8.graph.node]
    weights = {i.name for i in int8.graph.initializer}
    # per-row int8: every weight matrix int8 (the 18 MatMuls and the 6 packed Q/K/V projections), attention
    # as MultiHeadAttention on the projected Q/K/V, activations quantized per row (one ReduceMax per matrix
    # input), the mean pooling's sum a MatMul; no fp32 weight matrix and no per-tensor quantization left
    assert onnx_quantize.INT8_RECIPE is onnx_quantize.ROW_INT8_RECIPE and meta["int8_batched"] is True
    assert ops.count("MatMulIntegerToFloat") == 24 and ops.count("MultiHeadAttention") == 6
    assert ops.count("QuantizeLinear") == ops.count("ReduceMax") == 24
    assert "Attention" not in ops and "DynamicQuantizeLinear" not in ops and "ReduceSum" in ops
    assert not [n.name for n in int8.graph.node if n.op_type == "MatMul" and set(n.input) & weights]
    int8_weights = [i for i in int8.graph.initializer if i.data_type == TensorProto.INT8 and len(i.dims) == 2]
    assert len(int8_weights) == 24
    # ONNX Runtime, opened as the encoder opens it, keeps the plain-op layer norms
    options = ort.SessionOptions()
    options.optimized_model_filepath = str(tmp_path / "seen.onnx")
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    ort.InferenceSession(str(plan.folder / meta["files"]["int8"]), options, providers=["CPUExecutionProvider"],
                         disabled_optimizers=onnx_quantize.DISABLED_OPTIMIZERS)
    seen = {n.op_type for n in onnx.load(str(tmp_path / "seen.onnx")).graph.node}
    assert "MatMulIntegerToFloat" in seen and not seen & {"SkipLayerNormalization", "LayerNormalization"}


def test_batches_in_parallel_give_the_same_vectors(onnx_dir, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    plan = plan_for(resolve_model(None), "onnx-int8")
    model = onnx_backend.OnnxEncoder.load(plan.folder, plan.model_dir, variant="int8")
    texts = [f"{t} ({i})" for i in range(6) for t in CARD_TEXTS]
    model.workers = 1
    one = model.encode(texts, batch_size=8)
    model.workers = 3
    assert np.array_equal(model.encode(texts, batch_size=8), one)


def test_an_int8_vector_is_the_same_alone_and_inside_a_batch(onnx_dir, monkeypatch):
    """The per-row int8 graph runs in batches, and a text's vector is the same bit for bit whatever it is
    encoded with, padded or not (a cold run and an edit give the same vectors)."""
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    plan = plan_for(resolve_model(None), "onnx-int8")
    model = onnx_backend.OnnxEncoder.load(plan.folder, plan.model_dir, variant="int8")
    assert model.batched
    texts = [t for t in CARD_TEXTS if t]
    together = model.encode(texts, batch_size=16)
    alone = np.concatenate([model.encode([t]) for t in texts])
    reversed_ = model.encode(texts[::-1], batch_size=7)[::-1]
    assert np.array_equal(together, alone) and np.array_equal(together, reversed_)
    # a short text padded to the longest (256 tokens) in one batch, and a batch of one text repeated
    for short in (0, 8, 19):
        padded = model.encode([texts[short], texts[-1]], batch_size=2)
        assert np.array_equal(padded, alone[[short, -1]])
    assert np.array_equal(model.encode([texts[2]] * 9, batch_size=9), np.repeat(alone[2:3], 9, axis=0))
    feed = model.tokenizer.encode_batch(texts[:2])  # the graph itself, padded by hand beyond the batch's longest
    width = max(len(e.ids) for e in feed) + 40
    ids = np.zeros((2, width), dtype=np.int64)
    for r, e in enumerate(feed):
        ids[r, :len(e.ids)] = e.ids
    raw = model.session.run(None, {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64),
                                   "token_type_ids": np.zeros_like(ids)})[0]
    assert np.array_equal(raw / np.linalg.norm(raw, axis=1, keepdims=True), alone[:2])
    with Embedder(cache_path=":memory:", backend="onnx-int8") as int8_side:  # through the Embedder, too
        assert np.array_equal(int8_side.embed(texts[3:9]), together[3:9])
        assert np.array_equal(int8_side.embed([texts[0], texts[12]]), together[[0, 12]])


def test_where_u8_s8_saturates_the_encoder_runs_the_uint8_twin_with_the_same_vectors(onnx_dir, monkeypatch):
    """On a CPU whose u8 × s8 kernel saturates (x86 without VNNI) the int8 graph runs as its uint8 twin, written
    once beside it: the same integers, so the same vectors as the int8 graph gives where that kernel is exact
    (or, on a saturating CPU, vectors within the stated cosine of fp32); sentence vectors and token states."""
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    plan = plan_for(resolve_model(None), "onnx-int8")
    meta = onnx_backend.read_meta(plan.folder)
    assert meta["int8_weights"] == "int8" and (plan.folder / int8_cpu.PROBE_FILE).is_file()
    native = onnx_backend.OnnxEncoder.load(plan.folder, plan.model_dir, variant="int8")
    fp32 = onnx_backend.OnnxEncoder.load(plan.folder, plan.model_dir, variant="fp32").encode(CARD_TEXTS)
    monkeypatch.setattr(int8_cpu, "_SATURATES", [True])
    graph = plan.folder / meta["files"]["int8"]
    twin = int8_cpu.runnable(graph, meta)
    assert twin == int8_cpu.twin_path(graph) and twin.is_file() and int8_cpu.runnable(twin, meta) == twin
    stamp = twin.stat().st_mtime_ns
    assert int8_cpu.runnable(graph, meta) == twin and twin.stat().st_mtime_ns == stamp  # written once
    weights = onnx.load(str(twin), load_external_data=False).graph.initializer
    assert not [i.name for i in weights if i.data_type == TensorProto.INT8]
    model = onnx_backend.OnnxEncoder.load(plan.folder, plan.model_dir, variant="int8")
    vectors = model.encode(CARD_TEXTS, batch_size=8)
    assert np.array_equal(vectors, model.encode(CARD_TEXTS[::-1], batch_size=5)[::-1])
    monkeypatch.setattr(int8_cpu, "_SATURATES", [])
    if not int8_cpu.u8s8_saturates():
        assert np.array_equal(vectors, native.encode(CARD_TEXTS, batch_size=8))
    assert (vectors * fp32).sum(axis=1).min() >= onnx_backend.INT8_WORST_COSINE


def test_the_int8_encoder_has_an_fp32_twin(onnx_dir, monkeypatch, tmp_path):
    """onnx-int8 runs the int8 graph on the CPU; its exact() twin runs the fp32 graph of the same conversion and
    shares the cache, keeping fp32 vectors under the model key (apart from the int8 ones)."""
    monkeypatch.setenv("NOTES2ANKI_ONNX_DIR", str(onnx_dir))
    monkeypatch.delenv("NOTES2ANKI_DEVICE", raising=False)
    if encoder._nvidia_gpu_present():
        pytest.skip("a GPU runs fp32")
    with Embedder(cache_path=tmp_path / "c.sqlite", backend="onnx-int8") as int8:
        assert int8.approximate and int8.key.endswith(encoder.INT8_KEY)
        exact = int8.exact()
        assert exact is int8.exact() and exact.cache is int8.cache and not exact.approximate
        assert exact.key == "sentence-transformers/all-MiniLM-L6-v2" and exact.plan.folder == int8.plan.folder
        texts = CARD_TEXTS[:5]
        with Embedder(cache_path=":memory:", backend="onnx-fp32") as fp32:
            assert np.array_equal(exact.embed(texts), fp32.embed(texts))
        assert exact.stats.encoded == 5 and int8.stats.encoded == 0
        assert len(int8.cache.get(exact.key, encoder.TEXT_VERSION, [encoder.text_hash(t) for t in texts])) == 5
        exact.close()  # leaves the shared cache open
        int8.embed(texts[:1])


def test_a_new_recipe_is_converted_again_and_cached_apart(monkeypatch, tmp_path):
    folder = encoder.bundled_model_dir()
    before, tag = onnx_backend.fingerprint(folder), onnx_quantize.recipe_tag()
    changed = json.loads(json.dumps(onnx_quantize.INT8_RECIPE))
    changed["version"] += 1
    monkeypatch.setattr(onnx_quantize, "INT8_RECIPE", changed)
    assert onnx_quantize.recipe_tag() != tag
    assert onnx_backend.fingerprint(folder) != before
    assert encoder.INT8_KEY == f"#int8-{tag}"  # (the key of the recipe this process runs)


def test_the_default_variant_is_one_setting(monkeypatch):
    monkeypatch.delenv("NOTES2ANKI_ENCODER", raising=False)
    assert encoder.vector_suffix("onnx-int8") == encoder.INT8_KEY and encoder.vector_suffix("torch") == ""
    for variant, suffix in (("fp32", ""), ("int8", encoder.INT8_KEY)):
        monkeypatch.setattr(encoder, "DEFAULT_ONNX_VARIANT", variant)
        assert encoder.vector_suffix("auto") == encoder.vector_suffix("onnx") == encoder.vector_suffix(None) == suffix


def _pooling_graph(hidden: int = 6) -> onnx.ModelProto:
    """x @ W, then the mean pooling's masked sum as torch.onnx.export writes it (Unsqueeze, Cast, Mul,
    ReduceSum over the token axis)."""
    rng = np.random.default_rng(3)
    inits = [numpy_helper.from_array(rng.normal(size=(hidden, hidden)).astype(np.float32), "W"),
             numpy_helper.from_array(np.array([-1], dtype=np.int64), "last"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "tokens")]
    nodes = [helper.make_node("MatMul", ["x", "W"], ["h"], name="mm"),
             helper.make_node("Unsqueeze", ["attention_mask", "last"], ["m3"], name="unsq"),
             helper.make_node("Cast", ["m3"], ["mf"], to=TensorProto.FLOAT, name="cast"),
             helper.make_node("Mul", ["h", "mf"], ["hm"], name="mul"),
             helper.make_node("ReduceSum", ["hm", "tokens"], ["pooled"], keepdims=0, name="sum")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", hidden]),
                                           helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "t"])],
                              [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["b", hidden])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])


def test_per_row_int8_rows_depend_on_their_own_row_only():
    """quantize_rows + pool_by_matmul on a small graph: each text's result is the same bit for bit alone, in a
    batch and padded, and close to the fp32 result (int8 weights per column, int8 activations per row)."""
    from notes2anki.semantic.int8_rows import pool_by_matmul, quantize_rows

    fp32 = _pooling_graph()
    model = _pooling_graph()
    assert quantize_rows(model) == {"MatMul": 1, "Attention": 0} and pool_by_matmul(model) == 1
    ops = [n.op_type for n in model.graph.node]
    assert "MatMulIntegerToFloat" in ops and "Mul" in ops and "ReduceSum" not in ops
    if int8_cpu.u8s8_saturates():  # run as the encoder runs it on this CPU
        assert int8_cpu.unsigned_weights(model) == 2
    rng = np.random.default_rng(5)
    x = rng.normal(size=(5, 9, 6)).astype(np.float32) * rng.uniform(0.1, 10, size=(5, 9, 1)).astype(np.float32)
    mask = np.ones((5, 9), dtype=np.int64)
    mask[1, 4:] = mask[3, 7:] = 0
    batch = _run(model, {"x": x, "attention_mask": mask})
    for i in range(5):
        width = int(mask[i].sum())
        alone = _run(model, {"x": x[i:i + 1, :width], "attention_mask": mask[i:i + 1, :width]})
        assert np.array_equal(alone, batch[i:i + 1])
    reference = _run(fp32, {"x": x, "attention_mask": mask})
    cosine = (batch * reference).sum(1) / np.linalg.norm(batch, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosine.min() > 0.999, cosine


def test_a_graph_without_mean_pooling_gets_no_per_row_int8(tmp_path):
    model = _pooling_graph()
    del model.graph.node[-1]  # no pooled sum
    model.graph.output[0].name = "hm"
    onnx.save(model, str(tmp_path / "g.onnx"))
    with pytest.raises(ValueError, match="per-row recipe"):
        onnx_quantize.quantize_int8(tmp_path / "g.onnx", tmp_path / "q.onnx")
    assert not (tmp_path / "q.onnx").exists()
