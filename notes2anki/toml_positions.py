"""Where each key and array item of a TOML text is written: ``{path: line}``.

``tomllib`` (and every TOML reader the project installs) keeps no positions, so messages about
`.notes2anki.toml` took a key's line from a regex on its last name, which found a same-named key of another
table (tester r5) and gave an array item inside a multi-line inline table its key's line (r22). This reads
the text once as TOML writes it — table headers (``[a."b.c"]``, ``[[a]]``), dotted keys, basic, literal
and multi-line strings, arrays and inline tables over any number of lines, comments — and records the line
where each key path is first written, with array positions as parts (``("dupes", "ignore", "1", "0")``,
0-based, as strings). Keys are read as TOML reads them (quotes and escapes decoded: ``"./sub"`` is
``./sub``). The text is assumed to be valid TOML (an invalid file stops the command before any message
needs a line); on a malformed text it stops early and returns what it found.
"""
from __future__ import annotations

import re
import tomllib
from bisect import bisect_left

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}\n#]*")  # a number, boolean or date: up to the next delimiter


def positions(text: str) -> dict[tuple[str, ...], int]:
    """``{key path: 1-based line}`` of every key, table and array item written in ``text``."""
    reader = _Reader(text)
    try:
        reader.document()
    except (IndexError, ValueError, RecursionError, tomllib.TOMLDecodeError):
        pass
    return reader.found


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.found: dict[tuple[str, ...], int] = {}
        self.tables: dict[tuple[str, ...], int] = {}  # array of tables → entries seen
        self.breaks = [m.start() for m in re.finditer("\n", text)]  # (a line found by bisection: a 1 MiB file
        # of short keys counted its newlines from the start for every key, quadratic)

    @property
    def line(self) -> int:
        return bisect_left(self.breaks, self.pos) + 1

    def note(self, path: tuple[str, ...], line: int) -> None:
        for depth in range(1, len(path) + 1):
            self.found.setdefault(path[:depth], line)

    def blank(self, lines: bool) -> None:
        """Step over spaces and comments (and line breaks when ``lines``)."""
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\r" or (c == "\n" and lines):
                self.pos += 1
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        table: tuple[str, ...] = ()
        while True:
            self.blank(True)
            if self.pos >= len(self.text):
                return
            line = self.line
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                name = self.key("]")
                self.pos += 2
                index = self.tables.get(name, 0)
                self.tables[name] = index + 1
                table = (*name, str(index))
                self.note(table, line)
            elif self.text[self.pos] == "[":
                self.pos += 1
                table = self.key("]")
                self.pos += 1
                self.note(table, line)
            else:
                self.pair(table)

    def key(self, stop: str) -> tuple[str, ...]:
        """A dotted key up to ``stop`` (``=``, ``]``), decoded; the position is left at ``stop``."""
        parts = []
        while True:
            self.blank(False)
            c = self.text[self.pos]
            if c in "\"'":
                start = self.pos
                self.string()
                parts.append(tomllib.loads("k = " + self.text[start:self.pos])["k"])
            else:
                m = _BARE.match(self.text, self.pos)
                if not m:
                    raise ValueError("not a key")
                parts.append(m.group())
                self.pos = m.end()
            self.blank(False)
            if self.text[self.pos] == ".":
                self.pos += 1
                continue
            if not self.text.startswith(stop, self.pos):
                raise ValueError("not a key")
            return tuple(parts)

    def pair(self, table: tuple[str, ...]) -> None:
        line = self.line
        path = (*table, *self.key("="))
        self.pos += 1
        self.note(path, line)
        self.value(path)

    def value(self, path: tuple[str, ...]) -> None:
        self.blank(False)
        c = self.text[self.pos]
        if c in "\"'":
            self.string()
        elif c == "[":
            self.pos += 1
            index = 0
            while True:
                self.blank(True)
                if self.text[self.pos] == "]":
                    self.pos += 1
                    return
                item = (*path, str(index))
                self.note(item, self.line)
                self.value(item)
                index += 1
                self.blank(True)
                if self.text[self.pos] == ",":
                    self.pos += 1
        elif c == "{":
            self.pos += 1
            while True:
                self.blank(True)
                if self.text[self.pos] == "}":
                    self.pos += 1
                    return
                self.pair(path)
                self.blank(True)
                if self.text[self.pos] == ",":
                    self.pos += 1
        else:
            m = _SCALAR.match(self.text, self.pos)
            if not m or m.end() == self.pos:
                raise ValueError("not a value")
            self.pos = m.end()

    def string(self) -> None:
        """Step over a basic, literal or multi-line string."""
        text, quote = self.text, self.text[self.pos]
        if text.startswith(quote * 3, self.pos):
            end = self.pos + 3
            while True:
                end = text.index(quote * 3, end)
                if quote == "'" or not _escaped(text, end):
                    break
                end += 1
            while text.startswith(quote, end + 3):  # up to two quotes may close the string's text
                end += 1
            self.pos = end + 3
            return
        end = self.pos + 1
        while True:
            end = text.index(quote, end)
            if quote == "'" or not _escaped(text, end):
                break
            end += 1
        self.pos = end + 1


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd number of backslashes."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1
