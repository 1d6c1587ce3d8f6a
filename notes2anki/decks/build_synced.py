"""A plain ``build`` of a vault that `sync` writes into a collection on this machine (tester r8).

`sync` adopts the plugin's notes (a card whose ID is an Anki note id updates that note, under the GUID Anki
gave it) and matches cards without an ID to the notes it recorded (the sync record, id_record_file.py). A
plain build knows neither collection nor those GUIDs: it packages such cards under notes2anki's own GUIDs,
and importing the package into the synced collection adds every one of them again, a duplicate beside
the note with the review history. Without the collection the build cannot take the GUIDs over (``build
--collection`` does), so it warns, naming how many cards would be added twice.
"""
from __future__ import annotations

from pathlib import Path

from ..messages import counted
from ..model import Card, Diagnostic
from .identity import IMPLICIT_BASE, guid_of

LISTED = 3


def synced_copies(root: Path, packaged: list[tuple[Card, str]]) -> Diagnostic | None:
    """The warning for a plain build of the vault at ``root`` when this machine holds its sync record: the
    cards of ``packaged`` (card, the GUID it is packaged under) that the synced collection holds under
    another GUID — a card whose ID is a plugin's Anki note id (the note keeps Anki's GUID), and a card
    without an ID that the record matched to a note of another GUID. None when there is no record or no
    such card. Never raises."""
    from .id_record_file import _nfc, record_head, record_path, sync_digest

    try:
        path = record_path(root)
        if not path.is_file():
            return None
        entries, head = record_head(path, [])
    except (OSError, ValueError):
        return None
    recorded = {(e["file"], e["digest"]): e for e in entries}
    foreign = head.get("foreign")  # the IDs whose synced note has another GUID (None: an older record)
    places = []
    for card, card_guid in packaged:
        if card.id is not None:  # not the adopted note's GUID (tester 12-03: a note made by importing this
            other = card_guid == guid_of(card.id) and (  # vault's own package has it: no duplicate)
                card.id in foreign if foreign is not None else card.id < IMPLICIT_BASE)
        else:  # the GUID of the note sync matched it to (tester 12-03: a renamed file's cards keep their notes'
            entry = recorded.get((_nfc(card.file), sync_digest(card)))  # GUIDs, which no ID of theirs gives)
            note_guid = entry.get("guid") if entry is not None else None
            other = entry is not None and (note_guid if isinstance(note_guid, str) else guid_of(entry["id"])) != card_guid
        if other:
            places.append(card.where)
    if not places:
        return None
    n = len(places)
    shown = ", ".join(places[:LISTED]) + (", …" if n > LISTED else "")
    return Diagnostic("", 0, "warning", (
        f"this vault is synced into an Anki collection with `notes2anki sync` on this machine (its sync record: "
        f"{path}); {counted(n, 'card')} of this package ({shown}) {'is a note' if n == 1 else 'are notes'} that "
        "sync adopted or matched under another GUID, so importing the package into that collection would add "
        f"{'it' if n == 1 else 'them'} again as duplicate notes. Update that collection with `notes2anki sync` "
        "(or `notes2anki build --collection` it); import this package only into another collection"))


def replayed_pairs(state, cards: list[Card]) -> list[tuple[Card, str]]:
    """(card, GUID) for a build replayed from its memo: each card's GUID as the build state records it at
    the card's ``file:line`` (a card not found there is left out)."""
    at = {entry.where: card_guid for card_guid, entry in state.cards.items()}
    return [(card, at[card.where]) for card in cards if card.where in at]
