"""The one data model every stage reads: Diagnostic, Card, Note, Vault.

Parsers produce these objects; the deck builder, the semantic layer and the CLI only read them.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def where_order(where: str) -> tuple[str, int]:
    """A sort key for a ``file:line`` place: by file, then by line as a number (``:5`` before ``:14``)."""
    file, _, line = where.rpartition(":")
    return (file, int(line)) if line.isascii() and line.isdigit() else (where, 0)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A message for the user about one place in the vault.

    ``kind`` is a short stable code for grouping (``check``, summaries, ``--json``): e.g. "no-end",
    "unknown-note-type", "orphan-id", "empty-card", "near-miss" (the full list: ``KINDS``). "" when the
    producer gave none; :attr:`code` then falls back to the severity.
    """

    file: str  # vault-relative POSIX path ("" for the vault as a whole)
    line: int  # 1-based; 0 when the message is about the whole file
    severity: str  # "error" | "warning"
    message: str
    kind: str = field(default="", compare=False)

    @property
    def code(self) -> str:
        """``kind``, or "other-error" / "other-warning" when none was given."""
        return self.kind or f"other-{self.severity}"

    def __str__(self) -> str:
        file = shown_path(self.file)
        where = f"{file}:{self.line}" if self.line else (file or "vault")
        return f"{where}: {self.severity}: {printable(self.message)}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown_path(path: str) -> str:
    """A vault path as one printable line: a line break, tab or other control character in a file name
    becomes its escape (``a\\nb.md``), so a message or a list of files keeps one file a line."""
    return printable(path)


def printable(text: str) -> str:
    """``text`` with every control character (C0, DEL, C1: ESC above all) as its escape (``\\x1b``), for
    a terminal: card text or a file name from a shared vault must not clear the screen or set the
    window title through an escape sequence."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text) if text else text


@dataclass
class Card:
    """One flashcard (an Anki note) as written in the vault.

    ``fields`` holds the Markdown source of each field, in the note type's field order (absent
    fields are ""); ``html`` the rendered Anki HTML, filled in by the renderer.
    """

    note_type: str
    fields: dict[str, str]
    file: str  # vault-relative POSIX path of the note file
    line: int  # 1-based line of START (or of the inline card / regex match)
    end_line: int = 0
    col: int = 0  # 0-based column where an inline card / regex match starts on ``line`` (blocks: 0)
    tags: list[str] = field(default_factory=list)
    deck: str = "Default"
    id: int | None = None  # the <!--ID: n--> written in the file
    id_line: int = 0  # 1-based line holding the ID (0: none)
    delete: bool = False
    inline: bool = False
    kind: str = "block"  # block | inline | regex
    html: dict[str, str] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)  # vault paths of embedded files
    links: list[str] = field(default_factory=list)  # wiki-link targets in the fields
    context: str = ""  # "path > heading > heading" at the card's position

    @property
    def where(self) -> str:
        """``file:line`` of the card (vault-relative path, 1-based line of START or of the inline card)."""
        return f"{self.file}:{self.line}"

    @property
    def key(self) -> tuple[str, int, int]:
        """The card's place in the vault, ``(file, line, col)``: unique within one parse of a vault and
        stable while the file is unchanged. Key per-card data by this, never by ``id(card)``."""
        return (self.file, self.line, self.col)

    @property
    def front(self) -> str:
        """Markdown of the first field."""
        return next(iter(self.fields.values()), "")


@dataclass
class Heading:
    """A Markdown heading of a note: level 1-6, its text, its 1-based line."""

    level: int
    text: str
    line: int


@dataclass
class Note:
    """One Markdown file of the vault."""

    path: str  # vault-relative POSIX path
    text: str  # decoded text, BOM removed, line endings normalised to \n
    frontmatter: dict[str, Any] = field(default_factory=dict)
    body_start: int = 1  # 1-based line where the body starts after frontmatter
    cards: list[Card] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # wiki-link targets, as written
    headings: list[Heading] = field(default_factory=list)
    syntax_lines: set[int] = field(default_factory=set)  # TARGET DECK / FILE TAGS / FROZEN lines (1-based)
    # 1-based line -> (start, end) columns (0-based, end exclusive) of each ``STARTI [Type] … ENDI`` on it,
    # recognised with the vault's own marker words (a skipped inline card, e.g. of an unknown type, too)
    inline_spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The note's name as written in a wiki link: file name without .md."""
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.lower().endswith(".md") else base


@dataclass
class Vault:
    """A parsed vault: its notes (with their cards), every diagnostic, every file (vault paths)."""

    root: Path
    notes: list[Note] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file (not only .md), vault-relative
    # (folder, where it is named) of each template folder (template_folders.py), set by load_vault; None:
    # not known (a Vault made otherwise), read from the Obsidian settings when needed
    template_folders: list[tuple[str, str]] | None = None
    shared_ids: set[int] = field(default_factory=set)  # IDs two cards carry: both left out (id_lines.py)

    @property
    def name(self) -> str:
        """The vault's folder name (after resolving links): what Obsidian calls the vault."""
        return self.root.resolve().name

    @property
    def cards(self) -> list[Card]:
        """Every card of every note, in note then line order."""
        return [c for n in self.notes for c in n.cards]

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics of severity ``error``."""
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The diagnostics of severity ``warning``."""
        return [d for d in self.diagnostics if d.severity == "warning"]

    def note(self, path: str) -> Note | None:
        """The note at vault-relative ``path``, or None."""
        return next((n for n in self.notes if n.path == path), None)


