"""The plain text of a card, as the semantic layer sees it.

What a card's text for embedding is (version :data:`TEXT_VERSION`):

* each field's Markdown is read by the same markdown-it parser that renders the card, and its text taken
  from the token stream (:func:`notes2anki.parsers.plain_text.plain_text`, whose docstring lists the rules):
  markup, embeds, ``<!--ID-->`` comments, URLs and ``#tags`` go; link text, code, table cells and the words
  of math stay; clozes become their answers;
* the card text is the plain text of its non-empty fields, joined with ``" | "``;
* for the duplicate finder a card also has a *question* and an *answer*: the first field and the other
  fields (joined with ``" | "``); for a cloze card (a cloze note type: :func:`notes2anki.model.is_cloze`,
  the package's one rule), the text with each cloze shown as ``[...]``, and the cloze answers followed by
  the other fields.

Any change to these rules must bump :data:`TEXT_VERSION`: cached vectors are keyed by it. Version 1 was a
chain of regexes over the Markdown source; version 2 reads the token stream (issue 15).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..parsers.inline_syntax import cloze_spans
from ..parsers.plain_text import MASK
from ..parsers.plain_text import plain_text as _token_text
from . import text_memo

if TYPE_CHECKING:  # pragma: no cover
    from notes2anki.model import Card

TEXT_VERSION = 3
FIELD_SEPARATOR = " | "

_CURLY_CLOZE = re.compile(r"(?<![\\\w^_}])\{(?:c?\d+[|:])?([^{}\n]*)\}")


def plain_text(markdown: str) -> str:
    """The plain text of one field's Markdown, clozes shown as their answers (see the module docstring)."""
    return text_memo.lookup("answer", markdown, _read) if markdown else ""


def _read(markdown: str, mode: str) -> str:
    return _token_text(markdown, cloze=mode)


def _field_values(card: "Card") -> list[str]:
    return list(card.fields.values())


def is_cloze(card: "Card") -> bool:
    """Whether to read the card as a cloze: its note type is a cloze type by the package's one rule
    (:func:`notes2anki.model.is_cloze`)."""
    from ..model import is_cloze as cloze_note_type

    return cloze_note_type(card.note_type)


def question_text(card: "Card") -> str:
    """Plain text of the card's first field (clozes unwrapped)."""
    values = _field_values(card)
    return plain_text(values[0]) if values else ""


def answer_text(card: "Card") -> str:
    """Plain text of the card's other fields (non-empty ones, in order), joined with ``" | "``."""
    return join_text(*(plain_text(value) for value in _field_values(card)[1:]))


def card_text(card: "Card") -> str:
    """Plain text of all the card's fields: the text that is embedded for the card as a whole. (Remembered
    per field Markdown until the next :func:`text_memo.load <notes2anki.semantic.text_memo.load>`: a
    duplicate check asks for each card's text several times.)"""
    values = tuple(card.fields.values())
    text = text_memo.cards.get(values)
    if text is None:
        if len(text_memo.cards) >= text_memo.MAX_ENTRIES:
            text_memo.cards.clear()
        text = text_memo.cards[values] = join_text(question_text(card), answer_text(card))
    return text


def join_text(*parts: str) -> str:
    """Non-empty ``parts`` joined with ``" | "``."""
    return FIELD_SEPARATOR.join(part for part in parts if part)


def _cloze_answers(source: str) -> list[str]:
    """The answers of the clozes of ``source``, in order: native ``{{c1::answer::hint}}`` ones, else the
    curly ``{answer}`` / ``{2:answer}`` / ``{c2|answer}`` ones."""
    spans = cloze_spans(source)
    if spans:
        return [plain_text(source[start:end]) for start, end in spans]
    return [plain_text(m.group(1)) for m in _CURLY_CLOZE.finditer(source)]


def question_and_answer(card: "Card") -> tuple[str, str]:
    """What the card asks and what it answers (plain text), for comparing two cards.

    A basic card: (first field, other fields). A cloze card: (the text with each cloze shown as ``[...]``,
    the cloze answers followed by the other fields).
    """
    if not is_cloze(card):
        return question_text(card), answer_text(card)
    values = _field_values(card)
    source = values[0] if values else ""
    masked = text_memo.lookup("mask", source, _read) if source else ""
    masked = masked.replace(MASK, f" {MASK} ")
    return " ".join(masked.split()), join_text(*_cloze_answers(source), answer_text(card))
