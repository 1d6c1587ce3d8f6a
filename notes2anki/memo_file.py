"""The one way notes2anki reads and writes a pickled memo file (a parse cache, a stored duplicate check, the
texts or vectors one run used...), so a damaged memo is said as a damaged SQLite cache is.

A memo is the user's own re-computable data in the cache folder, never in the vault. :func:`load` gives
``(value, warning)``:

- a missing file: ``(None, None)`` (the first run);
- a file written by another version of the memo's code (the caller's ``valid(data)`` is False, or the
  pickle names a class notes2anki no longer has): ``(None, None)``, silently: it is replaced on save;
- a file that cannot be used (truncated, its bytes changed since they were written, not a pickle, not a
  dict, unreadable, not a regular file, larger than ``limit``): ``(None, "<label> <path> <why>; rebuilding it")``, the same words as the SQLite caches
  (:mod:`notes2anki.semantic.sqlite_store`). The caller starts empty and its next :func:`save` replaces the
  file, so the warning comes once; the same unchanged file read again in one process is not warned twice.

Memos of large arrays (a 10,000-card vault's card vectors and pair feature rows, 40 MB each) are written with
``dumps(data, out_of_band=True)``: pickle protocol 5 with each large array's bytes kept out of the pickle,
after it, aligned (the layout: :data:`_OOB_MAGIC`, the counts, each buffer's offset and length, the pickle,
the buffers, the seal). :func:`read_pickle` with ``mapped=True`` maps such a file (POSIX ``mmap``, read-only)
and the arrays are read-only views of the file's pages, with no copy: reading the two files into memory and
unpickling them touched about 160 MB of fresh memory after every edit, which this VM pays for a page at a time
(issue 13's edit row). A file is always replaced by a rename (:func:`notes2anki.fileio.atomic_write`), so a
mapping keeps the bytes it was made of. Arrays from such a file are read-only whichever way it is read.

Every memo file ends with the CRC-32 of its pickle (:func:`dumps`; the parse cache's entries carry one each
already): bytes changed on disk that still unpickle — a bit flipped, a block of another file, a list edited by
hand — would otherwise give wrong vectors or verdicts without a word. A file without it (written before the
check existed) is stale, not damaged: replaced silently.

:func:`save` writes atomically (:func:`notes2anki.fileio.atomic_write`, without fsync: a memo cut by a power
loss is read as damaged and rebuilt) and never raises: a memo that cannot be written only makes the next run
slower. Nothing here prints.

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
import zlib
from pathlib import Path
from typing import Any, Callable

from .fileio import atomic_write, read_bounded

MAX_BYTES = 2 << 30  # 2 GiB: a memo of a 100,000-card vault's duplicate check is well below
_warned: set[tuple[str, int, int]] = set()  # (path, size, mtime ns) of unusable files already said
_SEAL = b"\nnotes2anki-crc32:"  # then the pickle's CRC-32, 4 bytes little-endian: the file's last 22 bytes


class StaleMemo(ValueError):
    """A memo file without the CRC-32 seal: written by an older notes2anki (not damaged; rebuilt silently)."""


class DamagedMemo(ValueError):
    """A memo file whose pickle does not match its CRC-32: its bytes changed after they were written."""


_OOB_MAGIC = b"N2A-OOB1"  # a memo whose large arrays follow its pickle (dumps(..., out_of_band=True))
OOB_MIN = 1 << 16  # buffers of at least this many bytes go out of band (smaller ones stay in the pickle)
_ALIGN = 64


def dumps(data: Any, *, out_of_band: bool = False) -> bytes:
    """``data`` pickled (highest protocol) and sealed with the pickle's CRC-32 (zlib's; 2.4–4 GB/s on the 2-core
    test machine, so a 40 MB memo of a 10,000-card vault costs 10–17 ms): the bytes every memo file holds.
    ``out_of_band``: the bytes of arrays of at least :data:`OOB_MIN` bytes follow the pickle, each at an offset
    that is a multiple of 64 (see the module doc); the seal covers everything before it."""
    if not out_of_band:
        raw = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        return raw + _SEAL + zlib.crc32(raw).to_bytes(4, "little")
    buffers: list[memoryview] = []

    def keep(buffer: pickle.PickleBuffer) -> bool:  # False: out of band
        view = buffer.raw()
        if view.nbytes < OOB_MIN:
            return True
        buffers.append(view)
        return False

    raw = pickle.dumps(data, protocol=5, buffer_callback=keep)
    head = len(_OOB_MAGIC) + 16 + 16 * len(buffers)
    places, at = [], head + len(raw)
    for view in buffers:
        at += -at % _ALIGN
        places.append((at, view.nbytes))
        at += view.nbytes
    parts = [_OOB_MAGIC, len(buffers).to_bytes(8, "little"), len(raw).to_bytes(8, "little")]
    parts += [offset.to_bytes(8, "little") + size.to_bytes(8, "little") for offset, size in places]
    parts.append(raw)
    end = head + len(raw)
    for (offset, size), view in zip(places, buffers):
        parts += [bytes(offset - end), view]
        end = offset + size
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    return b"".join(parts + [_SEAL, crc.to_bytes(4, "little")])


def loads(raw: bytes | memoryview) -> Any:
    """The object sealed in ``raw`` by :func:`dumps` (an out-of-band memo's arrays are read-only views of
    ``raw``). Raises :class:`StaleMemo` (no seal, but a whole pickle: an older notes2anki's file),
    :class:`DamagedMemo` (the CRC-32 differs) or whatever ``pickle.loads`` raises (no seal and no whole
    pickle: cut short, garbage)."""
    raw = memoryview(raw).cast("B") if isinstance(raw, memoryview) else raw
    end = len(raw) - len(_SEAL) - 4
    if end < 0 or bytes(raw[end:end + len(_SEAL)]) != _SEAL:
        pickle.loads(raw)  # a file cut short or garbage raises here, as damaged; an older version's file:
        raise StaleMemo("no checksum")
    body = memoryview(raw)[:end]  # (no copy of a 40 MB file)
    if zlib.crc32(body) != int.from_bytes(raw[-4:], "little"):
        raise DamagedMemo("its checksum does not match: changed after it was written")
    if bytes(body[:len(_OOB_MAGIC)]) != _OOB_MAGIC:
        return pickle.loads(body)
    at = len(_OOB_MAGIC)
    count, size = (int.from_bytes(body[at + k:at + k + 8], "little") for k in (0, 8))
    head = at + 16 + 16 * count
    if head + size > end:
        raise DamagedMemo("its layout does not fit its length")
    buffers = []
    for n in range(count):
        offset, length = (int.from_bytes(body[at + 16 + 16 * n + k:at + 24 + 16 * n + k], "little") for k in (0, 8))
        if offset < head + size or offset + length > end:
            raise DamagedMemo("its layout does not fit its length")
        buffers.append(body[offset:offset + length].toreadonly())
    return pickle.loads(body[head:head + size], buffers=buffers)


def load(path: Path | str, label: str, *, valid: Callable[[dict], bool] = lambda data: True,
         limit: int = MAX_BYTES) -> tuple[Any | None, str | None]:
    """``(the dict pickled in path, None)`` when ``valid(dict)``; else ``(None, warning or None)`` as the
    module doc says. ``label`` names the memo in the warning ("parse cache"); ``valid`` checks the
    version/format keys (an exception inside it counts as a damaged file). Never raises."""
    path = Path(path)
    if path.is_dir():  # cannot be replaced by a file: rebuilding would fail on every run
        return None, _warn(path, "is a folder, not a memo file", label, "remove it")
    try:
        raw = read_bounded(path, limit)
    except FileNotFoundError:
        return None, None
    except OSError as exc:  # UnsafeFile (not a regular file, too large) or unreadable
        return None, _warn(path, f"cannot be read ({exc.strerror or exc})", label)
    try:
        data = loads(raw)
    except (ImportError, AttributeError, StaleMemo):  # another notes2anki version's file: stale, not damaged
        return None, None
    except DamagedMemo as exc:
        return None, _warn(path, f"is corrupt ({exc})", label)
    except Exception as exc:  # truncated, garbage, another format
        return None, _warn(path, f"is corrupt ({_reason(exc)})", label)
    if not isinstance(data, dict):
        return None, _warn(path, f"is not a notes2anki {label}", label)
    try:
        ok = bool(valid(data))
    except Exception as exc:
        return None, _warn(path, f"is corrupt ({_reason(exc)})", label)
    return (data, None) if ok else (None, None)


def read_pickle(path: Path | str, limit: int = MAX_BYTES, *, mapped: bool = False) -> Any:
    """The object sealed in ``path`` by :func:`dumps`, read bounded (a FIFO, device or a file over ``limit``
    bytes raises :class:`OSError` at once instead of blocking or filling memory), for memos whose callers fall
    back silently on any failure: raises OSError (missing, unreadable, not a regular file), :class:`StaleMemo`
    / :class:`DamagedMemo` (see :func:`loads`) or whatever ``pickle.loads`` raises on a damaged file.
    ``mapped``: on POSIX the file is memory-mapped rather than read (its out-of-band arrays are then views
    of the mapping: no copy; see the module doc)."""
    if mapped and os.name == "posix":
        mapping = _mapped(Path(path), limit)
        if mapping is not None:
            return loads(memoryview(mapping))
    return loads(read_bounded(Path(path), limit))


def _mapped(path: Path, limit: int):
    """A read-only ``mmap`` of the regular file ``path`` (at most ``limit`` bytes), opened as
    :func:`~notes2anki.fileio.read_bounded` opens files (a FIFO never blocks); None for an empty file.
    Raises OSError as read_bounded does."""
    import mmap
    import stat

    from .fileio import UnsafeFile, _over, _size

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("not a regular file (a folder, FIFO, device or socket); not read")
        if info.st_size > limit:
            raise UnsafeFile(f"larger than the {_size(limit)} limit ({_over(info.st_size, limit)}); not read")
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if info.st_size else None
    finally:
        os.close(fd)


def save(path: Path | str, data: dict) -> bool:
    """Write ``data`` pickled to ``path`` atomically (its folder made when missing); False when it could not
    be written (never raises)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, dumps(data), durable=False)
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return False
    return True


