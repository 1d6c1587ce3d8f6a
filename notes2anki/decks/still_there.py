"""Whether a card not found this time may still be in the vault (:class:`StillThere`): asked by ``sync`` before
it deletes a note and by ``build`` before it lists one to delete in Anki. Moved from sync_guards.py when that
outgrew its size.
"""
from __future__ import annotations

from collections.abc import Callable

import re
from pathlib import Path

from ..config import Config
from ..model import REGEX_TIMEOUT, SKIPPED_PATH, Vault
from ..parsers.lints import NEAR as NEAR_MISS
from ..parsers.syntax import ID_COMMENT, id_number

# the kinds of warning that say a card at that place was not read: its notes are not gone
NOT_READ = frozenset({NEAR_MISS, "no-end", "empty-card", "empty-front", REGEX_TIMEOUT})


def _template_notes(vault: Vault, config: Config) -> set[str]:
    """The notes of the vault's template folders, which ``skip_template_cards`` leaves unbuilt."""
    if not getattr(config, "skip_templates", True):
        return set()
    from ..template_folders import in_folder, template_folders

    known = vault.template_folders if vault.template_folders is not None else template_folders(vault.root, config)
    folders = [f for f, _ in known]
    return {n.path for n in vault.notes if any(in_folder(n.path, f) for f in folders)} if folders else set()


def _letters(text: str) -> str:
    """``text``'s letters and digits only, case folded, HTML entities read (``&amp;`` is ``&``)."""
    import html

    import unicodedata

    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFC", html.unescape(text)).casefold())


def _name(file: str) -> str:
    """A vault path's file name, without its folders, in Unicode NFC."""
    import unicodedata

    return unicodedata.normalize("NFC", file.rpartition("/")[2])


class StillThere:
    """Whether a card not found this time may still be in the vault (see the module doc), asked per
    card by ``file:line`` and ID: its file gave an error or a near miss, is empty now (a save caught half
    way, a cloud placeholder), was left out (a skipped path, a template folder), the vault gave no cards
    at all, or its ID line is still in a note. :meth:`reason` says which (None: it is gone). Shared by
    ``sync``'s deletions and ``build``'s list of cards to delete in Anki."""

    def __init__(self, vault: Vault, config: Config) -> None:
        self.vault, self.config = vault, config
        # a file that gave an error, or a near miss (``Start`` for ``START``: the card is there, mistyped)
        # or any other message that a card there was not read (an inline card with no ENDI, an empty card, a
        # custom regex out of time)
        self.failed = {d.file for d in vault.diagnostics
                       if d.file and (d.severity == "error" or d.kind in NOT_READ)}
        # a custom regex set for a note type that does not exist: every card of that style is unread
        self.unused_styles = tuple(getattr(config, "unused_regexps", ()))
        self.kept_cards = any(not c.delete for c in vault.cards)
        # A file or folder the walk left out (a link outside the vault, a name that is not UTF-8, a folder
        # that cannot be read) may hold the cards of any note whose file was not read this time (it may have
        # been moved or renamed there): those notes are kept, not deleted.
        self.unread = bool(any(d.kind == SKIPPED_PATH for d in vault.diagnostics))
        self.read = set(vault.files) if self.unread else set()
        self.left_out = _template_notes(vault, config)  # notes read but not built: their cards are not gone
        # a note file that is empty now: more likely a save caught half-way (truncate, then write) or a sync
        # client's placeholder than every card deleted on purpose
        self.emptied = {n.path for n in vault.notes if not n.text.strip()}
        self._ids: set[int] | None = None  # every ID line of the vault, read only when a card seems gone
        self._note_ids: set[int] = set()  # those in the notes read
        self._excluded_ids: set[int] = set()  # those in the files the settings leave out
        # a note file the walk found but did not read: the settings leave it out now (``ignore``,
        # ``scan_directory``, the plugin's ignored globs): its cards are not built, not gone
        self._walked = set(vault.files)
        self._read_notes: set[str] | None = None
        self._left_names: dict[str, list[str]] | None = None
        self._left_texts: dict[str, str] = {}
        self._left_cards = None  # left_out_cards.LeftOutCards, made when holds_text is first asked

    def ids(self) -> set[int]:
        """Every ID written in the vault's notes, whether or not a card claims it — in the notes read and in
        the Markdown files the settings leave out (a note moved into an ignored ``Archive/`` keeps its ID
        line: its note is not gone)."""
        if self._ids is None:
            self._note_ids = _id_lines(self.vault)
            self._excluded_ids = _excluded_id_lines(self.vault, self._walked - self._notes())
            self._ids = self._note_ids | self._excluded_ids
        return self._ids

    def note_ids(self) -> set[int]:
        """The IDs of :meth:`ids` written in the notes read (not only in files the settings leave out)."""
        self.ids()
        return self._note_ids

    def reason(self, where: str, ident: int | None = None, front=None, fields=None, shown: bool = False) -> str | None:
        """"ids", "excluded_ids", "failed", "style", "empty", "unread", "excluded", "excluded_moved" (its file gone, one
        of its name in a folder the settings leave out holds ``front``: its front as plain text, or a callable
        giving it), "excluded_card" (a card of any file left out has every one of ``fields``, a callable giving
        its field texts, ``shown``: as Anki holds them: :meth:`holds_text`) or None for the card last seen at
        ``where`` (``file:line``)
        with ID ``ident`` (written or implicit)."""
        if ident is not None and ident in self.ids():
            if ident not in self._note_ids:
                return "excluded_ids"  # its note moved into a file the settings leave out (tester 12-03)
            return "ids"  # its ID line is still in a note (an orphan-id warning): mistyped, not gone
        file = where.rpartition(":")[0]
        if file in self.failed or not self.kept_cards:
            return "failed"
        if self.unused_styles:
            return "style"  # the file (or the whole vault) gave errors this time: its cards are not gone
        if file in self.emptied or _cloud_placeholder(self.vault.root, file):
            return "empty"
        if (self.unread and file not in self.read) or file in self.left_out:
            return "unread"
        if file in self._walked and file not in self._notes():
            return "excluded"
        if _name(file) in self._excluded_names() and front is not None:
            # moved into a folder the settings leave out (an Archive/), no ID lines needed (tester 12-03 r2), also
            # when a new file of its name took its place (r4): a file of its name there that holds its front (r3:
            # not any file of that name, which held it forever)
            if self._moved_text(_name(file), front() if callable(front) else front):
                return "excluded_moved"
        if fields is not None and self._excluded_names() and self.holds_text(fields(), shown=shown, file=file):
            return "excluded_card"  # the card moved into a file the settings leave out, of any name
        return None

    def _excluded_names(self) -> dict[str, list[str]]:
        """The files the walk found and the settings leave out, by file name (no folder, NFC)."""
        if self._left_names is None:
            self._left_names = {}
            for f in sorted(self._walked - self._notes()):
                self._left_names.setdefault(_name(f), []).append(f)
        return self._left_names

    def _moved_text(self, name: str, front: str) -> bool:
        """Whether a left-out file named ``name`` holds ``front`` (letters and digits compared, case folded: its
        Markdown and the plain text of its HTML agree there); a front of fewer than 4 of them matches nothing."""
        wanted = _letters(front)[:40]
        if len(wanted) < 4:
            return False
        return any(wanted in self._left_text(rel) for rel in self._excluded_names().get(name, ()))

    def holds_text(self, values, *, shown: bool = False, file: str | None = None) -> bool:
        """Whether a card of a Markdown file the settings leave out (an ignored ``Archive/``, any name) has every
        one of ``values`` (a card's field texts; ``shown``: its note's fields as Anki holds them): the card was
        moved there, with no ID line to say so; ``file``: the vault file it was in (a left-out copy of that
        note holds nothing). See :class:`~.left_out_cards.LeftOutCards`."""
        if self._left_cards is None:
            from .left_out_cards import LeftOutCards

            files = [rel for names in self._excluded_names().values() for rel in names if rel.lower().endswith(".md")]
            self._left_cards = LeftOutCards(self.vault, self.config, sorted(files), self._read_left)
        return self._left_cards.holds(values, shown=shown, file=file)

    def _left_text(self, rel: str) -> str:
        """The letters of the left-out file ``rel`` (:func:`_letters`; "" when it cannot be read), read once."""
        if rel not in self._left_texts:
            self._left_texts[rel] = _letters(self._read_left(rel))
        return self._left_texts[rel]

    def _read_left(self, rel: str) -> str:
        """The text of the left-out file ``rel`` ("" when it cannot be read; bounded, :data:`MAX_NOTE_BYTES`)."""
        from ..fileio import MAX_NOTE_BYTES, read_bounded

        try:
            return read_bounded(self.vault.root / rel, MAX_NOTE_BYTES, root=self.vault.root).decode("utf-8", "replace")
        except OSError:
            return ""

    def _notes(self) -> set[str]:
        if self._read_notes is None:
            self._read_notes = {n.path for n in self.vault.notes}
        return self._read_notes


