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
    r"(?ms)^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$"  # fenced code
    r"|`+[^`]*?`+"  # inline code
    r"|\$\$.+?\$\$|(?<![\\$])\$(?=\S)[^$\n]+?(?<=\S)\$"  # math
    r"|\{\{.*?\}\}"  # native clozes
    r"|\[\[.*?\]\]|\]\([^)\n]*\)"  # wiki-link targets, Markdown link targets (#heading anchors)
    r"|<[^>\n]+>"  # HTML tags (href="#...")
)
CURLY = re.compile(r"\{(?:c?(\d+)[:|])?([^{}\n]+?)\}")
HIGHLIGHT = re.compile(r"==(?=\S)(.+?)(?<=\S)==")
TAG = re.compile(r"(?<![\w&#/])#([^\W\d_][\w/-]*|\d+[^\W\d][\w/-]*)", re.UNICODE)


def _outside_protected(text: str, fn) -> str:
    """Apply ``fn`` to the stretches of ``text`` outside code, math, clozes and links."""
    out, pos = [], 0
    for m in PROTECTED.finditer(text):
        out.append(fn(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(text[pos:]))
    return "".join(out)


def to_clozes(text: str, curly: bool, highlights: bool) -> str:
    counter = 0

    def number(explicit: str | None) -> int:
        nonlocal counter
        if explicit:
            return int(explicit)
        counter += 1
        return counter

    def highlight(m: re.Match) -> str:
        inner = re.match(r"^c?(\d+)::?(.+)$", m.group(1), re.S)
        if inner:
            return f"{{{{c{int(inner.group(1))}::{inner.group(2)}}}}}"
        return f"{{{{c{number(None)}::{m.group(1)}}}}}"

    def curly_cloze(m: re.Match) -> str:
        return f"{{{{c{number(m.group(1))}::{m.group(2)}}}}}"

    def rewrite(chunk: str) -> str:
        if highlights:
            chunk = HIGHLIGHT.sub(highlight, chunk)
        if curly:
            chunk = _outside_protected(chunk, lambda part: CURLY.sub(curly_cloze, part))
        return chunk

    return _outside_protected(text, rewrite)


def take_tags(text: str) -> tuple[str, list[str]]:
    """Remove Obsidian ``#tags`` (not headings, not in code/math/links); return (text, tags)."""
    found: list[str] = []

    def grab(m: re.Match) -> str:
        found.append(m.group(1))
        return ""

    return _outside_protected(text, lambda part: TAG.sub(grab, part)), found
