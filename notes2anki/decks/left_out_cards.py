"""The cards of the Markdown files the settings leave out (an ignored ``Archive/``): where a card moved without
its ID line may be.

A card moved into such a file is not built, so its note looks gone; a card added in its old place would take
that note by the gap rule, and sync would delete it (tester 12-03 r17). :class:`LeftOutCards` reads those files
with the vault's own parser (only when asked, each file once, bounded) and says whether one of their cards
has a given card's fields: compared as the letters and digits of each field (NFC, case folded, HTML tags
left out for the note's fields as Anki shows them), so a field's Markdown, links and markup are read as the
build reads them (a field holding ``<br>`` or ``[t](url)`` matched nothing when files were compared as raw
letters, nor did text saved in decomposed Unicode). Prose that mentions the same words is no card, so an
unrelated archived note holds nothing. A left-out file most of whose cards are cards of the vault file the card
came from, as it is now, is a copy of that note (a backup), not where a card went: it holds nothing.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence

from ..config import Config
from ..model import Vault

FIELD_LETTERS = 40  # letters and digits of each field compared (the build state keeps 80 characters of a front)
MIN_LETTERS = 8  # fewer letters in all match nothing (``Term | yes`` is in many files)
_TAG = re.compile(r"<[^>]{0,2000}>")
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w{3,}")


def letters(text: str, *, shown: bool = False) -> str:
    """``text``'s letters and digits (NFC, case folded, HTML entities read); ``shown``: HTML tags left out first
    (a note's field as Anki holds it)."""
    if shown:
        text = _TAG.sub(" ", text)
    return _NOT_WORD.sub("", unicodedata.normalize("NFC", html.unescape(text)).casefold())


class LeftOutCards:
    """The cards of ``vault``'s left-out Markdown files (``files``: their vault paths), parsed on first use."""

    def __init__(self, vault: Vault, config: Config, files: Sequence[str], read: Callable[[str], str]) -> None:
        self.vault, self.config, self.files, self.read = vault, config, list(files), read
        self._raw: dict[str, str] = {}  # file -> its text (NFC, case folded): a cheap first test
        self._cards: dict[str, list[tuple[list[str], list[str]]]] = {}  # file -> per card (raw, shown) letters
        self._copy: dict[tuple[str, str], bool] = {}
        self._mine: dict[str, set[tuple[str, ...]]] = {}  # vault file ("": all) -> its cards' field letters

    def holds(self, values: Sequence[str], *, shown: bool = False, file: str | None = None) -> bool:
        """Whether a card of a left-out file has every one of ``values`` (a card's field texts: its Markdown, or
        with ``shown`` its note's fields as Anki holds them) among its fields, compared by their first
        :data:`FIELD_LETTERS` letters (a prefix: the build state keeps the start of a card's fields); fewer than
        :data:`MIN_LETTERS` letters in all match nothing. ``file``: the vault file the card was last in; a
        left-out file holding a card of that file still in the vault is a copy of it and holds nothing."""
        wanted = [w for w in (letters(v, shown=shown)[:FIELD_LETTERS] for v in values) if w]
        if sum(map(len, wanted)) < MIN_LETTERS:
            return False
        words = [max(_WORD.findall(_plain(v, shown)) or [""], key=len) for v in values]
        probe = max(words, key=len)
        for rel in self.files:
            if probe and probe not in self._text(rel):
                continue
            if any(_has(fields, wanted) for fields in (c[1] if shown else c[0] for c in self._parsed(rel))) \
                    and not (file is not None and self._copy_of(rel, file)):
                return True
        return False

    def _text(self, rel: str) -> str:
        if rel not in self._raw:
            self._raw[rel] = unicodedata.normalize("NFC", self.read(rel)).casefold()
        return self._raw[rel]

    def _parsed(self, rel: str) -> list[tuple[list[str], list[str]]]:
        """The cards of the left-out file ``rel`` as the build parses it (its messages dropped: the file is not
        built), each as (its fields' letters, its rendered fields' letters)."""
        if rel not in self._cards:
            from ..model import note_type_fields
            from ..parsers.links import LinkResolver
            from ..parsers.vault import parse_note

            text = self.read(rel)
            cards = []
            if text:
                note = parse_note(rel, text, self.config, note_type_fields(self.config.note_types),
                                  LinkResolver(self.vault.files, self.vault.root),
                                  self.config.vault_name or self.vault.root.resolve().name, [])
                cards = [([letters(v)[:FIELD_LETTERS] for v in card.fields.values()],
                          [letters(v, shown=True)[:FIELD_LETTERS] for v in card.html.values()])
                         for card in note.cards if not card.delete]
            self._cards[rel] = cards
        return self._cards[rel]

    def _copy_of(self, rel: str, file: str) -> bool:
        """Whether the left-out file ``rel`` is a copy of the vault file ``file`` (a backup): more than half of its
        cards are cards of ``file`` as it is now (each field's first :data:`FIELD_LETTERS` letters the same: "the
        bee" is no copy of "the bee buzzes loudly"); of any vault file when ``file`` is gone (renamed since). An
        archive that shares a card or two with the vault is no copy."""
        if (rel, file) not in self._copy:
            here = file if any(card.file == file for card in self.vault.cards) else ""
            if here not in self._mine:
                keys = (_key(card.fields.values()) for card in self.vault.cards
                        if (not here or card.file == here) and not card.delete)
                self._mine[here] = {key for key in keys if sum(map(len, key)) >= MIN_LETTERS}  # (``Term | yes``: no proof)
            cards = self._parsed(rel)
            shared = sum(tuple(sorted(raw)) in self._mine[here] for raw, _ in cards)  # (raw: letters already)
            self._copy[rel, file] = 2 * shared > len(cards)
        return self._copy[rel, file]


def _key(values) -> tuple[str, ...]:
    """A card's fields as :meth:`LeftOutCards._copy_of` compares them: each one's first letters, sorted."""
    return tuple(sorted(letters(v)[:FIELD_LETTERS] for v in values))


def _has(fields: list[str], wanted: list[str]) -> bool:
    """Every ``wanted`` letters is the start of one of ``fields`` (the whole of it, or the start kept)."""
    return all(any(f.startswith(w) for f in fields) for w in wanted)


def _plain(text: str, shown: bool) -> str:
    if shown:
        text = _TAG.sub(" ", text)
    return unicodedata.normalize("NFC", html.unescape(text)).casefold()
