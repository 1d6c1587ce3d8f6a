"""Near-miss lints: card syntax that is almost right and so would be lost without a word.

Each lint reports a ``file:line`` warning of kind "near-miss" saying what was probably meant. The line
lints are rules of the block chain (:mod:`notes2anki.parsers.blocks`); they only look, never consume.
They fire only when the surroundings make a card likely (a note type line follows, an END follows), so
ordinary prose that happens to begin with "Start" stays quiet.
"""
from __future__ import annotations

import re

from ..model import Card, Diagnostic
from .scan_state import ScanState
from ..config_syntax import Syntax
from .syntax import FIELD_LINE, fence_closes, fence_open

NEAR = "near-miss"
DEFAULT_INLINE = Syntax().begin_inline_note  # the plugin's default inline marker (STARTI)
LOOKAHEAD = 40
# control characters a marker line may hide (not tab, line breaks, or NEL, which Python reads as a space)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
CONTROL_NAMES = {"\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\x1b": "ESCAPE", "\x7f": "DELETE"}
CODE_SPAN = re.compile(r"`+[^`]*?`+")  # inline code on one line (as inline_syntax.PROTECTED reads it)  # lines searched for the END of a near-miss START


def _is_type_line(state: ScanState, text: str) -> bool:
    wanted = text.strip().casefold()
    return bool(wanted) and any(t.casefold() == wanted for t in state.note_types)


def _type_line_follows(state: ScanState, after: int) -> bool:
    """Whether the first non-blank line after ``after`` is a note type line."""
    lines, no = state.lines, after + 1
    while no <= len(lines) and not lines[no - 1].strip():
        no += 1
    return no <= len(lines) and _is_type_line(state, lines[no - 1])


def _block_follows(state: ScanState, after: int) -> bool:
    """Whether the lines after ``after`` look like a block's body: a note type line first (blank lines
    allowed), or an END line within LOOKAHEAD lines before any START."""
    lines = state.lines
    if _type_line_follows(state, after):
        return True
    for k in range(after + 1, min(len(lines), after + LOOKAHEAD) + 1):
        stripped = lines[k - 1].strip()
        if stripped == state.markers.begin:
            return False
        if stripped == state.markers.end:
            return True
    return False


def start_lint(state: ScanState) -> bool:
    """``Start`` / ``start`` / ``START:`` / ``START Basic`` where START was meant (never consumes)."""
    stripped = state.text.strip()
    begin = state.markers.begin
    default = Syntax().begin_note
    if begin != default and stripped == default and _type_line_follows(state, state.line):
        state.report(state.line, "warning", NEAR,
                     f"{default!r} is the plugin's default marker, but the markers are renamed ({begin!r} "
                     f"starts a card here, see [syntax] / the plugin's settings); not read as a card")
        return False
    if stripped.startswith(">"):
        _quoted_start(state, stripped, begin)
        return False
    if stripped and (not stripped.isascii() or CONTROL.search(stripped)) and len(stripped) <= 4 * len(begin) \
            and stripped != begin:
        _hidden_character_start(state, stripped, begin)
        return False
    if not stripped or stripped[0].casefold() != begin[0].casefold():
        return False
    if stripped == begin or not stripped.casefold().startswith(begin.casefold()):
        return False
    rest = stripped[len(begin):]
    trimmed = rest.strip(" \t:-.;")
    if trimmed and not _is_type_line(state, trimmed):
        return False
    if not trimmed and not _block_follows(state, state.line):
        return False
    if trimmed:
        hint = f"the note type goes on the line after {begin!r}: {begin!r}, then {trimmed!r}"
    elif rest:
        hint = f"{begin!r} stands alone on its line; did you mean {begin!r}?"
    else:
        hint = f"the markers are case-sensitive; did you mean {begin!r}?"
    state.report(state.line, "warning", NEAR, f"{stripped!r} does not start a card ({hint}); not read as a card")
    return False


