"""Cards written in the plugin's custom styles: one regular expression per note type.

The plugin's settings hold a JavaScript regex per note type (heading style, Q/A, ``front::back``,
ruled, table, cloze paragraph, neuracache ...). Each match is a card; capture group i is field i.
What we follow from the plugin (``RegexFile.search`` / ``findignore`` in Obsidian_to_Anki):

- note types are searched in settings order, and a span matched by one type is claimed: a later
  type's match overlapping it is not a second card (issue 10 F6);
- a match *inside* fenced code is an example, not a card; a match that *contains* a code block is a
  card (F5); so is a match inside inline code, inline math or display math (the plugin's
  ``add_spans_to_ignore``; ``regex_ignore``);
- a ``Tags: a b`` at the end of a match gives the card's tags: each pattern is first tried followed by
  ``(Tags: .*)`` (the plugin's ``search_tags``), then alone;
- the ``<!--ID: n-->`` comment right after the match is the card's ID (or the plugin's plain ``ID: n`` line,
  which it writes with "ID Comments" off). We also read it when it is
  indented (an ID under an indented list item) and, with a warning, when blank lines separate it from
  the match; the next match starts after the ID, as in the plugin, whose pattern consumes it. A match
  that runs on over its ID line (the plugin tries each pattern followed by its ID regex first, and the
  engine gives the ID line back) ends with that ID: it is the card's; one that runs on past it into the
  next card (no blank line between) ends at the first ID line it can end with (``_end_at_own_id``);
- the Delete Note Line directly above the card's ID line marks it for deletion (the plugin's file-wide
  ``EMPTY_REGEXP``) and is not field text.

Matches overlapping START/END blocks or the frontmatter are not cards. Every pattern runs with the
``regex`` module and a time limit per file (``REGEX_TIMEOUT_S``): a pattern that runs out of time
gives a warning naming the file and the setting, and the rest of the vault builds. A file that lacks a
literal the pattern requires (``#fc``, `` #1``, ``::``) is skipped without running the pattern, and
when the part of the pattern before such a literal provably never spans a blank line, only the
paragraphs holding the literal are searched (``regex_anchor``).
"""
from __future__ import annotations

import bisect
import time
from functools import lru_cache

import regex

from ..model import REGEX_TIMEOUT, Card, Diagnostic
from ..config_lines import shown
from .js_regex import JsRegexError, compile_js
from .regex_anchor import anchor, start_regions
from .regex_ignore import ignore_spans, inside
from .syntax import COMMENT_ID, PLAIN_ID_IN_TEXT, id_number, split_tags

REGEX_TIMEOUT_S = 2.0  # per pattern and file (tried twice); documented in the README ("Limits")
ID_WINDOW = 4096  # how far after a match an ID comment's digits may start (characters)
# the ID after a match: optional blank lines (group 1), indentation, the comment (its digits: group 2) or the
# plugin's plain "ID: n" alone on its line (what it writes with "ID Comments" off; group 3)
_ID_AFTER_FORM = "(?:" + COMMENT_ID + "|" + PLAIN_ID_IN_TEXT + r"[ \t]*$)"
_ID_AFTER = regex.compile(r"((?:[ \t]*\n)*)[ \t]*" + _ID_AFTER_FORM, regex.M)
# an ID line that ends a match (the comment, or the plugin's plain "ID: n", see syntax.PLAIN_ID_IN_TEXT), on
# its own line
_ID_FORMS = "(?:" + COMMENT_ID + "|" + PLAIN_ID_IN_TEXT + ")"
_SWALLOWED_ID = regex.compile(r"\n[ \t]*" + _ID_FORMS + r"[ \t]*\n*\Z")
_ANY_ID_LINE = regex.compile(r"^[ \t]*" + _ID_FORMS + r"[ \t]*$", regex.M)
# appended to a custom pattern (JavaScript syntax, no groups): the pattern ending with an ID line, as the
# plugin's pattern + ID_REGEXP_STR (only the ID forms notes2anki reads; the line's end is the match's end)
_ID_SUFFIX_JS = r"\n[ \t]*(?:<!--[ \t]*ID:[ \t]*[0-9]+[ \t]*-->|ID:[ \t]*[0-9]{10,})[ \t]*"
_NEWLINE = regex.compile("\n")
_FENCE = regex.compile(r"^[ \t]*(`{3,}|~{3,})")
TAGS_LITERAL = "Tags: "  # the plugin's TAG_PREFIX: "Tags: a b" after a match gives the card's tags
TAGS_GROUP = "(Tags: .*)"  # the plugin's TAG_REGEXP_STR, appended to a pattern


