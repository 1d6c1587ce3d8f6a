"""Whose ID is which: ID lines outside START/END blocks, and one ID used by two cards.

Every ``<!--ID: n-->`` line is a note in the owner's Anki. One that no card claims will never be
updated again, so it is reported (F9). (An ID after blank lines below a regex card is that card's, F10:
:mod:`notes2anki.parsers.regex_notes` reads it.)
"""
from __future__ import annotations

from ..model import Card, Diagnostic, Vault
from .syntax import shown_id, written_id

MAX_NOTE_ID = 2**63 - 1  # Anki's note IDs are positive signed 64-bit integers (milliseconds since 1970)


def drop_impossible_ids(cards: list[Card], rel: str, diagnostics: list[Diagnostic]) -> list[Card]:
    """``cards`` without those whose ID no Anki note can have (0, or above :data:`MAX_NOTE_ID`), each with an
    error at its ID line. Such a line is damaged (a digit pasted twice, a stray edit): built without an ID
    the card would become a second note beside the one it stood for, and given one ``ids`` would write a
    second ID line; skipped, the user corrects the line (or removes it for a new note)."""
    keep = []
    for card in cards:
        if card.id is not None and not 1 <= card.id <= MAX_NOTE_ID:
            diagnostics.append(Diagnostic(
                rel, card.id_line or card.line, "error",
                f"ID {shown_id(card.id)} of the card at {card.where} cannot be an Anki note ID (1 to {MAX_NOTE_ID}); "
                "card skipped — correct the ID from Anki (Browse > Info), or remove the line to add the card as "
                "a new note", "bad-id"))
            continue
        keep.append(card)
    return keep


def report_loose_ids(cards: list[Card], loose_ids: dict[int, int], rel: str,
                     diagnostics: list[Diagnostic]) -> None:
    """Report each ID line outside blocks (``loose_ids``: 1-based line → ID) that no card claims.

    An ID line inside a card's span is another card's, swallowed by this one (cards written without a
    blank line between them); any other unclaimed ID line is an orphan. A line whose number no tool writes
    (``ID: 0000000000``: :func:`~notes2anki.parsers.syntax.written_id`) is text, and nobody's."""
    claimed = {c.id_line for c in cards if c.id is not None and not c.inline}
    spans = sorted((c for c in cards if not c.inline), key=lambda c: (c.line, c.end_line))
    for no, card_id in sorted(loose_ids.items()):
        if no in claimed or not written_id(card_id):
            continue
        inside = next((c for c in spans if c.line <= no <= c.end_line), None)
        if inside is not None:
            diagnostics.append(Diagnostic(
                rel, no, "warning",
                f"ID {shown_id(card_id)} is inside the text of the card at {inside.where}, not its ID (cards written "
                "without a blank line between them?); the Anki note with this ID will not be updated",
                "orphan-id"))
            continue
        diagnostics.append(Diagnostic(
            rel, no, "warning",
            f"ID {shown_id(card_id)} belongs to no card (its card was deleted or no longer matches); the Anki note "
            "with this ID will not be updated — delete the line, or the note in Anki", "orphan-id"))


def drop_duplicate_ids(vault: Vault) -> None:
    """Two cards with one ID: both are left out, each with an error naming the other.

    Neither is taken: which of the two is the Anki note's card cannot be told from the vault (a note
    copied to start another one, Obsidian's "Note 1.md", sorts before "Note.md", and keeping the first
    card in path order gave the original's review history to the copy). Left out, the Anki note stays as
    it is until one ID line is removed. The same card found twice (the same place: two custom regexes
    matching one paragraph) is never named against itself: the second finding is dropped silently (the
    plugin lets the first claim it)."""
    holders: dict[int, list[Card]] = {}
    for note in vault.notes:
        for card in note.cards:
            if card.id is not None:
                places = holders.setdefault(card.id, [])
                if all((c.file, c.line) != (card.file, card.line) for c in places):
                    places.append(card)
    shared = {ident: cards for ident, cards in holders.items() if len(cards) > 1}
    if not shared:
        for note in vault.notes:  # the same card found twice: keep its first finding
            note.cards = _first_findings(note.cards)
        return
    skipped: set[tuple[str, int, int]] = set()
    vault.shared_ids |= set(shared)  # (sync: a card without an ID line takes none of their notes)
    for ident, cards in shared.items():
        for card in cards:
            others = ", ".join(c.where for c in cards if c is not card)
            vault.diagnostics.append(Diagnostic(
                card.file, card.line, "error",
                f"ID {ident} is also used by the card at {others}; both skipped, the Anki note is left as it is "
                "(a copied note? remove the ID line from the copy)", "duplicate-id"))
            skipped.add(card.key)
    for note in vault.notes:
        note.cards = [c for c in _first_findings(note.cards) if c.key not in skipped]


def _first_findings(cards: list[Card]) -> list[Card]:
    """``cards`` without a second finding of one card (same place, same ID)."""
    seen: set[tuple[int, str, int]] = set()
    keep = []
    for card in cards:
        if card.id is not None:
            if (card.id, card.file, card.line) in seen:
                continue
            seen.add((card.id, card.file, card.line))
        keep.append(card)
    return keep
