"""Where a key of `.notes2anki.toml` is written, and how a message names it.

``tomllib`` keeps no positions, so a message's line is found in the text: the line of a key (below its
table's header first, :func:`line_of`), and of one item of an array value, however the array is spread over
lines (``[dupes] ignore`` written one pair a line: :func:`item_line`). A key path with list positions is
named for a person, counting from 1 (:func:`key_text`: ``dupes.ignore, entry 2, reference 1``). A value is
shown as the file writes it (:func:`shown`: ``"x"``, ``true``, ``["a", "b"]``), never in Python's form.
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

# What the positions of a key's nested lists are called in messages (outermost first); others: entry, item.
_ITEM_WORDS = {"dupes.ignore": ("entry", "reference")}


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LONGEST = 60  # characters of a string shown; longer ones lose their middle
_ITEMS = 6  # items of a list or table shown


def shown(value: Any, depth: int = 0) -> str:
    """A configuration value as TOML (and JSON) write it, for a message: ``"x"`` (escapes as TOML reads
    them), ``true`` / ``false``, ``5``, ``["a", "b"]``, ``{ Basic = "Front" }``; a long string loses its
    middle (``"abc…xyz"``), a long list or table its tail (``…``), values nested deeper than 3 are ``…``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if len(value) > _LONGEST:
            value = value[:_LONGEST // 2 - 1] + "…" + value[-(_LONGEST // 2 - 1):]
        return json.dumps(value, ensure_ascii=False)
    if depth >= 3 and isinstance(value, (list, tuple, dict)):
        return "…"
    if isinstance(value, (list, tuple)):
        items = [shown(v, depth + 1) for v in value[:_ITEMS]] + (["…"] if len(value) > _ITEMS else [])
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        items = [f"{toml_key(str(k))} = {shown(v, depth + 1)}" for k, v in list(value.items())[:_ITEMS]]
        return "{ " + ", ".join(items + (["…"] if len(value) > _ITEMS else [])) + " }" if items else "{}"
    if value is None:
        return "nothing"
    return shown(str(value), depth)


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be (``sub``, ``folder_decks``), else quoted (``"./sub"``,
    ``"Basic (and reversed card)"``)."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def key_text(loc: Sequence[object]) -> str:
    """A key path as a message names it: ``("dupes", "ignore", 1, 0)`` → ``dupes.ignore, entry 2,
    reference 1``; ``("ignore", 0)`` → ``ignore, entry 1``; no positions: the dotted path."""
    parts = [str(p) for p in loc]
    head: list[str] = []
    tail: list[str] = []
    depth = 0
    for part in parts:
        if part.isascii() and part.isdigit():
            words = _ITEM_WORDS.get(".".join(head), ("entry", "item"))
            tail.append(f"{words[min(depth, len(words) - 1)]} {int(part) + 1}")
            depth += 1
        elif tail:
            tail[-1] += f".{part}"
        else:
            head.append(part)
    return ", ".join([".".join(head) or "(top level)", *tail])


def line_of(text: str, loc: Sequence[object]) -> int:
    """The line of `.notes2anki.toml` where the key at ``loc`` is written (0 when not found); a key of a
    table is looked for below that table's header first. List positions in ``loc`` (``("dupes", "ignore",
    1)``) give the line of that item of the array (:func:`item_line`)."""
    loc = [str(p) for p in loc]
    lines = text.split("\n")
    header = re.compile(r"^\s*\[+\s*[\"']?" + re.escape(loc[0]) + r"\b") if loc else None
    start = next((i for i, line in enumerate(lines) if header and header.match(line)), 0)
    for depth in range(len(loc) - 1, 1, -1):  # the innermost table written as a header ([note_types."X"])
        named = r"\s*\.\s*".join(r"[\"']?" + re.escape(part) + r"[\"']?" for part in loc[:depth])
        inner = re.compile(r"^\s*\[+\s*" + named + r"\s*\]")
        found = next((i for i, line in enumerate(lines) if inner.match(line)), None)
        if found is not None:
            start = found
            break
    for at in range(len(loc) - 1, -1, -1):
        key = loc[at]
        if key.isascii() and key.isdigit():
            continue
        # the key as a literal string or bare writes it, and as a basic string escapes it ("a\\b" for a\b)
        spellings = "|".join(re.escape(k) for k in dict.fromkeys([key, json.dumps(key, ensure_ascii=False)[1:-1]]))
        rule = re.compile(r"^\s*(\[+\s*)?([\w.\- ]*\.)?[\"']?(?:" + spellings + r")[\"']?\s*(=|\])")
        for no in [*range(start, len(lines)), *range(0, start)]:
            if rule.match(lines[no]):
                positions = [int(p) for p in loc[at + 1:] if p.isascii() and p.isdigit()]
                if positions and len(positions) == len(loc) - at - 1:
                    return item_line(text, no + 1, positions) or no + 1
                return no + 1
    return 0


def item_line(text: str, key_line: int, positions: Sequence[int]) -> int:
    """The line where the item at ``positions`` (0-based, outermost first) of the array assigned on line
    ``key_line`` (1-based: ``key = [``) starts; 0 when the value there is not such an array."""
    scan = _Scanner(text, key_line)
    if not scan.to_value():
        return 0
    found = scan.value(list(positions))
    return found or 0


class _Scanner:
    """Reads one TOML value from the ``=`` of a key line on, counting lines (strings, comments, inline
    tables and nested arrays are stepped over as TOML writes them)."""

    def __init__(self, text: str, key_line: int):
        offsets = [0]
        for m in re.finditer("\n", text):
            offsets.append(m.end())
        self.text = text
        self.pos = offsets[key_line - 1] if 0 < key_line <= len(offsets) else len(text)
        self.line = key_line

    def to_value(self) -> bool:
        end = self.text.find("\n", self.pos)
        eq = self.text.find("=", self.pos, len(self.text) if end < 0 else end)
        if eq < 0:
            return False
        self.pos = eq + 1
        self._blank()
        return True

    def _blank(self) -> None:
        """Step over spaces, line breaks and comments."""
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "\n":
                self.line += 1
                self.pos += 1
            elif c in " \t\r,":
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def value(self, want: list[int]) -> int | None:
        """Step over one value; the line of the item at ``want`` inside it (``[]``: of this value)."""
        line = self.line
        if not want:
            self._skip()
            return line
        if self.pos >= len(self.text) or self.text[self.pos] != "[":
            self._skip()
            return None
        self.pos += 1
        found = None
        index = 0
        while True:
            self._blank()
            if self.pos >= len(self.text):
                return found
            if self.text[self.pos] == "]":
                self.pos += 1
                return found
            got = self.value(want[1:] if index == want[0] else [])
            if index == want[0]:
                found = got
            index += 1

    def _skip(self) -> None:
        """Step over a value that is not searched into: a string, an inline table or array, a bare word."""
        text = self.text
        if self.pos >= len(text):
            return
        c = text[self.pos]
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, self.pos) else c
            self.pos += len(quote)
            while self.pos < len(text) and not text.startswith(quote, self.pos):
                if text[self.pos] == "\\" and c == '"':
                    self.pos += 1
                elif text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            self.pos += len(quote)
        elif c in "[{":
            close = "]" if c == "[" else "}"
            self.pos += 1
            while True:
                self._blank()
                if self.pos >= len(text) or text[self.pos] == close:
                    self.pos += 1
                    return
                if c == "{" and text[self.pos] not in "\"'[{":  # key = value inside an inline table
                    m = re.compile(r"[^=}\n]*=\s*").match(text, self.pos)
                    self.pos = m.end() if m and m.end() > self.pos else self.pos + 1
                    continue
                self._skip()
        else:
            m = re.compile(r"[^\s,\]}#]+").match(text, self.pos)
            self.pos = m.end() if m else self.pos + 1
