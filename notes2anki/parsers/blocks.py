"""The START/END block syntax of the Obsidian_to_Anki plugin, as an ordered set of small line rules.

``scan(text, ...)`` walks the lines of one note once and returns the cards and file-level lines it
found. Fenced code is skipped (blocks shown as examples are not cards); headings are recorded for
the card context; only a line that is exactly ``END`` (trailing spaces allowed) closes a block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Card, Diagnostic, Heading

FENCE = re.compile(r"^ {0,3}(`{3,}(?![^\n]*`)|~{3,})")  # ```x``` at a line start is inline code
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
ID_LINE = re.compile(r"^(?:<!--\s*ID:\s*(\d+)\s*-->|ID:\s*(\d+))$")
ID_ANYWHERE = re.compile(r"<!--\s*ID:\s*(\d+)\s*-->")
# the plugin's inline ID without comments: "... ID: 1768062256217 ENDI" (10+ digits, so a field
# ending in "Student ID: 12" keeps its text)
INLINE_PLAIN_ID = re.compile(r"(?:^|\s)ID:\s*(\d{10,})$")


def inline_id(body: str) -> re.Match | None:
    """The ID of an inline card's body, as a match whose span is to be cut from the body."""
    return ID_ANYWHERE.search(body) or INLINE_PLAIN_ID.search(body)
INLINE = re.compile(r"STARTI\s*\[([^\]\n]+)\]\s*(.*?)\s*ENDI(?=\s|$)")
KEYED = re.compile(r"^(TARGET DECK|FILE TAGS)(?:\s*:\s*(.*))?$")
FROZEN = re.compile(r"^FROZEN\s*-\s*(.+?):\s*$")
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")


@dataclass
class FileScan:
    cards: list[Card] = field(default_factory=list)
    target_deck: str | None = None
    file_tags: list[str] = field(default_factory=list)
    frozen: dict[str, dict[str, str]] = field(default_factory=dict)  # note type -> field -> text
    headings: list[Heading] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    fenced: set[int] = field(default_factory=set)  # 1-based lines inside fenced code (fences too)


