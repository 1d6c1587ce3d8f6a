"""Whose ID is which: ID lines outside START/END blocks, and one ID used by two cards.

Every ``<!--ID: n-->`` line is a note in the owner's Anki. One that no card claims will never be
updated again, so it is reported (F9); one separated from its paragraph card by blank lines is that
card's (F10), so ``ids`` does not mint a second ID above it.
"""
from __future__ import annotations

from ..model import Card, Diagnostic, Vault


def claim_loose_ids(cards: list[Card], loose_ids: dict[int, int], lines: list[str], rel: str,
                    diagnostics: list[Diagnostic]) -> None:
    """Give each ID line outside blocks (``loose_ids``: 1-based line → ID) to its card, or report it.

    An ID line below a regex card without an ID, blank lines between, becomes that card's ID (with a
    warning; directly below, the regex reader takes it itself). An ID line inside a card's span is another card's, swallowed by this one
    (cards written without a blank line between them). Any other unclaimed ID line is an orphan."""
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
        owner = _card_above(spans, no, lines)
        # right below the card's last line, the regex reader would have taken it: the match then ends
        # mid-line, and the ID is not read as the card's (``ids`` writes none there either)
        if owner is not None and owner.kind == "regex" and owner.id is None and no - owner.end_line > 1:
            owner.id, owner.id_line = card_id, no
            claimed.add(no)
            diagnostics.append(Diagnostic(
                rel, no, "warning",
                f"ID {card_id} is separated from its card at {owner.where} by {no - owner.end_line - 1} blank "
                "line(s); taken as that card's ID (the plugin would not find it: remove the blank lines)",
                "id-after-blank"))
            continue
        diagnostics.append(Diagnostic(
            rel, no, "warning",
            f"ID {card_id} belongs to no card (its card was deleted or no longer matches); the Anki note "
            "with this ID will not be updated — delete the line, or the note in Anki", "orphan-id"))


def _card_above(spans: list[Card], no: int, lines: list[str]) -> Card | None:
    """The card ending just above line ``no`` with only blank lines between, else None."""
    above = no - 1
    while above >= 1 and not lines[above - 1].strip():
        above -= 1
    return next((c for c in spans if c.end_line == above), None)


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
