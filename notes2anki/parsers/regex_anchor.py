"""Where a custom regex's matches can start: a proof that cuts the search to a few paragraphs.

The plugin wiki's tag style ``((?:[^\\n][\\n]?)+) #fc ?\\n*(…)`` costs O(n) at every start position of
a paragraph, so O(n²) on each long paragraph *without* the tag in a file that has the tag elsewhere
(issue 10 F8: seconds per file; node has the same cost). But its part before the literal `` #fc``
can never match a blank line (``\\n\\n``), so every match starts in the paragraph holding a `` #fc``,
no earlier than just after the last blank line before it. ``anchor`` finds such a literal and proves
the property from Python's parse tree of the pattern, conservatively: anything it cannot analyse
(back-references, unknown nodes, a DOTALL ``.``) counts as "may match a blank line", and then no
anchor is given and the whole text is searched as before.

``start_regions`` turns an anchor into the (start, end) ranges of positions worth trying.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

try:
    from re import _constants as C
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]


@dataclass(frozen=True)
class _Shape:
    """What an item's matches may look like with respect to newlines."""

    nn: bool  # may contain "\n\n"
    start: bool  # may start with "\n"
    end: bool  # may end with "\n"
    empty: bool  # may be empty


_UNKNOWN = _Shape(True, True, True, True)
_ZERO = _Shape(False, False, False, True)
_NEWLINE = _Shape(False, True, True, False)
_OTHER = _Shape(False, False, False, False)

_NL_CATEGORIES = {"CATEGORY_SPACE", "CATEGORY_NOT_DIGIT", "CATEGORY_NOT_WORD", "CATEGORY_LINEBREAK",
                  "CATEGORY_UNI_SPACE", "CATEGORY_UNI_NOT_DIGIT", "CATEGORY_UNI_NOT_WORD",
                  "CATEGORY_UNI_LINEBREAK", "CATEGORY_LOC_NOT_WORD"}
_NO_NL_CATEGORIES = {"CATEGORY_NOT_SPACE", "CATEGORY_DIGIT", "CATEGORY_WORD", "CATEGORY_NOT_LINEBREAK",
                     "CATEGORY_UNI_NOT_SPACE", "CATEGORY_UNI_DIGIT", "CATEGORY_UNI_WORD",
                     "CATEGORY_UNI_NOT_LINEBREAK", "CATEGORY_LOC_WORD"}


def anchor(source: str) -> str | None:
    """A literal that every match contains and before which no match can span a blank line, or None.

    ``source``: the pattern in Python/``regex`` syntax (after ``translate_js``), flags MULTILINE.
    """
    try:
        parsed = sre_parse.parse(source, re.MULTILINE)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return None
    if parsed.state.flags & (re.IGNORECASE | re.DOTALL):
        return None
    items = list(parsed)
    run: list[str] = []
    for index, (op, arg) in enumerate(items):
        if op is C.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            return _checked("".join(run), items[:index - len(run)])
    return _checked("".join(run), items[:len(items) - len(run)]) if run else None


def _checked(literal: str, prefix: list) -> str | None:
    if "\n" in literal:
        return None
    try:
        shape = _sequence(prefix, 0)
    except RecursionError:
        return None
    return None if shape.nn else literal


def start_regions(text: str, literal: str, pos: int) -> list[tuple[int, int]]:
    """Sorted, disjoint ``[start, end]`` ranges (inclusive) of positions ≥ ``pos`` where a match of a
    pattern anchored on ``literal`` can start: from just after the last blank line before each
    occurrence of the literal up to the occurrence."""
    blanks = [m.start() for m in re.finditer(r"(?=\n\n)", text)]
    regions: list[tuple[int, int]] = []
    at = text.find(literal, pos)
    while at >= 0:
        i = bisect.bisect_right(blanks, at - 2) - 1  # last "\n\n" lying wholly before the literal
        start = max(pos, blanks[i] + 1 if i >= 0 else 0)
        if regions and start <= regions[-1][1] + 1:
            regions[-1] = (regions[-1][0], at)
        else:
            regions.append((start, at))
        at = text.find(literal, at + 1)
    return regions


def _sequence(items: list, depth: int) -> _Shape:
    shapes = [_item(op, arg, depth) for op, arg in items]
    nn = any(s.nn for s in shapes)
    ended_nl = False  # some earlier item may end with "\n" and everything since may be empty
    for s in shapes:
        if ended_nl and s.start:
            nn = True
        ended_nl = s.end or (ended_nl and s.empty)
    start = False
    for s in shapes:
        if s.start:
            start = True
        if not s.empty:
            break
    end = False
    for s in reversed(shapes):
        if s.end:
            end = True
        if not s.empty:
            break
    return _Shape(nn, start, end, all(s.empty for s in shapes))


def _item(op, arg, depth: int) -> _Shape:
    if depth > 40:
        return _UNKNOWN
    if op is C.LITERAL:
        return _NEWLINE if arg == 10 else _OTHER
    if op is C.NOT_LITERAL:
        return _OTHER if arg == 10 else _NEWLINE
    if op is C.ANY:
        return _OTHER  # no DOTALL (checked): "." never matches "\n"
    if op is C.IN:
        return _NEWLINE if _set_has_newline(arg) else _OTHER
    if op is C.AT:
        return _ZERO
    if op in (C.ASSERT, C.ASSERT_NOT):
        return _ZERO
    if op is C.SUBPATTERN:
        add_flags = arg[1] if len(arg) > 1 else 0
        if add_flags & re.DOTALL:
            return _UNKNOWN
        return _sequence(list(arg[-1]), depth + 1)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _sequence(list(arg), depth + 1)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, body = arg
        inner = _sequence(list(body), depth + 1)
        many = high is C.MAXREPEAT or high >= 2
        return _Shape(inner.nn or (many and inner.end and inner.start), inner.start, inner.end,
                      low == 0 or inner.empty)
    if op is C.BRANCH:
        alternatives = [_sequence(list(alt), depth + 1) for alt in arg[1]]
        return _Shape(any(a.nn for a in alternatives), any(a.start for a in alternatives),
                      any(a.end for a in alternatives), any(a.empty for a in alternatives))
    return _UNKNOWN


def _set_has_newline(items: list) -> bool:
    negate, has = False, False
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            has |= arg == 10
        elif op is C.RANGE:
            has |= arg[0] <= 10 <= arg[1]
        elif op is C.CATEGORY:
            name = str(arg)
            if name in _NL_CATEGORIES:
                has = True
            elif name not in _NO_NL_CATEGORIES:
                return True  # unknown category: assume it may match "\n"
        else:
            return True
    return has != negate
