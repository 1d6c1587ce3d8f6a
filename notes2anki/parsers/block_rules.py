"""The rules of the block chain (see :mod:`notes2anki.parsers.blocks`), one small function each.

A rule takes the :class:`ScanState`, looks at ``state.line`` and returns True when it consumed that
line (and moved ``state.line`` past everything it consumed), False to let the next rule look.
"""
from __future__ import annotations

import re

from ..model import Card, Heading
from .block_card import block_card, did_you_mean, find_end
from .frontmatter import DECK_KEYS, TAG_KEYS
from .lints import (DEFAULT_INLINE, end_near_miss, hidden_what, inline_case_lint, inline_field_lint, inline_lint,
                    lone_end_lint, missing_second_field, reads_as)
from .scan_state import ScanState
from .syntax import FIELD_LINE, WIKILINK, heading, id_number, id_of_line, inline_id, split_tags

INLINE_TAGS = re.compile(r"^(.*)(?:^|\s)Tags:\s+(.*)$")  # the plugin's inline tags: "... Tags: a b ENDI"


def fenced_code(state: ScanState) -> bool:
    """Lines inside fenced code are examples, not cards: consumed one at a time, nothing read."""
    if state.line in state.result.fenced:
        state.line += 1
        return True
    return False


def frontmatter(state: ScanState) -> bool:
    """Inside YAML frontmatter only the file-level lines count (the plugin matches them anywhere, and
    medu4-style notes keep ``TARGET DECK`` there); their markers are case-insensitive here."""
    if state.line >= state.body_start:
        return False
    last = state.body_start - 2  # the last line before the closing "---"
    if _yaml_key(state, state.text):  # read from the YAML (or, when it is not valid, as the plugin does)
        state.line += 1
        return True
    if not (_keyed(state, state.markers.keyed_any_case, stop=last)
            or _frozen(state, state.markers.frozen_any_case, stop=last)):
        state.line += 1
    return True


def block(state: ScanState) -> bool:
    """``START`` … ``END``: one card (or an error at START), lines consumed through END."""
    start, line = state.line, state.text
    if line.strip() != state.markers.begin:
        return False
    found = find_end(state, start)
    if found.fence_left_open:  # a code fence left open inside the card ends with the card
        state.refence(found.end + 1 if found.end else found.next_start or len(state.lines) + 1)
    if found.end is None:
        stop = found.next_start or len(state.lines) + 1
        near = end_near_miss(state, start, stop)
        seen, hidden = reads_as(state.lines[near - 1].strip(), state.markers.end) if near else (False, [])
        hint = f" (line {near} {state.lines[near - 1].strip()!r} looks like its {state.markers.end!r}: " + (
            f"it holds {hidden_what(hidden)})" if seen else
            "the markers are case-sensitive and stand alone on their line)") if near else ""
        where = f" before the next {state.markers.begin} at line {found.next_start}" if found.next_start else ""
        state.report(start, "error", "no-end", f"{state.markers.begin} has no {state.markers.end}{where}; "
                                               f"card skipped{hint}")
        state.line = found.next_start or start + 1
        return True
    if line[:1] in (" ", "\t"):
        state.report(start, "warning", "near-miss",
                     f"{state.markers.begin} is indented (a block inside a list item?): read as a card with its "
                     "lines un-indented, but the plugin reads only blocks at the start of a line")
    card = block_card(state, start, found.end)
    if card:
        missing_second_field(state, card)
        state.result.cards.append(card)
    _links(state, state.lines[start:found.end - 1])
    state.line = found.end + 1
    return True


def heading_line(state: ScanState) -> bool:
    """A Markdown heading: recorded for the cards' context. Never consumes (a heading may hold an inline
    card)."""
    found = heading(state.text) if state.text.startswith("#") else None
    if found:
        state.result.headings.append(Heading(found[0], found[1], state.line))
    return False


def file_line(state: ScanState) -> bool:
    """``TARGET DECK`` / ``FILE TAGS`` with the value on the line or on the next one."""
    return _keyed(state, state.markers.keyed, stop=len(state.lines))


def frozen_fields(state: ScanState) -> bool:
    """``FROZEN - Type:`` and the lines up to the next blank one: text added to every card of that type."""
    return _frozen(state, state.markers.frozen, stop=len(state.lines))


def inline_cards(state: ScanState) -> bool:
    """``STARTI [Type] … ENDI`` cards on the line (any number), then the line's links; consumes it."""
    line = state.text
    covered = []
    if state.markers.has_inline_start(line):
        for m in state.markers.inline_cards(line):
            covered.append((m.start, m.end))
            card = _inline_card(state, m.note_type, m.body, m.start)
            if card:
                state.result.cards.append(card)
        inline_lint(state, covered)
        if covered:
            state.result.inline_spans[state.line] = covered
    elif DEFAULT_INLINE in line:  # markers renamed, the plugin's default left in a note: say so
        inline_lint(state, covered)
    else:
        inline_case_lint(state)  # `Starti [Basic] …`
    return False


def text_line(state: ScanState) -> bool:
    """Any other line: its wiki links are collected; an ID line here belongs to no block (the regex-card
    pass of the vault decides whose it is)."""
    card_id = id_of_line(state.text) if "ID:" in state.text else None
    if card_id is not None:
        state.result.loose_ids[state.line] = card_id
    if state.text.strip() == state.markers.end:
        lone_end_lint(state)
    _links(state, [state.text])
    state.line += 1
    return True


