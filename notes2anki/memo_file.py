"""The one way notes2anki reads and writes a pickled memo file (a parse cache, a stored duplicate check, the
texts or vectors one run used...), so a damaged memo is said as a damaged SQLite cache is.

A memo is the user's own re-computable data in the cache folder, never in the vault. :func:`load` gives
``(value, warning)``:

- a missing file: ``(None, None)`` (the first run);
- a file written by another version of the memo's code (the caller's ``valid(data)`` is False, or the
  pickle names a class notes2anki no longer has): ``(None, None)``, silently: it is replaced on save;
- a file that cannot be used (truncated, not a pickle, not a dict, unreadable, not a regular file, larger
  than ``limit``): ``(None, "<label> <path> <why>; rebuilding it")``, the same words as the SQLite caches
  (:mod:`notes2anki.semantic.sqlite_store`). The caller starts empty and its next :func:`save` replaces the
  file, so the warning comes once; the same unchanged file read again in one process is not warned twice.

:func:`save` writes atomically (:func:`notes2anki.fileio.atomic_write`) and never raises: a memo that cannot
be written only makes the next run slower. Nothing here prints.

Adopting it in a memo module::

    data, warning = memo_file.load(path, "duplicate memo", valid=lambda d: d.get("format") == FORMAT)
    if warning:
        warnings.append(warning)   # e.g. DuplicateReport.run_warnings, or a Diagnostic("", 0, "warning", w)
    ...
    memo_file.save(path, {"format": FORMAT, ...})
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any, Callable

from .fileio import atomic_write, read_bounded

MAX_BYTES = 2 << 30  # 2 GiB: a memo of a 100,000-card vault's duplicate check is well below
_warned: set[tuple[str, int, int]] = set()  # (path, size, mtime ns) of unusable files already said


def load(path: Path | str, label: str, *, valid: Callable[[dict], bool] = lambda data: True,
         limit: int = MAX_BYTES) -> tuple[Any | None, str | None]:
    """``(the dict pickled in path, None)`` when ``valid(dict)``; else ``(None, warning or None)`` as the
    module doc says. ``label`` names the memo in the warning ("parse cache"); ``valid`` checks the
    version/format keys (an exception inside it counts as a damaged file). Never raises."""
    path = Path(path)
    try:
        raw = read_bounded(path, limit)
    except FileNotFoundError:
        return None, None
    except OSError as exc:  # UnsafeFile (not a regular file, too large) or unreadable
        return None, _warn(path, f"cannot be read ({exc.strerror or exc})", label)
    try:
        data = pickle.loads(raw)
    except (ImportError, AttributeError):  # a class of another notes2anki version: stale, not damaged
        return None, None
    except Exception as exc:  # truncated, garbage, another format
        return None, _warn(path, f"is corrupt ({_reason(exc)})", label)
    if not isinstance(data, dict):
        return None, _warn(path, f"is not a notes2anki {label}", label)
    try:
        ok = bool(valid(data))
    except Exception as exc:
        return None, _warn(path, f"is corrupt ({_reason(exc)})", label)
    return (data, None) if ok else (None, None)


def save(path: Path | str, data: dict) -> bool:
    """Write ``data`` pickled to ``path`` atomically (its folder made when missing); False when it could not
    be written (never raises)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return False
    return True


def _warn(path: Path, problem: str, label: str) -> str | None:
    """The warning for ``path`` (None when this process already said it about the same unchanged file)."""
    try:
        info = os.stat(path)
        seen = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    except OSError:
        seen = (str(path), -1, -1)
    if seen in _warned:
        return None
    _warned.add(seen)
    return f"{label} {path} {problem}; rebuilding it"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
