"""Where the sentence encoder runs: the device asked for (``NOTES2ANKI_DEVICE``, else ``[semantic] device``),
and whether it is there.

A device that is not there (``cuda`` on a machine without an NVIDIA GPU, ``mps`` off Apple silicon) does not
stop a command: the encoder runs on the CPU and says so once, naming where the device was asked for
(tester 12-03: ``[semantic] device = "cuda"`` ran on the CPU without a word). Finding out is cheap where it
can be: on Linux without the NVIDIA driver (``/proc/driver/nvidia/version``) and on macOS there is no CUDA
GPU, with nothing imported; else ONNX Runtime's providers are asked (it runs the encoder anyway), and
PyTorch only when the driver is there but ONNX Runtime has no CUDA provider (PyTorch would then run it).
Nothing is checked before some text must be encoded.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ENV = "NOTES2ANKI_DEVICE"


def asked(device: str | None) -> str | None:
    """``device`` as the encoder takes it: lower case, ``auto`` / "" → None (chosen by the machine)."""
    device = (device or "").strip().lower()
    return None if device in ("", "auto") else device


def options(config: Any) -> dict[str, str]:
    """``device`` and ``device_origin`` for an :class:`~notes2anki.semantic.encoder.Embedder` from the
    validated ``config`` (its ``[semantic] device`` and where it is written); {} when none is asked for
    there, or when ``NOTES2ANKI_DEVICE`` is set (the environment wins: the Embedder reads it itself)."""
    if asked(os.environ.get(ENV)) is not None:
        return {}
    semantic = getattr(config, "semantic", None)
    device = asked(getattr(semantic, "device", None))
    if device is None:
        return {}
    line = config.line_of("semantic", "device") if hasattr(config, "line_of") else 0
    return {"device": device, "device_origin": f".notes2anki.toml:{line}" if line else ".notes2anki.toml"}


def nvidia_driver() -> bool:
    """Whether an NVIDIA driver could be there: on Linux its ``/proc`` file; elsewhere but macOS: maybe."""
    if sys.platform.startswith("linux"):
        return Path("/proc/driver/nvidia/version").exists()
    return sys.platform != "darwin"


def onnx_cuda() -> bool:
    """Whether ONNX Runtime was built with its CUDA provider (``onnxruntime-gpu``)."""
    try:
        import onnxruntime
    except ImportError:
        return False
    return "CUDAExecutionProvider" in onnxruntime.get_available_providers()


def torch_cuda() -> bool:
    """Whether PyTorch can use a CUDA GPU (imports torch)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def missing(device: str) -> str:
    """Why ``device`` cannot be used on this machine ("" when it can, or when it is not a GPU device)."""
    if device == "cuda" or device.startswith("cuda:"):
        if not nvidia_driver() or not (onnx_cuda() or torch_cuda()):
            return "no CUDA GPU is available"
        return ""
    if device == "mps":
        if sys.platform != "darwin":
            return "Apple's Metal (MPS) is only on macOS"
        try:
            import torch
        except ImportError:
            return "PyTorch is not installed"
        mps = getattr(torch.backends, "mps", None)
        return "" if mps is not None and mps.is_available() else "Apple's Metal (MPS) is not available"
    return ""


def fallback_warning(device: str, origin: str, why: str) -> str:
    """The one warning of a run whose ``device`` (asked for in ``origin``) is not there."""
    where = f" asked for in {origin}" if origin else " asked for"
    return f"device {device}{where} but {why}; running on the CPU"
