"""Safe file access, one implementation for the whole package.

- ``read_bounded``: read a regular file inside the vault, never a FIFO, device or a file bigger than a
  limit, never a file that resolves (through symlinks) outside the vault — checked on the path before
  opening and on the opened file itself (:func:`opened_path`), so a folder swapped for a link to elsewhere
  between the two is caught.
- ``atomic_write``: replace a file with new bytes atomically (temp file in the same folder, fsync,
  rename, fsync of the folder), keeping the file's mode (and owner, when we may set it); optionally
  only if the file still holds the bytes the new content was computed from, and never when the new
  content is identical (mtime kept).
- ``resolve_for_write``: which real file a write into the vault may replace (links, hard links,
  read-only, owner).
- ``vault_lock``: an exclusive lock per vault, held by the commands that write into the vault (``ids``),
  kept in the user state folder, never in the vault.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

# Limits (documented in the README, "Limits").
MAX_NOTE_BYTES = 8 * 1024 * 1024  # a Markdown note larger than this is skipped with an error
MAX_MEDIA_BYTES = 100 * 1024 * 1024  # an embedded file larger than this is left out with a warning
MAX_CONFIG_BYTES = 1024 * 1024  # .notes2anki.toml, the plugin's data.json, the build state: 1 MiB...
MAX_STATE_BYTES = 64 * 1024 * 1024  # ... except the build state, which grows with the vault


class UnsafeFile(OSError):
    """A file that must not be read: outside the vault, not a regular file, or too large.

    ``str(exc)`` is a message for the user (no path: the caller names the file).
    """


class RealPaths:
    """``os.path.realpath`` for many files under one ``root``, each folder resolved once: a file that is not a
    symlink resolves to its folder's real path joined with its name, the same string ``realpath`` gives (a
    vault's 1,000 notes: one ``lstat`` each instead of one per component of each path). For one pass over
    the files. A folder replaced by a link to elsewhere during the pass goes unseen here (its real path was
    taken before), so :func:`read_bounded` checks the file it opened as well (tester 12-03: a folder flipped
    to an outside one 1 s into a 3,000-note build put 900 outside cards in the deck, without a warning)."""

    def __init__(self, root: Path | str):
        self.root = os.path.realpath(root)
        self._folders: dict[str, str] = {}

    def realpath(self, path: Path | str) -> str:
        """``os.path.realpath(path)``. Raises OSError / ValueError as it does."""
        path = os.fspath(path)
        folder, name = os.path.split(path)
        try:
            link = not name or name in (".", "..") or stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:  # (missing: realpath's own answer)
            link = True
        if link:
            return os.path.realpath(path)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        return os.path.join(real, name)


def _under(real: str, base: str) -> bool:
    """Whether the real path ``real`` is the real path ``base`` or below it."""
    return real == base or real.startswith(base if base.endswith(os.sep) else base + os.sep)


def opened_path(fd: int) -> str | None:
    """The path of the file open as ``fd`` as the kernel names it — its real path, whatever links led to it
    (Linux: ``/proc/self/fd/N``; macOS: ``fcntl(F_GETPATH)``) — or None where neither answers."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except (OSError, ValueError):
        pass
    try:
        import fcntl

        if hasattr(fcntl, "F_GETPATH"):
            return os.fsdecode(fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024)).split(b"\0", 1)[0]) or None
    except (ImportError, OSError, ValueError):
        pass
    return None


def is_inside(root: Path, path: Path, *, real_root: str | RealPaths | None = None) -> bool:
    """Whether ``path`` resolves (symlinks followed) to ``root`` or somewhere below it. ``real_root``:
    ``os.path.realpath(root)`` when the caller resolved it already, or a :class:`RealPaths` of ``root``
    (a vault's 1,000 notes: one resolution of the root, one of each folder)."""
    try:
        if isinstance(real_root, RealPaths):
            real, base = real_root.realpath(path), real_root.root
        else:
            real = os.path.realpath(path)
            base = os.path.realpath(root) if real_root is None else real_root
    except (OSError, ValueError):
        return False
    return _under(real, base)


