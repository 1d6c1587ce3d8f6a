"""Cards `sync` leaves out, and why: a plugin note deleted in Anki (not added again), a card whose deck is
a filtered deck in Anki (Anki refuses to put a card there)."""
from __future__ import annotations

from ..messages import counted
from ..model import Card, Diagnostic
from .identity import IMPLICIT_BASE, guid_of


class MissingPluginNotes:
    """Cards whose ID is an Anki note id the plugin wrote (below notes2anki's implicit IDs) that this
    collection no longer holds, while it holds other such notes of the vault (it is the plugin's
    collection): the note was deleted in Anki — how plugin users dropped a card; the plugin then only
    warns — so sync does not add it again unless ``--recreate-missing`` (a collection holding none of the
    vault's plugin notes, a new profile, gets them all)."""

    def __init__(self, cards: list[Card], notes: dict) -> None:
        plugin = [c.id for c in cards if c.id is not None and c.id < IMPLICIT_BASE]
        self.active = any(i in notes for i in plugin)
        self.cards: list[Card] = []

    def deleted_in_anki(self, card: Card, gone: dict[str, int] | None = None) -> int | None:
        """Whether ``card`` is left out: its plugin note was deleted in Anki, or (``gone``: GUID → nid of the
        notes this vault synced into this collection that it no longer holds, from the registry) the note its
        written notes2anki ID names, deleted there (tester 12-03: after `ids`, deleting a note in Anki — the
        plugin's way to drop a card — no longer dropped it: the next sync added it again). The card is
        remembered. Returns the gone note's nid (0 for a plugin note), or None when the card is not left out."""
        if self.active and card.id is not None and card.id < IMPLICIT_BASE:
            self.cards.append(card)
            return 0
        if gone and card.id is not None and card.id >= IMPLICIT_BASE:
            nid = gone.get(guid_of(card.id))
            if nid is not None:
                self.cards.append(card)
                return nid
        return None

    def report(self, diags: list[Diagnostic]) -> None:
        """One warning naming the cards left out, if any."""
        if self.cards:
            one = len(self.cards) == 1
            places = ", ".join(c.where for c in self.cards[:5]) + (" …" if len(self.cards) > 5 else "")
            diags.append(Diagnostic("", 0, "warning", (
                f"{counted(len(self.cards), 'card')} {'has' if one else 'have'} the ID of a note this collection no "
                f"longer holds ({places}): deleted in Anki (the plugin's way to drop a card) or by a DELETE line "
                f"synced before, so not added again; "
                f"delete {'its card or ID line' if one else 'their cards or ID lines'} in the vault, or sync with "
                f"--recreate-missing to add {'it as a new note' if one else 'them as new notes'}")))


def filtered_deck(col, name: str, deck_ids: dict) -> str | None:
    """The deck on the path of deck ``name`` (itself or a parent: ``Cram`` of ``Cram::Sub``) that is a
    filtered deck of the collection, else None: Anki refuses to put cards in one, or to make a deck below
    one (FilteredDeckError). ``deck_ids``: the name → id memo shared with ``sync_plan._compare``."""
    parts = name.split("::")
    for depth in range(1, len(parts) + 1):
        path = "::".join(parts[:depth])
        if path not in deck_ids:
            deck_ids[path] = col.decks.id_for_name(path)
        if not deck_ids[path]:
            return None  # no such deck: nor any below it
        deck = col.decks.get(deck_ids[path], default=False)
        if deck and deck.get("dyn"):
            return path
    return None
