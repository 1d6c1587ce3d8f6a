"""The card syntax's patterns, in one place: marker words, ID lines, fences, headings, wiki links.

Every pattern here is linear in its input (no nested or adjacent unbounded quantifiers that can trade
characters; searches for a closing marker are plain ``str.find``), so no line of a note can stall a
parse (issue 11). The marker words come from :class:`notes2anki.config.Syntax`, which the plugin lets
users rename (``settings.Syntax`` in its data.json); :func:`markers` compiles them once per value.

Other modules (semantic text, write_ids) import these names instead of keeping copies:
``ID_COMMENT``, ``ID_LINE``, ``INLINE_PLAIN_ID`` (built from ``COMMENT_ID`` / ``PLAIN_ID_IN_TEXT``, which
the regex-style reader extends), ``id_number``, ``WIKILINK``, ``HEADING``, ``fence_open``,
``fence_closes``, ``heading``, ``markers`` (→ :class:`Markers`: ``keyed``, ``frozen``, ``inline_cards``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..config import Syntax

# The ID forms, one definition for every reader (blocks, inline cards, regex styles, sync's guards):
# ``<!--ID: 1768062256217-->`` anywhere; an ID line is that comment (or the plugin's plain "ID: n") alone on
# its line, indentation allowed. The digits are a run of any length, so a damaged ID (a digit pasted twice,
# 41 or 400 digits) is still read as an ID and reported as one that cannot be an Anki note's
# (parsers/id_lines.py) instead of becoming card text that ``ids`` adds a second ID to. Linear: what follows
# the run is never a digit; :func:`id_number` converts at most 41 digits of it.
ID_DIGITS = r"([0-9]+)"  # ASCII digits, as JavaScript's \d (Python's \d takes any script's)
COMMENT_ID = r"<!--[ \t]*ID:[ \t]*" + ID_DIGITS + r"[ \t]*-->"
# the plugin's plain "ID: n" where it ends running text (an inline card's body, the lines of a regex
# card): 10+ digits, so a field ending in "Student ID: 12" or "root has user ID: 0" keeps its text (SYNTAX.md:
# the plugin taking such a line for the card's ID is a fault not to copy)
PLAIN_ID_IN_TEXT = r"ID:[ \t]*([0-9]{10,})"
ID_COMMENT = re.compile(COMMENT_ID)
ID_LINE = re.compile(r"^[ \t]*(?:" + COMMENT_ID + r"|ID:[ \t]*" + ID_DIGITS + r")[ \t]*$")
INLINE_PLAIN_ID = re.compile(r"(?:^|\s)" + PLAIN_ID_IN_TEXT + "$")
MAX_ID_DIGITS = 40  # more digits than this: no note's (Anki's IDs have at most 19); see id_number
# [[target]] / ![[embed]]: no brackets or newline inside, so a scan for "]]" never runs past the next "["
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+)\]\]")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")  # text: strip the closing " ##" with :func:`heading`
TAGS_LINE = re.compile(r"^Tags:(.*)$")
FIELD_LINE = re.compile(r"^([^:\n]{1,40}):[ \t]?(.*)$")
# Invisible characters a line can start with after copy-paste or file concatenation (a byte order mark
# mid-file, zero-width space / joiners, word joiner): they hide a marker (``\ufeffSTART``) from a match.
ZERO_WIDTH = "\ufeff\u200b\u200c\u200d\u2060"


def id_number(digits: str) -> int:
    """The ID an ID form's digits name. A run longer than :data:`MAX_ID_DIGITS` is cut to one digit more and
    counts as at least 10^40 (leading zeros too: still a number no note can have, see :func:`shown_id`), so no
    run, however long, is converted whole (Python refuses int() of more than 4,300 digits)."""
    if len(digits) <= MAX_ID_DIGITS:
        return int(digits)
    return max(int(digits[:MAX_ID_DIGITS + 1]), 10 ** MAX_ID_DIGITS)


def written_id(ident: int) -> bool:
    """Whether an ID form's number can be one a tool wrote: Anki's IDs are positive (milliseconds since
    1970), so 0 — ``ID: 0000000000`` in prose, a form's blank field — is text, not a lost note's ID. (After a
    card, such a number is still taken as the card's damaged ID: a ``bad-id`` error, see
    :func:`notes2anki.parsers.id_lines.drop_impossible_ids`.)"""
    return ident > 0


def shown_id(ident: int) -> str:
    """``ident`` as messages show it: a number of over :data:`MAX_ID_DIGITS` digits (see :func:`id_number`)
    by its first 20 digits."""
    return str(ident) if ident < 10 ** MAX_ID_DIGITS else f"{str(ident)[:20]}… (over {MAX_ID_DIGITS} digits)"


def id_of_line(line: str) -> int | None:
    """The ID of an ID line (``<!--ID: n-->`` or ``ID: n`` alone on the line, indented or not), else None."""
    m = ID_LINE.match(line)
    return id_number(m.group(1) or m.group(2)) if m else None


def inline_id(body: str) -> re.Match | None:
    """The ID of an inline card's body, as a match whose span is to be cut from the body (its ID:
    ``id_number(m.group(1))``)."""
    return ID_COMMENT.search(body) or INLINE_PLAIN_ID.search(body)


def heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line (``## Title ##`` → (2, "Title")), else None."""
    m = HEADING.match(line)
    if not m:
        return None
    return len(m.group(1)), m.group(2).rstrip(" \t#").strip()


