"""Where a custom-regex match is not a card: inside inline code, inline math or display math.

The plugin (``RegexFile.add_spans_to_ignore`` in Obsidian_to_Anki's ``src/file.ts``) collects the spans
of inline code (``OBS_CODE_REGEXP``), inline math (``OBS_INLINE_MATH_REGEXP``) and display math
(``OBS_DISPLAY_MATH_REGEXP``) and drops a match that lies inside one of them, one character of leeway
at either end (``contained_in``): `` `map :: (a -> b) -> [a] -> [b]` `` and ``$x::y$`` are examples,
not ``front::back`` cards. A match that merely *contains* such a span (``Hund::dog `x` ``) stays a card.

The spans are found as Obsidian renders them, not with the plugin's patterns, whose bodies cross lines
and blank lines (a stray ``$`` in one paragraph paired with one pages later and hid every card between):

- inline code: a run of n backticks closed by the next run of exactly n backticks in the same
  paragraph (CommonMark); an unclosed run is text;
- display math: ``$$…$$`` within one paragraph, outside code;
- inline math: ``$…$`` on one line, outside code and display math, the opening ``$`` followed by and
  the closing one preceded by a non-space, the closing one not followed by a digit (``$5 and $10`` is
  not math), ``\\$`` is a dollar sign.

Linear in the text: every scan moves forward only (no pattern that rescans the rest of the text for
each unclosed backtick or dollar).
"""
from __future__ import annotations

import bisect
import re

_RUNS = re.compile(r"`+")
_BLANK = re.compile(r"\n[ \t]*(?=\n)")
_DISPLAY = re.compile(r"\$\$(?=[^$])")
_INLINE = re.compile(r"(?<![\\$])\$(?=[^\s$])([^\n$]*?[^\s$\\])?\$(?!\d)")


def ignore_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint ``(start, end)`` character spans (end exclusive) of ``text``'s inline code,
    display math and inline math."""
    blanks = [m.start() for m in _BLANK.finditer(text)]
    code = _code_spans(text, blanks)
    masked = _masked(text, code)
    display = _display_spans(masked, blanks)
    masked = _masked(masked, display)
    inline = [m.span() for m in _INLINE.finditer(masked)]
    return _merged(code + display + inline)


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of the sorted, disjoint ``spans``, with the plugin's
    one character of leeway at either end."""
    i = bisect.bisect_right(spans, (start + 1, float("inf"))) - 1
    return i >= 0 and spans[i][0] - 1 <= start and end <= spans[i][1] + 1


def _paragraph(blanks: list[int], offset: int) -> int:
    return bisect.bisect_right(blanks, offset)


def _code_spans(text: str, blanks: list[int]) -> list[tuple[int, int]]:
    runs = [(m.start(), m.end()) for m in _RUNS.finditer(text)]
    following: list[int] = [-1] * len(runs)  # index of the next run of the same length
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        n = runs[i][1] - runs[i][0]
        following[i] = last.get(n, -1)
        last[n] = i
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        j = following[i]
        start = runs[i][0]
        escaped = start > 0 and text[start - 1] == "\\"
        if j >= 0 and not escaped and _paragraph(blanks, start) == _paragraph(blanks, runs[j][0]):
            spans.append((start, runs[j][1]))
            i = j + 1
        else:
            i += 1
    return spans


def _display_spans(text: str, blanks: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _DISPLAY.search(text, pos)
        if m is None:
            return spans
        close = text.find("$$", m.end())
        if close < 0:
            return spans
        if _paragraph(blanks, m.start()) == _paragraph(blanks, close):
            spans.append((m.start(), close + 2))
            pos = close + 2
        else:
            pos = m.end()


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span's characters but line breaks replaced by spaces (offsets kept)."""
    if not spans:
        return text
    parts, at = [], 0
    for start, end in spans:
        parts.append(text[at:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        at = end
    parts.append(text[at:])
    return "".join(parts)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
