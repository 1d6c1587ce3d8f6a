"""One START/END block → one Card: where it ends, its note type line, trailing lines, fields."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Card
from .lints import field_case_lint
from .scan_state import ScanState
from .syntax import (FIELD_LINE, ID_COMMENT, TAGS_LINE, fence_closes, fence_open, id_of_line, shown_id, split_tags,
                     written_id)

# Field names of every built-in type, to tell a misplaced field line from ordinary prose.
BUILTIN_FIELD_NAMES = frozenset({"Front", "Back", "Add Reverse", "Text", "Back Extra", "Extra"})


@dataclass(frozen=True)
class BlockEnd:
    """Where the block opened at some START line ends.

    ``end``: the line of its END, or None when it has none. ``next_start``: when ``end`` is None, the
    line of a START met first (the block is unclosed; scanning resumes there), else None.
    ``fence_left_open``: a code fence opened inside the block never closes, so the END found is the
    first one after that fence (fenced code must then be recomputed after the block)."""

    end: int | None
    next_start: int | None = None
    fence_left_open: bool = False


def find_end(state: ScanState, start: int) -> BlockEnd:
    """The :class:`BlockEnd` of the block whose START is at line ``start``.

    END and START lines inside fenced code of the card (a heredoc's ``END``) do not count, unless that
    fence is never closed: then the first END after it closes the card."""
    lines, begin, end = state.lines, state.markers.begin, state.markers.end
    fence, opened = None, 0
    for no in range(start + 1, len(lines) + 1):
        line = lines[no - 1]
        if fence is not None:
            if fence_closes(line, fence):
                fence = None
            continue
        opens = fence_open(line)
        if opens:
            fence, opened = opens, no
            continue
        stripped = line.strip()
        if stripped == end:
            return BlockEnd(no)
        if stripped == begin:
            return BlockEnd(None, no)
    if fence is None:
        return BlockEnd(None)
    for no in range(opened + 1, len(lines) + 1):  # the fence never closes: END lines count again
        stripped = lines[no - 1].strip()
        if stripped == end:
            return BlockEnd(no, fence_left_open=True)
        if stripped == begin:
            return BlockEnd(None, no, fence_left_open=True)
    return BlockEnd(None)


@dataclass
class BodyLine:
    """A line of a block's body with its 1-based line number in the note."""

    no: int  # 1-based line in the note
    text: str


def did_you_mean(name: str, known) -> str:
    """" — did you mean 'Basic'?" for a note type written with another case or a typo (``Baisc``, ``basic``,
    tester B r11), else "". The closest of ``known`` by difflib's ratio (at least 0.75), case folded."""
    import difflib

    names = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(name.strip().casefold(), list(names), n=1, cutoff=0.75)
    return f" — did you mean {names[close[0]]!r}?" if close else ""


def block_card(state: ScanState, start: int, end: int) -> Card | None:
    """The card between START (line ``start``) and END (line ``end``), or None after an error."""
    indent = _indent(state.lines[start - 1])
    body = [BodyLine(no, _dedent(state.lines[no - 1], indent)) for no in range(start + 1, end)]
    while body and not body[0].text.strip():
        body.pop(0)
    if not body:
        state.report(start, "error", "empty-block", "empty block; card skipped")
        return None
    note_type = body[0].text.strip()
    if note_type not in state.note_types:
        hint = (" — is the note type line missing? The first line after START names the type"
                if len(note_type) > 40 or ":" in note_type else did_you_mean(note_type, state.note_types))
        state.report(body[0].no, "error", "unknown-note-type",
                     f"unknown note type {note_type!r} (known: {', '.join(state.note_types)}); card skipped{hint}")
        return None
    card = Card(note_type=note_type, fields={}, file=state.rel, line=start, end_line=end)
    rest = _take_trailing_lines(state, card, body[1:], state.markers.syntax.delete_note_line)
    if card.id is None:
        rest = _take_plugin_id_in_code(state, card, rest)
    _report_stray_ids(state, card, rest)
    return card if _split_fields(state, card, rest) else None


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))]


def _dedent(line: str, indent: str) -> str:
    """``line`` without the START line's indentation (a block written inside a list item)."""
    if indent and line.startswith(indent):
        return line[len(indent):]
    return line.lstrip(" \t") if indent and not line[:len(indent)].strip() else line


