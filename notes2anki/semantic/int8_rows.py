"""The int8 graph whose activations are quantized per token row: a text's vector does not depend on its batch.

ONNX Runtime's dynamic quantization (``quantize_dynamic``: ``DynamicQuantizeLinear`` → ``MatMulInteger``)
quantizes each activation tensor with one scale per tensor, i.e. per batch, padding rows included, so a text
batched with others gets another vector; the old int8 encoder therefore ran one text per session run.
:func:`quantize_rows` writes every weight matrix of the fused fp32 graph as int8 instead, with activations
quantized per token row (one scale per row of ``hidden`` values, symmetric, zero point 128), so each row's
integers depend on that row alone, the integer products are exact (int32 accumulation) and a text's vector is
the same alone and in any batch with any padding. Plain ONNX ops and two of ONNX Runtime's own kernels:

* a MatMul ``x @ W`` (W a constant [K, N]) becomes ``s = max(|x|, axis=-1) / 127`` (``Abs``, ``ReduceMax``,
  ``Mul``, ``Max`` against a tiny floor), ``q = QuantizeLinear(x / s, 1, 128)`` (uint8) and
  ``MatMulIntegerToFloat(q, Wq, 1, w_scale, 128) * s`` (com.microsoft; u8 × s8 on VNNI), Wq int8 per output
  column (symmetric, ``w_scale = max|W[:, n]| / 127``);
* the fused ``Attention`` (com.microsoft: Q/K/V projection + scaled dot-product attention) becomes that
  quantized projection of the packed Q/K/V weights, a ``Split`` into Q, K, V and ``MultiHeadAttention`` with
  the same bias, mask (the lengths from ``EmbedLayerNormalization``) and heads.

One fp32 step also depended on the batch: the mean pooling's ``ReduceSum`` over the token axis of a
[batch, tokens, hidden] tensor (ONNX Runtime picks its reduction loops by the whole shape; every layer before
it gave the same bits alone and in a batch). :func:`pool_by_matmul` computes that sum as a batched
``MatMul`` of the [batch, 1, tokens] mask with the token vectors, which runs the same kernel on each text.

On x86 CPUs without VNNI, ONNX Runtime's u8 × s8 kernel saturates on these integers; there the encoder runs
a twin of this graph with the same values stored as uint8 (:mod:`~notes2anki.semantic.int8_cpu`).

Why not ONNX Runtime's ``MatMulNBits`` with 8 bits and ``accuracy_level=4`` (activations int8 per block of a
row, also batch-independent): on this CPU its int8 kernels took 2.5 times the time of these (400 card texts,
one thread: 1,256 ms against 495 ms for the MatMuls), and it cannot reach the Q/K/V weights inside the fused
``Attention`` (1,500 card texts: 5.3 s CPU against fp32's 7.2 s). Static quantization (fixed activation scales)
lost too much (mean cosine 0.92).
"""
from __future__ import annotations

from typing import Any

import numpy as np

ROW_INT8_RECIPE = {
    "scheme": "row-int8",  # activations int8 per token row (symmetric), weights int8 per output column
    "ops": ["MatMul", "Attention"],
    "layer_norm": "plain-ops",
    "pooling": "matmul",
    "version": 2,  # 2: checked against the CPU's u8 × s8 kernel (int8_cpu.py); caches of v1 redone
}
TINY = 1e-12  # floor of a row's scale (an all-zero row quantizes to zeros)


def _weight(inits: dict[str, Any], name: str) -> np.ndarray | None:
    from onnx import numpy_helper

    tensor = inits.get(name)
    if tensor is None:
        return None
    value = numpy_helper.to_array(tensor)
    return value if value.ndim == 2 and value.dtype == np.float32 else None