_SPACES_LINE = regex.compile(r"\n[ \t]+(?=\n)")  # a line of spaces or tabs only (tester B r6: BenAgro)


def regex_cards(text: str, rel: str, regexps: dict[str, str], note_types: dict[str, list[str]],
                taken: list[tuple[int, int]], diagnostics: list[Diagnostic], delete: str = "DELETE") -> list[Card]:
    """Cards of every configured style in one note, in file order.

    ``text``: the note (``\\n`` line ends); ``rel``: its vault path for messages; ``regexps``: note type
    → JavaScript pattern, in settings order; ``note_types``: note type → field names; ``taken``:
    (start, end) 1-based line spans already used (block cards, frontmatter; single code lines are
    recognised and handled by the inside-code rule); ``delete``: the Delete Note Line (a card whose ID
    line has it directly above is marked ``delete``, as the plugin's file-wide ``EMPTY_REGEXP`` reads it,
    whatever the card's style). Problems go to ``diagnostics``.
    """
    cards: list[Card] = []
    lines = _LineIndex(text)
    ignored: list[tuple[int, int]] | None = None  # inline code and math, found when a pattern first runs
    fences = _fence_spans(text, lines)
    code_lines = {n for a, b in fences for n in range(a, b + 1)}
    blocked = [(a, b) for a, b in taken if not (a == b and a in code_lines)]
    claimed: list[tuple[int, int]] = []  # character spans already cards, sorted, disjoint

    for note_type, pattern in regexps.items():
        if not isinstance(pattern, str) or not pattern:
            continue
        setting = f'custom_regexps["{note_type}"]'
        if note_type not in note_types:
            diagnostics.append(Diagnostic("", 0, "warning",
                                          f"{setting}: custom regexp for unknown note type {shown(note_type)} ignored"))
            continue
        try:
            compiled, literals = compile_js(pattern)
        except JsRegexError as exc:
            diagnostics.append(Diagnostic("", 0, "error", f"{setting}: custom regexp for {note_type!r} "
                                                          f"is not valid: {exc}"))
            continue
        if any(lit not in text for lit in literals):
            continue  # a literal every match needs is absent: no card of this style here
        if ignored is None:
            ignored = ignore_spans(text)
        searches = [(compiled, False, _with_id(pattern))]
        if TAGS_LITERAL in text:  # the plugin's search_tags: pattern + "(Tags: .*)" first
            try:
                searches.insert(0, (compile_js(pattern + TAGS_GROUP)[0], True, _with_id(pattern + TAGS_GROUP)))
            except JsRegexError:
                pass
        found = None
        for _ in range(2):  # the limit is wall-clock: a process paused (sleep, swap, a busy machine) gets a retry
            said: list[Diagnostic] = []
            taken = list(claimed)
            deadline = time.monotonic() + REGEX_TIMEOUT_S
            try:
                found = []
                for search, with_tags, with_id in searches:
                    found += _search(search, text, lines, note_type, note_types[note_type], rel, fences,
                                     blocked, taken, said, ignored, deadline, with_tags, delete, with_id)
            except TimeoutError:
                found = None
                continue
            claimed[:] = taken
            diagnostics.extend(said)
            break
        if found is None:
            diagnostics.append(Diagnostic(rel, 0, "warning",
                                          f"{setting} took longer than {REGEX_TIMEOUT_S:g} s on this file, "
                                          "twice (the pattern backtracks too much, or the machine is too busy); "
                                          "no cards of this style read from this file", REGEX_TIMEOUT))
            continue
        cards.extend(found)
    cards.sort(key=lambda c: (c.line, c.col))
    return cards