_PLAIN_ID_LINE = re.compile(r"^[ \t]*ID:[ \t]*(\d{1,19})[ \t]*$", re.M)


def left_out_text(vault: Vault, config: Config) -> Callable[[list[str], str], bool]:
    """``holds(texts, file)``: :meth:`StillThere.holds_text` of ``vault`` (its :class:`StillThere` made on the
    first call): whether a card with these field texts (Markdown), last in the vault file ``file``, was moved
    into a file the settings leave out (no ID line needed)."""
    made: list[StillThere] = []

    def holds(texts: list[str], file: str) -> bool:
        if not made:
            made.append(StillThere(vault, config))
        return made[0].holds_text(texts, file=file)
    return holds


def _id_lines(vault: Vault) -> set[int]:
    """Every ID written in the vault's notes (``<!--ID: n-->`` anywhere, ``ID: n`` on a line of its own),
    whether or not a card claims it."""
    found: set[int] = set()
    for note in vault.notes:
        found |= _ids_in_text(note.text)
    return found


def _excluded_id_lines(vault: Vault, files: set[str]) -> set[int]:
    """The IDs written in the vault's Markdown files that were not read (left out by the settings); each
    read bounded, inside the vault; an unreadable one is skipped."""
    from ..fileio import MAX_NOTE_BYTES, read_bounded

    found: set[int] = set()
    for rel in sorted(f for f in files if f.lower().endswith(".md")):
        try:
            text = read_bounded(vault.root / rel, MAX_NOTE_BYTES, root=vault.root).decode("utf-8", "replace")
        except OSError:
            continue
        found |= _ids_in_text(text)
    return found


def _cloud_placeholder(root: Path, file: str) -> bool:
    """Whether the note ``file`` is there as a cloud client's placeholder, not downloaded: iCloud Drive
    ("Optimize Mac Storage") replaces ``dir/name.md`` by the hidden ``dir/.name.md.icloud``."""
    folder, _, name = file.rpartition("/")
    try:
        return (root / folder / f".{name}.icloud").is_file()
    except (OSError, ValueError):
        return False


def _ids_in_text(text: str) -> set[int]:
    """The IDs of a note's ``<!--ID: n-->`` comments and ``ID: n`` lines."""
    if "ID:" not in text:
        return set()
    return ({id_number(m.group(1)) for m in ID_COMMENT.finditer(text)}
            | {int(m.group(1)) for m in _PLAIN_ID_LINE.finditer(text)})
