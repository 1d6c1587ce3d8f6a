"""The converted sentence graph with one more output, the token states, kept beside it: one ONNX Runtime
session then serves both the sentence vectors and the token states of ``ctx_diff``
(:mod:`~notes2anki.semantic.token_states`).

Issue 13 (``build`` after editing one note): the token states came from a second session on the same graph,
made by loading the graph with ``onnx``, appending the output and serialising it again on every run: about
0.45 s CPU of the 10,000-card bench vault's edit row (``import onnx`` 0.04 s, load and serialise 0.2 s, a
second session 0.23 s) to align about 40 pairs. Now the first run that needs token states writes the graph
with the extra output once (:func:`ensure`, ``<graph stem>.tokens-<stamp>.onnx`` in the converted model's
folder: the fp32 graph's size again, about 90 MB), and :meth:`~notes2anki.semantic.onnx_backend.OnnxEncoder.from_file`
loads that file when it is there. The extra output changes nothing the sentence output gives: ONNX Runtime
computes the tensor anyway (the mean pooling reads it), and a session on either graph gives the same
vectors and token states bit for bit (tested). The stamp names the source graph's size and modification
time, so a graph converted again gets its own file. A file that cannot be written (a read-only folder) is
made in memory each run instead, as before; one that cannot be loaded is ignored (the plain graph is
loaded) and written again.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

VERSION = 1  # of the derived graph (the output added)


def path_for(graph: Path) -> Path:
    """Where the derived graph of ``graph`` lives (it may not exist); raises OSError when ``graph`` cannot
    be read."""
    info = graph.stat()
    stamp = hashlib.sha256(f"{VERSION}:{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()[:12]
    return graph.with_name(f"{graph.stem}.tokens-{stamp}.onnx")


def existing(graph: Path) -> Path | None:
    """The derived graph of ``graph`` when it has been written, else None (imports nothing)."""
    try:
        path = path_for(graph)
    except OSError:
        return None
    return path if path.is_file() else None


def pooled_input(graph) -> str:
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


def derive(graph: Path | bytes) -> bytes:
    """``graph`` (an ONNX file, or its bytes) with the tensor the pooling reads added as its second output, serialised.
    Imports ``onnx``. Raises RuntimeError when the graph has no mean pooling, OSError when unreadable."""
    import onnx

    model = onnx.load_from_string(graph) if isinstance(graph, bytes) else onnx.load(str(graph))
    hidden = pooled_input(model.graph)
    model.graph.output.append(onnx.helper.make_tensor_value_info(hidden, onnx.TensorProto.FLOAT, None))
    return model.SerializeToString()


def ensure(graph: Path) -> Path | bytes:
    """The derived graph of ``graph``: its file (written now when missing), or its bytes when the file
    cannot be written."""
    found = existing(graph)
    if found is not None:
        return found
    data = derive(graph)
    try:
        from notes2anki.fileio import atomic_write

        path = path_for(graph)
        atomic_write(path, data, durable=False)  # re-computable: a damaged file is ignored and written again
        return path
    except OSError:
        return data


def forget(graph: Path) -> None:
    """Remove the derived graph of ``graph`` (one that could not be loaded); never raises."""
    try:
        path_for(graph).unlink(missing_ok=True)
    except OSError:
        pass