def _search(compiled: regex.Pattern, text: str, lines: "_LineIndex", note_type: str, names: list[str],
            rel: str, fences: list[tuple[int, int]], blocked: list[tuple[int, int]],
            claimed: list[tuple[int, int]], diagnostics: list[Diagnostic], ignored: list[tuple[int, int]],
            deadline: float, with_tags: bool = False, delete: str = "DELETE",
            with_id: regex.Pattern | None = None) -> list[Card]:
    """The cards of one pattern's matches (``with_tags``: its last group is the ``Tags: …`` text; ``delete``:
    the Delete Note Line, see :func:`regex_cards`; ``with_id``: the pattern followed by an ID line, see
    :func:`_end_at_own_id`)."""
    found: list[tuple[Card, tuple[int, int]]] = []
    literal = _anchor(compiled.pattern)
    regions = start_regions(text, literal, 0) if literal else None
    pos = 0
    while pos <= len(text):
        m = None
        if with_id is not None and (first_id := _ANY_ID_LINE.search(text, pos)) is not None:
            # first up to the next ID line: a match that runs over it ends there anyway (_end_at_own_id), and
            # searching only that far keeps a file of cards written without blank lines linear (tester
            # 12-02: 1,100 such cards, each search running on to the file's end, ran out of time)
            m = _next_match(compiled, text, pos, regions, deadline, first_id.end())
        if m is None:
            m = _next_match(compiled, text, pos, regions, deadline)
        if m is None:
            break
        if with_id is not None:
            m = _end_at_own_id(m, with_id, text, deadline)
        start_off, end_off = m.span()
        pos = end_off if end_off > start_off else end_off + 1
        if not m.group(0).strip():
            continue
        start = lines.line_of(start_off)
        end = lines.line_of(max(start_off, end_off - 1))
        if any(a <= start and end <= b for a, b in fences):
            continue  # an example inside fenced code
        if any(a <= end and start <= b for a, b in blocked):
            continue
        if _overlaps(claimed, start_off, end_off):
            continue  # an earlier note type claimed this text
        if inside(ignored, start_off, end_off):
            continue  # an example inside inline code or math
        groups = [g or "" for g in m.groups()]
        tags = split_tags(groups.pop()[len(TAGS_LITERAL):]) if with_tags else []
        groups = groups[:len(names)]
        fields = {n: (groups[i] if i < len(groups) else "").strip() for i, n in enumerate(names)}
        card = Card(note_type=note_type, fields=fields, file=rel, line=start, end_line=end, kind="regex",
                    col=start_off - lines.starts[start - 1], tags=tags)
        if literal and any(literal.strip() in value for value in fields.values()):
            spaces = _SPACES_LINE.search(m.group(0))
            remedy = "put a blank line between them" if spaces is None else \
                f"line {lines.line_of(start_off + spaces.start() + 1)} between them holds only spaces or tabs, " \
                "which looks blank but is not for the card syntax: empty it"
            diagnostics.append(Diagnostic(rel, start, "warning", "the card's text holds another card of this "
                                          "style: cards written without a blank line between them are read as "
                                          f"one (as the plugin reads them) — {remedy}, "
                                          "else the card's note takes the text of both", "near-miss"))
        span_end = end_off
        if _take_swallowed_id(card, m.group(0), start_off, lines, delete):
            found.append((card, (start_off, span_end)))
            continue
        window = min(len(text), end_off + ID_WINDOW)
        idm = _ID_AFTER.match(text, end_off)  # linear: blank lines, then a comment or nothing
        marked = False
        if idm is None and delete and delete in text[end_off:window]:  # the match ended above the DELETE line
            idm = _delete_then_id(delete).match(text, end_off)
            marked = idm is not None
        digits = 0 if idm is None else 2 if idm.group(2) is not None else 3
        if idm is not None and idm.start(digits) > window:
            idm = None  # too far below (its digits, however many, may run past the window)
        if idm and not _overlaps(claimed, idm.start(digits), idm.end()) and not any(
                a <= lines.line_of(idm.start(digits)) <= b for a, b in blocked):
            card.id = id_number(idm.group(digits))
            card.id_line = lines.line_of(idm.start(digits))
            span_end = pos = max(pos, idm.end())
            card.delete = marked or _ends_with_delete(card, text[start_off:end_off], delete, lines,
                                                      start_off, idm.start(digits))
            if idm.group(1).count("\n") >= 2:
                last = text[start_off:end_off].rstrip(" \t\n").rsplit("\n", 1)[-1].strip()
                hint = (f"the card's last line is {delete}, which the blank line keeps as text (without it "
                        "the card would be marked for deletion)" if delete and last == delete else
                        "remove the blank lines so the plugin attaches it too")
                diagnostics.append(Diagnostic(rel, card.id_line, "warning",
                                              f"ID {card.id} is separated from its card (line {start}) by "
                                              f"blank lines; taken as that card's ID — {hint}"))
        elif delete and card.id is None and \
                text[start_off:end_off].rstrip(" \t\n").rsplit("\n", 1)[-1].strip() == delete:
            diagnostics.append(Diagnostic(rel, end, "warning", f"{delete} is read as the card's text: it marks "
                                          "a card for deletion only on the line above the card's ID line (this "
                                          "card has none; to drop it, delete the card)", "delete-without-id"))
        found.append((card, (start_off, span_end)))
    for _, span in found:
        bisect.insort(claimed, span)
    return [card for card, _ in found]


