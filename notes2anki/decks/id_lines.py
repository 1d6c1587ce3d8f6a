"""Where ``ids`` writes each card's ID line in a note's text (:func:`insert_ids`): block, inline and regex
cards, the plugin's ``<!--ID: n-->`` or ``ID: n``; every other byte of the text kept (line endings
included). Used by :mod:`~notes2anki.decks.write_ids`, which checks the result by parsing it again."""
from __future__ import annotations

import re

from ..model import Card
from ..parsers.syntax import Markers, markers

LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")


def split_lines(text: str) -> list[str]:
    """Lines with their own endings (\\r\\n, \\n or \\r), as the parser counts them."""
    return [m.group(0) for m in LINE.finditer(text) if m.group(0)]


def insert_ids(text: str, cards: list[Card], assigned: dict[tuple[str, int, int], int],
               marks: Markers | None = None, comments: bool = True) -> str:
    """``text`` with an ID written for every card in ``assigned`` (nothing else changes); ``comments`` False
    (the plugin's "ID Comments" off, ``id_comments = false``): ``ID: n`` instead of ``<!--ID: n-->``, as the
    plugin writes it (block, inline and regex cards):

    - block card: ``<!--ID: n-->`` on its own line right after the last non-blank line of the card
      (before any blank lines that precede END, so a ``Tags:`` line stays the last content line),
      indented like the START line (a block inside a list item stays inside it);
    - inline card: ``<!--ID: n--> `` before the end marker of the inline card starting at ``Card.col``,
      found as the parser finds it (``marks``: the vault's :class:`Markers`; the plugin's words when None);
    - regex-style card: ``<!--ID: n-->`` on the line after the match, indented like the match's first
      line (so an ID under an indented list item stays inside the list).
    """
    lines = split_lines(text)
    delete = (marks or markers()).syntax.delete_note_line
    after: dict[int, list[str]] = {}  # 0-based line index -> lines inserted after it
    inline: dict[int, list[tuple[int, int]]] = {}  # 0-based line index -> (column, ID)
    default_eol = _eol_of(lines)
    for card in cards:
        new_id = assigned.get(card.key)
        if new_id is None:
            continue
        comment = f"<!--ID: {new_id}-->" if comments else f"ID: {new_id}"
        if card.kind == "block":
            last = card.end_line - 2  # 0-based index of the line before END
            while last > card.line - 1 and not lines[last].strip():
                last -= 1
            start = lines[card.line - 1]  # an indented block (inside a list item) keeps its indent
            indent = start[:len(start) - len(start.lstrip(" \t"))]
            after.setdefault(last, []).extend(_below(lines[last], delete, indent + comment))
        elif card.kind == "regex":
            first = lines[card.line - 1]
            indent = first[:len(first) - len(first.lstrip(" \t"))]
            after.setdefault(card.end_line - 1, []).extend(_below(lines[card.end_line - 1], delete, indent + comment))
        else:
            inline.setdefault(card.line - 1, []).append((card.col, comment))
    out: list[str] = []
    for index, line in enumerate(lines):
        if index in inline:
            line = _inline_with_ids(line, inline[index], marks or markers())
        added = after.get(index)
        if not added:
            out.append(line)
            continue
        body = line.rstrip("\r\n")
        eol = line[len(body):]
        out.append(body + (eol or default_eol))
        for i, new_line in enumerate(added):
            last_of_file = not eol and i == len(added) - 1
            out.append(new_line + ("" if last_of_file else (eol or default_eol)))
    return "".join(out)


def _below(last: str, delete: str, id_line: str) -> list[str]:
    """The lines to insert under a card's last line ``last``: its ID line, after a blank line when ``last`` is
    the Delete Note Line (an answer that is SQL's ``DELETE``): written right under it, the ID would mark the
    card for deletion."""
    return ["", id_line] if delete and last.strip() == delete else [id_line]


def _eol_of(lines: list[str]) -> str:
    for line in lines:
        for eol in ("\r\n", "\n", "\r"):
            if line.endswith(eol):
                return eol
    return "\n"


def _inline_with_ids(line: str, ids: list[tuple[int, str]], marks: Markers) -> str:
    """Put ``<!--ID: n--> `` (the given ID text and a space) before the end marker of the inline card that
    starts at each given column (right to left, so earlier columns stay valid), the cards found by
    :meth:`Markers.inline_cards` as the parser found them. A card whose end is not found gets nothing; the
    check after the edit reports it."""
    body = line.rstrip("\r\n")
    eol = line[len(body):]
    ends = {m.start: m.end_marker for m in marks.inline_cards(body)}
    for col, comment in sorted(ids, reverse=True):
        at = ends.get(col)
        if at is not None:
            body = body[:at] + comment + " " + body[at:]
    return body + eol
