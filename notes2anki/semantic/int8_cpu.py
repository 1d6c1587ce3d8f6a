"""The per-row int8 graph on CPUs whose u8 × s8 integer kernel saturates: the same integers as uint8.

:func:`~notes2anki.semantic.int8_rows.quantize_rows` stores the weights as int8 (-127..127) and the
activations as uint8 around 128 (1..255), so ONNX Runtime (MLAS) runs each ``MatMulIntegerToFloat`` in its
u8 × s8 kernel. With AVX-512 VNNI or AVX-VNNI that kernel accumulates in int32 and is exact. Without them (x86
AVX2: e.g. AMD Zen 2 and Zen 3, Intel before Ice Lake) it multiplies with ``VPMADDUBSW``, which adds two
products of up to 255 × 127 into a *saturating* int16 (largest 32,767): the integers come out wrong, and the
vectors with them (cosine 0.85 to fp32 on random inputs against 0.999 with VNNI; found by CI on such a host,
reproduced under ``qemu-x86_64 -cpu Haswell``). ONNX Runtime's own ``quantize_dynamic`` avoids this with 7-bit
weights (``reduce_range``), at a cost in accuracy.

Here nothing is lost: the same weight values stored as uint8 around a zero point of 128 run in the u8 × u8
kernel, which widens to int16 before multiplying and cannot saturate, and give the same integers, hence the
same vectors bit for bit (1,410 card texts of ``../shared/eval`` and the real vaults: identical arrays on a
VNNI CPU; under emulated Haswell within cosine 0.9996 of those, as its fp32 kernels differ too). That
kernel is slower on VNNI CPUs (8.0 s against 4.0 s CPU for those texts, one thread), so the int8 file keeps
int8 weights and :func:`runnable` checks once per process, by running a tiny graph on worst-case values
(:func:`u8s8_saturates`, about 10 ms), whether this CPU needs the uint8 twin, written once beside the graph.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

VERSION = 1  # of the twin (weights as uint8 around 128)
PROBE_DEPTH = 64  # K of the probe's MatMul: pairs of products that VPMADDUBSW sums into int16


PROBE_FILE = "u8s8-probe.onnx"  # written by the conversion beside the int8 graph: no ``import onnx`` (0.5 s) to run it
_SATURATES: list[bool] = []  # the probe's answer, once per process (a property of the CPU)


def probe_graph() -> bytes:
    """The probe: a graph made by :func:`~notes2anki.semantic.int8_rows.quantize_rows` from one
    [8, 64] @ [64, 32] MatMul whose weights are all 1 (int8 127), serialised. Fed all ones (activations
    255) every output is exactly 64.0; a saturating kernel gives less. Imports onnx."""
    from onnx import TensorProto, helper, numpy_helper

    from notes2anki.semantic.int8_rows import quantize_rows

    weight = numpy_helper.from_array(np.ones((PROBE_DEPTH, 32), dtype=np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "u8s8-probe",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, PROBE_DEPTH])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 32])], [weight])
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    quantize_rows(model)
    return model.SerializeToString()


def u8s8_saturates(folder: Path | None = None) -> bool:
    """True when ONNX Runtime's u8 × s8 ``MatMulIntegerToFloat`` gives wrong integers on this CPU: runs the
    probe (:func:`probe_graph`; from ``folder / PROBE_FILE`` when there, else made now) once per process, about
    10 ms. Any error running it counts as saturating (the uint8 twin is correct on every CPU)."""
    if not _SATURATES:
        try:
            import onnxruntime as ort

            file = folder / PROBE_FILE if folder is not None else None
            source = str(file) if file is not None and file.is_file() else probe_graph()
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 1
            session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
            result = session.run(None, {"x": np.ones((8, PROBE_DEPTH), dtype=np.float32)})[0]
            _SATURATES.append(not np.allclose(result, float(PROBE_DEPTH), rtol=1e-5))
        except Exception:
            _SATURATES.append(True)
    return _SATURATES[0]


def write_probe(folder: Path) -> None:
    """Write the probe beside a converted int8 graph (``folder / PROBE_FILE``); never raises (without it the
    probe is made when needed)."""
    try:
        (folder / PROBE_FILE).write_bytes(probe_graph())
    except Exception:
        pass


def unsigned_weights(model: Any) -> int:
    """Rewrite ``model`` (an ``onnx.ModelProto``, edited in place): every ``MatMulIntegerToFloat`` whose
    weights are an int8 initializer with int8 zero points gets them as uint8 ``w + 128`` with zero points
    ``z + 128`` (the same integers ``w - z``). Returns how many initializers were rewritten."""
    from onnx import TensorProto, numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    done: set[str] = set()
    for node in model.graph.node:
        if node.op_type != "MatMulIntegerToFloat" or len(node.input) < 6:
            continue
        for name in (node.input[1], node.input[5]):
            tensor = inits.get(name)
            if name in done or tensor is None or tensor.data_type != TensorProto.INT8:
                continue
            shifted = (numpy_helper.to_array(tensor).astype(np.int16) + 128).astype(np.uint8)
            tensor.CopyFrom(numpy_helper.from_array(shifted, name))
            done.add(name)
    return len(done)


def twin_path(graph: Path) -> Path:
    """Where the uint8 twin of ``graph`` lives (it may not exist): named for the source's size and
    modification time, so a graph converted again gets its own twin. Raises OSError when ``graph`` cannot be
    read."""
    info = graph.stat()
    stamp = hashlib.sha256(f"{VERSION}:{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()[:12]
    return graph.with_name(f"{graph.stem}.u8-{stamp}.onnx")


def runnable(graph: Path, meta: dict) -> Path | bytes:
    """The int8 graph to run on this CPU: ``graph`` itself when its weights are not int8 (``meta
    ["int8_weights"]``, written by the conversion) or this CPU's u8 × s8 kernel is exact; else its uint8 twin,
    written once beside it (its bytes when the folder cannot be written). Raises OSError when ``graph``
    cannot be read."""
    if meta.get("int8_weights") != "int8" or ".u8-" in graph.name or not u8s8_saturates(graph.parent):
        return graph
    twin = twin_path(graph)
    if twin.is_file():
        return twin
    import onnx

    model = onnx.load(str(graph))
    unsigned_weights(model)
    data = model.SerializeToString()
    try:
        from notes2anki.fileio import atomic_write

        atomic_write(twin, data, durable=False)  # re-computable: a damaged twin is removed (forget_twin)
        return twin
    except OSError:
        return data


def forget_twin(graph: Path | bytes) -> None:
    """Remove ``graph`` when it is a uint8 twin (one that could not be loaded); never raises."""
    if isinstance(graph, Path) and ".u8-" in graph.name:
        try:
            graph.unlink(missing_ok=True)
        except OSError:
            pass