def _warn(path: Path, problem: str, label: str, action: str = "rebuilding it") -> str | None:
    """The warning for ``path`` (None when this process already said it about the same unchanged file)."""
    try:
        info = os.stat(path)
        seen = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    except OSError:
        seen = (str(path), -1, -1)
    if seen in _warned:
        return None
    _warned.add(seen)
    return f"{label} {path} {problem}; {action}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


REWRITE_NEW = 64  # new entries that alone do not rewrite a memo file (see few_new)
SKIP_FROM = 2_000  # entries a memo file must hold before few_new skips rewriting it (smaller: cheap to write)


def few_new(fresh: int, used: int, loaded: int) -> bool:
    """Whether a memo file that held ``loaded`` entries need not be written again after a run that used
    ``used`` entries, ``fresh`` of them new: a file of at least :data:`SKIP_FROM` entries, at most
    :data:`REWRITE_NEW` (or 2 % of those used) new and at most a quarter of the file unused (an edit of a few
    cards). The next run computes those few again; the files of a 10,000-card vault are not rewritten on
    every edit."""
    stale = loaded - (used - fresh)
    return loaded >= SKIP_FROM and fresh <= max(REWRITE_NEW, 0.02 * used) and 0 <= stale <= loaded // 4


def load_entries(path: Path | str, label: str, version: str, into: dict) -> tuple[int, str | None]:
    """Add the ``"texts"`` dict of the memo file ``path`` (written by :func:`save_entries` with the same
    ``version`` only) to ``into``. Returns (entries loaded — -1 when the file was unusable, so that the next
    save replaces it —, the :func:`load` warning or None)."""
    data, warning = load(path, label, valid=lambda d: d.get("version") == version and isinstance(d.get("texts"), dict))
    if data is not None:
        into.update(data["texts"])
        return len(data["texts"]), None
    return (-1 if warning else 0), warning


def save_entries(path: Path | str, version: str, memo: dict, used: set, fresh: int, loaded: int) -> None:
    """Store the entries of ``memo`` this run ``used`` (``fresh`` of them computed since ``loaded`` were
    loaded) in ``path`` for :func:`load_entries`: nothing when none was new and none went, or only a few
    (:func:`few_new`); failures ignored."""
    if not fresh and len(used) == loaded or few_new(fresh, len(used), loaded):
        return
    save(path, {"version": version, "texts": {key: memo[key] for key in used if key in memo}})
