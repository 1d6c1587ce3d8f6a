"""A card as the duplicate check reads it: its plain texts and the media it embeds (:func:`card_parts`), kept
between runs with the plain texts (issue 13: a check after an edit of a 10,000-card vault computed each card's
texts three times over, for :func:`exact_key`, :func:`card_side` and the media veto)."""
from __future__ import annotations

import hashlib
import re

from notes2anki.model import Card
from notes2anki.semantic import text_memo
from notes2anki.semantic.pair_features import Side
from notes2anki.semantic.text import card_text, is_cloze, question_and_answer

_MEDIA = re.compile(r"!\[\[([^\]|\n]*)[^\]\n]*\]\]|!\[[^\]\n]*\]\(([^)\s]*)[^)\n]*\)|<img\b[^>]*?src=[\"']?([^\"' >]+)"
                    r"|\[sound:([^\]\n]*)\]", re.I)


_PARTS = "card-parts:" + hashlib.sha256(_MEDIA.pattern.encode()).hexdigest()[:12]  # the text memo's key


def card_parts(card: Card) -> tuple[str, str, str, bool, tuple[tuple[str, ...], ...]]:
    """(card text, question, answer, cloze, the images and sounds each field embeds) of ``card``: what
    :func:`exact_key`, :func:`card_side` and :func:`media_of` read, computed once per note type and field
    Markdown and kept with the plain texts between runs (:func:`notes2anki.semantic.text_memo.remember`;
    10,000 cards: about 0.4 s a check after an edit, most of it to find again what the last one found)."""
    values = tuple(card.fields.values())
    parts = text_memo.remember((_PARTS, card.note_type, *values), lambda: _card_parts(card))
    text_memo.cards.setdefault(values, parts[0])  # (card_text's own memo, this run)
    return parts


def _card_parts(card: Card) -> tuple[str, str, str, bool, tuple[tuple[str, ...], ...]]:
    question, answer = question_and_answer(card)
    media = tuple(tuple(next(g for g in m.groups() if g is not None).strip() for m in _MEDIA.finditer(value))
                  for value in card.fields.values())
    return card_text(card), question, answer, is_cloze(card), media


def media_of(card: Card) -> tuple[str, ...]:
    """The images and sounds the card embeds, in order."""
    return tuple(name for field_media in card_parts(card)[4] for name in field_media)


def exact_key(card: Card) -> str:
    """What two exact duplicates share: the plain card text (:func:`card_text`; case counts, Markdown
    emphasis does not) and the images and sounds each field embeds, in order: a card that differs only by
    an image is not an exact duplicate."""
    return _exact_key(card_parts(card))


def _exact_key(parts: tuple) -> str:
    return "\x1f".join([parts[0], *("|".join(field_media) for field_media in parts[4])])


def card_side(card: Card) -> Side:
    """The card as the judge reads it (question, answer, whole text)."""
    text, question, answer, cloze, _ = card_parts(card)
    return Side(question, answer, text, cloze, card.file)
