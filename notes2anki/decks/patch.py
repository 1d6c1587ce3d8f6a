"""Unified diffs of a file's bytes, in the form ``git apply`` (and ``patch -p1``) accept.

Works on bytes, so a diff shows and re-applies the file exactly: CRLF endings stay in the lines, a
missing final newline gets git's ``\\ No newline at end of file`` marker, a BOM stays on the first
line. Lines are split at ``\\n`` only, as git does.
"""
from __future__ import annotations

import difflib
import os

NO_NEWLINE = b"\\ No newline at end of file\n"


def git_lines(data: bytes) -> list[bytes]:
    """``data`` split after each ``\\n`` (the last line may lack one)."""
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def unified_diff(rel: str, before: bytes, after: bytes, context: int = 3) -> bytes:
    """The change ``before`` → ``after`` of the vault file ``rel`` as a git-style unified diff
    (``--- a/rel`` / ``+++ b/rel``, 3 lines of context); ``b""`` when nothing changes."""
    if before == after:
        return b""
    name_a, name_b = _quoted(b"a/" + os.fsencode(rel)), _quoted(b"b/" + os.fsencode(rel))
    out = [b"--- " + name_a + b"\n", b"+++ " + name_b + b"\n"]
    for line in _hunks(git_lines(before), git_lines(after), context):
        if line.endswith(b"\n"):
            out.append(line)
        else:
            out.append(line + b"\n" + NO_NEWLINE)
    return b"".join(out)


def _hunks(a: list[bytes], b: list[bytes], context: int):
    """The hunk lines of a unified diff of ``a`` → ``b``, as ``difflib.unified_diff`` writes them, but
    from a ``SequenceMatcher`` without its "popular lines" heuristic (``autojunk``): in a note of 200 lines
    or more, ``END`` and blank lines are each over 1 % of the lines, so difflib treated them as junk and
    showed unchanged lines as removed and added again (tester 04:30, T19). Each ``ids`` change is a line
    inserted, so the diff should show only those."""
    def span(start: int, stop: int) -> bytes:  # difflib's _format_range_unified
        length = stop - start
        return b"%d" % (start + 1) if length == 1 else b"%d,%d" % (start + (1 if length else 0), length)

    ops = inserted_lines(a, b)
    matcher = _Opcodes(ops) if ops is not None else difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        yield b"@@ -%s +%s @@\n" % (span(group[0][1], group[-1][2]), span(group[0][3], group[-1][4]))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (b" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from (b"-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                yield from (b"+" + line for line in b[j1:j2])


def inserted_lines(a: list, b: list) -> list[tuple[str, int, int, int, int]] | None:
    """``difflib`` opcodes of ``b`` as ``a`` with lines inserted (``a`` a subsequence of ``b``: what ``ids``
    makes), found in one pass, each line of ``a`` at its first place left in ``b``; None when ``b`` is not
    that. ``SequenceMatcher`` without autojunk is quadratic or worse on a note's many equal lines (``END``,
    blank lines): ``ids --dry-run`` of one note of 1,000 cards ran for minutes (tester 12-03 round 16)."""
    if len(b) < len(a):
        return None
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    while i < len(a):
        start = j
        while j < len(b) and b[j] != a[i]:
            j += 1
        if j == len(b):
            return None
        if j > start:
            ops.append(("insert", i, i, start, j))
        i0, j0 = i, j
        while i < len(a) and j < len(b) and a[i] == b[j]:
            i, j = i + 1, j + 1
        ops.append(("equal", i0, i, j0, j))
    if j < len(b):
        ops.append(("insert", i, i, j, len(b)))
    return ops


class _Opcodes(difflib.SequenceMatcher):
    """A SequenceMatcher whose opcodes are given (:func:`inserted_lines`): its ``get_grouped_opcodes``."""

    def __init__(self, opcodes: list) -> None:
        super().__init__(None, [], [])
        self._given = opcodes

    def get_opcodes(self):  # noqa: D102 - difflib's
        return list(self._given)


def _quoted(name: bytes) -> bytes:
    """A file name as git writes it in a diff header: C-quoted when it holds a quote, a backslash or
    a control character; followed by a tab when it holds a space (so a reader knows where it ends)."""
    if any(c < 0x20 or c in (0x22, 0x5C, 0x7F) for c in name):
        escapes = {0x22: b'\\"', 0x5C: b"\\\\", 0x09: b"\\t", 0x0A: b"\\n", 0x0D: b"\\r"}
        body = b"".join(escapes.get(c, b"\\%03o" % c if c < 0x20 or c == 0x7F else bytes([c]))
                        for c in name)
        return b'"' + body + b'"'
    return name + (b"\t" if b" " in name else b"")