def quantize_rows(model: Any) -> dict[str, int]:
    """Rewrite ``model`` (an ``onnx.ModelProto`` of the fused fp32 graph, edited in place) as described in the
    module doc. Returns how many MatMuls and Attentions were replaced. Nodes whose weight is not a constant
    2-D float32 matrix are left as they are."""
    from onnx import helper, numpy_helper

    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    new_inits: list[Any] = []
    consts: dict[str, str] = {}

    def const(name: str, value: np.ndarray) -> str:
        if name not in consts:
            new_inits.append(numpy_helper.from_array(value, name))
            consts[name] = name
        return name

    one = const("rowq/one", np.array(1.0, dtype=np.float32))
    zp = const("rowq/zp", np.array(128, dtype=np.uint8))
    inv127 = const("rowq/inv127", np.array(1.0 / 127.0, dtype=np.float32))
    tiny = const("rowq/tiny", np.array(TINY, dtype=np.float32))
    quantized_inputs: dict[str, tuple[str, str]] = {}
    nodes: list[Any] = []
    counts = {"MatMul": 0, "Attention": 0}

    def row_quantize(x: str) -> tuple[str, str]:
        if x in quantized_inputs:
            return quantized_inputs[x]
        p = f"rowq/{x}"
        steps = [helper.make_node("Abs", [x], [f"{p}/abs"]),
                 helper.make_node("ReduceMax", [f"{p}/abs"], [f"{p}/max"], axes=[-1], keepdims=1),
                 helper.make_node("Mul", [f"{p}/max", inv127], [f"{p}/s0"]),
                 helper.make_node("Max", [f"{p}/s0", tiny], [f"{p}/scale"]),
                 helper.make_node("Div", [x, f"{p}/scale"], [f"{p}/scaled"]),
                 helper.make_node("QuantizeLinear", [f"{p}/scaled", one, zp], [f"{p}/q"])]
        for i, step in enumerate(steps):
            step.name = f"{p}/{i}_{step.op_type}"
        nodes.extend(steps)
        quantized_inputs[x] = (f"{p}/q", f"{p}/scale")
        return quantized_inputs[x]

    def int8_matmul(x: str, weight: np.ndarray, wname: str, out: str) -> None:
        scale = np.abs(weight).max(axis=0) / 127.0
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        wq = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
        q, row_scale = row_quantize(x)
        wq_name = const(f"rowq/{wname}/int8", wq)
        ws_name = const(f"rowq/{wname}/scale", scale)
        wzp = const(f"rowq/{wname}/zp", np.zeros(weight.shape[1], dtype=np.int8))
        mm = helper.make_node("MatMulIntegerToFloat", [q, wq_name, one, ws_name, zp, wzp], [f"{out}/unscaled"],
                              domain="com.microsoft", name=f"rowq/{out}/MatMulIntegerToFloat")
        mul = helper.make_node("Mul", [f"{out}/unscaled", row_scale], [out], name=f"rowq/{out}/Mul")
        nodes.extend([mm, mul])

    used_weights: set[str] = set()
    for node in graph.node:
        if node.op_type == "MatMul" and node.domain in ("", "ai.onnx"):
            weight = _weight(inits, node.input[1])
            if weight is not None:
                int8_matmul(node.input[0], weight, node.input[1], node.output[0])
                used_weights.add(node.input[1])
                counts["MatMul"] += 1
                continue
        if node.op_type == "Attention" and node.domain == "com.microsoft" and len(node.input) >= 3:
            weight = _weight(inits, node.input[1])
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            if weight is not None and set(attrs) <= {"num_heads"} and weight.shape[1] % 3 == 0:
                p = f"rowq/{node.name or node.output[0]}"
                int8_matmul(node.input[0], weight, node.input[1], f"{p}/qkv")
                third = weight.shape[1] // 3
                split = const(f"{p}/split", np.array([third] * 3, dtype=np.int64))
                nodes.append(helper.make_node("Split", [f"{p}/qkv", split], [f"{p}/q", f"{p}/k", f"{p}/v"],
                                              axis=-1, name=f"{p}/Split"))
                mask = node.input[3] if len(node.input) > 3 else ""
                nodes.append(helper.make_node("MultiHeadAttention", [f"{p}/q", f"{p}/k", f"{p}/v", node.input[2], mask],
                                              [node.output[0]], domain="com.microsoft", name=f"{p}/MHA",
                                              num_heads=int(attrs["num_heads"])))
                used_weights.add(node.input[1])
                counts["Attention"] += 1
                continue
        nodes.append(node)
    still_used = {name for node in nodes for name in node.input}
    keep = [i for i in graph.initializer if i.name not in used_weights or i.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(keep + new_inits)
    del graph.node[:]
    graph.node.extend(nodes)
    return counts


def pool_by_matmul(model: Any) -> int:
    """Rewrite the mean pooling's masked sum ``ReduceSum(X * mask, axes=[1], keepdims=0)`` (``mask`` the
    [batch, tokens, 1] float attention mask) of ``model`` (edited in place) as ``Squeeze(Transpose(mask) @ X,
    1)``: a batched MatMul per text, so the sum of a text's token vectors does not depend on the texts batched
    with it. Returns how many sums were rewritten (0: none found, the graph is unchanged)."""
    from onnx import helper, numpy_helper

    graph = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer if len(i.dims) <= 1}
    producer = {out: node for node in graph.node for out in node.output}

    def is_mask(name: str) -> bool:  # Cast(Unsqueeze(attention_mask, -1)) to float
        cast = producer.get(name)
        unsqueeze = producer.get(cast.input[0]) if cast is not None and cast.op_type == "Cast" else None
        return unsqueeze is not None and unsqueeze.op_type == "Unsqueeze" and unsqueeze.input[0] == "attention_mask"

    nodes, count = [], 0
    for node in graph.node:
        mul = producer.get(node.input[0]) if node.op_type == "ReduceSum" else None
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        axes = inits.get(node.input[1]) if len(node.input) > 1 else None
        if (mul is None or mul.op_type != "Mul" or attrs.get("keepdims", 1) != 0 or axes is None
                or axes.tolist() != [1] or not is_mask(mul.input[1])):
            nodes.append(node)
            continue
        p = f"pool/{node.name or node.output[0]}"
        axis = f"{p}/axis"
        graph.initializer.append(numpy_helper.from_array(np.array([1], dtype=np.int64), axis))
        nodes += [helper.make_node("Transpose", [mul.input[1]], [f"{p}/mask_row"], perm=[0, 2, 1], name=f"{p}/T"),
                  helper.make_node("MatMul", [f"{p}/mask_row", mul.input[0]], [f"{p}/sum"], name=f"{p}/MatMul"),
                  helper.make_node("Squeeze", [f"{p}/sum", axis], [node.output[0]], name=f"{p}/Squeeze")]
        count += 1
    still_used = {name for node in nodes for name in node.input}
    nodes = [n for n in nodes if not (n.op_type == "Mul" and n.output[0] not in still_used
                                      and all(o not in {g.name for g in graph.output} for o in n.output))]
    del graph.node[:]
    graph.node.extend(nodes)
    return count
