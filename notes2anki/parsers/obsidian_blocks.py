"""Obsidian block syntax that CommonMark reads as text: callouts and block IDs (markdown-it core rules).

Callouts: a blockquote whose first line is ``[!type]``, optionally ``-`` (folded) or ``+`` (foldable,
open), then an optional title (``> [!warning] Careful``), is a titled box, as in Obsidian's reading view::

    <div class="callout" data-callout="warning"><div class="callout-title">Careful</div>
    <div class="callout-content"><p>body</p></div></div>

The type is lower-cased; without a title the type names the box (``[!tip]`` → "Tip"). A foldable callout
is a ``<details class="callout" …>`` whose ``<summary class="callout-title">`` opens it (``open`` for
``+``), so Anki folds it without a script. The title is Markdown (``**bold**``, math, links). Callouts
nest (``> > [!note]``). The CSS is in the note types (``decks/notetypes.py``).

Block IDs: a `` ^id`` (Latin letters, digits, ``-``) ending a paragraph, heading or list item is the
block's ID, which Obsidian hides; so is a paragraph that is only ``^id`` (the ID of the table, list or
quote above it). Inside code or math it is text.
"""
from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_MARKER = re.compile(r"^\[!([^\]\n]+)\]([+-]?)[ \t]*(.*)$")
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^[A-Za-z0-9-]+[ \t]*$")
_BREAKS = ("softbreak", "hardbreak")


def callouts(state: StateCore) -> None:
    """Turn each blockquote that starts with a callout marker into a callout (run after block parsing,
    before inline parsing, so the title is parsed as Markdown)."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type == "blockquote_open" and i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open" \
                and tokens[i + 2].type == "inline":
            first, _, rest = tokens[i + 2].content.partition("\n")
            m = _MARKER.match(first.strip())
            if m:
                _make_callout(tokens, i, m, rest)
        i += 1


def _make_callout(tokens: list[Token], at: int, marker: re.Match, rest: str) -> None:
    kind = " ".join(marker.group(1).split()).lower()
    fold, title = marker.group(2), marker.group(3).strip() or kind[:1].upper() + kind[1:]
    close = _closing(tokens, at)
    level = tokens[at].level
    box_tag, title_tag = ("details", "summary") if fold else ("div", "div")
    attrs = {"class": "callout", "data-callout": kind}
    if fold:
        attrs["data-callout-fold"] = fold
        if fold == "+":
            attrs["open"] = ""
    tokens[close] = Token("callout_close", box_tag, -1, level=level, block=True, markup=">")
    if rest.strip():
        tokens[at + 2].content = rest
        body = tokens[at + 1:close]
    else:  # the marker line was the whole first paragraph
        body = tokens[at + 4:close]
    head = [
        Token("callout_open", box_tag, 1, attrs=attrs, level=level, block=True, markup=">", map=tokens[at].map),
        Token("callout_title_open", title_tag, 1, attrs={"class": "callout-title"}, level=level + 1, block=True),
        Token("inline", "", 0, content=title, level=level + 2, children=[]),
        Token("callout_title_close", title_tag, -1, level=level + 1, block=True),
    ]
    if body:
        head.append(Token("callout_content_open", "div", 1, attrs={"class": "callout-content"}, level=level + 1,
                          block=True))
        body = body + [Token("callout_content_close", "div", -1, level=level + 1, block=True)]
    tokens[at:close] = head + body


def _closing(tokens: list[Token], at: int) -> int:
    """Index of the ``blockquote_close`` that closes the ``blockquote_open`` at ``at``."""
    depth = 0
    for i in range(at, len(tokens)):
        if tokens[i].type == "blockquote_open":
            depth += 1
        elif tokens[i].type == "blockquote_close":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1  # (markdown-it always closes what it opens)


def block_ids(state: StateCore) -> None:
    """Hide trailing Obsidian block IDs (run after inline parsing): a `` ^id`` ending a paragraph, heading
    or list item, and a paragraph that is only ``^id``."""
    tokens = state.tokens
    drop: list[int] = []
    for i, token in enumerate(tokens):
        if token.type != "inline" or not token.children or i == 0 \
                or tokens[i - 1].type not in ("paragraph_open", "heading_open"):
            continue
        children = token.children
        last = children[-1]
        m = _BLOCK_ID.search(last.content) if last.type == "text" else None
        if m is None:
            continue
        if m.start() == 0 and last.content[:1] == "^":  # the text starts with the ID: the line's start?
            if len(children) > 1 and children[-2].type not in _BREAKS:
                continue  # "**bold**^x": no space before the caret, not an ID
            del children[-1]
            while children and children[-1].type in _BREAKS:
                del children[-1]
        else:
            last.content = last.content[:m.start()].rstrip()
        if not children and tokens[i - 1].type == "paragraph_open" and i + 1 < len(tokens):
            drop += [i - 1, i, i + 1]
    for i in reversed(drop):
        del tokens[i]
