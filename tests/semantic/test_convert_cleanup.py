"""Tester U23: a first run killed during the ONNX conversion (SIGHUP, SIGKILL, OOM) left a hidden 87–173 MB
``.convert-*`` folder in the ONNX cache that no later run removed."""
from __future__ import annotations

import os
import time

from notes2anki.semantic import convert_cleanup


def _folder(root, name, *, age: float):
    folder = root / name
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"\0" * 1024)
    then = time.time() - age
    for path in (folder / "model.onnx", folder):
        os.utime(path, (then, then))
    return folder


def test_a_killed_conversions_folder_is_removed_a_live_one_is_kept(tmp_path):
    old = convert_cleanup.STALE_SECONDS + 60
    killed = _folder(tmp_path, ".convert-killed1", age=old)  # nobody holds it: its process is gone
    live = _folder(tmp_path, ".convert-live0001", age=old)  # a slow conversion still running
    fresh = _folder(tmp_path, ".convert-fresh001", age=5)  # just created, not locked yet
    model = _folder(tmp_path, "all-MiniLM-L6-v2-abc", age=old)  # a converted model: never touched
    other = tmp_path / ".convert-note.txt"
    other.write_text("a file, not a folder", "utf-8")
    held = convert_cleanup.hold(live)
    try:
        removed = convert_cleanup.remove_stale(tmp_path)
    finally:
        held.close()
    assert removed == [killed]
    assert not killed.exists() and live.is_dir() and fresh.is_dir() and model.is_dir() and other.is_file()
    assert convert_cleanup.remove_stale(tmp_path) == [live]  # released (its process died): stale now
    assert convert_cleanup.remove_stale(tmp_path / "missing") == []


def test_the_conversion_and_the_load_clean_up_first(tmp_path, monkeypatch):
    """onnx_convert.convert removes stale folders before making its own and holds its own while working;
    loading a converted model removes them too."""
    from notes2anki.semantic import onnx_backend, onnx_convert

    killed = _folder(tmp_path, ".convert-killed2", age=convert_cleanup.STALE_SECONDS + 60)
    seen = {}

    def export(model_dir, work, *, quantize):
        seen["stale"] = killed.exists()
        seen["held"] = convert_cleanup._lock_state(work) == "held"
        raise onnx_backend.NotConvertible("probe model")

    monkeypatch.setattr(onnx_convert, "_export", export)
    monkeypatch.setattr(onnx_backend, "onnx_root", lambda: tmp_path)
    model_dir = tmp_path / "src"
    model_dir.mkdir()
    folder = onnx_convert.convert(model_dir, "probe")
    assert seen == {"stale": False, "held": True}
    assert onnx_backend.read_meta(folder)["ok"] is False
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".convert-")] == []
    again = _folder(tmp_path, ".convert-killed3", age=convert_cleanup.STALE_SECONDS + 60)
    try:
        onnx_backend.OnnxEncoder.load(folder, model_dir)
    except onnx_backend.NotConvertible:
        pass
    assert not again.exists()


def test_without_locks_only_an_hour_old_folder_goes(tmp_path, monkeypatch):
    """Where flock cannot be tried (Windows, some network file systems) a live conversion cannot be told
    apart: only folders unchanged for an hour (a conversion takes 20–90 s) are removed."""
    monkeypatch.setattr(convert_cleanup, "fcntl", None)
    recent = _folder(tmp_path, ".convert-recent01", age=convert_cleanup.STALE_SECONDS + 60)
    old = _folder(tmp_path, ".convert-old00001", age=convert_cleanup.UNLOCKED_STALE_SECONDS + 60)
    assert convert_cleanup.remove_stale(tmp_path) == [old] and recent.is_dir()
