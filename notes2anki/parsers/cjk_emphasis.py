"""Emphasis next to Chinese/Japanese/Korean punctuation: the CommonMark "CJK-friendly" amendment.

CommonMark's flanking rules make ``を**感度〈sensitivity〉**と呼ぶ`` stay literal ``**`` (the closing
``**`` follows punctuation ``〉`` and precedes a letter ``と``; commonmark-spec#650). The plugin's
showdown converter ignores flanking, so such text was bold in users' Anki (issue 10 F12, 150 medu4
cards). This module implements the amended definitions of left- and right-flanking delimiter runs
from tats-u/markdown-cjk-friendly, ``specification.md`` ("CommonMark CJK-friendly Amendments"):

- left-flanking: not followed by whitespace, and either not followed by a *non-CJK* punctuation
  character, or followed by one and preceded by whitespace, non-CJK punctuation, a CJK character or
  an ideographic variation selector;
- right-flanking: the mirror image (preceded by non-CJK punctuation only when followed by whitespace,
  non-CJK punctuation or a CJK character).

A CJK character is one of East Asian Width W, F or H (not an emoji-presentation character), or a
Hangul letter. Variation selectors after a CJK character are looked through (simplified: the
character before a U+FE00–U+FE0E selector is used). No maintained Python port exists (the one on PyPI
monkey-patches markdown-it-py globally and pins markdown-it-py < 4), so this is a small rule of our own,
installed on one parser only: ``use_cjk_friendly(md)``.
"""
from __future__ import annotations

import types
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned


def is_cjk(ch: str) -> bool:
    """A CJK character in the amendment's sense (East Asian Width W/F/H, not emoji; or Hangul)."""
    if not ch:
        return False
    code = ord(ch)
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF:  # emoji-presentation blocks
        return False
    if 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F or 0xAC00 <= code <= 0xD7AF:  # Hangul
        return True
    return unicodedata.east_asian_width(ch) in ("W", "F", "H")


def _punct(ch: str) -> bool:
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


def _scan_delims(self: StateInline, start: int, canSplitWord: bool) -> Scanned:
    """``StateInline.scanDelims`` with the CJK-friendly flanking definitions."""
    pos, maximum, marker = start, self.posMax, self.src[start]
    last = self.src[start - 1] if start > 0 else " "
    if 0xFE00 <= ord(last) <= 0xFE0E and start > 1:  # a variation selector: look at its base
        last = self.src[start - 2]
    ivs_before = start > 0 and 0xE0100 <= ord(self.src[start - 1]) <= 0xE01EF
    while pos < maximum and self.src[pos] == marker:
        pos += 1
    count = pos - start
    nxt = self.src[pos] if pos < maximum else " "

    last_ws, next_ws = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    last_cjk, next_cjk = is_cjk(last), is_cjk(nxt)
    last_punct, next_punct = _punct(last), _punct(nxt)
    last_non_cjk_punct = last_punct and not last_cjk
    next_non_cjk_punct = next_punct and not next_cjk

    left = not next_ws and (not next_non_cjk_punct or last_ws or last_non_cjk_punct or last_cjk or ivs_before)
    right = not last_ws and (not last_non_cjk_punct or next_ws or next_non_cjk_punct or next_cjk)
    if canSplitWord:  # "*"
        can_open, can_close = left, right
    else:  # "_": unchanged rule, with the punctuation test on the sequence before
        can_open = left and (not right or last_punct)
        can_close = right and (not left or next_punct)
    return Scanned(can_open, can_close, count)


def use_cjk_friendly(md: MarkdownIt) -> None:
    """Make ``md`` (this parser only) use the CJK-friendly flanking rules for ``*`` and ``_``."""
    inline = md.inline

    def parse(self, src, md_, env, tokens):
        state = _CjkStateInline(src, md_, env, tokens)
        self.tokenize(state)
        for rule in self.ruler2.getRules(""):
            rule(state)
        return state.tokens

    inline.parse = types.MethodType(parse, inline)


class _CjkStateInline(StateInline):
    scanDelims = _scan_delims