def hidden_characters(text: str) -> list[str]:
    """The invisible characters of ``text``: Unicode format characters (a zero-width space pasted from a web
    page, a byte order mark, a soft hyphen, a direction mark), control characters other than spacing ones (a
    NUL byte, a bell, DEL: see :data:`CONTROL`) and variation selectors."""
    import unicodedata

    return [ch for ch in text if unicodedata.category(ch) == "Cf" or CONTROL.match(ch)
            or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"]


def reads_as(text: str, marker: str) -> tuple[bool, list[str]]:
    """Whether ``text`` (a stripped line, not ``marker`` itself) reads as ``marker`` once its invisible
    characters (:func:`hidden_characters`) are left out and its width normalised (fullwidth ``ＳＴＡＲＴ``:
    NFKC), and those characters."""
    import unicodedata

    hidden = hidden_characters(text)
    seen = unicodedata.normalize("NFKC", "".join(ch for ch in text if ch not in hidden)).strip()
    return seen == marker, hidden


def hidden_what(hidden: list[str]) -> str:
    """``an invisible character (U+200B ZERO WIDTH SPACE)``, or the other width's words, for a message."""
    import unicodedata

    names = (unicodedata.name(ch, "") or CONTROL_NAMES.get(ch, "control character") for ch in hidden)
    what = ", ".join(dict.fromkeys(f"U+{ord(ch):04X} {name}" for ch, name in zip(hidden, names)))
    return f"an invisible character ({what})" if hidden else "characters of another width or form"


def _hidden_character_start(state: ScanState, stripped: str, begin: str) -> None:
    """``START`` with an invisible character in it (a zero-width space pasted from a web page, a soft
    hyphen, a BOM: Unicode format characters; a NUL byte or another control character) or in another width
    (fullwidth ``ＳＴＡＲＴ``: NFKC), with a block's body after it: the plugin reads no card there, and
    neither does notes2anki, so say which character."""
    seen, hidden = reads_as(stripped, begin)
    if not seen or not _block_follows(state, state.line):
        return
    state.report(state.line, "warning", NEAR, f"this line reads {begin!r} but holds {hidden_what(hidden)}; "
                                              f"not read as a card (type {begin!r} again)")


def _quoted_start(state: ScanState, stripped: str, begin: str) -> None:
    """``> START`` with a quoted note type line after it: a card inside a quote or an Obsidian callout,
    which the plugin does not read either (a card starts at the beginning of a line)."""
    if stripped.lstrip("> \t") != begin:
        return
    lines, no = state.lines, state.line + 1
    while no <= len(lines) and not lines[no - 1].strip().lstrip("> \t"):
        no += 1
    if no <= len(lines) and lines[no - 1].strip().startswith(">") \
            and _is_type_line(state, lines[no - 1].strip().lstrip("> \t")):
        state.report(state.line, "warning", NEAR,
                     f"a card inside a quote or callout ('> {begin}') is not read as a card (nor by the plugin); "
                     "write it outside the callout")


def end_near_miss(state: ScanState, start: int, stop: int) -> int | None:
    """The first line after ``start`` (before ``stop``) that looks like a mistyped END: ``End``, ``end``,
    ``END:`` …, ``END`` with an invisible character in it (:func:`reads_as`); None."""
    end = state.markers.end
    for no in range(start + 1, min(stop, len(state.lines) + 1)):
        stripped = state.lines[no - 1].strip()
        if stripped != end and stripped.casefold().rstrip(" \t:-.;") == end.casefold():
            return no
        if stripped and stripped != end and (not stripped.isascii() or CONTROL.search(stripped)) \
                and len(stripped) <= 4 * len(end) and reads_as(stripped, end)[0]:
            return no  # `EN\u200bD`: an invisible character in it
    return None


def inline_lint(state: ScanState, covered: list[tuple[int, int]]) -> None:
    """An inline card start (``STARTI [Type]``) on the current line that no ENDI closes."""
    line, syntax = state.text, state.markers.syntax
    begin, end_inline, end = syntax.begin_inline_note, syntax.end_inline_note, syntax.end_note
    covered = covered + [m.span() for m in CODE_SPAN.finditer(line)]  # `STARTI [Basic] …`: an example
    pos = line.find(begin)
    while pos >= 0:
        if not any(a <= pos < b for a, b in covered):
            after = line[pos + len(begin):].lstrip()
            close = after.find("]")
            bare = _bare_type(state, after) if not after.startswith("[") else None
            if bare:
                state.report(state.line, "warning", NEAR,
                             f"inline card's note type without brackets; did you mean {begin} [{bare}] …? "
                             "Card not read")
                return
            if after.startswith("[") and close > 1 and _is_type_line(state, after[1:close]):
                if line.rstrip().endswith(end) and not line.rstrip().endswith(end_inline):
                    state.report(state.line, "warning", NEAR,
                                 f"inline card closed by {end!r}; did you mean {end_inline!r}? Card not read")
                else:
                    state.report(state.line, "warning", "no-end",
                                 f"inline card has no {end_inline!r} on its line (an inline card is one line); "
                                 "card not read")
                return
        pos = line.find(begin, pos + 1)
    default = DEFAULT_INLINE
    if begin != default and default in line and not any(a <= line.find(default) < b for a, b in covered):
        after = line[line.find(default) + len(default):].lstrip()
        close = after.find("]")
        if after.startswith("[") and close > 1 and _is_type_line(state, after[1:close]):
            state.report(state.line, "warning", NEAR,
                         f"{default!r} is the plugin's default inline marker, but the markers are renamed "
                         f"({begin!r} starts an inline card here); not read as a card")


def _bare_type(state: ScanState, after: str) -> str | None:
    """The note type that ``after`` (the text after an inline start marker) begins with, unbracketed and
    followed by a space (``STARTI Basic What is ATP? …``), else None."""
    folded = after.casefold()
    return next((t for t in sorted(state.note_types, key=len, reverse=True)
                 if folded.startswith(t.casefold() + " ")), None)


def lone_end_lint(state: ScanState) -> None:
    """An ``END`` line that closes no card (outside code): its ``START`` is mistyped (``STRAT``,
    ``## START``, ``**START**``) unless a message already says so above it. A near miss, so ``sync``
    keeps the notes of the file (the card is there, unread)."""
    if any(d.kind == NEAR and d.file == state.rel and d.line < state.line for d in state.diagnostics):
        return
    state.report(state.line, "warning", NEAR, f"{state.markers.end!r} here closes no card: is the "
                 f"{state.markers.begin!r} line above it mistyped? Not read as a card")


def inline_case_lint(state: ScanState) -> None:
    """An inline start marker in another case (``Starti [Basic] …``) opening a card that an inline end
    marker closes on the line: the plugin reads no card there either, so say so at the line."""
    line, syntax = state.text, state.markers.syntax
    begin, end_inline = syntax.begin_inline_note, syntax.end_inline_note
    folded = line.casefold()
    pos = folded.find(begin.casefold())
    if pos < 0 or begin in line or not line.rstrip().casefold().endswith(end_inline.casefold()):
        return
    if any(a <= pos < b for a, b in (m.span() for m in CODE_SPAN.finditer(line))):
        return
    after = line[pos + len(begin):].lstrip()
    close = after.find("]")
    if after.startswith("[") and close > 1 and _is_type_line(state, after[1:close]):
        state.report(state.line, "warning", NEAR, f"{line[pos:pos + len(begin)]!r} does not start an inline card "
                     f"(the marker is {begin!r}, in capitals); not read as a card")


def field_case_lint(state: ScanState, no: int, text: str, names: list[str]) -> None:
    """``back:`` / ``Back :`` in a card whose type has a field ``Back``: the line switches nothing."""
    m = FIELD_LINE.match(text)
    if not m or m.group(1) in names:
        return
    written = m.group(1)
    for name in names:
        if written.strip().casefold() == name.casefold():
            state.report(no, "warning", NEAR,
                         f"{written + ':'!r} does not start the field {name!r} (field names are case-sensitive "
                         f"and have no space before ':'); the line stays in the field above. Did you mean "
                         f"{name + ':'!r}?")
            return


def missing_second_field(state: ScanState, card: Card) -> None:
    """A two-field card whose second field is empty though its answer is plainly on the front: a line
    that is just the field's name (``Back``, ``Back -``), or a question line followed by more lines."""
    names = state.note_types[card.note_type]
    if len(names) != 2 or card.fields.get(names[1]) or card.kind != "block":
        return
    lines = card.fields.get(names[0], "").split("\n")
    second = names[1]
    for i, line in enumerate(lines):
        head, colon, _ = line.partition(":")
        if i and head.strip().rstrip(" \t-–—=>.").casefold() == second.casefold():
            if not colon:  # with a colon, field_case_lint has said it
                state.report(card.line, "warning", NEAR,
                             f"no {second + ':'!r} line: {line.strip()!r} is read as part of {names[0]!r}; "
                             f"did you mean {second + ':'!r}?")
            return
    text = [line for line in lines if line.strip()]
    if len(text) >= 2 and text[0].rstrip().endswith(("?", "？")) and not text[1].rstrip().endswith(("?", "？")):
        state.report(card.line, "warning", NEAR,
                     f"no {second + ':'!r} line: the answer after {text[0].strip()[:40]!r} is on the front "
                     f"and {second!r} is empty; did you mean {second + ':'!r} before {text[1].strip()[:40]!r}?")


def card_problems(card: Card, names: list[str], syntax: Syntax | None = None) -> Diagnostic | None:
    """Why a parsed card cannot become an Anki card, or None: every field empty, or (for a type whose
    front shows only its first field) an empty first field — Anki imports such a note without a card.
    ``syntax``: the marker words the hint names (the plugin's when None)."""
    if not any(value.strip() for value in card.fields.values()):
        return Diagnostic(card.file, card.line, "warning", "empty card (no text in any field); skipped",
                          "empty-card")
    if names and not card.fields.get(names[0], "").strip() and card.note_type != "Basic (and reversed card)":
        return Diagnostic(card.file, card.line, "warning",
                          f"empty front: {names[0]!r} has no text, so Anki would make no card; skipped "
                          f"({_empty_front_hint(card, syntax or Syntax())})", "empty-front")
    return None


def _empty_front_hint(card: Card, syntax: Syntax) -> str:
    """Where the question of a card with an empty front probably is, naming the markers in use."""
    if card.kind == "inline":
        return f"is the question after a field line? It goes right after {syntax.begin_inline_note} [Type]"
    if card.kind == "regex":
        return "does the custom regex capture the question in its first group?"
    return f"is the question above the {syntax.begin_note} line, or after a field line?"


def unclosed_fence_lint(state: ScanState) -> None:
    """A code fence opened and never closed turns every card below it into an example: warn at the fence
    when card markers follow it (a half-typed code block; ```` ```` ```` "closed" by ```` ``` ````), so
    the cards are not silently lost and ``sync`` does not delete their notes. Looks at the final fenced
    lines (:attr:`FileScan.fenced`), after the scan."""
    lines, fenced = state.lines, state.result.fenced
    if len(lines) not in fenced:
        return
    start = len(lines)
    while start - 1 in fenced and start - 1 >= state.body_start:
        start -= 1
    fence, opened = None, 0
    for no in range(start, len(lines) + 1):  # the fence still open at the end of the file, if any
        if fence is None:
            fence = fence_open(lines[no - 1])
            opened = no
        elif fence_closes(lines[no - 1], fence):
            fence = None
    if fence is None:
        return
    begin, inline = state.markers.syntax.begin_note, state.markers.syntax.begin_inline_note
    hidden = sum(1 for no in range(opened + 1, len(lines) + 1)
                 if lines[no - 1].strip() == begin or inline in lines[no - 1])
    if hidden:
        state.report(opened, "warning", NEAR,
                     f"this code fence ({fence}) is never closed: the {hidden} card"
                     f"{'s' if hidden > 1 else ''} below it {'are' if hidden > 1 else 'is'} read as code, "
                     f"not as {'cards' if hidden > 1 else 'a card'} (close it with a {fence} line)")


INLINE_BUILTIN_FIELDS = ("Front", "Back", "Text", "Back Extra", "Extra", "Add Reverse")


def inline_field_lint(state: ScanState, card: Card, body: str) -> None:
    """An inline card whose field name is almost right: ``back:``, ``Back :``, ``Back:dog`` (the plugin
    switches field only at a word that is exactly ``Name:``), or ``Text:`` in a Basic card (a field of
    another note type). The text after it stays in the field before, so the front swallows the back. Said
    once per card, only when the field it would have started is empty (a card whose back is there is a
    correct card, whatever its question says); code spans are not looked at."""
    names = state.note_types[card.note_type]
    later = [n for n in names[1:] if not card.fields.get(n)]
    if not later:
        return
    words = CODE_SPAN.sub(" ", body).split()
    own = {n.casefold(): n for n in names}
    others = {f for fields in state.note_types.values() for f in fields} | set(INLINE_BUILTIN_FIELDS)
    others = {f for f in others if f.casefold() not in own}
    for i, word in enumerate(words):
        for size in (2, 1):  # a two-word name first ("Back Extra:")
            if i + 1 < size:
                continue
            head = " ".join(words[i + 1 - size:i + 1])
            name, colon, rest = head.partition(":")
            meant = own.get(name.casefold())
            if colon and meant in later and (name != meant or rest):
                how = ("field names are case-sensitive" if not rest else "a space goes after ':'")
                _inline_near(state, card, head, meant, how)
                return
            if not colon and meant in later and i + 1 < len(words) and words[i + 1] == ":":
                _inline_near(state, card, head + " :", meant, "no space goes before ':'")
                return
            if colon and not rest and name in others and size == len(name.split()):
                _inline_near(state, card, head, later[0], f"{name!r} is a field of another note type; {card.note_type!r} "
                             f"has {', '.join(names)}")
                return


def _inline_near(state: ScanState, card: Card, written: str, meant: str, how: str) -> None:
    state.report(card.line, "warning", NEAR,
                 f"{written!r} does not start the field {meant!r} of this inline {card.note_type!r} card ({how}); "
                 f"the text after it stays in {state.note_types[card.note_type][0]!r} and {meant!r} is empty. "
                 f"Did you mean {meant + ':'!r}?")
