"""The card syntax of the Obsidian_to_Anki plugin as an ordered chain of small line rules.

``scan(text, ...)`` walks the lines of one note once. At each line the rules of :data:`RULES` are tried
in order (markdown-it-py's block ``Ruler`` is the model); the first that consumes the line moves the
cursor past what it consumed, and the walk goes on from there. Rules that only look (headings, the
near-miss lints) return False so the next rule still sees the line. ``text_line``, last, consumes any
line. The marker words come from ``config.syntax`` (:class:`notes2anki.config.Syntax`).

To add a rule: write ``def my_rule(state: ScanState) -> bool`` and put it in :data:`RULES` where it
must run.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config import Syntax
from ..model import Diagnostic
from . import block_rules as rules
from .lints import start_lint, unclosed_fence_lint
from .scan_state import FileScan, ScanState, fenced_lines
from .syntax import markers

__all__ = ["RULES", "Rule", "FileScan", "ScanState", "scan", "fenced_lines"]


@dataclass(frozen=True)
class Rule:
    """A named rule of the chain: ``apply(state)`` → whether it consumed the current line."""

    name: str
    apply: Callable[[ScanState], bool]


RULES: tuple[Rule, ...] = (
    Rule("frontmatter", rules.frontmatter),
    Rule("fenced_code", rules.fenced_code),
    Rule("block", rules.block),
    Rule("start_near_miss", start_lint),
    Rule("heading", rules.heading_line),
    Rule("file_line", rules.file_line),
    Rule("frozen_fields", rules.frozen_fields),
    Rule("inline_cards", rules.inline_cards),
    Rule("text", rules.text_line),
)


def scan(text: str, rel: str, note_types: dict[str, list[str]], diagnostics: list[Diagnostic],
         first_line: int = 1, syntax: Syntax | None = None) -> FileScan:
    """Find the cards and file-level lines of one note.

    ``text``: the note, ``\\n`` line ends. ``rel``: its vault path, for messages. ``note_types``: type
    name → field names. ``first_line``: 1-based line where the body starts after frontmatter (inside
    the frontmatter only TARGET DECK / FILE TAGS / FROZEN lines are read). ``syntax``: the marker words
    (plugin defaults when None). A syntax line that starts with a stray byte order mark or zero-width
    character is read without it (:meth:`Markers.recognisable`). Problems are appended to
    ``diagnostics``; never raises."""
    marks = markers(syntax)
    names = frozenset(note_types).union(*note_types.values())
    lines = [marks.recognisable(line, names) for line in text.split("\n")]
    state = ScanState(lines=lines, rel=rel, note_types=note_types, markers=marks,
                      diagnostics=diagnostics, body_start=first_line, result=FileScan())
    state.result.fenced = fenced_lines(lines, first_line)
    chain = [rule.apply for rule in RULES]
    while state.line <= len(lines):
        before = state.line
        state.text = lines[before - 1]
        for apply in chain:
            if apply(state):
                break
        if state.line <= before:  # a rule must move the cursor when it consumes; never loop
            state.line = before + 1
    unclosed_fence_lint(state)
    return state.result
