"""Packaging on the second core while this process checks for duplicates (issue 13: ``build`` after editing
one note).

After an edit, packaging (reading the build state, assigning identities, change times, the collection, the
zip, saving the state: about 0.8 s CPU at 10,000 cards) and the duplicate check (about 1.8 s) need nothing
from each other but which cards the package holds: the cards not marked DELETE, less any whose ID another card
has (an error). :func:`package_alongside` forks a process that runs :func:`~.build.write_package` while the
caller's ``work(cards)`` runs here on the kept cards at once, and again on the packaged ones in the rare
case they differ; the child sends its :class:`~.build.BuildReport` back through a pipe (pickled, its cards
as positions) and ends with ``os._exit`` (no atexit handler, no buffered output of the parent written
twice). The child ignores Ctrl-C: an interrupted check still leaves the package
written, as when the check ran after it.

The result is the same as running the two one after the other: the child writes exactly what
:func:`~.build.write_package` writes in this process (atomically, as always), and an exception it raises
(``OSError`` when the package cannot be written) is raised here. A child that ends without a result
(killed) makes this process write the package itself. One after the other instead: where ``fork`` is not
the platform's way (only Linux forks here), with ``NOTES2ANKI_JOBS=1`` or one usable core, below
:data:`MIN_CARDS` cards (a fork costs more than such a package), when nothing is to be written (the stored
build replayed) and with ``--collection`` (the child must not share the open collection).
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from typing import Callable, TypeVar

from .build import BuildReport, PackagePlan, write_package

MIN_CARDS = 1000  # fewer cards: packaging takes less than the fork
T = TypeVar("T")


def concurrent(plan: PackagePlan) -> bool:
    """Whether :func:`package_alongside` forks for ``plan`` (see the module doc)."""
    if plan.replayed or plan.adopt is not None or len(plan.kept) < MIN_CARDS:
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    value = os.environ.get("NOTES2ANKI_JOBS", "").strip()
    if value.isascii() and value.isdigit() and int(value) >= 1:
        return int(value) >= 2
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # pragma: no cover - not Linux
        return (os.cpu_count() or 1) >= 2


def package_alongside(plan: PackagePlan, work: Callable[[list], T] | None,
                      written: Callable[[BuildReport], None] | None = None) -> tuple[BuildReport, T | None]:
    """``(write_package(plan), work(report.cards))``, the two at once when :func:`concurrent` says so
    (``work`` None: only the package). ``written(report)`` is called once the package is written: before
    ``work`` starts when the two run one after the other, after it otherwise. Raises what either raises
    (``work``'s exception first; the package is finished before).

    Alongside, the child also reads the build state and assigns the identities (:func:`~.build.identify`),
    and ``work`` starts at once on the kept cards: they are the packaged cards unless two cards share an ID
    (an error the build reports); then ``work`` runs again on the packaged cards, so its result is always
    that of ``work(report.cards)``."""
    if work is None or not concurrent(plan):
        return _one_after_the_other(plan, work, written)
    guess = plan.kept
    try:
        pending = _Forked(plan)
    except OSError:  # no fork now (out of processes or memory)
        gc.unfreeze()
        return _one_after_the_other(plan, work, written)
    try:
        done = work(guess)
    except BaseException as stop:
        try:
            finished = pending.result()  # (let the package be finished; the caller sees work's exception)
        except BaseException:  # noqa: BLE001 - work's exception is the one to raise
            raise stop from None
        if isinstance(stop, KeyboardInterrupt) and written is not None:  # Ctrl-C in the check: the package is
            try:  # complete, so its summary is shown before "Interrupted" (tester 12-02: it said nothing was
                written(finished)  # written, and the next build found every card unchanged)
            except BaseException:  # noqa: BLE001 - the interrupt is the one to raise
                pass
        raise
    report = pending.result()
    if len(report.cards) != len(guess) or any(a is not b for a, b in zip(report.cards, guess)):
        done = work(report.cards)  # a card was dropped (its ID taken): the work on the packaged cards
    if written is not None:
        written(report)
    return report, done


def _one_after_the_other(plan: PackagePlan, work, written) -> tuple[BuildReport, object]:
    """:func:`package_alongside` in this process alone: the package, ``written``, then ``work``."""
    report = write_package(plan)
    if written is not None:
        written(report)
    return report, work(report.cards) if work is not None else None


class _Forked:
    """:func:`~.build.write_package` of ``plan`` in a forked process; :meth:`result` waits for it."""

    def __init__(self, plan: PackagePlan) -> None:
        self.plan = plan
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        read, write = os.pipe()
        gc.freeze()  # the objects so far out of both processes' collections: no page copied only for the GC
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read), os.close(write)
            raise
        if self.pid == 0:  # the child: package, send the report, end here whatever happens
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the check; the package is finished
                os.close(read)
                _child(plan, write)
            finally:
                os._exit(0)
        os.close(write)
        self.read = read
        self.outcome: tuple[bool, object] | None = None

    def result(self) -> BuildReport:
        """The child's report (its cards mapped back to this process's), or the exception it raised, raised
        here."""
        if self.outcome is None:
            chunks = []
            with os.fdopen(self.read, "rb") as pipe:
                while chunk := pipe.read(1 << 20):
                    chunks.append(chunk)
            os.waitpid(self.pid, 0)
            gc.unfreeze()
            try:
                ok, value = pickle.loads(b"".join(chunks))
            except Exception:  # no result (the child was killed): package here
                ok, value = True, write_package(self.plan)
            else:
                if ok:
                    value.cards = [self.plan.kept[k] for k in value.cards]  # (positions in kept, see _child)
            self.outcome = (ok, value)
        ok, value = self.outcome
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]


def _child(plan: PackagePlan, fd: int) -> None:
    """Run in the forked process: the pickled ``(True, report)`` (its cards as positions in ``plan.kept``) or
    ``(False, exception)`` written to ``fd``."""
    try:
        report = write_package(plan)
        position = {card.key: k for k, card in enumerate(plan.kept)}
        report.cards = [position[card.key] for card in report.cards]
        outcome: tuple[bool, object] = (True, report)
    except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
        outcome = (False, exc)
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception that cannot be pickled
        data = pickle.dumps((False, RuntimeError(f"packaging failed: {outcome[1]!r} ({exc})")))
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)