def fence_open(line: str) -> str | None:
    """The fence (```` ``` ````, ``~~~~`` …) a line opens, else None. Up to 3 spaces of indentation; a
    backtick fence whose line holds another backtick (```` ```x``` ````) is inline code, not a fence."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped[:1] in ("`", "~"):
        return None
    char = stripped[0]
    run = len(stripped) - len(stripped.lstrip(char))
    if run < 3 or (char == "`" and "`" in stripped[run:]):
        return None
    return char * run


def fence_closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a code block opened with ``fence`` (same character, at least as long)."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


@dataclass(frozen=True)
class InlineMatch:
    """One ``STARTI [Type] body ENDI`` on a line: offsets into the line (0-based, ``end`` exclusive)."""

    start: int
    end: int
    note_type: str
    body: str  # stripped text between the type and the end marker
    body_start: int  # offset of the body's first character (before stripping)
    end_marker: int  # offset of the end marker


@dataclass(frozen=True)
class Markers:
    """The marker words of one :class:`Syntax`, with the patterns built from them."""

    syntax: Syntax
    keyed: re.Pattern  # "TARGET DECK: x" / "FILE TAGS" lines: group 1 the marker, group 2 the value
    keyed_any_case: re.Pattern  # the same, case-insensitive (inside frontmatter)
    frozen: re.Pattern  # "FROZEN - Type:": group 1 the note type
    frozen_any_case: re.Pattern
    keyed_first: frozenset[str]  # first characters (both cases) a keyed line can start with
    frozen_first: frozenset[str]

    @property
    def begin(self) -> str:
        """The word that opens a block (``START``)."""
        return self.syntax.begin_note

    @property
    def end(self) -> str:
        """The word that closes a block (``END``)."""
        return self.syntax.end_note

    def inline_cards(self, line: str) -> list[InlineMatch]:
        """Every inline card on one line, left to right, in linear time.

        A card is the begin marker, optional spaces, ``[Type]``, the body, and the first end marker after
        it that is followed by whitespace or the line's end. Once no end marker follows, none can follow
        a later begin marker either, so the scan stops (``STARTI [Basic] `` × 20,000 stays linear).
        """
        begin, end = self.syntax.begin_inline_note, self.syntax.end_inline_note
        found: list[InlineMatch] = []
        pos = 0
        while True:
            start = line.find(begin, pos)
            if start < 0:
                return found
            i = start + len(begin)
            while i < len(line) and line[i].isspace():
                i += 1
            close = line.find("]", i) if i < len(line) and line[i] == "[" else -1
            if close < 0 or close == i + 1 or "[" in line[i + 1:close]:
                pos = start + 1
                continue
            stop = _end_marker(line, end, close + 1)
            if stop < 0:
                return found
            body = line[close + 1:stop]
            found.append(InlineMatch(start, stop + len(end), line[i + 1:close].strip(), body.strip(),
                                     close + 1, stop))
            pos = stop + len(end)

    def recognisable(self, line: str, names: frozenset[str]) -> str:
        """``line`` as the syntax rules should read it: leading zero-width characters (:data:`ZERO_WIDTH`)
        dropped when what follows is card syntax — a marker word, a note type line, a ``Field:`` /
        ``Tags:`` / ID line, a heading or a fence (``names``: the note types' names and field names) — so ``\ufeffSTART`` opens a block and ``\ufeffBack: x`` starts the Back field.
        Any other line is returned unchanged (its text is content and keeps every character), and so is a
        line holding an inline card (its columns are the file's: ``ids`` writes at them)."""
        if not line or line[0] not in ZERO_WIDTH:
            return line
        bare = line.lstrip(ZERO_WIDTH)
        word = bare.strip()
        syntax = self.syntax
        if self.has_inline_start(bare):
            return line
        field = FIELD_LINE.match(bare)
        if (word in (syntax.begin_note, syntax.end_note, syntax.delete_note_line) or word in names
                or bare.startswith("#")
                or (self.may_be_keyed(bare) and self.keyed_any_case.match(word))
                or (self.may_be_frozen(bare) and self.frozen_any_case.match(word))
                or id_of_line(bare) is not None or TAGS_LINE.match(word) or fence_open(bare)
                or (field and field.group(1) in names)):
            return bare
        return line

    def has_inline_start(self, line: str) -> bool:
        """Whether ``line`` holds the inline begin marker at all (a cheap pre-test)."""
        return self.syntax.begin_inline_note in line

    def may_be_keyed(self, line: str) -> bool:
        """A cheap pre-test: could ``line`` be a TARGET DECK / FILE TAGS line (any case)?"""
        return line.lstrip()[:1] in self.keyed_first

    def may_be_frozen(self, line: str) -> bool:
        """A cheap pre-test: could ``line`` be a FROZEN line (any case)?"""
        return line.lstrip()[:1] in self.frozen_first


def _end_marker(line: str, marker: str, pos: int) -> int:
    """Offset of the first ``marker`` at or after ``pos`` followed by whitespace or the line's end; -1."""
    while True:
        at = line.find(marker, pos)
        if at < 0:
            return -1
        after = at + len(marker)
        if after == len(line) or line[after].isspace():
            return at
        pos = at + 1


def markers(syntax: Syntax | None = None) -> Markers:
    """The compiled :class:`Markers` of ``syntax`` (the plugin's defaults when None), cached per value."""
    return _markers(syntax or Syntax())


@lru_cache(maxsize=32)
def _markers(syntax: Syntax) -> Markers:
    keys = f"({re.escape(syntax.target_deck_line)}|{re.escape(syntax.file_tags_line)})"
    keyed = rf"^{keys}(?:[ \t]*:[ \t]*(.*))?$"
    frozen = rf"^{re.escape(syntax.frozen_fields_line)}[ \t]*-[ \t]*([^:\n]+?)[ \t]*:[ \t]*$"
    return Markers(syntax=syntax, keyed=re.compile(keyed), keyed_any_case=re.compile(keyed, re.I),
                   frozen=re.compile(frozen), frozen_any_case=re.compile(frozen, re.I),
                   keyed_first=_first_chars(syntax.target_deck_line, syntax.file_tags_line),
                   frozen_first=_first_chars(syntax.frozen_fields_line))


def _first_chars(*words: str) -> frozenset[str]:
    return frozenset(c for w in words if w for c in (w[0], w[0].lower(), w[0].upper()))


def split_tags(text: str) -> list[str]:
    """A ``Tags:`` value as tags: split on whitespace and commas (``Tags: a, b`` → ``a``, ``b``)."""
    return [t for t in re.split(r"[\s,]+", text) if t]

