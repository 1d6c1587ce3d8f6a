"""The plugin's custom regexes are JavaScript regexes: compile them for Python, bounded in time.

The Obsidian_to_Anki plugin runs each note type's pattern as ``new RegExp(pattern, "gm")`` in
JavaScript. We run them with the ``regex`` module (not ``re``) because it can stop a search after a
time limit (``timeout=``) and it finds a pattern's required literals before backtracking, so the
plugin wiki's tag style ``((?:[^\\n][\\n]?)+) #1 ...`` no longer backtracks through every long paragraph
(issue 10 F8: 133 s under ``re`` for one vault).

JavaScript-only syntax is translated (``translate_js``):

- ``[^]`` (any character) → ``[\\s\\S]``; ``[]`` (never matches) → ``(?!)``;
- ``\\cX`` (control character) → ``\\xNN``; ``\\k<name>`` → ``(?P=name)``; ``\\/`` → ``/``;
- ``\\d``, ``\\w``, ``\\b`` are ASCII-only in JavaScript (flag ``ASCII``), while ``\\s`` stays Unicode
  whitespace, so it is spelled out as a class.

``required_literals`` lists strings every match must contain (top-level literal runs of the
pattern), so a file without one of them is skipped without running the regex at all.
"""
from __future__ import annotations

import re
from functools import lru_cache

import regex

# JavaScript's \s: Unicode White_Space plus BOM (ECMA-262 WhiteSpace and LineTerminator).
_JS_SPACE = r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


class JsRegexError(ValueError):
    """A custom regex that cannot be compiled; ``str(exc)`` says why."""


def translate_js(pattern: str) -> str:
    """A JavaScript regex source (flags ``gm``) as ``regex``-module syntax; see the module docstring."""
    return "".join(_translated(pattern)[0])


def _translated(pattern: str) -> tuple[list[str], list[int]]:
    """The pieces of :func:`translate_js`'s result, and for each the offset in ``pattern`` it comes from."""
    pieces: list[str] = []
    starts: list[int] = []
    i, n, in_class = 0, len(pattern), False

    class _Out:
        @staticmethod
        def append(piece: str) -> None:
            pieces.append(piece)
            starts.append(i)

    out = _Out
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "c" and i + 2 < n and pattern[i + 2].isalpha() and pattern[i + 2].isascii():
                out.append(f"\\x{ord(pattern[i + 2].upper()) - 64:02x}")
                i += 3
                continue
            if nxt == "k" and not in_class and pattern.startswith("<", i + 2):
                end = pattern.find(">", i + 3)
                if end > 0:
                    out.append(f"(?P={pattern[i + 3:end]})")
                    i = end + 1
                    continue
            if nxt == "s":
                out.append(_JS_SPACE if in_class else f"[{_JS_SPACE}]")
            elif nxt == "S" and not in_class:
                out.append(f"[^{_JS_SPACE}]")
            elif nxt == "/":
                out.append("/")
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                ch = "\\["  # a literal '[' in a JS class; nested sets in the regex module
            out.append(ch)
            i += 1
            continue
        if pattern.startswith("[^]", i):
            out.append(r"[\s\S]")
            i += 3
            continue
        if pattern.startswith("[]", i):
            out.append("(?!)")
            i += 2
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):  # unreachable in JS ([] handled above); keep literal
                out.append("\\]")
                i += 1
            i += 1
            continue
        out.append(ch)
        i += 1
    return pieces, starts


def _error_text(pattern: str, exc: regex.error) -> str:
    """The engine's message for ``pattern`` with a 1-based column of ``pattern`` (the user's, not the
    translated source) that points at the cause, or "at the end". The ``regex`` module puts an unclosed
    '[' or '(' and a bad range at the end of the pattern or set; Python's ``re``, when it fails the same
    way, at the bracket or the range, which is the column given then."""
    message, pos = getattr(exc, "msg", None) or str(exc), getattr(exc, "pos", None)
    if pos is None:
        return message
    pieces, starts = _translated(pattern)
    source = "".join(pieces)
    try:
        re.compile(source, re.MULTILINE | re.ASCII)
    except (re.error, RecursionError, OverflowError) as std:
        if isinstance(std, re.error) and std.pos is not None and std.msg.startswith(message):
            pos = std.pos
    except Exception:  # noqa: BLE001 - only a better column is looked for here
        pass
    column = next((start + 1 for piece, start, end in _spans(pieces, starts) if pos < end), None)
    if column is None:
        return f"{message} at the end"
    opener = {"unterminated character set": "[", "missing )": "("}.get(message)
    if opener and pattern[column - 1:column] == opener:
        return f"{message}: the {opener!r} at column {column} is never closed"
    return f"{message} at column {column}"


def _spans(pieces: list[str], starts: list[int]):
    """(piece, its offset in the user's pattern, the end of the piece in the translated source)."""
    end = 0
    for piece, start in zip(pieces, starts):
        end += len(piece)
        yield piece, start, end


@lru_cache(maxsize=128)
def compile_js(pattern: str) -> tuple[regex.Pattern, tuple[str, ...]]:
    """The compiled pattern (flags MULTILINE | ASCII, as JS ``gm``) and its required literals.

    Raises ``JsRegexError`` when the pattern is not a valid regex (message from the engine).
    """
    source = translate_js(pattern)
    try:
        compiled = regex.compile(source, regex.MULTILINE | regex.ASCII | regex.VERSION0)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise JsRegexError(_error_text(pattern, exc) if isinstance(exc, regex.error) else str(exc)) from None
    return compiled, required_literals(source)


def required_literals(source: str) -> tuple[str, ...]:
    """Strings that every match of ``source`` must contain, longest first ('' never).

    Read from Python's own regex parser (``re._parser``): runs of consecutive literal characters in
    the top-level sequence, and inside groups and repeats that must match at least once, are
    required. Alternatives, optional parts, lookarounds and case-insensitive patterns contribute
    nothing. A pattern the parser cannot read gives ``()`` (no shortcut, never a wrong one).
    """
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(source, re.MULTILINE)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    found: list[str] = []
    _collect(list(parsed), found, sre_parse, depth=0)
    return tuple(sorted({s for s in found if s}, key=len, reverse=True))


def _collect(items: list, found: list[str], sre, depth: int) -> None:
    const = sre._constants if hasattr(sre, "_constants") else sre
    if depth > 50:
        return
    run: list[str] = []
    for op, arg in items:
        if op is const.LITERAL:
            run.append(chr(arg))
            continue
        if op is const.MAX_REPEAT or op is const.MIN_REPEAT:
            low, high, body = arg
            body = list(body)
            if len(body) == 1 and body[0][0] is const.LITERAL and 1 <= low <= 64:
                run.extend(chr(body[0][1]) * low)  # ``:{2}`` is ``::``
                if high != low:
                    found.append("".join(run))
                    run = []
                continue
        found.append("".join(run))
        run = []
        if op is const.SUBPATTERN:
            add_flags = arg[1] if len(arg) > 1 else 0
            if not add_flags & re.IGNORECASE:
                _collect(list(arg[-1]), found, sre, depth + 1)
        elif op in (const.MAX_REPEAT, const.MIN_REPEAT, getattr(const, "POSSESSIVE_REPEAT", None)):
            low, _high, body = arg
            if low >= 1:
                _collect(list(body), found, sre, depth + 1)
        elif op is getattr(const, "ATOMIC_GROUP", None):
            _collect(list(arg), found, sre, depth + 1)
    found.append("".join(run))
