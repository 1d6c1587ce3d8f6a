"""Nothing outside the cache folders: ONNX Runtime's own telemetry files (tester 12-02)."""
from __future__ import annotations

import os
import subprocess
import sys


def test_importing_the_encoder_writes_nothing_into_home(tmp_path):
    """ONNX Runtime wrote ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid, onnxruntime.db} (a device id
    and a telemetry event) on import."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env["HOME"] = str(home)
    code = "import notes2anki.semantic.onnx_backend, onnxruntime; onnxruntime.InferenceSession"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [p for p in home.rglob("*")] == []