# The note types notes2anki ships, with their fields in order. The deck builder turns these into
# Anki note types (notes2anki/decks/notetypes.py); users may add their own in the configuration.
BUILTIN_FIELDS: dict[str, list[str]] = {
    "Basic": ["Front", "Back"],
    "Basic (and reversed card)": ["Front", "Back"],
    "Basic (optional reversed card)": ["Front", "Back", "Add Reverse"],
    "Basic (type in the answer)": ["Front", "Back"],
    "Cloze": ["Text", "Back Extra"],
}


def cloze_type(note_type: str, spec: dict | None = None) -> bool:
    """Whether a note type is a cloze type: its name contains "Cloze" (the plugin's rule,
    ``note_type.includes("Cloze")``), unless its configuration says ``cloze = false``; or its
    configuration says ``cloze = true``. ``spec``: the type's table from the configuration, if any."""
    if isinstance(spec, dict) and isinstance(spec.get("cloze"), bool):
        return spec["cloze"]
    return "Cloze" in note_type


def is_cloze(note_type: str, config=None) -> bool:
    """:func:`cloze_type` with the type's settings from ``config`` (a :class:`notes2anki.config.Config`,
    or None for the name rule alone). The one cloze rule of the package."""
    types = getattr(config, "note_types", None) or {}
    return cloze_type(note_type, types.get(note_type))


def note_type_fields(custom: dict[str, dict] | None = None) -> dict[str, list[str]]:
    """Every known note type → its field names: the built-in ones plus the configured ones."""
    known = dict(BUILTIN_FIELDS)
    for name, spec in (custom or {}).items():
        flds = spec.get("fields") if isinstance(spec, dict) else None
        if isinstance(flds, list) and flds and all(isinstance(f, str) for f in flds):
            known[name] = list(flds)
    return known


SKIPPED_PATH = "skipped-path"  # the kind of the vault walk's warnings about files and folders it left out
REGEX_TIMEOUT = "regex-timeout"  # a custom regex ran out of time on a file: its cards of that style were not read

# Diagnostic kinds the parser gives (``Diagnostic.kind``) → what they mean, for summaries and `check`.
KINDS: dict[str, str] = {
    "config": "a configuration problem (an error stops commands; a warning says what was ignored)",
    "no-end": "a block or inline card is not closed; the card is skipped",
    "empty-block": "START and END with nothing between",
    "template-like": "a folder named like templates whose cards are built while template_folders does not say",
    "no-cards": "the vault's notes hold no card in the syntax the settings describe (markers, custom regexes)",
    "unknown-note-type": "a note type the configuration does not know; the card is skipped",
    "unknown-field": "a field line the card's note type does not have; the card is skipped",
    "duplicate-id": "two cards carry one ID; both are skipped (the Anki note is left as it is)",
    "bad-id": "an ID that no Anki note can have (0, or above 2^63 - 1: a damaged ID line); the card is skipped",
    "orphan-id": "an ID line that belongs to no card: its Anki note will not be updated",
    "id-after-blank": "an ID separated from its card by blank lines (taken as the card's)",
    "empty-card": "a card with no text in any field; skipped",
    "empty-front": "a card whose front is empty, so Anki makes no card; skipped",
    "near-miss": "card syntax that is almost right (what was probably meant is said)",
    "no-cloze": "a cloze card without a cloze deletion",
    "cloze-zero": "a {{c0::…}} cloze: Anki numbers clozes from 1 and ignores c0",
    "cloze-number": "a cloze numbered above c65536, which Anki refuses (the whole package); the card is skipped",
    "deck-name": "a deck name that cannot be used as written: empty parts between '::' (dropped), a frontmatter "
                 "deck: that is not text (not used), two spellings Anki holds as one deck",
    "tag-name": "a tag with empty levels between '::', a control character or a space (read as Anki keeps it), "
                "or frontmatter tags that are not tags (a mapping, true/false: not used)",
    "missing-media": "an embedded file that is not in the vault",
    "ambiguous-link": "an embed or wiki link whose name several vault files share: which one is used and why, "
                      "and how to choose (write the path)",
    "delete-without-id": "a DELETE line that marks no card (no ID line right below it): read as the card's text",
    "id-in-code": "an ID the plugin wrote inside a code block, above the END of its card: read as that card's ID",
    "regex-timeout": "a custom regex that ran out of time on a file: no cards of its style read from that file",
    "conflict-marker": "a card holding an unresolved git merge conflict (<<<<<<< … >>>>>>>); built as written",
    "render": "a field that could not be rendered as written (embeds, links, control characters Anki removes)",
    "skipped-path": "a file or folder left out (a link leading outside the vault, a name that is not UTF-8, "
                    "a folder that cannot be read); `sync` deletes none of the Anki notes it may hold",
    "other-error": "other errors (each message says what)",
    "other-warning": "other warnings (each message says what)",
}
