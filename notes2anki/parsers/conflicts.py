"""Unresolved git merge conflicts in cards: a ``conflict-marker`` warning at ``file:line``.

A merge that git could not finish leaves both sides in the note between marker lines, each at the start of
a line::

    <<<<<<< HEAD
    Back: the answer as written here
    =======
    Back: the answer as written on the other branch
    >>>>>>> other-branch

(``|||||||`` opens the common ancestor's text in git's diff3 style.) A card holding such lines is still
built as written, markers and both sides in its fields, as the Obsidian_to_Anki plugin would sync it, but
with a warning, so the conflict is resolved before it reaches Anki: dropping the card would make ``sync``
delete its note. A card lying inside a conflict (a whole card on one side) is warned about too: both
sides' cards are built.

Only a whole conflict counts: a ``<<<<<<<`` line followed, later, by a ``>>>>>>>`` line. A lone
``=======`` is a Markdown setext heading underline, never a marker. Lines inside fenced code are content (a
card showing what a conflict looks like). One pass over the lines with fixed, anchored patterns: linear.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from ..model import Card, Diagnostic

CONFLICT = "conflict-marker"
MARK = 7  # git's conflict-marker-size
_OPEN = re.compile(r"<{7}(?:[ \t][^\n]*)?")
_BASE = re.compile(r"\|{7}(?:[ \t][^\n]*)?")
_SPLIT = re.compile(r"={7}[ \t]*")
_CLOSE = re.compile(r">{7}(?:[ \t][^\n]*)?")


def conflicts(lines: list[str], skip: set[int] | frozenset[int] = frozenset()) -> list[list[int]]:
    """The whole merge conflicts in ``lines``: per conflict, the 1-based numbers of its marker lines
    (opening ``<<<<<<<``, any ``|||||||`` / ``=======``, closing ``>>>>>>>``), in order; conflicts in the
    order of the text, never overlapping. Lines in ``skip`` (fenced code) are not read."""
    found: list[list[int]] = []
    current: list[int] | None = None
    for no in range(1, len(lines) + 1):
        line = lines[no - 1]
        if not line or line[0] not in "<|=>" or no in skip:
            continue
        if _OPEN.fullmatch(line):
            current = [no]  # a second opener before a closer: the first was not a conflict
        elif current is not None and (_SPLIT.fullmatch(line) or _BASE.fullmatch(line)):
            current.append(no)
        elif current is not None and _CLOSE.fullmatch(line):
            current.append(no)
            found.append(current)
            current = None
    return found


def report_conflicts(cards: list[Card], text: str, fenced: set[int], diagnostics: list[Diagnostic]) -> None:
    """One ``conflict-marker`` warning per card of a note (its ``text``) that holds a line of an unresolved
    merge conflict (at that line) or lies inside one (at the card's line). ``fenced``: the note's lines in
    fenced code (:attr:`FileScan.fenced`). Each card looks only at the conflicts that reach its lines."""
    if "<" * MARK not in text or not cards:
        return
    found = conflicts(text.split("\n"), fenced)
    if not found:
        return
    closes = [marks[-1] for marks in found]  # ascending: conflicts follow one another
    for card in cards:
        start, end = card.line, max(card.line, card.end_line, card.id_line)
        for index in range(bisect_left(closes, start), len(found)):
            marks = found[index]
            if marks[0] > end:
                break
            inside = [no for no in marks if start <= no <= end]
            if inside:
                diagnostics.append(Diagnostic(
                    card.file, inside[0], "warning",
                    f"unresolved merge conflict in this card (git's <<<<<<< / ======= / >>>>>>> lines "
                    f"{marks[0]}–{marks[-1]}); the card is built as written, marker lines and both sides in "
                    "its fields: keep one side and delete the marker lines", CONFLICT))
                break
            if marks[0] < start and end < marks[-1]:
                diagnostics.append(Diagnostic(
                    card.file, card.line, "warning",
                    f"card inside an unresolved merge conflict (git's <<<<<<< / ======= / >>>>>>> lines "
                    f"{marks[0]}–{marks[-1]}); the cards of both sides are built: keep one side and delete "
                    "the marker lines", CONFLICT))
                break