def _take_swallowed_id(card: Card, matched: str, start_off: int, lines: "_LineIndex", delete: str) -> bool:
    """When the match ends with an ID line (a pattern such as ``A: ((?:[^\\n][\\n]?)+)`` runs on over the
    ID comment), that ID is the card's: the plugin tries every pattern followed by its ``ID_REGEXP_STR``
    first, and the regex engine gives the ID line back to it. The ID line leaves the field that ends with
    it; a Delete Note Line right above it marks the card. Returns whether an ID was taken."""
    found = _SWALLOWED_ID.search(matched)
    if found is None or _ANY_ID_LINE.search(matched, 0, found.start()):
        return False  # none, or the match runs over other cards' IDs too (cards without a blank line between):
        # which ID is this card's cannot be told; each is reported as inside the card's text
    group = 1 if found.group(1) else 2
    line_text = matched[found.start():].strip()
    for name in reversed(list(card.fields)):
        if card.fields[name].endswith(line_text):
            card.fields[name] = card.fields[name][:len(card.fields[name]) - len(line_text)].rstrip()
            break
    card.id = id_number(found.group(group))
    card.id_line = lines.line_of(start_off + found.start(group))
    card.end_line = max(card.line, card.id_line - 1)
    card.delete = _ends_with_delete(card, matched[:found.start()], delete, lines, start_off,
                                    start_off + found.start(group))
    return True


@lru_cache(maxsize=64)
def _with_id(pattern: str) -> regex.Pattern | None:
    """``pattern`` (JavaScript) followed by an ID line: the plugin's ``pattern + ID_REGEXP_STR``; None when
    that does not compile (the pattern alone is used)."""
    try:
        return compile_js(pattern + _ID_SUFFIX_JS)[0]
    except JsRegexError:
        return None


