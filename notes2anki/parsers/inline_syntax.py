"""Rewrites of a field's Markdown source before rendering, each optional:

- curly clozes ``{answer}``, ``{2:answer}``, ``{c2|answer}`` → ``{{c1::answer}}`` …, unnumbered ones
  numbered c1, c2, … in order (counting only the unnumbered ones);
- ``==highlight==`` → a cloze (``==c2::x==`` keeps its number);
- Obsidian ``#tags`` → Anki tags, removed from the text.

Code (fenced and inline), math and existing ``{{...}}`` clozes are never touched: ``$\\frac{3}{4}$``
is not a cloze and ``#include`` in a code block is not a tag.
"""
from __future__ import annotations

import re

PROTECTED = re.compile(
    r"`+[^`]*?`+"  # inline code (fenced code: see _fence_spans)
    r"|\$\$.+?\$\$|(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$"  # math
    r"|\[\[[^\[\]\n]*\]\]|\]\([^()\n]{0,2048}\)"  # wiki-link targets, Markdown link targets (#anchors)
    r"|<[^<>\n]+>",  # HTML tags (href="#...")
    re.S,
)
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$", re.S)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
CLOZE_START = re.compile(r"\{\{c\d+::")
CURLY_NUMBER = re.compile(r"c?(\d+)[:|]")
HIGHLIGHT_MARK = re.compile(r"==")
HIGHLIGHT_OPAQUE = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$|\[\[[^\[\]\n]*\]\]")
TAG = re.compile(r"(?<![\w&#/])#([^\W\d_][\w/-]*|\d+[^\W\d][\w/-]*)", re.UNICODE)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint (start, end) spans of ``text`` that rewrites leave alone: fenced and inline
    code, math, native clozes (``{{c1::…}}`` with its nested braces), link targets and HTML tags.
    Every scan here is linear in the text (issue 11: no catastrophic pattern on any field)."""
    spans = _fence_spans(text) + cloze_spans(text) + [m.span() for m in PROTECTED.finditer(text)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue  # inside (or across) a span already kept: the earlier one wins
        merged.append((start, end))
    return merged


def _fence_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    while (m := FENCE.search(text, pos)) is not None:
        fence = m.group(1)
        closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        line_end = text.find("\n", m.end())
        if line_end < 0:
            spans.append((m.start(), len(text)))
            break
        close = closing.search(text, line_end + 1)
        end = close.end() if close else len(text)
        spans.append((m.start(), end))
        pos = end if end > m.start() else m.start() + 1
    return spans


def cloze_spans(text: str) -> list[tuple[int, int]]:
    """Native clozes, ``{{c1::`` to the ``}}`` that closes it at brace depth 0 (``\\{`` ``\\}`` are
    literal), so ``{{c1::$\\frac{\\{P\\}}{\\{Q\\}}$}}`` is one span; an unclosed one is no span."""
    spans, pos = [], 0
    while (m := CLOZE_START.search(text, pos)) is not None:
        i, depth, end = m.end(), 0, -1
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0 and text.startswith("}}", i):
                    end = i + 2
                    break
                depth = max(0, depth - 1)
            i += 1
        if end < 0:
            break  # no closing "}}" after this one: none after a later one either
        spans.append((m.start(), end))
        pos = end
    return spans


def _highlights(text: str, fn) -> str:
    """``==text==`` → ``fn(text)``, line by line: an opener is followed by a non-space, a closer
    preceded by one. Pairs markers left to right in one pass (a lazy regex rescanned the rest of
    the line from every ``==``: quadratic on ``==a ==a ==a …``). Math and wiki links are opaque: a
    ``==`` inside them is no marker, but a highlight may enclose them (``==[[Note|alias]]==``,
    ``==$$x$$==``), as in the plugin."""
    out: list[str] = []
    for line in text.split("\n"):
        opaque = [m.span() for m in HIGHLIGHT_OPAQUE.finditer(line)]
        marks = [m.start() for m in HIGHLIGHT_MARK.finditer(line)
                 if not any(a <= m.start() < b for a, b in opaque)]
        pieces, pos, i = [], 0, 0
        while i < len(marks):
            start = marks[i]
            if start < pos or start + 2 >= len(line) or line[start + 2].isspace():
                i += 1
                continue
            j = i + 1
            while j < len(marks) and (marks[j] < start + 3 or line[marks[j] - 1].isspace()):
                j += 1
            if j == len(marks):
                break  # no closer after this opener: none after a later one either
            pieces.append(line[pos:start])
            pieces.append(fn(line[start + 2:marks[j]]))
            pos = marks[j] + 2
            i = j + 1
        pieces.append(line[pos:])
        out.append("".join(pieces))
    return "\n".join(out)


def _outside_protected(text: str, fn) -> str:
    """Apply ``fn`` to the stretches of ``text`` outside code, math, clozes and links."""
    return _outside_spans(text, protected_spans(text), fn)


def _curly(text: str, number) -> str:
    """Curly clozes in ``text`` (already outside code, native clozes and links; math still in it).

    ``{answer}``, ``{2:answer}``, ``{c2|answer}`` on one line; the answer may hold math, whose own
    braces never open or close a curly cloze: ``{c1|$\\sqrt{2}$}`` → ``{{c1::$\\sqrt{2}$}}``.
    """
    math = {m.start(): m.end() for m in MATH.finditer(text)}
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if i in math:
            out.append(text[i:math[i]])
            i = math[i]
            continue
        ch = text[i]
        if text.startswith("{{", i) or text.startswith("}}", i):
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == "{":
            j = i + 1
            while j < n and text[j] not in "{}\n":
                j = math.get(j, j + 1)
            if j < n and text[j] == "}" and text[i + 1:j].strip():
                inner = text[i + 1:j]
                explicit = CURLY_NUMBER.match(inner)
                if explicit and inner[explicit.end():].strip():
                    out.append(f"{{{{c{number(explicit.group(1))}::{inner[explicit.end():]}}}}}")
                elif not explicit:
                    out.append(f"{{{{c{number(None)}::{inner}}}}}")
                else:
                    out.append(text[i:j + 1])
                i = j + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def to_clozes(text: str, curly: bool, highlights: bool) -> str:
    """Curly clozes and/or highlight clozes as native ``{{cN::…}}`` clozes (see the module docstring).
    Clozes without a number are numbered in text order, highlights and curly ones together, as the plugin
    does (it turns ``==x==`` into ``{x}`` before numbering the braces)."""
    slot = "\x00\x01auto\x01\x00"  # a cloze still to number; numbered in text order at the end

    def number(explicit: str | None) -> int | str:
        return int(explicit) if explicit else slot

    def highlight(content: str) -> str:
        inner = re.match(r"^c?(\d+)::?(.+)$", content, re.S)
        if inner:
            return f"{{{{c{int(inner.group(1))}::{inner.group(2)}}}}}"
        return f"{{{{c{number(None)}::{content}}}}}"

    if highlights:  # math and wiki links may sit inside a highlight: not protected here
        text = _outside_spans(text, _highlight_protected(text), lambda part: _highlights(part, highlight))
    if curly:
        text = _outside_cloze_and_code(text, lambda part: _curly(part, number))
    if slot in text:
        counter = iter(range(1, len(text)))
        text = re.sub(re.escape(slot), lambda _: str(next(counter)), text)
    return text


def _highlight_protected(text: str) -> list[tuple[int, int]]:
    """``protected_spans`` less math and wiki links (``_highlights`` treats those as opaque)."""
    return [s for s in protected_spans(text) if not HIGHLIGHT_OPAQUE.fullmatch(text, s[0], s[1])]


def _outside_spans(text: str, spans: list[tuple[int, int]], fn) -> str:
    """Apply ``fn`` to the stretches of ``text`` between the sorted, disjoint ``spans``."""
    out, pos = [], 0
    for start, end in spans:
        out.append(fn(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(fn(text[pos:]))
    return "".join(out)


def _outside_cloze_and_code(text: str, fn) -> str:
    """Like ``_outside_protected`` but leaving math in the stretches (curly clozes may hold math)."""
    return _outside_spans(text, [s for s in protected_spans(text) if not MATH.fullmatch(text, s[0], s[1])], fn)


def take_tags(text: str) -> tuple[str, list[str]]:
    """Remove Obsidian ``#tags`` (not headings, not in code/math/links); return (text, tags)."""
    found: list[str] = []

    def grab(m: re.Match) -> str:
        found.append(m.group(1))
        return ""

    return _outside_protected(text, lambda part: TAG.sub(grab, part)), found
