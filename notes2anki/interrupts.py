"""Ctrl-C that a C extension turned into another error.

A SIGINT that arrives while a C extension runs Python code (onnxruntime importing numpy while it loads)
raises KeyboardInterrupt there, and the extension reports it as its own failure (``ImportError: import
numpy failed``, ``initialization failed``) with no link to the KeyboardInterrupt. :func:`install` puts a
SIGINT handler that remembers the signal before raising KeyboardInterrupt as Python's default does;
code that turns exceptions into messages calls :func:`raise_if_received` first, so the user's Ctrl-C
stays a Ctrl-C (exit 130) instead of becoming "cannot load the model; delete that folder".
"""
from __future__ import annotations

import contextlib
import signal
import threading

_received = False


def _handler(signum, frame) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def install() -> None:
    """Use the remembering SIGINT handler (main thread only, and only where SIGINT has Python's default
    handler: an ignored SIGINT stays ignored)."""
    global _received
    _received = False
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _handler)


def uninstall() -> None:
    """Python's default SIGINT handler again (when :func:`install` set ours)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is _handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def raise_if_received(exc: BaseException | None = None) -> None:
    """Raise KeyboardInterrupt (from ``exc``) when a Ctrl-C arrived since :func:`install`."""
    if _received:
        raise KeyboardInterrupt from exc


@contextlib.contextmanager
def deferred():
    """Within the block a Ctrl-C is remembered, not raised (for the end of work that is already done: a
    sync whose transaction has committed closes its collection and reports). Yields a function that says
    whether one arrived. Outside the main thread, or where SIGINT is ignored, nothing changes."""
    arrived = False

    def remember(signum, frame) -> None:
        nonlocal arrived
        arrived = True

    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    if main and previous is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, remember)
    try:
        yield lambda: arrived
    finally:
        if main and previous is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)