def fenced_lines(lines: list[str], first: int = 1) -> set[int]:
    """1-based numbers of the lines that belong to fenced code blocks (fence lines included).

    ``first``: the line to start at (earlier lines are not looked at)."""
    inside, fence, out = False, "", set()
    for no in range(first, len(lines) + 1):
        line = lines[no - 1]
        m = FENCE.match(line)
        if not inside and m:
            inside, fence = True, m.group(1)
            out.add(no)
        elif inside:
            out.add(no)
            if _closes(line, fence):
                inside = False
    return out


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a code block opened with ``fence``."""
    stripped = line.strip()
    return stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}


def scan(text: str, rel: str, note_types: dict[str, list[str]], diagnostics: list[Diagnostic],
         first_line: int = 1) -> FileScan:
    """Find the cards of one note. ``first_line`` skips frontmatter (1-based line where the body starts)."""
    lines = text.split("\n")
    result = FileScan()
    fenced = fenced_lines(lines)
    result.fenced = fenced
    no = first_line
    while no <= len(lines):
        line = lines[no - 1]
        stripped = line.strip()
        if no in fenced:
            no += 1
            continue
        if stripped == "START":
            end, unclosed_fence = _find_end(lines, no)
            if unclosed_fence:
                # a code fence left open inside the card ends with the card, not at the end of the file
                after = end[1] if isinstance(end, tuple) else end + 1
                fenced = {n for n in fenced if n < after} | fenced_lines(lines, after)
                result.fenced = fenced
            if end is None or isinstance(end, tuple):
                msg = "START has no END; card skipped"
                if isinstance(end, tuple):
                    msg = f"START has no END before the next START at line {end[1]}; card skipped"
                diagnostics.append(Diagnostic(rel, no, "error", msg))
                no = end[1] if isinstance(end, tuple) else no + 1
                continue
            card = _block_card(lines, no, end, rel, note_types, diagnostics)
            if card:
                result.cards.append(card)
            _collect_links(lines[no:end - 1], result.links)
            no = end + 1
            continue
        _file_line(lines, no, stripped, result)
        for m in INLINE.finditer(line):
            card = _inline_card(m, no, rel, note_types, diagnostics)
            if card:
                result.cards.append(card)
        _collect_links([line], result.links)
        no += 1
    _frozen_fields(lines, result, fenced, first_line)
    return result


def _find_end(lines: list[str], start: int):
    """(line of the END closing the block at ``start``, whether a code fence in it was left open).

    The line is ``(None, n)`` if a START at line n comes first, None if there is no END. END and START
    lines inside fenced code of the card (a heredoc's ``END``) do not count, unless that fence is never
    closed: then the first END after it closes the card.
    """
    fence, opened = None, 0
    for no in range(start + 1, len(lines) + 1):
        line = lines[no - 1]
        if fence is not None:
            if _closes(line, fence):
                fence = None
            continue
        m = FENCE.match(line)
        if m:
            fence, opened = m.group(1), no
            continue
        stripped = line.strip()
        if stripped == "END":
            return no, False
        if stripped == "START":
            return (None, no), False
    if fence is None:
        return None, False
    for no in range(opened + 1, len(lines) + 1):  # the fence never closes: END lines count again
        stripped = lines[no - 1].strip()
        if stripped == "END":
            return no, True
        if stripped == "START":
            return (None, no), True
    return None, False


def _file_line(lines: list[str], no: int, stripped: str, result: FileScan) -> None:
    m = HEADING.match(lines[no - 1])
    if m:
        result.headings.append(Heading(len(m.group(1)), m.group(2).strip(), no))
        return
    m = KEYED.match(stripped)
    if not m:
        return
    value = (m.group(2) or "").strip()
    if not value and no < len(lines):
        value = lines[no].strip()
        if value in ("START", "END") or value.startswith(("STARTI", "#", "TARGET DECK", "FILE TAGS")):
            value = ""
    if m.group(1) == "TARGET DECK":
        if value and result.target_deck is None:
            result.target_deck = value
    else:
        result.file_tags.extend(value.split())


def _frozen_fields(lines: list[str], result: FileScan, fenced: set[int], first_line: int) -> None:
    """``FROZEN - Type:`` then ``Field: text`` lines: text appended to that field of every such card."""
    for no in range(first_line, len(lines) + 1):
        m = FROZEN.match(lines[no - 1].strip())
        if not m or no in fenced:
            continue
        note_type = m.group(1).strip()
        frozen = result.frozen.setdefault(note_type, {})
        current = None
        for follow in lines[no:]:
            if not follow.strip():
                break
            fm = re.match(r"^([^:]+):\s?(.*)$", follow)
            if fm:
                current = fm.group(1).strip()
                frozen[current] = fm.group(2)
            elif current:
                frozen[current] += "\n" + follow


def _collect_links(lines: list[str], links: list[str]) -> None:
    for line in lines:
        for m in WIKILINK.finditer(line):
            if not m.group(1):
                target = m.group(2).split("|", 1)[0].split("#", 1)[0].strip()
                if target:
                    links.append(target)


def _block_card(lines, start, end, rel, note_types, diagnostics) -> Card | None:
    body = lines[start:end - 1]  # lines between START and END
    # note type: first non-blank line
    offset = 0
    while offset < len(body) and not body[offset].strip():
        offset += 1
    if offset == len(body):
        diagnostics.append(Diagnostic(rel, start, "error", "empty block; card skipped"))
        return None
    note_type = body[offset].strip()
    if note_type not in note_types:
        diagnostics.append(Diagnostic(rel, start + 1 + offset, "error",
                                      f"unknown note type {note_type!r} (known: {', '.join(note_types)}); "
                                      "card skipped"))
        return None
    rest = [(start + 2 + offset + i, text) for i, text in enumerate(body[offset + 1:])]
    card = Card(note_type=note_type, fields={}, file=rel, line=start, end_line=end)
    # trailing lines: ID, DELETE, Tags (in that order, read from the bottom)
    while rest and not rest[-1][1].strip():
        rest.pop()
    if rest:
        m = ID_LINE.match(rest[-1][1].strip())
        if m:
            card.id = int(m.group(1) or m.group(2))
            card.id_line = rest[-1][0]
            rest.pop()
    if rest and rest[-1][1].strip() == "DELETE":
        card.delete = True
        rest.pop()
    if rest and re.match(r"^Tags:", rest[-1][1].strip()):
        card.tags = rest[-1][1].strip()[5:].split()
        rest.pop()
    ok = _split_fields(card, rest, note_types[note_type], rel, diagnostics)
    return card if ok else None


def _split_fields(card: Card, numbered: list[tuple[int, str]], names: list[str], rel: str,
                  diagnostics: list[Diagnostic]) -> bool:
    """Assign lines to fields: the first field is implicit; ``Name:`` at a line start switches.

    Lines inside fenced code are content: a ``Text: str`` in a code sample switches nothing.
    """
    other = {n for flds in _ALL_FIELD_NAMES for n in flds} - set(names)
    parts: dict[str, list[str]] = {n: [] for n in names}
    current = names[0]
    fence = None
    for no, text in numbered:
        if fence is not None:
            if _closes(text, fence):
                fence = None
            parts[current].append(text)
            continue
        fm = FENCE.match(text)
        if fm:
            fence = fm.group(1)
        m = None if fm else re.match(r"^([^:\n]{1,40}):[ \t]?(.*)$", text)
        if m and m.group(1) in names:
            current = m.group(1)
            text = m.group(2)
        elif m and m.group(1) in other:
            diagnostics.append(Diagnostic(rel, no, "error",
                                          f"{card.note_type!r} has no field {m.group(1)!r} "
                                          f"(its fields: {', '.join(names)}); card skipped"))
            return False
        parts[current].append(text)
    card.fields = {n: "\n".join(parts[n]).strip() for n in names}
    return True


# Field names of every built-in type, to tell a misplaced field line from ordinary prose.
_ALL_FIELD_NAMES = [["Front", "Back", "Add Reverse", "Text", "Back Extra", "Extra"]]


def _inline_card(m: re.Match, no: int, rel: str, note_types, diagnostics) -> Card | None:
    note_type = m.group(1).strip()
    if note_type not in note_types:
        diagnostics.append(Diagnostic(rel, no, "error", f"unknown note type {note_type!r} in inline card; "
                                                        "card skipped"))
        return None
    body = m.group(2)
    card = Card(note_type=note_type, fields={}, file=rel, line=no, end_line=no, kind="inline",
                inline=True, col=m.start())
    idm = inline_id(body)
    if idm:
        card.id = int(idm.group(1))
        card.id_line = no
        body = (body[:idm.start()] + body[idm.end():]).strip()
    tm = re.match(r"^(.*)(?:^|\s)Tags:\s+(.*)$", body)  # the plugin's inline tags: "... Tags: a b ENDI"
    if tm:
        card.tags = tm.group(2).split()
        body = tm.group(1).strip()
    names = note_types[note_type]
    pattern = re.compile(r"(?:^|\s)(" + "|".join(re.escape(n) for n in names) + r"):\s")
    pieces = {n: "" for n in names}
    current, pos = names[0], 0
    for fm in pattern.finditer(body):
        pieces[current] = (pieces[current] + " " + body[pos:fm.start()]).strip()
        current, pos = fm.group(1), fm.end()
    pieces[current] = (pieces[current] + " " + body[pos:]).strip()
    card.fields = pieces
    return card
