"""Grouping diagnostics by kind, for the terminal summary and the report page (one rule for both)."""
from __future__ import annotations

import re

from .model import Diagnostic

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|«[^»]*»|“[^”]*”")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def normalised(message: str) -> str:
    """``message`` with quoted names → ``'…'`` and numbers → ``N`` (what messages of one kind share)."""
    return " ".join(_NUMBER.sub("N", _QUOTED.sub("'…'", message)).split())


def kind_of(d: Diagnostic) -> str:
    """What groups messages: the diagnostic's ``kind`` when it has one, else its :func:`normalised` message
    (``unknown note type 'Basik'`` → ``unknown note type '…'``)."""
    return getattr(d, "kind", "") or normalised(d.message)


def by_kind(diagnostics: list[Diagnostic]) -> list[tuple[str, str, list[Diagnostic]]]:
    """``(severity, kind, diagnostics)`` per kind, each list in (file, line) order: errors first, then the
    most frequent kinds, then by kind."""
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.message)):
        groups.setdefault((d.severity, kind_of(d)), []).append(d)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] != "error", -len(kv[1]), kv[0][1]))
    return [(severity, kind, ds) for (severity, kind), ds in ordered]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: ``counted(1, "warning")`` → "1 warning",
    ``counted(2, "warning")`` → "2 warnings", ``counted(1200, "card")`` → "1,200 cards". ``plural``: the
    irregular form (``counted(2, "match", "matches")``); by default ``noun + "s"``. Summaries use this so
    that no line reads "1 warnings"."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
