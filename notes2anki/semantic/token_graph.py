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

The derived graph keeps its weights in a file of their own beside it (ONNX external data,
``<graph stem>.tokens-<stamp>.weights``), which ONNX Runtime maps into memory instead of reading: the
session loads in 0.05 s instead of 0.16 s and takes 52 MB of fresh memory instead of 106 MB (this VM pays for
every page of fresh memory; issue 13's edit row). Both files are written in a temporary folder and renamed
into place, the weights first (:mod:`~notes2anki.semantic.convert_cleanup` removes such a folder left by a
killed run); the derived files of an older stamp are removed when a new one is written. A third file,
``….check``, records the weights' size and modification time as written: weights changed since, or not a
regular file, are written again rather than loaded.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

VERSION = 2  # of the derived graph (1: the output added; 2: its weights in a file of their own)


def path_for(graph: Path) -> Path:
    """Where the derived graph of ``graph`` lives (it may not exist); raises OSError when ``graph`` cannot
    be read."""
    info = graph.stat()
    stamp = hashlib.sha256(f"{VERSION}:{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()[:12]
    return graph.with_name(f"{graph.stem}.tokens-{stamp}.onnx")


def weights_for(path: Path) -> Path:
    """The weights file of the derived graph ``path`` (:func:`path_for`)."""
    return path.with_suffix(".weights")


def existing(graph: Path) -> Path | None:
    """The derived graph of ``graph`` when it has been written (with its weights), else None (imports nothing)."""
    try:
        path = path_for(graph)
    except OSError:
        return None
    return path if path.is_file() and _checked(path) else None


def check_for(path: Path) -> Path:
    """The file recording the size and modification time of the derived graph ``path``'s weights when
    written: weights changed since (bytes overwritten in place: tester 12-03 round 16 got "No duplicates"
    instead of 12 pairs, without a word) are not loaded but written again."""
    return path.with_suffix(".check")


def _stamp(weights: Path) -> dict:
    info = weights.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{weights} is not a regular file")
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _checked(path: Path) -> bool:
    """Whether the weights of the derived graph ``path`` are a regular file as :func:`_write` left them."""
    from notes2anki.fileio import read_bounded

    try:  # (bounded and non-blocking: a FIFO or a huge file in its place is no check)
        return json.loads(read_bounded(check_for(path), 4096)) == _stamp(weights_for(path))
    except (OSError, ValueError):
        return False


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
    return _derived(graph).SerializeToString()


def _derived(graph: Path | bytes):
    """:func:`derive`'s graph as an ``onnx.ModelProto``."""
    import onnx

    model = onnx.load_from_string(graph) if isinstance(graph, bytes) else onnx.load(str(graph))
    hidden = pooled_input(model.graph)
    model.graph.output.append(onnx.helper.make_tensor_value_info(hidden, onnx.TensorProto.FLOAT, None))
    return model


def ensure(graph: Path) -> Path | bytes:
    """The derived graph of ``graph``: its file (written now when missing, its weights beside it), or its
    bytes when the files cannot be written."""
    found = existing(graph)
    if found is not None:
        return found
    model = _derived(graph)
    try:
        path = path_for(graph)
        _write(model, path)  # re-computable: a damaged file is ignored and written again
    except OSError:  # (the model now names weights it may not have written: derived again, whole)
        return derive(graph)
    for old in path.parent.glob(f"{graph.stem}.tokens-*"):  # an older stamp's files (another VERSION)
        if old.name not in (path.name, weights_for(path).name, check_for(path).name):
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)
    return path


def _write(model, path: Path) -> None:
    """Write ``model`` to ``path`` with its weights in :func:`weights_for`, through a temporary folder beside
    the converted models (weights renamed into place first, then the graph). Raises OSError."""
    import tempfile

    import onnx

    from notes2anki.semantic import convert_cleanup

    weights = weights_for(path)
    work = Path(tempfile.mkdtemp(prefix=convert_cleanup.PREFIX, dir=path.parent.parent))
    held = convert_cleanup.hold(work)
    try:
        try:
            onnx.save_model(model, str(work / path.name), save_as_external_data=True, all_tensors_to_one_file=True,
                            location=weights.name, size_threshold=1024)
        except (ValueError, RuntimeError) as exc:  # (onnx's own errors about the graph or its files)
            raise OSError(f"the derived graph could not be written: {exc}") from exc
        os.chmod(work / weights.name, (work / path.name).stat().st_mode & 0o777)  # (as readable as the graph)
        os.replace(work / weights.name, weights)
        os.replace(work / path.name, path)
        from notes2anki.fileio import atomic_write

        atomic_write(check_for(path), json.dumps(_stamp(weights)).encode(), durable=False)
    finally:
        held.close()
        shutil.rmtree(work, ignore_errors=True)


def forget(graph: Path) -> None:
    """Remove the derived graph of ``graph`` and its weights (one that could not be loaded); never raises."""
    try:
        path = path_for(graph)
        path.unlink(missing_ok=True)
        weights_for(path).unlink(missing_ok=True)
        check_for(path).unlink(missing_ok=True)
    except OSError:
        pass
