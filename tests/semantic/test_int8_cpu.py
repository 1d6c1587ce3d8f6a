"""The uint8 twin of the per-row int8 graph (int8_cpu.py): the same integers as the int8 weights, computed
exactly on every CPU, and a probe that tells whether this CPU's u8 × s8 kernel saturates."""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from notes2anki.semantic import int8_cpu
from notes2anki.semantic.int8_rows import quantize_rows


def _session(model: onnx.ModelProto | bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    data = model if isinstance(model, bytes) else model.SerializeToString()
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def _matmul_graph(weight: np.ndarray) -> onnx.ModelProto:
    k, n = weight.shape
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["m", k])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["m", n])],
                              [numpy_helper.from_array(weight, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    quantize_rows(model)
    return model


def test_the_uint8_twin_computes_the_int8_integers_exactly():
    """Random weights and activations of every size (most rows reach 255 against weights of ±127, what
    saturates VPMADDUBSW): the twin's output is what exact integer arithmetic on the quantized values gives."""
    rng = np.random.default_rng(7)
    weight = rng.normal(size=(384, 96)).astype(np.float32)
    model = _matmul_graph(weight)
    assert int8_cpu.unsigned_weights(model) == 2 and int8_cpu.unsigned_weights(model) == 0  # once
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    node = next(n for n in model.graph.node if n.op_type == "MatMulIntegerToFloat")
    wq, w_scale, w_zp = inits[node.input[1]], inits[node.input[3]], inits[node.input[5]]
    assert wq.dtype == w_zp.dtype == np.uint8 and set(w_zp.tolist()) == {128}
    x = rng.normal(size=(13, 384)).astype(np.float32) * rng.uniform(0.01, 50, size=(13, 1)).astype(np.float32)
    row_scale = np.maximum(np.abs(x).max(axis=1, keepdims=True) / np.float32(127), np.float32(1e-12))
    xq = np.clip(np.rint(x / row_scale), -128, 127).astype(np.int64)  # QuantizeLinear around 128, minus 128
    exact = (xq @ (wq.astype(np.int64) - 128)).astype(np.float64) * w_scale * row_scale
    got = _session(model).run(None, {"x": x})[0]
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-4 * np.abs(exact).max())
    assert np.abs(xq).max() == 127 and (np.abs(wq.astype(int) - 128) == 127).any()


def test_the_probe_is_exact_as_a_twin_and_tells_whether_this_cpu_saturates(monkeypatch, tmp_path):
    probe = int8_cpu.probe_graph()
    ones = {"x": np.ones((8, int8_cpu.PROBE_DEPTH), dtype=np.float32)}
    signed = _session(probe).run(None, ones)[0]
    twin = onnx.load_from_string(probe)
    assert int8_cpu.unsigned_weights(twin) == 2
    assert np.allclose(_session(twin).run(None, ones)[0], int8_cpu.PROBE_DEPTH, rtol=1e-6)
    monkeypatch.setattr(int8_cpu, "_SATURATES", [])
    assert int8_cpu.u8s8_saturates() is (not np.allclose(signed, int8_cpu.PROBE_DEPTH, rtol=1e-5))
    # from the file the conversion writes, the same answer
    int8_cpu.write_probe(tmp_path)
    assert (tmp_path / int8_cpu.PROBE_FILE).read_bytes() == probe
    answer = int8_cpu.u8s8_saturates()
    monkeypatch.setattr(int8_cpu, "_SATURATES", [])
    assert int8_cpu.u8s8_saturates(tmp_path) is answer


def test_a_graph_that_is_not_int8_or_a_cpu_that_does_not_saturate_runs_the_graph_itself(monkeypatch, tmp_path):
    graph = tmp_path / "model.int8.onnx"
    graph.write_bytes(_matmul_graph(np.ones((4, 4), dtype=np.float32)).SerializeToString())
    monkeypatch.setattr(int8_cpu, "_SATURATES", [False])
    assert int8_cpu.runnable(graph, {"int8_weights": "int8"}) == graph
    monkeypatch.setattr(int8_cpu, "_SATURATES", [True])
    assert int8_cpu.runnable(graph, {}) == graph  # an older conversion: no int8_weights recorded
    twin = int8_cpu.runnable(graph, {"int8_weights": "int8"})
    assert twin != graph and twin.is_file() and ".u8-" in twin.name
    int8_cpu.forget_twin(twin)
    int8_cpu.forget_twin(graph)  # not a twin: left alone
    assert not twin.exists() and graph.is_file()