# --- helpers ---------------------------------------------------------------------------------------


def _yaml_key(state: ScanState, text: str) -> bool:
    """Whether a frontmatter line is a ``key:`` the YAML reading takes the deck or tags from
    (:func:`notes2anki.parsers.frontmatter.frontmatter_tags` / ``frontmatter_deck``: ``tags``, ``deck``,
    the two syntax words, any case) with a YAML value: a flow list, a quoted string, a block list on the
    next lines. Such a line is not read again as a ``FILE TAGS`` line: a renamed marker ``TAGS`` would
    else turn ``tags: [fm, two]`` into the tags ``[fm`` and ``two]``, and ``tags:`` + ``- gamma`` into
    ``-`` and ``gamma``. (Invalid YAML: the plugin's reading of the lines, see ``plugin_lines``.)"""
    key, colon, value = text.partition(":")
    value = value.strip()
    if not colon or (value and value[0] not in "[{\"'|>&*!"):  # plain words: the same as the YAML reads
        return False
    syntax = state.markers.syntax
    return key.strip().casefold() in {*TAG_KEYS, *DECK_KEYS, syntax.file_tags_line.casefold(),
                                      syntax.target_deck_line.casefold()}


def _keyed(state: ScanState, pattern: re.Pattern, stop: int) -> bool:
    if not state.markers.may_be_keyed(state.text):
        return False
    m = pattern.match(state.text.strip())
    if not m:
        return False
    no = state.line
    value = (m.group(2) or "").strip()
    consumed = 1
    if not value and no < stop:
        follow = state.lines[no].strip()
        if not _is_marker_line(state, follow):
            value, consumed = follow, 2
    marker = m.group(1).casefold()
    if marker == state.markers.syntax.target_deck_line.casefold():
        if value and state.result.target_deck is None:
            state.result.target_deck, state.result.target_deck_at = value, no
    else:
        state.result.file_tags.extend(split_tags(value))
    state.result.syntax_lines.update(range(no, no + consumed))
    state.line += consumed
    return True


def _is_marker_line(state: ScanState, text: str) -> bool:
    syntax = state.markers.syntax
    return (text in (syntax.begin_note, syntax.end_note) or text.startswith(syntax.begin_inline_note)
            or text.startswith(("#", syntax.target_deck_line, syntax.file_tags_line, "---")))


def _frozen(state: ScanState, pattern: re.Pattern, stop: int) -> bool:
    if not state.markers.may_be_frozen(state.text):
        return False
    m = pattern.match(state.text.strip())
    if not m:
        return False
    note_type = m.group(1).strip()
    start = state.line
    no = start + 1
    while no <= stop and state.lines[no - 1].strip() and no not in state.result.fenced:
        no += 1
    names = state.note_types.get(note_type)
    if names is None:
        state.report(start, "warning", "unknown-note-type",
                     f"FROZEN fields for unknown note type {note_type!r} ignored")
    else:
        state.result.frozen[note_type] = _frozen_text(state.lines[start:no - 1], names)
    state.result.syntax_lines.update(range(start, no))
    state.line = no
    return True


def _frozen_text(lines: list[str], names: list[str]) -> dict[str, str]:
    """The plugin's reading of a FROZEN block: like a card's fields, the first field implicit."""
    parts: dict[str, list[str]] = {}
    current = names[0]
    for line in lines:
        m = FIELD_LINE.match(line)
        if m and m.group(1) in names:
            current, line = m.group(1), m.group(2)
        parts.setdefault(current, []).append(line)
    return {name: "\n".join(text).strip() for name, text in parts.items() if "\n".join(text).strip()}


def _links(state: ScanState, lines: list[str]) -> None:
    for line in lines:
        if "[[" not in line:
            continue
        for m in WIKILINK.finditer(line):
            if not m.group(1):
                target = m.group(2).split("|", 1)[0].split("#", 1)[0].strip()
                if target:
                    state.result.links.append(target)


def _inline_card(state: ScanState, note_type: str, body: str, col: int) -> Card | None:
    if note_type not in state.note_types:
        state.report(state.line, "error", "unknown-note-type",
                     f"unknown note type {note_type!r} in inline card; card skipped"
                     f"{did_you_mean(note_type, state.note_types)}")
        return None
    card = Card(note_type=note_type, fields={}, file=state.rel, line=state.line, end_line=state.line,
                kind="inline", inline=True, col=col)
    idm = inline_id(body)
    if idm:
        card.id = id_number(idm.group(1))
        card.id_line = state.line
        body = (body[:idm.start()] + body[idm.end():]).strip()
    tm = INLINE_TAGS.match(body)
    if tm:
        card.tags = split_tags(tm.group(2))
        body = tm.group(1).strip()
    names = state.note_types[note_type]
    pattern = re.compile(r"(?:^|\s)(" + "|".join(re.escape(n) for n in names) + r"):\s")
    pieces = {n: "" for n in names}
    current, pos = names[0], 0
    for fm in pattern.finditer(body):
        pieces[current] = (pieces[current] + " " + body[pos:fm.start()]).strip()
        current, pos = fm.group(1), fm.end()
    pieces[current] = (pieces[current] + " " + body[pos:]).strip()
    card.fields = pieces
    inline_field_lint(state, card, body)
    return card
