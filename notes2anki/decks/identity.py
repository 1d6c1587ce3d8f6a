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


def _front_key(card: Card) -> str:
    return f"{card.file}\x1f{card.note_type}\x1f{' '.join(card.front.split())}"


def implicit_id(card: Card, occurrence: int = 0) -> int:
    """The ID of a card without one: from its path, note type and first field (and, for the 2nd, 3rd
    ... card with the same first field in one file, its occurrence)."""
    key = _front_key(card) + (f"\x1f{occurrence}" if occurrence else "")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return IMPLICIT_BASE + int.from_bytes(digest[:8], "big") % IMPLICIT_SPAN


def card_ids(cards: list[Card]) -> dict[int, int]:
    """``id(card)`` → the card's ID: its written ID, else its implicit ID."""
    seen: dict[str, int] = {}
    out: dict[int, int] = {}
    for card in cards:
        if card.id is not None:
            out[id(card)] = card.id
            continue
        key = _front_key(card)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out[id(card)] = implicit_id(card, occurrence)
    return out


def card_id(card: Card) -> int:
    return card.id if card.id is not None else implicit_id(card)


def guid_of(identifier: int) -> str:
    return genanki.guid_for("notes2anki", identifier)


def guid(card: Card) -> str:
    return guid_of(card_id(card))


def assign_identities(cards: list[Card], diagnostics: list[Diagnostic]) -> list[tuple[Card, str]]:
    """(card, GUID) for every card; two cards with one identity → an error naming both, second dropped.

    Cards without an ID get a warning: editing their first field makes Anki see a new card.
    """
    ids = card_ids(cards)
    seen: dict[str, Card] = {}
    fronts: dict[str, Card] = {}
    out: list[tuple[Card, str]] = []
    unnamed = [c for c in cards if c.id is None]
    for card in cards:
        g = guid_of(ids[id(card)])
        first = seen.get(g)
        if first is not None:
            diagnostics.append(Diagnostic(card.file, card.line, "error",
                                          f"same ID as the card at {first.where}; this card skipped "
                                          "(give one of them another ID)"))
            continue
        if card.id is None:
            twin = fronts.setdefault(_front_key(card), card)
            if twin is not card:
                diagnostics.append(Diagnostic(
                    card.file, card.line, "warning",
                    f"same first field as the card at {twin.where}: the two are told apart by their order "
                    "only. Run `notes2anki ids` so each keeps its identity."))
        seen[g] = card
        out.append((card, g))
    if unnamed:
        files = sorted({c.file for c in unnamed})
        diagnostics.append(Diagnostic(
            "", 0, "warning",
            f"{len(unnamed)} card(s) in {len(files)} file(s) have no ID: editing their front will "
            "make a new card in Anki (losing its review history). Run `notes2anki ids VAULT` to add IDs."))
    return out
