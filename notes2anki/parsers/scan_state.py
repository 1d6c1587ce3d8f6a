"""What the block rules share while they walk one note: the lines, the cursor, and what was found."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Card, Diagnostic, Heading
from .syntax import Markers, fence_closes, fence_open


@dataclass
class FileScan:
    """What one note holds besides its prose: its cards and its file-level lines."""

    cards: list[Card] = field(default_factory=list)
    target_deck: str | None = None
    target_deck_at: int = 0  # 1-based line of the TARGET DECK line that set ``target_deck``
    file_tags: list[str] = field(default_factory=list)
    frozen: dict[str, dict[str, str]] = field(default_factory=dict)  # note type -> field -> text
    headings: list[Heading] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    fenced: set[int] = field(default_factory=set)  # 1-based lines inside fenced code (fences too)
    syntax_lines: set[int] = field(default_factory=set)  # TARGET DECK / FILE TAGS / FROZEN lines (1-based)
    inline_spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # line -> STARTI…ENDI spans
    loose_ids: dict[int, int] = field(default_factory=dict)  # 1-based line -> ID: ID lines outside blocks


@dataclass
class ScanState:
    """The cursor and context of one scan. A rule reads ``lines[line - 1]`` (and beyond) and, when it
    consumes lines, moves ``line`` past them."""

    lines: list[str]
    rel: str
    note_types: dict[str, list[str]]
    markers: Markers
    diagnostics: list[Diagnostic]
    body_start: int  # 1-based line where the body starts (earlier lines are frontmatter)
    result: FileScan
    line: int = 1
    text: str = ""  # the current line, ``lines[line - 1]`` (set by the runner before the rules run)

    def report(self, line: int, severity: str, kind: str, message: str) -> None:
        """Add a Diagnostic for this note at 1-based ``line`` (``severity`` "error" | "warning", ``kind``
        one of :data:`notes2anki.model.KINDS`)."""
        self.diagnostics.append(Diagnostic(self.rel, line, severity, message, kind))

    def refence(self, after: int) -> None:
        """Recompute fenced code from line ``after`` on (a fence left open inside a card ends with it)."""
        self.result.fenced = {n for n in self.result.fenced if n < after} | fenced_lines(self.lines, after)


def fenced_lines(lines: list[str], first: int = 1) -> set[int]:
    """1-based numbers of the lines that belong to fenced code blocks (fence lines included).

    ``first``: the line to start at (earlier lines are not looked at)."""
    fence, out = None, set()
    for no in range(first, len(lines) + 1):
        line = lines[no - 1]
        if fence is None:
            fence = fence_open(line)
            if fence:
                out.add(no)
        else:
            out.add(no)
            if fence_closes(line, fence):
                fence = None
    return out
