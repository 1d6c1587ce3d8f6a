"""Whose ID is which: ID lines outside START/END blocks, and one ID used by two cards.

Every ``<!--ID: n-->`` line is a note in the owner's Anki. One that no card claims will never be
updated again, so it is reported (F9). (An ID after blank lines below a regex card is that card's, F10:
:mod:`notes2anki.parsers.regex_notes` reads it.)
"""
from __future__ import annotations

from ..model import Card, Diagnostic, Vault


def report_loose_ids(cards: list[Card], loose_ids: dict[int, int], rel: str,
                     diagnostics: list[Diagnostic]) -> None:
    """Report each ID line outside blocks (``loose_ids``: 1-based line → ID) that no card claims.

    An ID line inside a card's span is another card's, swallowed by this one (cards written without a
    blank line between them); any other unclaimed ID line is an orphan."""
    claimed = {c.id_line for c in cards if c.id is not None and not c.inline}
    spans = sorted((c for c in cards if not c.inline), key=lambda c: (c.line, c.end_line))
    for no, card_id in sorted(loose_ids.items()):
        if no in claimed:
            continue
        inside = next((c for c in spans if c.line <= no <= c.end_line), None)
        if inside is not None:
            diagnostics.append(Diagnostic(
                rel, no, "warning",
                f"ID {card_id} is inside the text of the card at {inside.where}, not its ID (cards written "
                "without a blank line between them?); the Anki note with this ID will not be updated",
                "orphan-id"))
            continue
        diagnostics.append(Diagnostic(
            rel, no, "warning",
            f"ID {card_id} belongs to no card (its card was deleted or no longer matches); the Anki note "
            "with this ID will not be updated — delete the line, or the note in Anki", "orphan-id"))


def drop_duplicate_ids(vault: Vault) -> None:
    """Two cards with one ID: an error naming both; the second is left out.

    The same card found twice (the same place: two custom regexes matching one paragraph) is never
    named against itself: the second finding is dropped silently (the plugin lets the first claim it)."""
    seen: dict[int, Card] = {}
    for note in vault.notes:
        keep = []
        for card in note.cards:
            first = seen.get(card.id) if card.id is not None else None
            if first is not None:
                if (first.file, first.line) != (card.file, card.line):
                    vault.diagnostics.append(Diagnostic(
                        card.file, card.line, "error",
                        f"ID {card.id} is also used by the card at {first.where}; this card skipped",
                        "duplicate-id"))
                continue
            if card.id is not None:
                seen[card.id] = card
            keep.append(card)
        note.cards = keep