def _take_trailing_lines(state: ScanState, card: Card, rest: list[BodyLine], delete: str) -> list[BodyLine]:
    """Read the ID, DELETE and Tags lines at the bottom (in that order, blank lines between allowed);
    the field lines are what is left.

    ``DELETE`` marks the card only on the line directly above its ID line, as in the plugin (its
    ``EMPTY_REGEXP``: the Delete Note Line, at most one newline, the ID): in a card without an ID, or
    with blank lines between it and the ID line, it is the last line of its text (an answer that is
    SQL's ``DELETE``), with a warning saying how to mark such a card."""
    rest = list(rest)

    def drop_blank():
        while rest and not rest[-1].text.strip():
            rest.pop()

    drop_blank()
    if rest:
        card_id = id_of_line(rest[-1].text)
        if card_id is not None:
            card.id, card.id_line = card_id, rest[-1].no
            rest.pop()
            drop_blank()
    if rest and rest[-1].text.strip() == delete:
        if card.id is None:
            state.report(rest[-1].no, "warning", "delete-without-id",
                         f"{delete} is read as the card's text: it marks a card for deletion only on the line "
                         "above the card's ID line (this card has none; to drop it, delete the card)")
        elif rest[-1].no != card.id_line - 1:
            state.report(rest[-1].no, "warning", "delete-without-id",
                         f"{delete} is read as the card's text: a blank line separates it from the card's ID "
                         f"line, and it marks a card for deletion only on the line directly above the ID line "
                         f"(to delete the note, remove the blank line)")
        else:
            card.delete = True
            rest.pop()
            drop_blank()
    if rest:
        m = TAGS_LINE.match(rest[-1].text.strip())
        if m:
            card.tags = split_tags(m.group(1))
            rest.pop()
    return rest


def _take_plugin_id_in_code(state: ScanState, card: Card, rest: list[BodyLine]) -> list[BodyLine]:
    """The plugin's ID of a card whose code block holds an ``END`` line (PL/SQL, Pascal, a heredoc): the
    plugin's card ends at the first ``END`` line, so it wrote the ID just above that line, inside the
    code. Such an ID line (an ID comment alone on its line, an ``END`` line next) is the card's ID, with
    a warning, and leaves the field's code: otherwise a migration would add a second note and never
    update the reviewed one."""
    end, begin = state.markers.end, state.markers.begin
    for i, line in enumerate(rest[:-1]):
        if line.text.strip() == begin:
            return rest  # a sample card written in the code (START … ID … END): its ID is the sample's
        ident = id_of_line(line.text)
        if ident is not None and ID_COMMENT.search(line.text) and rest[i + 1].text.strip() == end:
            card.id, card.id_line = ident, line.no
            state.report(line.no, "warning", "id-in-code",
                         f"ID {shown_id(ident)} is read as the ID of the card at {card.where}: the Obsidian_to_Anki "
                         f"plugin wrote it inside the code block, above the {end} line where its card ended; move it "
                         f"to the line above the card's {end}")
            return rest[:i] + rest[i + 1:]
    return rest


def _report_stray_ids(state: ScanState, card: Card, rest: list[BodyLine]) -> None:
    """An ID comment alone on a line inside the card's fields is not its ID: another card's, swallowed."""
    for line in rest:
        stray = id_of_line(line.text)
        if stray is not None and written_id(stray) and ID_COMMENT.search(line.text):
            state.report(line.no, "warning", "orphan-id",
                         f"ID {shown_id(stray)} is inside the card at {card.where} but is not its ID (only the last "
                         "line before END is); the Anki note with this ID will not be updated")


def _split_fields(state: ScanState, card: Card, numbered: list[BodyLine]) -> bool:
    """Assign lines to fields: the first field is implicit; ``Name:`` at a line start switches.

    Lines inside fenced code are content: a ``Text: str`` in a code sample switches nothing."""
    names = state.note_types[card.note_type]
    other = BUILTIN_FIELD_NAMES - set(names)
    parts: dict[str, list[str]] = {n: [] for n in names}
    current = names[0]
    fence = None
    for line in numbered:
        text = line.text
        if fence is not None:
            if fence_closes(text, fence):
                fence = None
            parts[current].append(text)
            continue
        fence = fence_open(text)
        m = None if fence else FIELD_LINE.match(text)
        if m and m.group(1) in names:
            current = m.group(1)
            text = m.group(2)
        elif m and m.group(1) in other:
            state.report(line.no, "error", "unknown-field",
                         f"{card.note_type!r} has no field {m.group(1)!r} (its fields: {', '.join(names)}); "
                         "card skipped")
            return False
        elif not fence:
            field_case_lint(state, line.no, text, names)
        parts[current].append(text)
    card.fields = {n: "\n".join(parts[n]).strip() for n in names}
    return True