def read_bounded(path: Path, limit: int, root: Path | None = None, *,
                 real_root: str | RealPaths | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    ``root``: when given, the file must resolve inside it (a symlink pointing out of the vault is
    refused): its path is checked before opening and the opened file after (:func:`opened_path`; where the
    system cannot name an open file, its path is resolved again), so a folder of the path swapped for a link
    to elsewhere in between is refused too. Opens with O_NONBLOCK so a FIFO never blocks, checks the opened file (not the path) is a
    regular file, and reads at most ``limit`` + 1 bytes, so ``/dev/zero`` or a growing file cannot
    exhaust memory.

    Raises ``UnsafeFile`` (outside the vault / not a regular file / too large) or ``OSError``.
    """
    path = Path(path)
    if root is not None and not is_inside(root, path, real_root=real_root):
        raise UnsafeFile("resolves to a file outside the vault; not read")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if root is not None:
            base = real_root.root if isinstance(real_root, RealPaths) else real_root or os.path.realpath(root)
            where = opened_path(fd)
            if not _under(os.path.realpath(path) if where is None else where, base):
                raise UnsafeFile("resolves to a file outside the vault; not read")
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnsafeFile("is a folder, not a file; not read")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("not a regular file (a FIFO, device or socket); not read")
        if info.st_size > limit:
            raise UnsafeFile(f"larger than the {_size(limit)} limit ({_over(info.st_size, limit)}); not read")
        chunks, total = [], 0
        want = info.st_size + 1  # the whole file in one read (no second copy to join), then 1 MiB at a time
        while total <= limit:
            chunk = os.read(fd, min(max(want - total, 1 << 20), limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise UnsafeFile(f"larger than the {_size(limit)} limit; not read")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def not_utf8(exc: UnicodeDecodeError) -> tuple[int, str]:
    """Where a UTF-8 decode failed and how to say it: (1-based line, "not UTF-8 text (byte 0xNN)"), from the
    bytes the error carries. One wording for notes and configuration files."""
    data = exc.object
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # tester B r11: said only "byte 0xff"
        return 1, "UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8: save it as UTF-8"
    return data.count(b"\n", 0, exc.start) + 1, f"not UTF-8 text (byte 0x{data[exc.start]:02x})"


def check_media(path: Path, limit: int, root: Path) -> None:
    """Raise ``UnsafeFile``/``OSError`` unless ``path`` is a readable regular file inside ``root`` of
    at most ``limit`` bytes (the check ``read_bounded`` makes, without reading the content)."""
    if not is_inside(root, path):
        raise UnsafeFile("resolves to a file outside the vault; left out")
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile("not a regular file; left out")
    if info.st_size > limit:
        raise UnsafeFile(f"larger than the {_size(limit)} limit ({_over(info.st_size, limit)}); left out")
    if not os.access(path, os.R_OK):
        raise PermissionError(errno.EACCES, "permission denied")


class FileChanged(OSError):
    """The file's bytes are no longer those the new content was computed from (``atomic_write``'s
    ``expect``): someone else wrote it meanwhile. Nothing was replaced."""


class NotWritable(OSError):
    """A file that must not be replaced (see ``resolve_for_write``); ``str(exc)`` is a message for the
    user, without the path."""


def resolve_for_write(path: Path, root: Path) -> Path:
    """The real file to replace when updating the note ``path`` of the vault ``root``.

    Decisions (README, ``ids``): a symlink to a file inside the vault is followed (the target is
    written, the link stays a link); a symlink that resolves outside the vault, a file that is not a
    regular file, a file with several hard links (an atomic replace would split it from its other
    names), a read-only file (no write permission bit, or not writable by this user) and a file owned
    by another user that this process cannot give back (a replace would change its owner) are refused.

    Raises ``NotWritable`` (the message says why) or ``OSError``.
    """
    path = Path(path)
    if not is_inside(root, path):
        raise NotWritable("resolves to a file outside the vault; left unchanged")
    real = Path(os.path.realpath(path))
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        raise NotWritable("not a regular file; left unchanged")
    if info.st_nlink > 1:
        raise NotWritable(f"has {info.st_nlink} hard links, which replacing it would break; left "
                          "unchanged (add the IDs by hand, or make it a single file)")
    if not stat.S_IMODE(info.st_mode) & 0o222 or not os.access(real, os.W_OK):
        raise NotWritable("read-only (no write permission); left unchanged")
    if info.st_uid != os.geteuid() and os.geteuid() != 0:
        raise NotWritable("owned by another user; rewriting it would make it yours; left unchanged")
    return real


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], None], *, mode: int | None = None,
                 expect: bytes | None = None, keep_if_identical: bool = False, durable: bool = True) -> bool:
    """Replace ``path`` with new content atomically: readers see the old or the new bytes, never a mix.

    ``data``: the bytes, or a function that writes them to the binary file it is given (for content
    too big to hold in memory). Writes a temp file in the same folder, fsyncs it, renames it over
    ``path`` and fsyncs the folder. The new file keeps the old file's permission bits (else ``mode``,
    else 0o666 less the umask) and, when the process may set it (root), its owner and group.

    ``expect``: the bytes ``path`` must still hold, checked right before the rename (after the slow
    part: writing and syncing the temp file); otherwise ``FileChanged`` is raised and nothing is
    replaced. ``keep_if_identical``: when the new content equals the current file's, the file is left
    untouched (its modification time too). ``durable=False``: no fsync of the file and folder (still
    atomic for readers; after a power loss the file may be empty or cut): for re-computable cache files
    whose readers ignore a damaged file (the duplicate check's memos: ~10 ms each, three per edit).

    ``path`` must not be a symlink (it would be replaced by a file): callers resolve links first, see
    ``resolve_for_write``. Returns whether ``path`` was replaced. Raises ``OSError``.
    """
    path = Path(path)
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    if old is not None:
        new_mode = stat.S_IMODE(old.st_mode)
    elif mode is not None:
        new_mode = mode
    else:
        umask = os.umask(0)
        os.umask(umask)
        new_mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path.name), suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            if keep_if_identical and old is not None and _same_content(tmp, path):
                Path(tmp).unlink(missing_ok=True)
                return False
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, new_mode)
        if old is not None and (old.st_uid != os.geteuid() or old.st_gid != os.getegid()):
            with contextlib.suppress(OSError):  # only root may give a file away; others keep theirs
                os.chown(tmp, old.st_uid, old.st_gid)
        if expect is not None and _current_bytes(path, len(expect)) != expect:
            raise FileChanged(errno.EAGAIN, "changed on disk since it was read")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)
    remove_stale_temp_files([path.parent], prefix=temp_prefix(path.name))  # left by a killed write of path
    return True


TEMP_SUFFIX = ".notes2anki-tmp"  # atomic_write's temp files: .NAME.XXXXXXXX.notes2anki-tmp beside NAME
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
STALE_TEMP_SECONDS = 600  # a temp file of ours this old was left by a run that was killed (kill -9, power loss)
TEMP_NAME_BYTES = 200  # at most this much of the target's name in a temp name (file names: 255 bytes at most)


def temp_prefix(name: str) -> str:
    """The start of :func:`atomic_write`'s temp file names for target ``name``: ``.NAME.``, or, when the
    name is long (a note title of 80 Japanese characters is 240 bytes; the temp name adds 25), its first
    :data:`TEMP_NAME_BYTES` bytes and a digest of the whole name, ``.HEAD~1a2b3c4d.``, so that the temp
    name stays within the file system's 255 bytes and still belongs to one target."""
    if len(os.fsencode(name)) <= TEMP_NAME_BYTES:
        return f".{name}."
    head, size = [], 0
    for char in name:
        size += len(os.fsencode(char))
        if size > TEMP_NAME_BYTES:
            break
        head.append(char)
    digest = hashlib.sha1(os.fsencode(name)).hexdigest()[:8]
    return f".{''.join(head)}~{digest}."


def remove_stale_temp_files(folders, older_than: float = STALE_TEMP_SECONDS, *, prefix: str = ".") -> list[Path]:
    """Remove :func:`atomic_write`'s temp files (``.NAME.XXXXXXXX.notes2anki-tmp``, regular files, not
    links) older than ``older_than`` seconds from ``folders``; the paths removed. ``prefix``: only names
    starting with it (``.NAME.``: the temp files of one target; :func:`atomic_write` removes those of its
    target after each write, so a package or state file whose writing was killed leaves nothing behind for
    long). In a vault, only to be called under :func:`vault_lock` (no other notes2anki run is writing
    there); elsewhere a temp file still being written is never that old. Never raises: a folder or file
    that cannot be read or removed is left."""
    removed: list[Path] = []
    now = time.time()
    for folder in dict.fromkeys(Path(f) for f in folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.endswith(TEMP_SUFFIX) or not entry.name.startswith(prefix) \
                    or not _TEMP_NAME.fullmatch(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue
    return removed


def _current_bytes(path: Path, expected_size: int) -> bytes | None:
    """The file's bytes now, or None if it is gone, unreadable or bigger than ``expected_size``."""
    try:
        return read_bounded(path, expected_size)
    except OSError:
        return None


def _same_content(a: str | Path, b: Path) -> bool:
    """Whether two regular files hold the same bytes (compared in 1 MiB chunks)."""
    try:
        if os.path.getsize(a) != os.path.getsize(b) or not os.path.isfile(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                ca, cb = fa.read(1 << 20), fb.read(1 << 20)
                if ca != cb:
                    return False
                if not ca:
                    return True
    except OSError:
        return False


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class VaultLocked(OSError):
    """Another notes2anki process holds this vault's write lock."""


@contextlib.contextmanager
def vault_lock(root: Path, wait: float = 5.0) -> Iterator[Path]:
    """Hold the vault's exclusive write lock for the ``with`` block; yields the lock file's path.

    The lock is an ``flock`` on ``<state dir>/locks/<vault key>.lock`` (outside the vault; released by
    the OS if the process dies). Waits up to ``wait`` seconds, then raises ``VaultLocked``.
    """
    import fcntl

    from .paths import state_dir, vault_key

    folder = state_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / f"{vault_key(root)}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise VaultLocked(errno.EWOULDBLOCK,
                                      "another notes2anki command is writing to this vault") from None
                time.sleep(0.05)
        try:
            yield lock_path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _over(size: int, limit: int) -> str:
    """``size`` as :func:`_size` says it, with its bytes when that rounds to the limit's figure ("1 MiB +
    2 bytes" said "1 MiB" against a 1 MiB limit)."""
    shown = _size(size)
    over = size - limit
    return shown if shown != _size(limit) else f"{shown} + {over:,} byte{'' if over == 1 else 's'}"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return str(n)


# -- standard output as a destination (``build -o -``) ---------------------------------------------------------

def output_argument(raw: str | None) -> Path | None:
    """An ``-o`` value as typed → the Path to write (None: not given). ``-`` stays ``Path("-")`` (the
    caller streams to standard output); ``./-`` (or ``dir/../-``), which ``Path`` would also shorten to
    ``-``, becomes the absolute path of a file named ``-``."""
    if raw is None:
        return None
    if raw != "-" and Path(raw).as_posix() == "-":
        return Path(os.path.abspath(raw))
    return Path(raw)


def stdout_state() -> str:
    """What standard output is, for ``-o -``: ``"closed"`` (``>&-``: Python has no ``sys.stdout``, or
    its descriptor is not open), ``"terminal"``, or ``"ok"`` (a file or a pipe)."""
    import sys

    stream = sys.stdout
    try:
        if stream is None:
            return "closed"
        os.fstat(stream.fileno())
        return "terminal" if stream.isatty() else "ok"
    except (OSError, ValueError, AttributeError):
        return "closed"


def copy_to_stdout(path: Path) -> None:
    """The bytes of ``path`` to standard output, flushed. Raises OSError whose ``strerror`` says why
    (standard output closed, disk full: ``> /dev/full``), for a "cannot write standard output" message."""
    import sys

    if stdout_state() == "closed":
        raise OSError(errno.EBADF, "standard output is closed")
    stream = getattr(sys.stdout, "buffer", sys.stdout)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            stream.write(chunk)
    stream.flush()
