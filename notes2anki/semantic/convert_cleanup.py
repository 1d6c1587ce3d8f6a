"""The ONNX conversion's temp folders (``.convert-*`` in the converted models' folder): held while in use,
removed when a killed conversion left them behind (tester U23: 87–173 MB each, never removed).

:func:`~notes2anki.semantic.onnx_convert.convert` writes into a fresh ``.convert-XXXXXXXX`` folder and
renames it into place when done; Ctrl-C, SIGTERM and SIGHUP remove it (:mod:`notes2anki.interrupts`), but
``kill -9``, the OOM killer or a power loss cannot. So the conversion :func:`hold` s an exclusive
``flock`` on its folder for as long as it works (the kernel drops the lock when the process dies, however it
dies), and :func:`remove_stale` — run before each conversion and each time a converted model is loaded —
removes every ``.convert-*`` folder that no process holds and in which nothing changed for
:data:`STALE_SECONDS` (the age rule covers the moment between creating a folder and locking it, and a
conversion by an older notes2anki that takes no lock). Where a lock cannot be tried (Windows, a file
system without ``flock``), only folders unchanged for :data:`UNLOCKED_STALE_SECONDS` go.
Nothing else in the folder is touched; a folder that cannot be removed is left for the next time.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

PREFIX = ".convert-"
STALE_SECONDS = 600  # as the temp files of atomic writes (fileio.STALE_TEMP_SECONDS)
UNLOCKED_STALE_SECONDS = 3600  # without flock: a conversion takes 20–90 s, far less than this

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None


class Held:
    """An exclusive lock on a conversion folder (:func:`hold`); :meth:`close` releases it."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd

    def close(self) -> None:
        """Release the lock (closing the folder's descriptor); safe to call twice."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def hold(work: Path) -> Held:
    """Lock the conversion folder ``work`` (exclusive ``flock`` on the folder itself) until
    :meth:`Held.close`, so that :func:`remove_stale` in another process leaves it alone. Never raises: where
    the folder cannot be locked, the age rule alone protects it."""
    if fcntl is None:
        return Held(None)
    try:
        fd = os.open(work, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return Held(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return Held(None)
    return Held(fd)


def _last_change(folder: Path) -> float:
    """The newest modification time of ``folder`` and its direct entries (seconds since the epoch)."""
    newest = folder.stat().st_mtime
    with os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


def _lock_state(folder: Path) -> str:
    """"held" when a live process holds ``folder``'s lock, "free" when nobody does, "unknown" where locks do
    not exist or cannot be tried (no fcntl, a file system without flock, a folder that cannot be opened)."""
    if fcntl is None:
        return "unknown"
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return "unknown"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "held"
    except OSError:
        return "unknown"
    finally:
        os.close(fd)  # also releases the lock just taken
    return "free"


def remove_stale(root: Path, *, now: float | None = None) -> list[Path]:
    """Remove the ``.convert-*`` folders directly in ``root`` that a killed conversion left (see the module
    doc); returns those removed. A missing or unreadable ``root`` removes nothing; never raises."""
    now = time.time() if now is None else now
    removed = []
    try:
        candidates = [Path(e.path) for e in os.scandir(root)
                      if e.name.startswith(PREFIX) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return removed
    for folder in candidates:
        try:
            age = now - _last_change(folder)
            if age < STALE_SECONDS:
                continue
            state = _lock_state(folder)
            if state == "held" or (state == "unknown" and age < UNLOCKED_STALE_SECONDS):
                continue
            shutil.rmtree(folder)
        except OSError:
            continue
        removed.append(folder)
    return removed
