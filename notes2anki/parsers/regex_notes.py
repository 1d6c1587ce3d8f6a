"""Cards written in the plugin's custom styles: one regular expression per note type.

The plugin's settings hold a regex per note type (heading style, Q/A, ``front::back``, ruled, table,
cloze paragraph, neuracache ...). Each match is a card; capture group i is field i. An ID comment
right after the match (``<!--ID: n-->`` on the next line) is the card's ID. Matches inside fenced
code or overlapping START/END blocks are not cards.
"""
from __future__ import annotations

import re

from ..model import Card, Diagnostic

TRAILING_ID = re.compile(r"\n?[ \t]*<!--\s*ID:\s*(\d+)\s*-->")  # indented under a list item too


def regex_cards(text: str, rel: str, regexps: dict[str, str], note_types: dict[str, list[str]],
                taken: list[tuple[int, int]], diagnostics: list[Diagnostic]) -> list[Card]:
    """Cards of every configured style. ``taken``: (start, end) 1-based line spans already cards/code."""
    cards: list[Card] = []
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line_of(offset: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    for note_type, pattern in regexps.items():
        if note_type not in note_types:
            diagnostics.append(Diagnostic("", 0, "warning",
                                          f"custom regexp for unknown note type {note_type!r} ignored"))
            continue
        try:
            regex = re.compile(pattern, re.MULTILINE)
        except re.error as exc:
            diagnostics.append(Diagnostic("", 0, "error",
                                          f"custom regexp for {note_type!r} is not valid: {exc}"))
            continue
        names = note_types[note_type]
        for m in regex.finditer(text):
            if not m.group(0).strip():
                continue
            start, end = line_of(m.start()), line_of(max(m.start(), m.end() - 1))
            if any(a <= end and start <= b for a, b in taken):
                continue
            groups = [g or "" for g in m.groups()][:len(names)]
            fields = {n: (groups[i] if i < len(groups) else "").strip() for i, n in enumerate(names)}
            card = Card(note_type=note_type, fields=fields, file=rel, line=start, end_line=end, kind="regex",
                        col=m.start() - line_starts[start - 1])
            idm = TRAILING_ID.match(text, m.end())
            if idm:
                card.id = int(idm.group(1))
                card.id_line = line_of(idm.end() - 1)
            cards.append(card)
    cards.sort(key=lambda c: c.line)
    return cards
