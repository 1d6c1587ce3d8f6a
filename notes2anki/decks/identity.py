"""Card identity: which Anki note a card updates.

A card's identity is its ``<!--ID: n-->`` when it has one. A card without one gets an *implicit ID*
derived from its vault path and first field (a 13-digit number, like the plugin's IDs); ``notes2anki
ids`` writes exactly that number into the file, so adding IDs never changes a card's GUID. The GUID
Anki matches on is derived from the ID.
"""
from __future__ import annotations

import hashlib

import genanki

from ..model import Card, Diagnostic

IMPLICIT_BASE = 2_000_000_000_000  # implicit IDs are 13 digits, above the plugin's (Anki note ids, ~1.7e12)
IMPLICIT_SPAN = 7_999_999_999_999


def implicit_id(card: Card) -> int:
    front = " ".join(card.front.split())
    digest = hashlib.sha256(f"{card.file}\x1f{card.note_type}\x1f{front}".encode("utf-8")).digest()
    return IMPLICIT_BASE + int.from_bytes(digest[:8], "big") % IMPLICIT_SPAN


def card_id(card: Card) -> int:
    return card.id if card.id is not None else implicit_id(card)


def guid(card: Card) -> str:
    return genanki.guid_for("notes2anki", card_id(card))


def assign_identities(cards: list[Card], diagnostics: list[Diagnostic]) -> list[tuple[Card, str]]:
    """(card, GUID) for every card; two cards with one identity → an error naming both, second dropped.

    Cards without an ID get a warning: editing their first field makes Anki see a new card.
    """
    seen: dict[str, Card] = {}
    out: list[tuple[Card, str]] = []
    unnamed = [c for c in cards if c.id is None]
    for card in cards:
        g = guid(card)
        first = seen.get(g)
        if first is not None:
            what = f"ID {card.id}" if card.id is not None else "first field"
            diagnostics.append(Diagnostic(card.file, card.line, "error",
                                          f"same {what} as the card at {first.where}; "
                                          "this card skipped (give one of them an ID, or change it)"))
            continue
        seen[g] = card
        out.append((card, g))
    if unnamed:
        files = sorted({c.file for c in unnamed})
        diagnostics.append(Diagnostic(
            "", 0, "warning",
            f"{len(unnamed)} card(s) in {len(files)} file(s) have no ID: editing their front will "
            "make a new card in Anki (losing its review history). Run `notes2anki ids VAULT` to add IDs."))
    return out
