"""Ctrl-C, and the signals that mean the same (SIGTERM, SIGHUP), as one KeyboardInterrupt.

A SIGINT that arrives while a C extension runs Python code (onnxruntime importing numpy while it loads)
raises KeyboardInterrupt there, and the extension reports it as its own failure (``ImportError: import
numpy failed``, ``initialization failed``) with no link to the KeyboardInterrupt. :func:`install` puts a
handler that remembers the signal before raising KeyboardInterrupt as Python's default does for SIGINT;
code that turns exceptions into messages calls :func:`raise_if_received` first, so the user's Ctrl-C
stays a Ctrl-C (exit 130) instead of becoming "cannot load the model; delete that folder".

SIGTERM (``kill``, ``timeout``, systemd, an OOM-avoiding supervisor) and SIGHUP (the terminal closed, an ssh
session dropped) get the same handler (tester U23): Python's default for both is to die at once, leaving
temp files (a hidden copy of a note beside it, a half-converted model) and no word of what was written.
Now each command stops the same way as on Ctrl-C: temp files removed, its "Interrupted" summary, and the
exit code :func:`exit_code` = 128 + the signal's number, the shell's convention (130 for SIGINT, 143 for
SIGTERM, 129 for SIGHUP), so a caller still tells a stop from a failure and which signal it was. A signal
that is ignored when the command starts (``nohup`` ignores SIGHUP) stays ignored. In a process forked from
the command (duplicate-check workers, the packaging child) a SIGTERM or SIGHUP does what it did before, the
process ends by that signal: :func:`forked_child` puts the default action back as the child starts (run by
``os.register_at_fork``, before any other Python code of the child). (A Python
handler there is not only useless but unsafe: a signal that arrives between the interpreter's last check and
a blocking call, such as a pool worker waiting on its task queue's lock, is only run after that call returns,
which it never does; ``multiprocessing.Pool`` ends its workers with SIGTERM, so a cold duplicate check hung
now and then at the end of a part, the parent waiting for a worker that never died.) SIGTERM and SIGHUP are
blocked in the forking thread from just before the fork until the child has the default action back (and in
the parent until the fork returns): a signal sent to a child that has not finished starting stays pending
and ends it then. Without that, a pool ended right after it started (a small part, a loaded machine) could
send SIGTERM into the child's first instants, when CPython still has the command's handler there and drops
signals caught before its fork hooks run; the worker lived on, blocked on the lock the pool's end holds, and
the command waited for it for good (the 300-pool test hung once in a full test run; reproduced 1 in 4 runs
beside two other jobs, the worker's SIGTERM action already the default, nothing pending).
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_received = False
_signal = signal.SIGINT  # the last stop signal received (its number sets the exit code)
_owner = os.getpid()  # the process that installed the handler
_hooked = False  # forked_child registered to run in every forked child
_CHILD_ENDS = tuple(s for s in SIGNALS if s != signal.SIGINT)  # the signals a forked child dies of
_masks = threading.local()  # per forking thread: its signal mask before the fork (see _before_fork)


def _default(signum: int):
    return signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL


def _handler(signum, frame) -> None:
    global _received, _signal
    if os.getpid() != _owner and signum != signal.SIGINT:  # a forked child: the signal's own action
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _received, _signal = True, signum
    raise KeyboardInterrupt


def install() -> None:
    """Use the remembering handler for SIGINT, SIGTERM and SIGHUP (main thread only, and only for each
    signal that has its default handler: an ignored signal stays ignored)."""
    global _received, _signal, _owner, _hooked
    _received, _signal, _owner = False, signal.SIGINT, os.getpid()
    if threading.current_thread() is not threading.main_thread():
        return
    if not _hooked and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=forked_child)
        _hooked = True
    for signum in SIGNALS:
        if signal.getsignal(signum) is _default(signum):
            signal.signal(signum, _handler)


def _before_fork() -> None:
    """Before a fork (``os.register_at_fork``): block SIGTERM and SIGHUP in the forking thread while they have
    :func:`install`'s handler, so a child inherits them blocked (see the module doc). The mask before is kept
    for :func:`_after_fork_parent` / :func:`forked_child`."""
    _masks.before = None
    if _CHILD_ENDS and hasattr(signal, "pthread_sigmask") and \
            any(signal.getsignal(s) is _handler for s in _CHILD_ENDS):
        _masks.before = signal.pthread_sigmask(signal.SIG_BLOCK, _CHILD_ENDS)


def _after_fork_parent() -> None:
    """In the command after a fork: its signal mask as before (a signal that came meanwhile is handled now)."""
    before = getattr(_masks, "before", None)
    if before is not None:
        _masks.before = None
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def forked_child() -> None:
    """In a process just forked from the command: the default action again for SIGTERM and SIGHUP where the
    command had :func:`install`'s handler (an ignored signal stays ignored; SIGINT is the caller's to set),
    then the signal mask the forking thread had, so a SIGTERM sent while the child started ends it now.
    :func:`install` has ``os.register_at_fork`` run it in every child forked after it (pool workers, the
    packaging child), before the child runs any other Python code."""
    for signum in _CHILD_ENDS:
        if signal.getsignal(signum) is _handler:
            signal.signal(signum, signal.SIG_DFL)
    _after_fork_parent()  # (the same restoring of the mask)


def uninstall() -> None:
    """The default handlers again (for the signals :func:`install` set ours on)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        if signal.getsignal(signum) is _handler:
            signal.signal(signum, _default(signum))


def exit_code() -> int:
    """The exit status of a command that stopped on a signal: 128 + its number (SIGINT 130, SIGTERM 143,
    SIGHUP 129); 130 for a KeyboardInterrupt no signal of ours raised."""
    return 128 + int(_signal)


def raise_if_received(exc: BaseException | None = None) -> None:
    """Raise KeyboardInterrupt (from ``exc``) when a stop signal arrived since :func:`install`."""
    if _received:
        raise KeyboardInterrupt from exc


def ignore_all() -> dict:
    """Ignore SIGINT, SIGTERM and SIGHUP from now on (main thread only): while a command prints its
    "Interrupted" summary, a second signal must not cut it short. Returns the handlers it replaced, for
    :func:`restore`."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in SIGNALS:
            with contextlib.suppress(OSError, ValueError):
                previous[signum] = signal.signal(signum, signal.SIG_IGN)
    return previous


def restore(previous: dict, signals: tuple = SIGNALS) -> None:
    """Put back the handlers :func:`ignore_all` replaced, for ``signals`` only (a command run in-process,
    e.g. by a test: an ignored SIGTERM would be inherited by every process it starts later)."""
    if threading.current_thread() is threading.main_thread():
        for signum, handler in previous.items():
            if signum in signals and handler is not None:
                with contextlib.suppress(OSError, ValueError):
                    signal.signal(signum, _default(signum) if handler is _handler else handler)


@contextlib.contextmanager
def deferred():
    """Within the block a stop signal (SIGINT, SIGTERM, SIGHUP) is remembered, not raised (for the end of
    work that is already done: a sync whose transaction has committed closes its collection and reports).
    Yields a function that says whether one arrived (:func:`exit_code` then names it). Outside the main
    thread nothing changes; an ignored signal stays ignored."""
    arrived = False

    def remember(signum, frame) -> None:
        nonlocal arrived
        global _signal
        arrived, _signal = True, signum

    main = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS} if main else {}
    for signum, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(signum, remember)
    try:
        yield lambda: arrived
    finally:
        for signum, handler in previous.items():
            if handler is not signal.SIG_IGN:
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
