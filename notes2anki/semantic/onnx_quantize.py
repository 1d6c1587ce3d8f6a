"""The graphs ONNX Runtime runs fastest on this project's CPUs: fused attention, layer norms as plain ops, int8.

:func:`fuse` runs ONNX Runtime's BERT optimizer on the exported graph (:mod:`notes2anki.semantic.onnx_backend`;
:func:`eager_attention` prepares the model for it), then two steps:

* :func:`unfuse_layer_norms`: each ``SkipLayerNormalization`` (residual add + bias + layer norm, one node)
  becomes the same arithmetic in plain ONNX ops (Add, ReduceMean, Sub, Mul, Sqrt, Div). ONNX Runtime's own
  layer-norm kernels (``SkipLayerNormalization`` and ``LayerNormalization`` alike) are about 3.5 times slower
  than the plain ops on the short rows of card texts (a 32 × 20 × 384 batch: 1.27 ms against 0.36 ms CPU,
  ONNX Runtime 1.32, one thread); they were a fifth of the int8 graph's time. The session must then be
  opened with :data:`DISABLED_OPTIMIZERS`, else ONNX Runtime fuses them back.
* :func:`quantize_int8`: the int8 graph by :data:`INT8_RECIPE`. Now :data:`ROW_INT8_RECIPE`
  (:mod:`notes2anki.semantic.int8_rows`: weights int8 per output column, activations int8 per token row,
  so a text's vector is the same bit for bit alone and in any batch, and the int8 graph runs in batches).
  The earlier recipes (:data:`FAST_INT8_RECIPE`, :data:`CONSERVATIVE_INT8_RECIPE`) are
  ``onnxruntime.quantization.quantize_dynamic`` (MatMuls become ``DynamicQuantizeMatMul``, the fused
  ``Attention`` ``QAttention``), activations uint8 per tensor, i.e. per batch, so their vectors depend slightly
  on the texts batched with them and they ran one text per session run. The recipe is part of the converted
  model's fingerprint, so a changed recipe converts again.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from notes2anki.semantic.int8_rows import ROW_INT8_RECIPE, pool_by_matmul, quantize_rows

# The fast recipe: every weight matrix int8 (Q/K/V as QAttention). 1,500 card texts: 2.95 s CPU on one thread
# against PyTorch's 10.6 s (3.6x) in batches, 4.2 s one text at a time (as OnnxEncoder ran it), mean cosine
# 0.9914 to fp32 on real card texts. Its vectors move the duplicate judge's scores by up to ~0.1, so duplicate
# verdicts near the threshold are made again on fp32 vectors (:mod:`notes2anki.semantic.cascade`).
FAST_INT8_RECIPE = {
    "ops": ["MatMul", "Gemm", "Attention"],
    "per_channel": True,
    "reduce_range": False,
    "fp32_ffn_out_layers": [],
    "layer_norm": "plain-ops",
}
# An earlier, slower recipe kept for reference: the attention output and feed-forward input MatMuls only, Q/K/V
# (inside the fused Attention op) and every feed-forward output projection fp32 (after GELU their inputs have
# outliers). 1,500 card texts: 5.6 s CPU, mean cosine 0.9976 (min 0.9947); it moved one dev pair by 0.005.
CONSERVATIVE_INT8_RECIPE = {
    "ops": ["MatMul", "Gemm"],
    "per_channel": True,
    "reduce_range": False,
    "fp32_ffn_out_layers": [0, 1, 2, 3, 4, 5],
    "layer_norm": "plain-ops",
}
# What the int8 graph quantizes (the one converted and run); any change here changes the fingerprint of
# converted models and the cache key of int8 vectors. Per-row int8 (batch-independent vectors, run in batches):
# 1,500 card texts 3.3 s CPU on one thread (fp32 7.2 s), mean cosine 0.9975 to fp32.
INT8_RECIPE = ROW_INT8_RECIPE
# ONNX Runtime graph optimizers that would fuse the plain-op layer norms back into the slow kernels.
DISABLED_OPTIMIZERS = ["LayerNormFusion", "SimplifiedLayerNormFusion", "SkipLayerNormFusion"]


def recipe_tag(recipe: dict | None = None) -> str:
    """A short stable digest of ``recipe`` (default :data:`INT8_RECIPE`), for fingerprints and cache keys."""
    import hashlib
    import json

    text = json.dumps(recipe or INT8_RECIPE, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def unfuse_layer_norms(model: Any) -> int:
    """Replace every ``SkipLayerNormalization`` node of ``model`` (an ``onnx.ModelProto``, edited in place)
    by plain ops computing ``gamma * (x - mean) / sqrt(var + eps) + beta`` with ``x = input + skip + bias``
    over the last axis. Returns how many were replaced; nodes with extra outputs in use are left as they are."""
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    used = {name for node in graph.node for name in node.input} | {out.name for out in graph.output}
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 17)
    nodes, replaced = [], 0
    for node in graph.node:
        extra_used = any(name and name in used for name in list(node.output)[1:])
        if node.op_type != "SkipLayerNormalization" or node.domain != "com.microsoft" or extra_used:
            nodes.append(node)
            continue
        replaced += 1
        eps = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "epsilon"), 1e-12)
        inputs = list(node.input) + [""] * (5 - len(node.input))
        x, skip, gamma, beta, bias = inputs[:5]
        p = f"{node.name or node.output[0]}/plain"
        eps_name = f"{p}/eps"
        graph.initializer.append(numpy_helper.from_array(np.array(eps, dtype=np.float32), eps_name))

        def mean(src: str, dst: str) -> Any:
            if opset >= 18:
                axes = f"{p}/axes"
                if not any(i.name == axes for i in graph.initializer):
                    graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), axes))
                return helper.make_node("ReduceMean", [src, axes], [dst], keepdims=1)
            return helper.make_node("ReduceMean", [src], [dst], axes=[-1], keepdims=1)

        total = f"{p}/sum"
        steps = [helper.make_node("Add", [x, skip], [total if not bias else f"{p}/sum0"])]
        if bias:
            steps.append(helper.make_node("Add", [f"{p}/sum0", bias], [total]))
        steps += [mean(total, f"{p}/mean"),
                  helper.make_node("Sub", [total, f"{p}/mean"], [f"{p}/d"]),
                  helper.make_node("Mul", [f"{p}/d", f"{p}/d"], [f"{p}/d2"]),
                  mean(f"{p}/d2", f"{p}/var"),
                  helper.make_node("Add", [f"{p}/var", eps_name], [f"{p}/var_eps"]),
                  helper.make_node("Sqrt", [f"{p}/var_eps"], [f"{p}/std"]),
                  helper.make_node("Div", [f"{p}/d", f"{p}/std"], [f"{p}/norm"])]
        out = node.output[0]
        if beta:
            steps += [helper.make_node("Mul", [f"{p}/norm", gamma], [f"{p}/scaled"]),
                      helper.make_node("Add", [f"{p}/scaled", beta], [out])]
        else:
            steps.append(helper.make_node("Mul", [f"{p}/norm", gamma], [out]))
        for i, step in enumerate(steps):
            step.name = f"{p}/{i}_{step.op_type}"
        nodes.extend(steps)
    del graph.node[:]
    graph.node.extend(nodes)
    return replaced


def unfuse_file(source: Path, target: Path) -> int:
    """:func:`unfuse_layer_norms` on the graph file ``source``, written to ``target``; returns the count."""
    import onnx

    model = onnx.load(str(source))
    count = unfuse_layer_norms(model)
    onnx.save(model, str(target))
    return count


def ffn_out_nodes(model: Any, layers: list[int]) -> list[str]:
    """Names of the feed-forward output MatMuls of ``layers`` (torch.onnx.export's node names for BERT:
    ``/…/encoder/layer.N/output/dense/MatMul``)."""
    wanted = {f"layer.{i}/output/dense/MatMul" for i in layers}
    return [node.name for node in model.graph.node if node.op_type == "MatMul"
            and any(node.name.endswith(w) for w in wanted) and "/attention/" not in node.name]


def batch_independent(recipe: dict | None = None) -> bool:
    """Whether the int8 graph of ``recipe`` (default :data:`INT8_RECIPE`) gives a text the same vector in any
    batch (per-row activation scales), so it may run in batches."""
    return (recipe or INT8_RECIPE).get("scheme") == "row-int8"


def quantize_int8(source: Path, target: Path, recipe: dict | None = None) -> None:
    """The int8 graph of the fp32 graph ``source`` into ``target`` by ``recipe`` (default
    :data:`INT8_RECIPE`): per-row int8 (:func:`~notes2anki.semantic.int8_rows.quantize_rows` and
    :func:`~notes2anki.semantic.int8_rows.pool_by_matmul`) for :data:`ROW_INT8_RECIPE`, else
    ``quantize_dynamic``: int8 weights (per output channel), uint8 activations quantized per batch. Raises
    ValueError when the per-row rewrite finds no weight matrix or no mean pooling to rewrite."""
    import onnx

    recipe = recipe or INT8_RECIPE
    if batch_independent(recipe):
        model = onnx.load(str(source))
        counts = quantize_rows(model)
        if not counts["MatMul"] or pool_by_matmul(model) != 1:
            raise ValueError(f"the graph is not a mean-pooled transformer the per-row recipe knows ({counts})")
        onnx.save(model, str(target))
        return
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = ffn_out_nodes(onnx.load(str(source), load_external_data=False), list(recipe["fp32_ffn_out_layers"]))
    logging.disable(logging.WARNING)  # its advice on pre-processing goes to the root logger
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=recipe["per_channel"],
                         reduce_range=recipe["reduce_range"], op_types_to_quantize=list(recipe["ops"]),
                         nodes_to_exclude=keep,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fused ops: no shapes
    finally:
        logging.disable(logging.NOTSET)


def eager_attention(transformer: Any) -> bool:
    """Switch the model's attention to the plain ("eager") implementation before export, so the graph
    holds the MatMul/Softmax pattern ONNX Runtime's BERT optimizer fuses (PyTorch's fused SDPA exports to a
    pattern it does not recognise). False when the model cannot be switched (then no fusion)."""
    model = getattr(transformer, "auto_model", None)
    config = getattr(model, "config", None)
    if model is None or getattr(config, "model_type", None) not in FUSABLE:
        return False
    try:
        if hasattr(model, "set_attn_implementation"):
            model.set_attn_implementation("eager")
        else:
            config._attn_implementation = "eager"
    except Exception:  # an old transformers, a model without the choice: export as it is, unfused
        return False
    return True


FUSABLE = {"bert": "bert", "roberta": "bert", "xlm-roberta": "bert", "mpnet": "bert", "distilbert": "bert"}


def fuse(graph: Path, transformer: Any, eager: bool) -> Path | None:
    """The exported graph with ONNX Runtime's transformer fusions (``onnxruntime.transformers.optimizer``:
    one Attention op per layer, EmbedLayerNormalization, SkipLayerNormalization, BiasGelu), or None when
    the optimizer cannot read it. Measured on 1,500 card texts: about 15 % faster than the unfused graph,
    cosine 1.0000 (int8 from it: see :mod:`notes2anki.semantic.onnx_quantize`)."""
    config = transformer.auto_model.config
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        logging.disable(logging.WARNING)
        try:
            optimized = optimize_model(str(graph), model_type=FUSABLE[config.model_type],
                                       num_heads=int(config.num_attention_heads), hidden_size=int(config.hidden_size),
                                       opt_level=1, use_gpu=False)
        finally:
            logging.disable(logging.NOTSET)
        fused = graph.with_name("model.fused.onnx")
        optimized.save_model_to_file(str(fused))
    except Exception:  # an unusual graph: keep the plain one
        return None
    return fused
