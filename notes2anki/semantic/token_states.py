"""Contextual token vectors of the sentence model: the last hidden state, before mean pooling.

The converted ONNX graph (:mod:`notes2anki.semantic.onnx_backend`) outputs only the pooled sentence vector. The
token states come from the same graph with one more output, the tensor the pooling averages (the last layer's
output, one row per token), written once beside it (:mod:`notes2anki.semantic.token_graph`); on the CPU the
encoder's own session runs it, so one session serves both. The
rows are what BERTScore (Zhang et al. 2020, ICLR) aligns: each token's vector read in its sentence, so
"mitochondria" / "mitochondrion" or "SN2" / "nucleophilic substitution" meet where the model reads them alike
(:mod:`notes2anki.semantic.token_align`).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

import numpy as np

_SESSIONS: dict[tuple[str, str], "TokenEncoder"] = {}


def unit_states(ids: np.ndarray, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One text's token states from its piece ``ids`` ((n,) int64, [CLS] and [SEP] included) and its rows of the
    hidden output ((n, dim) or longer: padding rows past ``n`` are ignored): the ids and unit float32 rows of
    its pieces, [CLS] and [SEP] left out (a text without pieces: its [CLS] id and state). The one place these
    rows are made, so states kept from the sentence pass (:mod:`~notes2anki.semantic.token_keep`) are the same
    bits as :meth:`TokenEncoder.states`."""
    n = len(ids)
    keep = slice(1, n - 1) if n > 2 else slice(0, 1)
    part = hidden[keep]
    norms = np.linalg.norm(part, axis=1, keepdims=True)
    return np.asarray(ids[keep], dtype=np.int64), (part / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class TokenEncoder:
    """An ONNX Runtime session on a converted sentence-model graph that outputs the token states."""

    def __init__(self, session: Any, hidden: str, inputs: Sequence[str], lower_case: bool, tokenizer: Any,
                 workers: int = 1):
        self.session, self.hidden, self.inputs = session, hidden, tuple(inputs)
        self.lower_case, self.tokenizer, self.workers = lower_case, tokenizer, workers

    @classmethod
    def sharing(cls, encoder: Any) -> "TokenEncoder":
        """The token states from the session of a loaded
        :class:`~notes2anki.semantic.onnx_backend.OnnxEncoder` whose graph outputs them (``encoder.hidden``):
        no second session (issue 13: 0.45 s CPU of every check after an edit)."""
        return cls(encoder.session, encoder.hidden, encoder.inputs, encoder.lower_case, encoder.tokenizer,
                   encoder.workers)

    @classmethod
    def from_graph(cls, graph: Path | bytes, model_dir: Path, meta: dict) -> "TokenEncoder":
        """A session of its own on the graph that outputs the token states (a file or its bytes, see
        :func:`~notes2anki.semantic.token_graph.ensure`), on the CPU, one thread per batch and a batch per core
        at a time (as :class:`~notes2anki.semantic.onnx_backend.OnnxEncoder`)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from notes2anki.semantic.onnx_backend import _threads
        from notes2anki.semantic.onnx_quantize import DISABLED_OPTIMIZERS

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(graph if isinstance(graph, bytes) else str(graph), options,
                                       providers=["CPUExecutionProvider"], disabled_optimizers=DISABLED_OPTIMIZERS)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        tokenizer.no_padding()
        return cls(session, session.get_outputs()[1].name, meta["inputs"], bool(meta.get("lower_case")), tokenizer,
                   _threads())

    def states(self, texts: Sequence[str], batch_size: int = 32) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per text, its word-piece ids (int64) and a (pieces, dim) float32 array of unit rows, their contextual
        vectors, [CLS] and [SEP] left out (a text without pieces: its [CLS] id and state). A text's rows do not
        depend on the batch (padding is masked; batches are cut by length as the encoder cuts them). Batches run
        :attr:`workers` at a time, as the sentence vectors do (ONNX Runtime releases the GIL while a batch
        runs; one session serves concurrent runs): a cold check of the 10,000-card bench vault aligns about
        10,000 card texts, 52 s on one core, unless the sentence pass kept them
        (:mod:`~notes2anki.semantic.token_keep`)."""
        encodings = self.tokenizer.encode_batch([t.lower() for t in texts] if self.lower_case else list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(texts)

        def run(start: int) -> None:
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
                ids = encodings[i].ids
                out[i] = unit_states(np.asarray(ids, dtype=np.int64), hidden[r, :len(ids)])

        starts = range(0, len(order), batch_size)
        if self.workers > 1 and len(starts) > 1:
            with ThreadPoolExecutor(min(self.workers, len(starts))) as pool:
                list(pool.map(run, starts))  # (list: a batch's exception is raised here)
        else:
            for start in starts:
                run(start)
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
    from notes2anki.semantic.encoder import _ONNX

    loaded = _ONNX.get((plan.folder, plan.device or "cpu", plan.variant))
    cached = _SESSIONS.get(key)
    if cached is not None and loaded is not None and loaded.hidden and cached.session is not loaded.session:
        cached = None  # the sentence session was loaded again: share that one (the states it keeps are its own)
    if cached is None:
        cached = _SESSIONS[key] = _token_encoder(plan, meta)
    return cached


def _token_encoder(plan: Any, meta: dict) -> TokenEncoder:
    """The token states of ``plan``'s converted graph: on the CPU, the session the sentence vectors use
    (loaded now, or again from the derived graph when the loaded one lacks the output); on CUDA a CPU
    session of its own, as before. The derived graph is written once (:func:`~notes2anki.semantic.token_graph.ensure`)."""
    from notes2anki.semantic import encoder, int8_cpu, onnx_backend, token_graph

    graph = plan.folder / meta["files"][plan.variant]
    if plan.variant == "int8":
        graph = int8_cpu.runnable(graph, meta)  # the graph the sentence vectors run on this CPU
        if isinstance(graph, bytes):  # its uint8 twin, which could not be written
            return TokenEncoder.from_graph(token_graph.derive(graph), plan.model_dir, meta)
    made = token_graph.ensure(graph)
    if (plan.device or "cpu") == "cuda" or isinstance(made, bytes):
        return TokenEncoder.from_graph(made, plan.model_dir, meta)
    slot = (plan.folder, plan.device or "cpu", plan.variant)
    loaded = encoder._ONNX.get(slot)
    if loaded is None or not loaded.hidden:
        loaded = onnx_backend.OnnxEncoder.from_file(graph, plan.model_dir, meta, plan.variant)
        if not loaded.hidden:  # the derived file could not be loaded
            return TokenEncoder.from_graph(token_graph.derive(graph), plan.model_dir, meta)
        encoder._ONNX[slot] = loaded  # the sentence vectors use it too from now on (the same vectors)
    return TokenEncoder.sharing(loaded)