def _end_at_own_id(m: regex.Match, with_id: regex.Pattern, text: str, deadline: float) -> regex.Match:
    """``m``, or, when it runs on over an ID line into the text below (the next card, written without a
    blank line between), the match from the same place that ends with the first ID line it can end with.

    The plugin tries every pattern followed by its ID regex before the pattern alone, so such a card ends at
    its ID line and the next card stays a card: ``Q #fc / A / DELETE / <!--ID: n--> / Q2 #fc / A2`` is two
    cards, the first marked for deletion. (Where the plugin's greedy pattern would end at the *last* ID line
    and make one card of several, taking the first keeps each card with its own note.) An ID line that ends
    ``m`` is left to :func:`_take_swallowed_id`."""
    matched = m.group(0)
    if "ID:" not in matched:
        return m
    for line in _ANY_ID_LINE.finditer(text, m.start(), m.end()):
        if not text[line.end():m.end()].strip():
            break  # the match's own last line
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        shorter = with_id.fullmatch(text, m.start(), line.end(), timeout=remaining)
        if shorter is not None:
            return shorter
    return m


@lru_cache(maxsize=8)
def _delete_then_id(delete: str) -> regex.Pattern:
    """:data:`_ID_AFTER` with the Delete Note Line alone on the line above the ID line (same groups); the
    line written more than once counts once (the plugin's marker is the last one, right above the ID)."""
    return regex.compile(r"((?:[ \t]*\n)*)(?:[ \t]*" + regex.escape(delete)
                         + r"[ \t]*\n){1,20}[ \t]*" + _ID_AFTER_FORM, regex.M)


def _ends_with_delete(card: Card, matched: str, delete: str, lines: "_LineIndex", start_off: int,
                      id_off: int) -> bool:
    """Whether the match's last line is the Delete Note Line and the card's ID line follows it directly;
    if so the marker is taken out of the field that ends with it (it is not card text)."""
    body = matched.rstrip(" \t\n")
    if not delete or body[body.rfind("\n") + 1:].strip() != delete:
        return False
    if lines.line_of(id_off) != lines.line_of(start_off + len(body) - 1) + 1:
        return False  # a blank line between: as in a START/END block, the marker does not count
    for name in reversed(list(card.fields)):
        value = card.fields[name]
        if value.endswith(delete):
            card.fields[name] = value[:len(value) - len(delete)].rstrip()
            return True
    return False


def _next_match(compiled: regex.Pattern, text: str, pos: int, regions: list[tuple[int, int]] | None,
                deadline: float, endpos: int | None = None) -> regex.Match | None:
    """The leftmost match starting at or after ``pos`` (and ending by ``endpos``, None: the text's end): one
    search, or, when ``regions`` (the only places a match can start, see ``regex_anchor``) are given, a match
    attempt per place in them. Raises ``TimeoutError`` past ``deadline``."""
    endpos = len(text) if endpos is None else endpos
    if regions is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        return compiled.search(text, pos, endpos, timeout=remaining)
    i = bisect.bisect_left(regions, (pos, -1))
    if i > 0 and regions[i - 1][1] >= pos:
        i -= 1
    for start, end in regions[i:]:
        if start > endpos:
            break
        for at in range(max(start, pos), min(end, endpos) + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            m = compiled.match(text, at, endpos, timeout=remaining)
            if m is not None:
                return m
    return None


def _anchor(source: str) -> str | None:
    return _ANCHORS[source] if source in _ANCHORS else _ANCHORS.setdefault(source, anchor(source))


_ANCHORS: dict[str, str | None] = {}


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) meets one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_right(spans, (start, float("inf")))
    if i > 0 and spans[i - 1][1] > start:
        return True
    return i < len(spans) and spans[i][0] < end


def _fence_spans(text: str, lines: "_LineIndex") -> list[tuple[int, int]]:
    """(first, last) 1-based lines of each fenced code block (``` or ~~~, CommonMark closing rule)."""
    spans: list[tuple[int, int]] = []
    open_at, marker = 0, ""
    for number, line in enumerate(text.split("\n"), 1):
        m = _FENCE.match(line)
        if not marker:
            if m:
                open_at, marker = number, m.group(1)
            continue
        if m and m.group(1)[0] == marker[0] and len(m.group(1)) >= len(marker) \
                and not line[m.end():].strip():
            spans.append((open_at, number))
            marker = ""
    if marker:
        spans.append((open_at, len(lines.starts)))
    return spans


class _LineIndex:
    """Offsets → 1-based line numbers, by binary search over line starts."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)
