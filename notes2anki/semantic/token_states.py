"""Contextual token vectors of the sentence model: the last hidden state, before mean pooling.

The converted ONNX graph (:mod:`notes2anki.semantic.onnx_backend`) outputs only the pooled sentence vector. This
module loads the same converted file into its own ONNX Runtime session with one more graph output, the tensor
the pooling averages (the last layer's output, one row per token), so the encoder module stays as it is. The
rows are what BERTScore (Zhang et al. 2020, ICLR) aligns: each token's vector read in its sentence, so
"mitochondria" / "mitochondrion" or "SN2" / "nucleophilic substitution" meet where the model reads them alike
(:mod:`notes2anki.semantic.token_align`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

_SESSIONS: dict[tuple[str, str], "TokenEncoder"] = {}


def _pooled_input(graph) -> str:
    """The name of the tensor the mean pooling reads: the (batch, tokens, dim) input of the node that
    weighs the hidden states by the attention mask (a Mul in the fp32 graph, a MatMul in the int8 one: both
    read the cast mask ``.../st.1/Cast_output_0`` or its transpose)."""
    produced = {out: node for node in graph.node for out in node.output}
    for node in graph.node:
        if node.op_type not in ("Mul", "MatMul"):
            continue
        for k, name in enumerate(node.input):
            source = produced.get(name)
            from_mask = "st.1/Cast" in name or (source is not None and any("st.1/Cast" in s for s in source.input))
            if from_mask:
                other = node.input[1 - k]
                if other in produced and produced[other].op_type == "Add":
                    return other
    raise RuntimeError("no mean pooling found in the converted graph")


class TokenEncoder:
    """An ONNX Runtime session on a converted sentence-model graph that outputs the token states."""

    def __init__(self, graph_path: Path, model_dir: Path, meta: dict):
        import onnx
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from notes2anki.semantic.onnx_quantize import DISABLED_OPTIMIZERS

        model = onnx.load(str(graph_path))
        hidden = _pooled_input(model.graph)
        model.graph.output.append(onnx.helper.make_tensor_value_info(hidden, onnx.TensorProto.FLOAT, None))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"],
                                            disabled_optimizers=DISABLED_OPTIMIZERS)
        self.hidden = hidden
        self.inputs = tuple(meta["inputs"])
        self.lower_case = bool(meta.get("lower_case"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        self.tokenizer.no_padding()

    def states(self, texts: Sequence[str], batch_size: int = 32) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per text, its word-piece ids (int64) and a (pieces, dim) float32 array of unit rows, their contextual
        vectors, [CLS] and [SEP] left out (a text without pieces: its [CLS] id and state). A text's rows do not
        depend on the batch (padding is masked; batches are cut by length as the encoder cuts them)."""
        encodings = self.tokenizer.encode_batch([t.lower() for t in texts] if self.lower_case else list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size].tolist()
            width = max(len(encodings[i].ids) for i in rows)
            feed = {name: np.zeros((len(rows), width), dtype=np.int64)
                    for name in ("input_ids", "attention_mask", "token_type_ids")}
            for r, i in enumerate(rows):
                e = encodings[i]
                n = len(e.ids)
                feed["input_ids"][r, :n] = e.ids
                feed["attention_mask"][r, :n] = e.attention_mask
                feed["token_type_ids"][r, :n] = e.type_ids
            hidden = self.session.run([self.hidden], {name: feed[name] for name in self.inputs})[0]
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                keep = slice(1, n - 1) if n > 2 else slice(0, 1)
                part = hidden[r, keep]
                norms = np.linalg.norm(part, axis=1, keepdims=True)
                out[i] = (np.asarray(encodings[i].ids[keep], dtype=np.int64),
                          (part / np.where(norms > 0, norms, 1.0)).astype(np.float32))
        return out  # type: ignore[return-value]


class TorchTokens:
    """The same token states from the sentence-transformers model (PyTorch backend): its
    ``output_value="token_embeddings"``, the tensor its mean pooling reads."""

    def __init__(self, model: Any):
        self.model = model

    def states(self, texts: Sequence[str], batch_size: int = 32) -> list[tuple[np.ndarray, np.ndarray]]:
        """As :meth:`TokenEncoder.states`."""
        out = []
        found = self.model.encode(list(texts), output_value="token_embeddings", batch_size=batch_size,
                                  convert_to_numpy=False, show_progress_bar=False)
        for text, rows in zip(texts, found):
            ids = self.model.tokenize([text])["input_ids"][0].tolist()
            rows = rows.float().cpu().numpy()[:len(ids)]
            keep = slice(1, len(ids) - 1) if len(ids) > 2 else slice(0, 1)
            part = rows[keep]
            norms = np.linalg.norm(part, axis=1, keepdims=True)
            out.append((np.asarray(ids[keep], dtype=np.int64), (part / np.where(norms > 0, norms, 1.0)).astype(np.float32)))
        return out


def for_embedder(embedder) -> "TokenEncoder | TorchTokens":
    """The token states of ``embedder``'s encoder: a session on its converted ONNX graph variant (fp32 or
    int8, one per process), else (PyTorch backend) its sentence-transformers model."""
    from notes2anki.semantic.onnx_backend import read_meta

    plan = embedder.plan
    meta = read_meta(plan.folder) if plan.backend == "onnx" and plan.folder is not None else None
    if not meta or plan.variant not in meta.get("files", {}):
        from notes2anki.semantic.encoder import load_model

        return TorchTokens(load_model(embedder.spec, plan.device))
    key = (str(plan.folder), plan.variant)
    if key not in _SESSIONS:
        _SESSIONS[key] = TokenEncoder(plan.folder / meta["files"][plan.variant], plan.model_dir, meta)
    return _SESSIONS[key]
